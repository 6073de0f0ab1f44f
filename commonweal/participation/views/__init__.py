"""Pages for citizens' assemblies and steering groups (participatory budgeting adds its own module)."""
