"""People: the person record — asset-based, readable in full by the person it is about."""
