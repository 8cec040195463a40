"""The request store: every accepted request, its CSOL reference and its place in the outbox.

`open_store(url)` is the only way in. SQLite (`sqlite:///path`) is the embedded default; a
PostgreSQL store for several replicas implements the same `RequestStore` methods (the SQL
here is plain, and the reference is allocated inside one write transaction), so callers
never change.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import CsohelpError

REFERENCE = re.compile(r"^CSOL-(\d{4})-(\d{6})$")
MAX_SEQ = 999_999


class StoreError(CsohelpError):
    """The store cannot be opened or used as asked."""


@dataclass(frozen=True)
class StoredRequest:
    """One stored request with its outbox state."""

    reference: str
    created_at: str
    language: str
    data: dict[str, Any]
    status: str  # "queued" until the SMTP server accepted it, then "sent"
    attempts: int
    next_attempt_at: float
    sent_at: str | None
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (for the CLI and exports)."""
        return {"reference": self.reference, "created_at": self.created_at, "status": self.status,
                "attempts": self.attempts, "sent_at": self.sent_at, "last_error": self.last_error,
                **self.data}


@dataclass(frozen=True)
class Submission:
    """The answer to a submission: its reference, and whether this call created it."""

    reference: str
    created: bool


def format_reference(year: int, seq: int) -> str:
    """CSOL-YYYY-NNNNNN."""
    return f"CSOL-{year:04d}-{seq:06d}"


def now_utc() -> datetime:
    """The current time (UTC); the reference year is the UTC year of acceptance."""
    return datetime.now(UTC)


class RequestStore(ABC):
    """What the web app, the forwarder and the CLI need from a store."""

    @abstractmethod
    def submit(self, data: dict[str, Any], idempotency_key: str | None = None) -> Submission:
        """Store a validated request durably and give it the next reference of the year."""

    @abstractmethod
    def get(self, reference: str) -> StoredRequest | None:
        """One request by reference."""

    @abstractmethod
    def list(self, status: str | None = None, limit: int | None = None) -> list[StoredRequest]:
        """Requests, oldest first."""

    @abstractmethod
    def claim_due(self, now: float, lease: float, limit: int = 50) -> list[StoredRequest]:
        """Queued requests whose next attempt is due; they are leased to the caller for `lease` s."""

    @abstractmethod
    def mark_sent(self, reference: str, when: datetime | None = None) -> None:
        """The SMTP server accepted the message: never send it again."""

    @abstractmethod
    def mark_failed(self, reference: str, retry_at: float, error: str) -> None:
        """Sending failed: keep it queued and try again at `retry_at`."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """How many requests per outbox status."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""


SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    language TEXT NOT NULL,
    data TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    sent_at TEXT,
    last_error TEXT,
    UNIQUE (year, seq)
);
CREATE INDEX IF NOT EXISTS requests_outbox ON requests (status, next_attempt_at);
"""
COLUMNS = "reference, created_at, language, data, status, attempts, next_attempt_at, sent_at, last_error"


class SqliteStore(RequestStore):
    """One SQLite file in WAL mode; every write is committed (fsync'd) before it returns."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One connection shared under a lock: SQLite serializes writers anyway, and the
            # lock keeps transactions of different threads from interleaving.
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                       timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk (not only in the OS cache) before we acknowledge it.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the request store {self.path}: {exc}") from None
        self._lock = threading.Lock()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                # IMMEDIATE takes the write lock first, so two processes (server and cron) never
                # read the same "next number".
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                # Disk full, locked for too long...: callers handle the store's error, not SQLite's
                # (sqlite's messages name columns, never values).
                raise StoreError(f"the request store failed: {type(exc).__name__}: {exc}") from None

    def submit(self, data: dict[str, Any], idempotency_key: str | None = None) -> Submission:
        created = now_utc()
        with self._write() as db:
            if idempotency_key:
                row = db.execute("SELECT reference FROM requests WHERE idempotency_key = ?",
                                 (idempotency_key,)).fetchone()
                if row:
                    return Submission(row[0], created=False)
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM requests WHERE year = ?",
                             (created.year,)).fetchone()[0]
            if seq > MAX_SEQ:
                raise StoreError(f"no reference numbers left for {created.year}")
            reference = format_reference(created.year, seq)
            db.execute(
                "INSERT INTO requests (reference, year, seq, created_at, idempotency_key, language, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (reference, created.year, seq, created.isoformat(timespec="seconds"), idempotency_key,
                 data.get("language", "fr"), json.dumps(data, ensure_ascii=False, sort_keys=True)),
            )
        return Submission(reference, created=True)

    def _rows(self, sql: str, params: tuple = ()) -> list[StoredRequest]:
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [_record(row) for row in rows]

    def get(self, reference: str) -> StoredRequest | None:
        rows = self._rows(f"SELECT {COLUMNS} FROM requests WHERE reference = ?", (reference,))
        return rows[0] if rows else None

    def list(self, status: str | None = None, limit: int | None = None) -> list[StoredRequest]:
        sql = f"SELECT {COLUMNS} FROM requests"
        params: tuple = ()
        if status:
            sql, params = sql + " WHERE status = ?", (status,)
        sql += " ORDER BY id"
        if limit:
            sql, params = sql + " LIMIT ?", (*params, limit)
        return self._rows(sql, params)

    def claim_due(self, now: float, lease: float, limit: int = 50) -> list[StoredRequest]:
        with self._write() as db:
            rows = db.execute(
                f"SELECT {COLUMNS} FROM requests WHERE status = 'queued' AND next_attempt_at <= ?"
                " ORDER BY id LIMIT ?", (now, limit)).fetchall()
            # The lease: nobody else picks these up until it ends (a crash just delays them).
            db.executemany("UPDATE requests SET next_attempt_at = ?, attempts = attempts + 1"
                           " WHERE reference = ?", [(now + lease, row[0]) for row in rows])
        return [_record(row) for row in rows]

    def mark_sent(self, reference: str, when: datetime | None = None) -> None:
        stamp = (when or now_utc()).isoformat(timespec="seconds")
        with self._write() as db:
            db.execute("UPDATE requests SET status = 'sent', sent_at = ?, last_error = NULL"
                       " WHERE reference = ?", (stamp, reference))

    def mark_failed(self, reference: str, retry_at: float, error: str) -> None:
        with self._write() as db:
            db.execute("UPDATE requests SET next_attempt_at = ?, last_error = ?"
                       " WHERE reference = ? AND status = 'queued'", (retry_at, error[:500], reference))

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT status, COUNT(*) FROM requests GROUP BY status").fetchall()
        return {"queued": 0, "sent": 0, **dict(rows)}

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _record(row: tuple) -> StoredRequest:
    reference, created_at, language, data, status, attempts, next_at, sent_at, last_error = row
    return StoredRequest(reference, created_at, language, json.loads(data), status, attempts, next_at,
                         sent_at, last_error)


def sqlite_path(url: str) -> Path:
    """The file of a `sqlite:///relative` or `sqlite:////absolute` URL."""
    path = url[len("sqlite:///"):]
    if not path or path == ":memory:":
        raise StoreError(f"{url}: give a file path (the store must survive a restart)")
    return Path(path)


def open_store(url: str) -> RequestStore:
    """The store for a database URL; SQLite now, other backends behind the same interface."""
    if url.startswith("sqlite:///"):
        return SqliteStore(sqlite_path(url))
    scheme = url.split(":", 1)[0]
    raise StoreError(f"unsupported request store {scheme!r}: use sqlite:///path/to/requests.db")
