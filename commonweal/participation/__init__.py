"""Community power before the split: now only the migration history (see apps.py)."""
