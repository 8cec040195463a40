"""The database layer: one interface, an embedded SQLite store and a PostgreSQL store.

`open_store(url)` is the only way in: `sqlite:///path/to/requests.db` (the default, nothing to
install) or `postgresql://user@host/db` (several processes and machines sharing one truth).
Opening a store applies its pending migrations (see `migrate.py` for how a feature adds a table);
`store.transaction()` and `store.query()` run SQL with `?` placeholders on either backend.
"""

from __future__ import annotations

from pathlib import Path

from .base import (
    MAX_SEQ,
    REFERENCE,
    STATUSES,
    IdempotencyConflict,
    RequestStore,
    StoredRequest,
    StoreError,
    StoreUnavailable,
    Submission,
    format_reference,
    now_utc,
)

__all__ = ["MAX_SEQ", "REFERENCE", "STATUSES", "IdempotencyConflict", "RequestStore", "StoreError",
           "StoreUnavailable", "StoredRequest", "Submission", "format_reference", "now_utc",
           "open_store", "sqlite_path"]


def sqlite_path(url: str) -> Path:
    """The file of a `sqlite:///relative` or `sqlite:////absolute` URL."""
    path = url[len("sqlite:///"):]
    if not path or path == ":memory:":
        raise StoreError(f"{url}: give a file path (the store must survive a restart)")
    return Path(path)


def open_store(url: str, wait: float = 30.0, pool_size: int = 4) -> RequestStore:
    """The store for a database URL, migrated to the current schema.

    `wait` bounds how long one call waits for a lock or a connection before StoreUnavailable;
    `pool_size` is the PostgreSQL connection pool's size.
    """
    if url.startswith("sqlite:///"):
        from .sqlite import SqliteStore

        return SqliteStore(sqlite_path(url), wait=wait)
    if url.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore

        return PostgresStore(url, wait=wait, pool_size=pool_size)
    scheme = url.split(":", 1)[0]
    raise StoreError(f"unsupported request store {scheme!r}: use sqlite:///path/to/requests.db"
                     " or postgresql://user@host/database")
