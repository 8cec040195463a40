"""The embedded store: one SQLite file in WAL mode; every write is fsync'd before it returns."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .base import (
    COLUMNS,
    MAX_SEQ,
    IdempotencyConflict,
    RequestStore,
    StoredRequest,
    StoreError,
    StoreUnavailable,
    Submission,
    body_hash,
    encode_data,
    format_reference,
    now_utc,
    record,
)
from .migrate import TRACKING, migrations, sql_statements


class SqliteTransaction:
    """The open transaction of a SqliteStore (`?` placeholders are SQLite's own)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def execute(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        """Run one statement and fetch what it returns."""
        return self.db.execute(sql, params).fetchall()


class SqliteStore(RequestStore):
    """One connection shared under a lock: SQLite serializes writers anyway.

    `wait` bounds how long a call waits for the lock of this process and for the file's write
    lock (held by another process, a backup...): past it, StoreUnavailable, so the web app answers
    503 instead of holding a thread.
    """

    backend = "sqlite"

    def __init__(self, path: Path, wait: float = 30.0):
        self.path = Path(path)
        self.wait = wait
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                       timeout=wait)
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk (not only in the OS cache) before we acknowledge it.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the request store {self.path}: {exc}") from None
        self._lock = threading.Lock()
        self.upgrade()

    @contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        if not self._lock.acquire(timeout=self.wait):
            raise StoreUnavailable(f"the request store {self.path.name} is busy")
        try:
            yield self._db
        finally:
            self._lock.release()

    @contextmanager
    def transaction(self) -> Iterator[SqliteTransaction]:
        with self._locked() as db:
            try:
                # IMMEDIATE takes the write lock first, so two processes (server and cron) never
                # read the same "next number".
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield SqliteTransaction(db)
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise StoreUnavailable(f"the request store is locked: {exc}") from None
                raise StoreError(f"the request store failed: {type(exc).__name__}: {exc}") from None
            except sqlite3.Error as exc:
                # Disk full, read-only...: callers handle the store's error, not SQLite's
                # (sqlite's messages name columns, never values).
                raise StoreError(f"the request store failed: {type(exc).__name__}: {exc}") from None

    def query(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        # Reads need no write lock: WAL readers never wait for the writer.
        with self._locked() as db:
            try:
                return db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"the request store failed: {type(exc).__name__}: {exc}") from None

    def upgrade(self) -> list[int]:
        """Apply the migrations this file lacks; the versions applied now."""
        applied = []
        with self.transaction() as tx:
            tx.execute(TRACKING)
            done = {v for (v,) in tx.execute("SELECT version FROM schema_migrations")}
            for migration in migrations(self.backend):
                if migration.version in done:
                    continue
                for statement in sql_statements(migration.sql):
                    tx.execute(statement)
                tx.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                           (migration.version, migration.name))
                applied.append(migration.version)
        return applied

    def submit(self, data: dict[str, Any], idempotency_key: str | None = None,
               client: str = "") -> Submission:
        created, digest = now_utc(), body_hash(data)
        with self.transaction() as tx:
            if idempotency_key:
                row = tx.execute("SELECT reference, body_hash FROM idempotency_keys"
                                 " WHERE client = ? AND key = ?", (client, idempotency_key))
                if row:
                    if row[0][1] not in (digest, ""):
                        raise IdempotencyConflict(row[0][0])
                    return Submission(row[0][0], created=False)
            seq = tx.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM requests WHERE year = ?",
                             (created.year,))[0][0]
            reference = _insert(tx, created, seq, data)
            if idempotency_key:
                tx.execute("INSERT INTO idempotency_keys (client, key, body_hash, reference, created_at)"
                           " VALUES (?, ?, ?, ?, ?)", (client, idempotency_key, digest, reference,
                                                      created.isoformat(timespec="seconds")))
        return Submission(reference, created=True)

    def claim_next(self, now: float, lease: float) -> StoredRequest | None:
        with self.transaction() as tx:
            # The write lock is held from BEGIN IMMEDIATE: no other process claims the same row.
            rows = tx.execute(f"SELECT {COLUMNS} FROM requests WHERE status = 'queued'"
                              " AND next_attempt_at <= ? ORDER BY id LIMIT 1", (now,))
            if not rows:
                return None
            tx.execute("UPDATE requests SET next_attempt_at = ?, attempts = attempts + 1"
                       " WHERE reference = ?", (now + lease, rows[0][0]))
        return record(rows[0])


    def close(self) -> None:
        with self._lock:
            self._db.close()


def _insert(tx: Any, created: Any, seq: int, data: dict[str, Any]) -> str:
    """Insert one new request numbered `seq` of the creation year; its reference."""
    if seq > MAX_SEQ:
        raise StoreError(f"no reference numbers left for {created.year}")
    reference = format_reference(created.year, seq)
    tx.execute("INSERT INTO requests (reference, year, seq, created_at, language, data)"
               " VALUES (?, ?, ?, ?, ?, ?)",
               (reference, created.year, seq, created.isoformat(timespec="seconds"),
                data.get("language", "fr"), encode_data(data)))
    return reference
