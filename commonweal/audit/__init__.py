"""The audit: who read a person-level record and why, and who wrote what through an action."""
