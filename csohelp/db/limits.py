"""Rate-limit hits kept in the database, so every process and machine counts together."""

from __future__ import annotations

import random
from abc import ABC, abstractmethod

from .base import PRUNE_SHARE, RequestStore


class HitStore(ABC):
    """Where the rate limiter keeps its counts: one process's memory, or a store shared by workers."""

    @abstractmethod
    def recent(self, key: str, since: float) -> list[float]:
        """The times of `key`'s hits after `since`, oldest first."""

    @abstractmethod
    def add(self, key: str, at: float) -> None:
        """Count one hit of `key` at time `at`."""


class StoreHitStore(HitStore):
    """Hits in the `rate_hits` table; times are wall-clock because processes compare them."""

    def __init__(self, store: RequestStore, window: float = 60.0):
        self.store, self.window = store, window

    def recent(self, key: str, since: float) -> list[float]:
        rows = self.store.query("SELECT at FROM rate_hits WHERE client = ? AND at > ? ORDER BY at",
                                (key, since))
        return [float(at) for (at,) in rows]

    def add(self, key: str, at: float) -> None:
        with self.store.transaction() as tx:
            # Forget this client's hits that left the window, so the table stays small.
            tx.execute("DELETE FROM rate_hits WHERE client = ? AND at <= ?", (key, at - self.window))
            if random.random() < PRUNE_SHARE:  # clients that never come back: their rows go too
                tx.execute("DELETE FROM rate_hits WHERE at <= ?", (at - self.window,))
            tx.execute("INSERT INTO rate_hits (client, at) VALUES (?, ?)", (key, at))
