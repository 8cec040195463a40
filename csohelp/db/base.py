"""What every store is: the request record, the errors, and the interface callers rely on."""

from __future__ import annotations

import hashlib
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from ..errors import CsohelpError

REFERENCE = re.compile(r"^CSOL-(\d{4})-(\d{6})$")
MAX_SEQ = 999_999
STATUSES = ("queued", "sent", "failed")
PRUNE_SHARE = 0.01  # the share of rate-limit hits that also delete every client's expired hits
COLUMNS = "reference, created_at, language, data, status, attempts, next_attempt_at, sent_at, last_error"


class StoreError(CsohelpError):
    """The store cannot be opened or used as asked."""


class StoreUnavailable(StoreError):
    """The database is busy or unreachable right now: the caller may try again shortly."""


class IdempotencyConflict(CsohelpError):
    """An Idempotency-Key already used by this client with a different body."""

    def __init__(self, reference: str):
        self.reference = reference
        super().__init__("this Idempotency-Key was already used with a different request")


@dataclass(frozen=True)
class StoredRequest:
    """One stored request with its outbox state."""

    reference: str
    created_at: str
    language: str
    data: dict[str, Any]
    status: str  # "queued" until the SMTP server accepted it, then "sent"; "failed" if it never can be
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


def redact(url: str) -> str:
    """A database URL without its password, for messages."""
    return re.sub(r"://([^:/@]+):[^@/]*@", r"://\1:***@", url)


def format_reference(year: int, seq: int) -> str:
    """CSOL-YYYY-NNNNNN."""
    return f"CSOL-{year:04d}-{seq:06d}"


def now_utc() -> datetime:
    """The current time (UTC); the reference year is the UTC year of acceptance."""
    return datetime.now(UTC)


def encode_data(data: dict[str, Any]) -> str:
    """The stored JSON text of a request (canonical: sorted keys, so equal bodies hash equal)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def body_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical request: what an Idempotency-Key is bound to."""
    return hashlib.sha256(encode_data(data).encode()).hexdigest()


def record(row: tuple) -> StoredRequest:
    """A StoredRequest from a row of COLUMNS."""
    reference, created_at, language, data, status, attempts, next_at, sent_at, last_error = row
    return StoredRequest(reference, created_at, language, json.loads(data), status, attempts,
                         float(next_at), sent_at, last_error)


class Transaction(Protocol):
    """One open transaction: `execute` takes `?` placeholders on every backend."""

    def execute(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        """Run one statement; the rows it returns (empty for writes without RETURNING)."""


class RequestStore(ABC):
    """What the web app, the forwarder, the CLI and other features need from a store."""

    backend: str  # "sqlite" or "postgresql": the folder of its migrations

    # The generic door for features with their own tables (feedback, analytics...):
    # `with store.transaction() as tx: tx.execute("INSERT INTO t (a) VALUES (?)", (1,))`.
    @abstractmethod
    def transaction(self) -> AbstractContextManager[Transaction]:
        """A write transaction, committed on exit, rolled back on error; StoreError on failure."""

    def query(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        """Rows of one read-only statement (`?` placeholders)."""
        with self.transaction() as tx:
            return tx.execute(sql, params)

    @abstractmethod
    def submit(self, data: dict[str, Any], idempotency_key: str | None = None,
               client: str = "") -> Submission:
        """Store a validated request durably with the next reference of the year.

        A key already used by the same client answers its first reference (`created=False`)
        when the body is the same, and raises IdempotencyConflict when it is not.
        """

    def get(self, reference: str) -> StoredRequest | None:
        """One request by reference."""
        rows = self.query(f"SELECT {COLUMNS} FROM requests WHERE reference = ?", (reference,))
        return record(rows[0]) if rows else None

    def list(self, status: str | None = None, limit: int | None = None) -> list[StoredRequest]:
        """Requests, oldest first."""
        sql, params = f"SELECT {COLUMNS} FROM requests", []
        if status:
            sql, params = sql + " WHERE status = ?", [status]
        sql += " ORDER BY year, seq"
        if limit:
            sql, params = sql + " LIMIT ?", [*params, limit]
        return [record(row) for row in self.query(sql, params)]

    @abstractmethod
    def claim_next(self, now: float, lease: float) -> StoredRequest | None:
        """The oldest queued request that is due, leased to the caller alone for `lease` seconds."""

    def claim_due(self, now: float, lease: float, limit: int = 50) -> list[StoredRequest]:
        """Up to `limit` due requests, each claimed on its own (kept for callers of the batch API)."""
        claimed = []
        while len(claimed) < limit and (one := self.claim_next(now, lease)) is not None:
            claimed.append(one)
        return claimed

    def mark_sent(self, reference: str, when: datetime | None = None) -> None:
        """The SMTP server accepted the message: never send it again."""
        stamp = (when or now_utc()).isoformat(timespec="seconds")
        with self.transaction() as tx:
            tx.execute("UPDATE requests SET status = 'sent', sent_at = ?, last_error = NULL"
                       " WHERE reference = ?", (stamp, reference))

    def mark_failed(self, reference: str, retry_at: float, error: str) -> None:
        """Sending failed for now: keep it queued and try again at `retry_at`."""
        with self.transaction() as tx:
            tx.execute("UPDATE requests SET next_attempt_at = ?, last_error = ?"
                       " WHERE reference = ? AND status = 'queued'", (retry_at, error[:500], reference))

    def set_aside(self, reference: str, error: str) -> None:
        """Sending can never succeed (refused address, unbuildable message): status `failed`."""
        with self.transaction() as tx:
            tx.execute("UPDATE requests SET status = 'failed', last_error = ?"
                       " WHERE reference = ? AND status = 'queued'", (error[:500], reference))

    def counts(self) -> dict[str, int]:
        """How many requests per outbox status."""
        rows = self.query("SELECT status, COUNT(*) FROM requests GROUP BY status")
        return {**dict.fromkeys(STATUSES, 0), **{status: int(n) for status, n in rows}}

    def schema_version(self) -> int:
        """The highest migration applied (the same SQL on every backend)."""
        return self.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0]

    @abstractmethod
    def close(self) -> None:
        """Release the connections."""

    def rows_for_copy(self) -> Iterator[tuple]:
        """Every request as (year, seq, created_at, language, data, status, attempts, next_attempt_at,
        sent_at, last_error), in reference order."""
        yield from self.query("SELECT year, seq, created_at, language, data, status, attempts,"
                              " next_attempt_at, sent_at, last_error FROM requests ORDER BY year, seq")
