"""The recorder: a bounded in-memory queue that a background thread writes to the store in batches.

Recording must never slow or fail a page or a search, so `put` only appends to a deque under a
lock (a few microseconds) and never touches the database. When the queue is full, or the store
is down when a batch is written, the events are dropped and counted: figures may undercount,
pages never wait.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

from .masking import normalise_query
from .store import Analytics, AnalyticsError, Event

log = logging.getLogger(__name__)


def hour_bucket(now: datetime | None = None) -> str:
    """The UTC hour an event falls in ("2026-11-28T14"): the finest time the store keeps."""
    return (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H")


def day_bucket(now: datetime | None = None) -> str:
    """The UTC day ("2026-11-28")."""
    return (now or datetime.now(UTC)).strftime("%Y-%m-%d")


class Recorder:
    """Events in, batches out: `put` from any thread, one writer thread, drops counted."""

    def __init__(self, store: Analytics, capacity: int = 10_000, batch: int = 500,
                 interval: float = 1.0, clock: Callable[[], datetime] | None = None):
        self.store = store
        self.capacity, self.batch, self.interval = capacity, batch, interval
        self.clock = clock or (lambda: datetime.now(UTC))
        self._queue: deque[Event] = deque()
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.written = 0
        self.dropped_full = 0
        self.dropped_down = 0

    # --- producers: never block, never raise ---------------------------------------------------

    def put(self, event: Event) -> None:
        """Queue one event, or count it as dropped when the queue is full."""
        with self._lock:
            if len(self._queue) >= self.capacity:
                self.dropped_full += 1
                return
            self._queue.append(event)
            if len(self._queue) >= self.batch:
                self._wake.set()

    def search(self, query: str, lang: str, hits: int, source: str) -> None:
        """A search was answered: its masked query and its number of confident hits."""
        text = normalise_query(query)
        if text:
            self.put(Event("search", hour_bucket(self.clock()), lang, text, max(int(hits), 0),
                           source=source))

    def opened(self, query: str, lang: str, position: int, topic: str) -> None:
        """A reader opened result number `position` (1-based) of a search."""
        text = normalise_query(query)
        if text:
            self.put(Event("open", hour_bucket(self.clock()), lang, text, position, topic))

    def viewed(self, topic: str, lang: str) -> None:
        """A topic page was served."""
        self.put(Event("view", day_bucket(self.clock()), lang, topic=topic))

    # --- the writer ----------------------------------------------------------------------------

    def flush(self) -> int:
        """Write what is queued now, batch by batch; returns how many events were written.

        One flush at a time: a caller that flushes (shutdown, a test) also waits for the batch the
        writer thread may be committing, so "flushed" means "in the store".
        """
        with self._flushing:
            return self._flush()

    def _flush(self) -> int:
        done = 0
        while True:
            with self._lock:
                chunk = [self._queue.popleft() for _ in range(min(self.batch, len(self._queue)))]
            if not chunk:
                return done
            try:
                self.store.record(chunk)
            except AnalyticsError as exc:
                # The store is down: these are lost (counted); the next batch tries again.
                with self._lock:
                    self.dropped_down += len(chunk)
                log.warning("analytics: %d events dropped: %s", len(chunk), exc)
                continue
            done += len(chunk)
            with self._lock:
                self.written += len(chunk)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # never let the writer die: recording is best effort by design
                log.exception("analytics writer")

    def start(self) -> None:
        """Start the writer thread."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="csohelp-analytics", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the writer after writing what is queued."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.flush()

    def stats(self) -> dict[str, int]:
        """Queued, written and dropped counts (shown to the owners)."""
        with self._lock:
            return {"queued": len(self._queue), "written": self.written,
                    "dropped_full": self.dropped_full, "dropped_down": self.dropped_down}
