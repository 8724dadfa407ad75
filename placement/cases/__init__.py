"""Case intake: the person, the household, needs, exclusion areas, risk and requests."""
