"""The published index in service: opened, verified, warmed, and reopened when a build replaces it."""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage

from ..content import LANGS
from .analysis import OTHER, Synonyms, group_phrases, plain_words, stems, synonym_table
from .index import FIELDS, META, SEARCHERS, SHORT_FIELDS, WEIGHTING
from .lexicon import lexicon
from .scoring import Scorer
from .spelling import Vocabulary

log = logging.getLogger(__name__)
RETRY_FAILED = 30.0  # seconds before a published index that failed to open is tried again
NAMED_CACHE = 50_000  # phrases remembered per index (query.favour), then forgotten all at once


class OpenIndex:
    """One published index, opened: its metadata, a searcher per thread and language, scorers."""

    def __init__(self, path: Path, meta: dict[str, Any]):
        self.meta = meta
        self.version: str = meta["version"]
        self.topics: dict[str, dict[str, Any]] = {t["id"]: t for t in meta["topics"]}
        self.aliases: dict[str, str] = {a: t["id"] for t in meta["topics"] for a in t["aliases"]}
        # Derived once per index, not per query: read by every request thread.
        self.category_ids = {c["id"] for c in meta["categories"]} | {t["category"] for t in meta["topics"]}
        # Groups no topic is about are synonyms too (a phrase matches as a whole), marked. An
        # index built before them has none (a rollback).
        no_topic = meta.get("no_topic", [])
        self.groups: list[list[str]] = meta["synonyms"] + no_topic
        self.synonyms: Synonyms = synonym_table(self.groups)
        self.no_topic = frozenset(group_phrases(group) for group in no_topic)
        # No mmap: a segment truncated on disk would raise SIGBUS on a mapped read and kill the
        # whole server; plain reads raise an exception we can handle.
        self._indexes = {lang: FileStorage(str(path / lang), supports_mmap=False, readonly=True).open_index()
                         for lang in LANGS}
        self._pools: dict[str, queue.LifoQueue] = {lang: queue.LifoQueue() for lang in LANGS}
        self._created = dict.fromkeys(LANGS, 0)
        self._opened: list[Any] = []
        # Without mmap each searcher holds its segment files open: close them when this index is
        # dropped without close() (a retired index, a backend a test let go).
        weakref.finalize(self, _close_searchers, self._opened)
        self._lock = threading.Lock()
        self._vocabularies: dict[str, Vocabulary] = {}
        # Shared by all threads: BM25 length factors, idf and decoded postings (read-only use).
        self.scorers = {}
        for lang in LANGS:
            with self.searching(lang) as searcher:
                self.scorers[lang] = Scorer(searcher, WEIGHTING)
        # The topics a title or keyword phrase names (query.favour), looked up when a query
        # needs one and remembered, within a bound: what people type is unbounded.
        self._named: dict[tuple[str, str], frozenset[int]] = {}

    @classmethod
    def open(cls, path: Path) -> OpenIndex:
        """Open the index folder at path (a resolved, complete build) and read all of it once."""
        opened = cls(path, json.loads((path / META).read_text("utf-8")))
        try:
            opened.verify()
            opened.warm()
        except BaseException:
            opened.close()
            raise
        return opened

    def verify(self) -> None:
        """Read every stored document and every term's postings: a damaged file fails here, before
        the index is put in service, rather than in the middle of a query. The scored fields'
        postings read here are kept, decoded, for the queries to come (no cold first queries)."""
        for lang in LANGS:
            with self.searching(lang) as searcher:
                for _ in searcher.reader().all_stored_fields():
                    pass
                self.scorers[lang].read_all(searcher)

    def warm(self) -> None:
        """Do once, before the first query, what the first queries would otherwise each pay for:
        the spelling vocabularies, the lexicon and the title/keyword matches of the synonyms'
        phrases."""
        lexicon()
        for lang in LANGS:
            self.vocabulary(lang)
            scorer = self.scorers[lang]
            with self.searching(lang) as searcher:
                for group in self.groups:
                    for phrase in group:
                        text = " ".join(plain_words(phrase))
                        # The fields the query seeks a synonym in (query.whoosh_query).
                        for field, _boost, cross in FIELDS:
                            terms = stems(OTHER[lang] if cross else lang, text)
                            if field in SHORT_FIELDS and len(terms) > 1:
                                scorer.phrase_docs(searcher, field, terms)

    @contextmanager
    def searching(self, lang: str) -> Iterator[Any]:
        """A searcher of a language for this thread alone, returned to a small pool afterwards.

        Whoosh readers seek in shared files, so threads must not share one; a searcher per
        thread would map the index once per server thread (40), hence a pool of a few.
        """
        pool = self._pools[lang]
        try:
            searcher = pool.get_nowait()
        except queue.Empty:
            with self._lock:
                create = self._created[lang] < SEARCHERS
                self._created[lang] += create
            if create:
                searcher = self._indexes[lang].searcher(weighting=WEIGHTING)
                with self._lock:
                    self._opened.append(searcher)
            else:
                searcher = pool.get()
        try:
            yield searcher
        finally:
            pool.put(searcher)

    def named_by(self, searcher: Any, lang: str, phrase: str) -> frozenset[int]:
        """The documents whose title or keyword phrase (stemmed, query.favour) this is; none
        for an index built before the phrases were indexed (a rollback)."""
        key = (lang, phrase)
        found = self._named.get(key)
        if found is None:
            reader = searcher.reader()
            try:
                found = frozenset(reader.postings("phrases", phrase).all_ids()
                                  if "phrases" in reader.schema and ("phrases", phrase) in reader else ())
            except Exception as exc:  # noqa: BLE001 - not verified at open (scoring.UNVERIFIED)
                log.warning("search index phrase %r unreadable (%s): not favoured", phrase,
                            type(exc).__name__)
                found = frozenset()
            if len(self._named) >= NAMED_CACHE:
                self._named.clear()  # rare, and cheap to refill: no LRU bookkeeping per query
            self._named[key] = found
        return found

    def knows(self, word: str) -> bool:
        """Whether the help center uses a (folded) word or a form of it, in either language or its
        synonyms; a misspelling of one of its words ("delivry") is not a form of it."""
        return any(self.vocabulary(lang).related(word) and not self.vocabulary(lang).corrections(word)
                   for lang in LANGS)

    def corrects(self, word: str) -> bool:
        """Whether the spelling correction would read a (folded) word as one of the help
        center's, in either language ("contcat": contact)."""
        return any(self.vocabulary(lang).corrections(word) for lang in LANGS)

    def vocabulary(self, lang: str) -> Vocabulary:
        """The spelling vocabulary of a language (typos, "did you mean"), read by `warm`."""
        found = self._vocabularies.get(lang)
        if found is None:
            with self._lock:
                found = self._vocabularies.get(lang)
                if found is None:
                    reader = self._indexes[lang].reader()
                    try:
                        extra = (w for group in self.groups for p in group for w in plain_words(p))
                        found = self._vocabularies[lang] = Vocabulary(reader, extra=extra)
                    finally:
                        reader.close()
        return found

    def close(self) -> None:
        """Release every thread's searchers' files."""
        with self._lock:
            for searcher in self._opened:
                searcher.close()
            self._opened.clear()


