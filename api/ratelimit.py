"""Sign-in rate limit per client address and per user name (the `limits` library).

In memory, per process: the account lockout in the database is the shared, durable limit.
"""

from __future__ import annotations

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class LoginLimiter:
    def __init__(self, per_minute: int) -> None:
        self._item = RateLimitItemPerMinute(per_minute)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, client: str, username: str) -> bool:
        """Count an attempt; False when either key is over the limit."""
        ok_client = self._limiter.hit(self._item, "login-client", client)
        ok_user = self._limiter.hit(self._item, "login-user", username.lower())
        return ok_client and ok_user
