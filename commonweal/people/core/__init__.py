"""Pure cores of the people app (no Django)."""