def _close_searchers(searchers: list[Any]) -> None:
    """Close every searcher in the list (an OpenIndex's finalizer)."""
    while searchers:
        searchers.pop().close()


class IndexHandle:
    """The published index at a path (usually the `search_index` symlink), reopened when it moves.

    Each call to `current()` costs one readlink/stat: a rebuild swaps the symlink, and the next
    query opens the new index while queries already running finish on the old one.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._open: OpenIndex | None = None
        self._retired: list[OpenIndex] = []
        self._failed: tuple[tuple, float] | None = None  # a published index that did not open
        self.problem: str | None = None  # why the published index is not the one in service

    def _probe(self) -> tuple | None:
        """Where the index lives now and its marker's identity; None when there is none."""
        try:
            target = os.path.realpath(self.path)
            st = os.stat(os.path.join(target, META))
        except OSError:
            return None
        return (target, st.st_ino, st.st_mtime_ns)

    def current(self) -> OpenIndex | None:
        """The open index, reopened if the published one changed; None when none is published."""
        key = self._probe()
        if key is None or key == self._key:
            return self._open
        # One thread opens the new index (reads, verifies and warms it); meanwhile the others
        # keep answering from the one in service instead of waiting.
        if not self._lock.acquire(blocking=self._open is None):
            return self._open
        try:
            if key != self._key and not self._failed_recently(key):
                self._replace(key)
        finally:
            self._lock.release()
        return self._open

    def _replace(self, key: tuple) -> None:
        """Open the index of key and put it in service; on any damage keep the last good one."""
        try:
            fresh = OpenIndex.open(Path(key[0]))
        except Exception as exc:  # noqa: BLE001 - any damage: keep the last good index
            self._failed = (key, time.monotonic())
            self.problem = f"{key[0]}: {type(exc).__name__}: {exc}"[:300]
            log.error("search index %s cannot be opened (%s: %s); %s", key[0], type(exc).__name__,
                      exc, "still serving the previous one" if self._open else "search is unavailable")
            return
        self._failed, self.problem = None, None
        if self._open is not None:
            # Keep the previous one open a while: requests may still be reading it.
            self._retired.append(self._open)
            while len(self._retired) > 2:
                self._retired.pop(0).close()
        self._open, self._key = fresh, key

    def _failed_recently(self, key: tuple) -> bool:
        """The same published index failed less than RETRY_FAILED s ago: do not reread it per query."""
        return (self._failed is not None and self._failed[0] == key
                and time.monotonic() - self._failed[1] < RETRY_FAILED)
