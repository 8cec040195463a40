"""Versioned schema migrations, one numbered SQL file per change and per backend.

Adding a table (feedback, analytics...) is adding a file, never running SQL by hand:

    csohelp/db/migrations/sqlite/0003_feedback.sql
    csohelp/db/migrations/postgresql/0003_feedback.sql

The number is the version (four digits, the next free one; the same number on both backends
for the same change), the rest of the name says what it does. Each file runs once, in order, in
its own transaction, when a store opens (`csohelp serve`, the CLI) and with `csohelp db upgrade`;
the applied versions are kept in `schema_migrations`, so running it again does nothing. Two
processes starting at once are serialized (SQLite: the write lock; PostgreSQL: an advisory lock),
so each file runs exactly once. Never edit a file that has shipped: add the next one.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

from .base import StoreError

FILENAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
TRACKING = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file of one backend."""

    version: int
    name: str
    sql: str


def migrations(backend: str) -> list[Migration]:
    """The migrations of `backend` ("sqlite" or "postgresql"), in version order."""
    found = []
    for entry in resources.files(__package__).joinpath("migrations", backend).iterdir():
        match = FILENAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise StoreError(f"two {backend} migrations share a version: {versions}")
    return found


def sql_statements(script: str) -> list[str]:
    """A script split into statements (SQLite runs one per call inside a transaction)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        if not current and (not line.strip() or line.lstrip().startswith("--")):
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
