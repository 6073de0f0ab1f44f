"""Participatory budgeting: rounds from ideas to delivery, counted by the pure rules in `core/`."""
