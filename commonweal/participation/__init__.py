"""Community power: steering groups, conversations, citizens' assemblies and participatory budgeting."""
