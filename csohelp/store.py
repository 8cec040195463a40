"""The request store moved to csohelp.db; this name stays so existing imports keep working."""

from __future__ import annotations

from .db import (  # noqa: F401 - re-exported
    MAX_SEQ,
    REFERENCE,
    IdempotencyConflict,
    RequestStore,
    StoredRequest,
    StoreError,
    StoreUnavailable,
    Submission,
    format_reference,
    now_utc,
    open_store,
    sqlite_path,
)
