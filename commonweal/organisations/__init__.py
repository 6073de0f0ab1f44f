"""Organisations: GP practices, primary care networks, VCSE organisations, council teams, alliances."""
