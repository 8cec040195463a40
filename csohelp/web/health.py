"""`/healthz`: each part of the service (site, search, store, outbox, forwarding), 503 if one is down."""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from ..content import LANGS

log = logging.getLogger(__name__)
OK = {"status": "ok"}


def down(reason: str) -> dict[str, str]:
    """A part that does not work, with a reason that names no file or datum."""
    return {"status": "down", "reason": reason}


def check_site(app: FastAPI) -> dict[str, Any]:
    """The published site answers pages: its home pages and catalogue are there."""
    site = app.state.settings.site_dir
    missing = [p for p in ("index.html", "en/index.html", "catalogue.json") if not (site / p).is_file()]
    return down("site not published: run `csohelp build`") if missing else OK


def check_search(app: FastAPI) -> dict[str, Any]:
    """An index is open and readable; a newer published one that failed to open is reported."""
    backend = getattr(app.state, "search", None)
    if backend is None:
        return OK
    try:
        ix = backend.handle.current()
        if ix is None:
            return down("no search index published")
        docs = {}
        for lang in LANGS:
            with ix.searching(lang) as searcher:
                docs[lang] = searcher.doc_count()
    except Exception as exc:  # noqa: BLE001 - whatever breaks the index breaks search
        return down(f"search index unreadable ({type(exc).__name__})")
    if not all(docs.values()):
        return down("search index is empty")
    part: dict[str, Any] = {"status": "ok", "version": ix.version}
    if backend.handle.problem:
        part["warning"] = "the newest published index failed to open; serving the previous one"
    return part


def check_store(app: FastAPI) -> tuple[dict[str, Any], dict[str, Any]]:
    """The request store takes writes (probed, rolled back), and the outbox's size and age."""
    service = getattr(app.state, "requests", None)
    if service is None:
        return OK, {}
    store = service.store
    try:
        counts = store.counts()
        queued = store.list(status="queued", limit=1)
        # A SQLite file can be replaced or made read-only under us: try a write on a fresh handle.
        if store.backend == "sqlite":
            probe_sqlite(store.path)
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):  # busy with a long write: working, just not this instant
            return {"status": "ok", "note": "busy"}, {}
        return down(f"request store cannot be written ({exc})"), {}
    except Exception as exc:  # noqa: BLE001 - an unusable store is a down store, whatever the cause
        return down(f"request store unusable ({type(exc).__name__})"), {}
    oldest = None
    if queued:
        created = datetime.fromisoformat(queued[0].created_at)
        oldest = max(0, round(time.time() - created.timestamp()))
    return OK, {"queued": counts.get("queued", 0), "failed": counts.get("failed", 0),
                "oldest_queued_age_seconds": oldest}


def probe_sqlite(path: Path) -> None:
    """Open the file afresh (it may have been replaced or made read-only) and try a write."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None, timeout=1)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("CREATE TABLE csohelp_health_probe (x)")
        db.execute("ROLLBACK")
    finally:
        db.close()


def include(app: FastAPI) -> None:
    """Add GET /healthz (503 when the site, search or store is down)."""

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        store, outbox = check_store(app)
        service = getattr(app.state, "requests", None)
        parts = {"site": check_site(app), "search": check_search(app), "store": store}
        status = "ok" if all(p["status"] == "ok" for p in parts.values()) else "down"
        body = {"status": status, "topics": len(app.state.catalogue.refresh().topics), **parts,
                "outbox": outbox,
                "forwarding": "configured" if service and service.smtp else "not configured"}
        if status != "ok":
            log.warning("healthz: %s", {k: v for k, v in parts.items() if v["status"] != "ok"})
        return JSONResponse(body, status_code=200 if status == "ok" else 503,
                            headers={"Cache-Control": "no-store"})
