"""Pure cores of the households app: task rules and the Health and Wellbeing Check (no Django)."""
