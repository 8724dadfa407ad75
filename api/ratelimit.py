"""A fast first filter on sign-in attempts per client address (the `limits` library).

In memory, per process, and keyed on the address only (never the user name, which would let
a stranger hold a user back). The shared, durable throttle is placement.auth.throttle.
"""

from __future__ import annotations

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class LoginLimiter:
    def __init__(self, per_minute: int) -> None:
        self._item = RateLimitItemPerMinute(per_minute)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, client: str) -> bool:
        """Count an attempt; False when this address is over the limit."""
        return self._limiter.hit(self._item, "login-client", client)
