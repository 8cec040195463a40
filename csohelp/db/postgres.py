"""The shared store: PostgreSQL through psycopg 3 and its connection pool.

Every process and machine of the help center uses the same database: references are numbered
under a per-year advisory lock (unique and consecutive across processes), the outbox hands each
message to one forwarder (`FOR UPDATE SKIP LOCKED`), and idempotency keys and rate-limit hits
are rows everyone sees. A lost connection is StoreUnavailable (the web app answers 503); the pool
reconnects by itself when the database is back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

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
    now_utc,
    record,
    redact,
)
from .migrate import TRACKING, migrations

# Keys of the advisory locks: migrations, reference numbers (per year).
MIGRATION_LOCK, REFERENCE_LOCK = 0x6373_6F01, 0x6373_6F02
PLACEHOLDER = re.compile(r"%|\?")


@contextmanager
def translated_errors() -> Iterator[None]:
    """psycopg's and the pool's errors as the store's: unavailable (503) or failed."""
    try:
        yield
    except psycopg.errors.RaiseException as exc:
        # Our own functions' words ("no reference numbers left for 2026"), never a client's.
        raise StoreError(exc.diag.message_primary or "the database refused") from None
    except PoolTimeout:
        raise StoreUnavailable("the database is unreachable or busy") from None
    except psycopg.errors.LockNotAvailable:
        raise StoreUnavailable("the database is busy (a lock is held)") from None
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(f"the database connection failed: {type(exc).__name__}") from None
    except psycopg.Error as exc:
        # The server's words name constraints and columns, never the request's values.
        raise StoreError(f"the database failed: {type(exc).__name__}: {exc}") from None


def to_pyformat(sql: str) -> str:
    """`?` placeholders (the layer's one style) as psycopg's `%s`; a literal % doubled."""
    return PLACEHOLDER.sub(lambda m: "%s" if m[0] == "?" else "%%", sql)


class PostgresTransaction:
    """The open transaction of a PostgresStore."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn

    def execute(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        """Run one statement (`?` placeholders) and fetch what it returns."""
        cur = self.conn.execute(to_pyformat(sql), params)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []


class PostgresStore(RequestStore):
    """A pool of `pool_size` connections; `wait` bounds the wait for one and for any lock."""

    backend = "postgresql"

    def __init__(self, url: str, wait: float = 30.0, pool_size: int = 4):
        self.url, self.wait = url, wait
        ms = int(wait * 1000)
        try:
            # One plain connection first: an unreachable database is a clear error at once.
            psycopg.connect(url, connect_timeout=5).close()
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"cannot reach the database {redact(url)}: {reason}") from None
        self.pool = ConnectionPool(
            url, min_size=1, max_size=max(pool_size, 1), timeout=wait, open=False,
            # No check per checkout (a round trip each time): a connection broken by a database
            # restart fails its one request with 503 and the pool replaces it.
            reconnect_timeout=wait,
            kwargs={"autocommit": True, "connect_timeout": max(int(wait), 2), "application_name": "csohelp",
                    "options": f"-c lock_timeout={ms} -c statement_timeout={max(ms, 30000)}"})
        try:
            self.pool.open(wait=True, timeout=max(wait, 5.0))
        except PoolTimeout:
            self.pool.close()
            raise StoreError(f"cannot reach the database {redact(url)}: is PostgreSQL running "
                             "and the URL right (CSOHELP_DB)?") from None
        try:
            self.upgrade()
        except BaseException:
            self.pool.close()
            raise

    @contextmanager
    def transaction(self) -> Iterator[PostgresTransaction]:
        with translated_errors(), self.pool.connection() as conn, conn.transaction():
            yield PostgresTransaction(conn)

    def upgrade(self) -> list[int]:
        """Apply the missing migrations, each in its own transaction, under one advisory lock."""
        applied = []
        for migration in migrations(self.backend):
            with self.transaction() as tx:
                tx.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
                tx.execute(TRACKING)
                if tx.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)):
                    continue
                tx.conn.execute(migration.sql.encode())  # several statements: no parameters
                tx.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                           (migration.version, migration.name))
                applied.append(migration.version)
        return applied

    def submit(self, data: dict[str, Any], idempotency_key: str | None = None,
               client: str = "") -> Submission:
        created, digest = now_utc(), body_hash(data)
        stamp = created.isoformat(timespec="seconds")
        # One statement in autocommit: the lock, the key check, the number and both inserts run
        # in the server as one transaction (migration 0003), in one round trip.
        with translated_errors(), self.pool.connection() as conn:
            reference, new, conflict = conn.execute(
                "SELECT ref, created, conflict FROM csohelp_submit(%s, %s, %s, %s, %s, %s, %s, %s)",
                (created.year, stamp, data.get("language", "fr"), encode_data(data), client,
                 idempotency_key or None, digest, MAX_SEQ)).fetchone()
        if conflict:
            raise IdempotencyConflict(reference)
        return Submission(reference, created=new)

    def claim_next(self, now: float, lease: float) -> StoredRequest | None:
        with self.transaction() as tx:
            # SKIP LOCKED: two forwarders claiming at once take different rows, never wait.
            rows = tx.execute(
                f"UPDATE requests SET next_attempt_at = ?, attempts = attempts + 1 WHERE id = ("
                " SELECT id FROM requests WHERE status = 'queued' AND next_attempt_at <= ?"
                " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                f" RETURNING {COLUMNS}", (now + lease, now))
        if not rows:
            return None
        # RETURNING gives the new values: the caller sees the state before this claim.
        old = record(rows[0])
        return StoredRequest(old.reference, old.created_at, old.language, old.data, old.status,
                             old.attempts - 1, now, old.sent_at, old.last_error)


    def close(self) -> None:
        self.pool.close()
