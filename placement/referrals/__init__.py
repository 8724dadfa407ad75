"""Opaque referrals: a hold tells the unit's operator, who accepts or declines."""
