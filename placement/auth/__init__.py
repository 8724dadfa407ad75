"""Accounts, sign-in sessions, API tokens, roles and permissions."""
