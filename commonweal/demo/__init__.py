"""The demo borough: a deterministic, fictional Trafford built from a seed on real geography."""
