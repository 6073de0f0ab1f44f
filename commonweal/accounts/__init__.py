"""Accounts: users, roles scoped to organisations and places, access audit, API tokens."""
