"""The thin adapter between the database and the pure optimizer."""
