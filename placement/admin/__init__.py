"""Administration: accounts, API tokens, districts' settings (role admin, every change audited)."""
