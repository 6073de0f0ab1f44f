"""Write use cases for community power, one module per part (assemblies, deliberation, budgeting)."""
