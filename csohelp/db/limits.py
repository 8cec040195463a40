"""The submission rate limit kept in the database, so every process and machine counts together."""

from __future__ import annotations

import time

from .base import RequestStore


class StoreRateLimiter:
    """At most `per_minute` hits per client in any sliding 60 s window, across all processes.

    The same `hit` as the in-memory RateLimiter of csohelp/web/security.py; wall-clock time
    (not monotonic) because the counts are compared between processes.
    """

    def __init__(self, store: RequestStore, per_minute: int, window: float = 60.0):
        self.store, self.per_minute, self.window = store, per_minute, window

    def hit(self, client: str, now: float | None = None) -> float | None:
        """Count one hit; None if allowed, else the seconds to wait. StoreError if the database fails."""
        if self.per_minute <= 0:
            return None
        return self.store.hit(client, self.per_minute, self.window, time.time() if now is None else now)
