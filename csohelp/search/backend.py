"""The SearchBackend seam (index, search, suggest, article) and its Whoosh implementation."""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..content import LANGS
from ..errors import QueryError
from .index import TopicDoc, build_index
from .opened import IndexHandle, OpenIndex
from .query import (
    SearchResult,
    clean_query,
    concepts_of,
    query_words,
    run_search,
    run_suggest,
    whoosh_query,
)


class QueryCache:
    """A small LRU of answers (search results, suggestions): clients ask the same things."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._data: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any:
        """The cached answer for key, marked as recently used."""
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: tuple, value: Any) -> None:
        """Remember an answer, dropping the least recently used beyond the size."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)



NO_INDEX = {"fr": "La recherche n'est pas encore prête : aucun index publié.",
            "en": "Search is not ready yet: no index has been published."}
BAD_LANG = {"fr": "Langue inconnue : fr ou en.", "en": "Unknown language: fr or en."}


class SearchBackend(ABC):
    """What the web app, the CLI and other features need of a search engine."""

    @abstractmethod
    def index(self, docs: Iterable[TopicDoc], dest: Path, categories: list[dict],
              synonyms: list[list[str]], no_topic: list[list[str]] | None = None) -> Path:
        """Build a complete index of docs into dest (published by the caller); `no_topic`: the
        synonym groups no topic is about."""

    @abstractmethod
    def search(self, query: str | None, lang: str, limit: int = 10,
               category: str | None = None, exact: bool = False) -> SearchResult:
        """Topics that answer a query in `lang` (with confidence); QueryError for input that
        cannot be answered. `exact`: no spelling correction (the "search instead for" link)."""

    @abstractmethod
    def suggest(self, query: str | None, lang: str, limit: int = 6) -> list[dict]:
        """Topics for an unfinished, as-you-type query: [{id, title, url}], the first being the
        results page's first hit (same analysis, spelling and confidence)."""

    @abstractmethod
    def article(self, topic_id: str) -> dict | None:
        """A topic's titles and urls in both languages, by id or former id."""

    @abstractmethod
    def categories(self) -> list[dict]:
        """The categories with their titles per language (for filters)."""

    def ranked_ids(self, query: str, lang: str, depth: int = 10) -> list[str]:
        """Topic ids by score alone, before the confidence bar (for `csohelp eval`)."""
        return []


class WhooshBackend(SearchBackend):
    """Whoosh on a published index folder (the `search_index` symlink), reopened when it moves."""

    def __init__(self, index_path: Path, cache_size: int = 4096):
        self.handle = IndexHandle(Path(index_path))
        self.cache = QueryCache(cache_size)

    def index(self, docs: Iterable[TopicDoc], dest: Path, categories: list[dict],
              synonyms: list[list[str]], no_topic: list[list[str]] | None = None) -> Path:
        return build_index(docs, dest, categories, synonyms, no_topic=no_topic)

    def _open(self) -> OpenIndex:
        ix = self.handle.current()
        if ix is None:
            raise QueryError(NO_INDEX)
        return ix

    def search(self, query: str | None, lang: str, limit: int = 10,
               category: str | None = None, exact: bool = False) -> SearchResult:
        started = time.perf_counter()
        if lang not in LANGS:
            raise QueryError(BAD_LANG)
        text = clean_query(query, lang)
        for attempt in (1, 2):
            ix = self._open()
            key = (ix.version, lang, text.lower(), limit, category or "", exact)
            cached: SearchResult | None = self.cache.get(key)
            if cached is not None:
                # The key ignores case: echo this query as typed, not the one that was cached.
                took = round((time.perf_counter() - started) * 1000, 3)
                return SearchResult(text, lang, cached.total, cached.hits, cached.suggestion,
                                    took, cached.redirect, cached.corrected)
            try:
                # No lock: each thread borrows its own searcher (OpenIndex.searching).
                result = run_search(ix, text, lang, limit, category, exact)
            except OSError:
                # The index folder was removed under us (two rebuilds in quick succession):
                # the next attempt opens the newly published one.
                if attempt == 2:
                    raise
                continue
            self.cache.put(key, result)
            return result
        raise AssertionError("unreachable")

    def suggest(self, query: str | None, lang: str, limit: int = 6) -> list[dict]:
        if lang not in LANGS:
            raise QueryError(BAD_LANG)
        text = clean_query(query, lang)
        # The results page's answer first (same analysis, spelling, confidence: the first
        # suggestion is the first result); only when it has none is the last word read as
        # the start of a longer one.
        hits = self.search(text, lang, limit).hits if text else []
        if hits:
            return [{"id": h.id, "title": h.title, "url": h.url} for h in hits]
        ix = self._open()
        key = ("suggest", ix.version, lang, text.lower(), limit)
        found: list[dict] | None = self.cache.get(key)
        if found is None:
            found = run_suggest(ix, text, lang, limit)
            self.cache.put(key, found)
        return found

    def article(self, topic_id: str) -> dict | None:
        ix = self._open()
        real = topic_id if topic_id in ix.topics else ix.aliases.get(topic_id)
        return ix.topics.get(real) if real else None

    def categories(self) -> list[dict]:
        return self._open().meta["categories"]

    def ranked_ids(self, query: str, lang: str, depth: int = 10) -> list[str]:
        ix = self._open()
        words = query_words(clean_query(query, lang))
        clauses, _marks, _needs = whoosh_query(concepts_of(words, ix.synonyms, ix.no_topic), lang)
        with ix.searching(lang) as searcher:
            best, _total = ix.scorers[lang].top(searcher, clauses, depth)
            return [searcher.stored_fields(d)["id"] for d, _score in best]
