"""Pure cores of the volunteering app: buddy ranking and mileage rates (no Django, plain data)."""
