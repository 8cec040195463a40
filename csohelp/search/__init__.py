"""Search: French/English analysis, a Whoosh index built with the site, queries, evaluation."""

from __future__ import annotations

import threading
from pathlib import Path

from .backend import SearchBackend, WhooshBackend
from .index import index_stage
from .query import Hit, SearchResult

__all__ = ["Hit", "SearchBackend", "SearchResult", "WhooshBackend", "backend_for", "index_stage",
           "search_topics"]

_backends: dict[Path, WhooshBackend] = {}
_lock = threading.Lock()


def backend_for(index_dir: Path) -> WhooshBackend:
    """One backend per index folder in this process (it keeps the index open and a cache)."""
    key = Path(index_dir).absolute()
    with _lock:
        if key not in _backends:
            _backends[key] = WhooshBackend(key)
        return _backends[key]


def search_topics(index_dir: Path, query: str, lang: str = "fr", limit: int = 10,
                  category: str | None = None) -> list[Hit]:
    """The best topics for a query, in `lang` (for other features: `csohelp link`, the request form)."""
    return backend_for(index_dir).search(query, lang, limit, category).hits
