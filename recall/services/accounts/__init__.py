"""Accounts: registration, authentication, passwords and role grants."""
