"""Moving every request from one store to another (SQLite to PostgreSQL) without renumbering."""

from __future__ import annotations

from dataclasses import dataclass

from .base import RequestStore, StoreError

REQUEST_COLUMNS = ("reference, year, seq, created_at, language, data, status, attempts, next_attempt_at,"
                   " sent_at, last_error")
KEY_COLUMNS = "client, key, body_hash, reference, created_at"


@dataclass(frozen=True)
class CopyReport:
    """What a copy did: requests and keys written, requests already there (same reference)."""

    copied: int
    already_there: int
    keys: int


def copy_store(source: RequestStore, target: RequestStore) -> CopyReport:
    """Copy requests (same reference, status and attempts) and idempotency keys in one transaction.

    Running it again copies nothing twice; a reference already in the target with other content
    stops the copy (nothing is written), so no request is ever overwritten or renumbered.
    """
    requests = source.query(f"SELECT {REQUEST_COLUMNS} FROM requests ORDER BY year, seq")
    keys = source.query(f"SELECT {KEY_COLUMNS} FROM idempotency_keys ORDER BY created_at")
    copied = same = 0
    with target.transaction() as tx:
        for row in requests:
            found = tx.execute("SELECT data, year, seq FROM requests WHERE reference = ?", (row[0],))
            if found:
                if (found[0][0], found[0][1], found[0][2]) != (row[5], row[1], row[2]):
                    raise StoreError(f"{row[0]} is already in the target with other content: nothing copied")
                same += 1
                continue
            taken = tx.execute("SELECT reference FROM requests WHERE year = ? AND seq = ?", (row[1], row[2]))
            if taken:
                raise StoreError(f"number {row[2]} of {row[1]} is already used by {taken[0][0]} in the "
                                 "target: nothing copied")
            tx.execute(f"INSERT INTO requests ({REQUEST_COLUMNS}) VALUES ({', '.join('?' * len(row))})", row)
            copied += 1
        written = 0
        for row in keys:
            if not tx.execute("SELECT 1 FROM idempotency_keys WHERE client = ? AND key = ?", row[:2]):
                tx.execute(f"INSERT INTO idempotency_keys ({KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?)", row)
                written += 1
    return CopyReport(copied, same, written)
