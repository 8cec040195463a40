"""Building the Whoosh index (one sub-index per language) and opening the published one."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import queue
import re
import shutil
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.scoring import BM25F

from ..content import LANGS, Corpus, Topic
from ..errors import BuildError
from .analysis import (
    OTHER,
    WORD_RE,
    Synonyms,
    analyzer,
    fold,
    plain_words,
    spell_analyzer,
    synonym_table,
)
from .scoring import Scorer
from .spelling import Vocabulary

log = logging.getLogger(__name__)
META = "meta.json"
RETRY_FAILED = 30.0  # seconds before a published index that failed to open is tried again
# Short fields (titles, keywords) are barely normalised by length: a long title is not worse.
WEIGHTING = BM25F(B=0.75, K1=1.2, title_B=0.3, keywords_B=0.3, xtitle_B=0.3, xkeywords_B=0.3)
FORMAT = 1
# Searchers per language: with the GIL a second one only added ~80 MB of mapped index
# (scripts/bench_search.py: 276 vs 196 MB RSS) without more requests per second.
SEARCHERS = 1
PARALLEL_MIN = 500  # below this many topics, starting processes costs more than it saves
_MARKDOWN = [
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"^#+\s*", re.MULTILINE), ""),  # headings
    (re.compile(r"^\s*[-*+]\s+", re.MULTILINE), ""),  # list markers
    (re.compile(r"[*_`]{1,3}"), ""),  # emphasis
    (re.compile(r"\s+"), " "),
]


def plain_text(markdown: str) -> str:
    """Markdown reduced to readable plain text for indexing and snippets."""
    for pattern, repl in _MARKDOWN:
        markdown = pattern.sub(repl, markdown)
    return markdown.strip()


def schema(lang: str) -> Schema:
    """Fields of one language's index; x* fields hold the other language's words (low boost)."""
    own, other = analyzer(lang), analyzer(OTHER[lang])
    return Schema(
        id=ID(stored=True, unique=True),
        category=ID(stored=True),
        title=TEXT(analyzer=own, stored=True),
        keywords=TEXT(analyzer=own),
        summary=TEXT(analyzer=own),
        body=TEXT(analyzer=own),
        xtitle=TEXT(analyzer=other),
        xkeywords=TEXT(analyzer=other),
        xsummary=TEXT(analyzer=other),
        spell=TEXT(analyzer=spell_analyzer(), phrase=False),
        url=STORED,
        text=STORED,
    )


@dataclass
class TopicDoc:
    """What the index needs of one topic in both languages (real or synthetic)."""

    id: str
    category: str
    aliases: list[str]
    texts: dict[str, dict[str, Any]]  # lang -> title, summary, keywords, body, url

    @classmethod
    def from_topic(cls, topic: Topic) -> TopicDoc:
        """A TopicDoc from a content-model topic (steps are part of the body)."""
        texts = {}
        for lang in LANGS:
            t = topic.text(lang)
            body = "\n".join([t.body, *(t.steps or [])])
            texts[lang] = {"title": t.title, "summary": t.summary, "keywords": list(t.keywords),
                           "body": body, "url": topic.url(lang)}
        return cls(topic.id, topic.category, list(topic.aliases), texts)


def _document(doc: TopicDoc, lang: str) -> dict[str, Any]:
    """One Whoosh document: the topic in `lang`, plus the other language's title and keywords."""
    own, other = doc.texts[lang], doc.texts[OTHER[lang]]
    body = plain_text(own["body"])
    keywords = " ; ".join(own["keywords"])
    xkeywords = " ; ".join(other["keywords"])
    spell = " ".join([own["title"], keywords, own["summary"], body, other["title"], xkeywords])
    return {
        "id": doc.id, "category": doc.category, "title": own["title"], "keywords": keywords,
        "summary": own["summary"], "body": body, "xtitle": other["title"], "xkeywords": xkeywords,
        "xsummary": other["summary"], "spell": spell, "url": own["url"],
        "text": own["summary"] + " " + body,
    }


def build_index(docs: Iterable[TopicDoc], dest: Path, categories: list[dict] | None = None,
                synonyms: list[list[str]] | None = None, version: str | None = None) -> Path:
    """Write a complete index folder (fr/, en/, meta.json) at dest; return dest."""
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    docs = list(docs)
    display: dict[str, Counter] = {}
    if len(docs) >= PARALLEL_MIN and (os.cpu_count() or 1) > 1:
        # The two languages are independent indexes: build them in two processes (fork: the
        # documents are inherited, not pickled), about half the time on the 2-core target.
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_inherit, initargs=(docs,)) as pool:
            for counts in pool.map(_build_language_inherited, [str(dest / lang) for lang in LANGS]):
                for word, counter in counts.items():
                    display.setdefault(word, Counter()).update(counter)
    else:
        for lang in LANGS:
            for word, counter in _build_language(docs, dest / lang).items():
                display.setdefault(word, Counter()).update(counter)
    meta = {
        "format": FORMAT,
        "version": version or f"{time.time_ns()}",
        "topics": [{"id": d.id, "category": d.category, "aliases": d.aliases,
                    **{lang: {"title": d.texts[lang]["title"], "url": d.texts[lang]["url"]}
                       for lang in LANGS}} for d in docs],
        "categories": categories or [],
        "synonyms": synonyms or [],
        # The usual accented spelling of folded words, so "did you mean" reads "numéro".
        "display": {w: c.most_common(1)[0][0] for w, c in display.items()
                    if c.most_common(1)[0][0] != w},
    }
    # meta.json last: its presence marks a complete index.
    (dest / META).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    return dest


_inherited: list[TopicDoc] = []


def _inherit(docs: list[TopicDoc]) -> None:
    """Pool initializer: the documents, passed by fork."""
    _inherited[:] = docs


def _build_language_inherited(folder: str) -> dict[str, Counter]:
    """`_build_language` in a worker process, on the documents it inherited."""
    return _build_language(_inherited, Path(folder))


def _build_language(docs: list[TopicDoc], folder: Path) -> dict[str, Counter]:
    """Write one language's Whoosh index into folder; return the written forms of accented words."""
    lang = folder.name
    folder.mkdir()
    display: dict[str, Counter] = {}
    ix = whoosh_index.create_in(str(folder), schema(lang))
    writer = ix.writer(limitmb=256)
    for doc in docs:
        document = _document(doc, lang)
        _count_spellings(document["spell"], display)
        writer.add_document(**document)
    writer.commit()
    ix.close()
    return display


def _count_spellings(text: str, display: dict[str, Counter]) -> None:
    """Count the written forms of each folded word: the usual one is shown in corrections.

    Unaccented forms count too, or a rare "commandé" would stand for every "commande".
    """
    for match in WORD_RE.finditer(text):
        lower = match.group().lower()
        display.setdefault(fold(lower), Counter())[lower] += 1


def corpus_categories(corpus: Corpus) -> list[dict]:
    """Category ids and titles per language, for the results page's filter."""
    return [{"id": c.id, **{lang: {"title": c.text(lang).title, "url": c.url(lang)} for lang in LANGS}}
            for c in corpus.categories]


def index_stage(corpus: Corpus, paths: Any, new_site: Path, stamp: str) -> tuple[Path, Path]:
    """Build stage: the index of the corpus into build/index-STAMP, to be published as search_index."""
    dest = Path(paths.work) / f"index-{stamp}"
    try:
        build_index((TopicDoc.from_topic(t) for t in corpus.topics), dest,
                    corpus_categories(corpus), corpus.synonyms, version=stamp)
    except OSError as exc:
        raise BuildError(f"search index: {exc}") from exc
    return dest, Path(paths.index)


class OpenIndex:
    """One published index, opened: its metadata, a searcher per thread and language, scorers."""

    def __init__(self, path: Path, meta: dict[str, Any]):
        self.meta = meta
        self.version: str = meta["version"]
        self.topics: dict[str, dict[str, Any]] = {t["id"]: t for t in meta["topics"]}
        self.aliases: dict[str, str] = {a: t["id"] for t in meta["topics"] for a in t["aliases"]}
        # Derived once per index, not per query: read by every request thread.
        self.category_ids = {c["id"] for c in meta["categories"]} | {t["category"] for t in meta["topics"]}
        self.synonyms: Synonyms = synonym_table(meta["synonyms"])
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

    @classmethod
    def open(cls, path: Path) -> OpenIndex:
        """Open the index folder at path (a resolved, complete build) and read all of it once."""
        opened = cls(path, json.loads((path / META).read_text("utf-8")))
        try:
            opened.verify()
        except BaseException:
            opened.close()
            raise
        return opened

    def verify(self) -> None:
        """Read every stored document and every term's postings: a damaged file fails here, before
        the index is put in service, rather than in the middle of a query."""
        for lang in LANGS:
            with self.searching(lang) as searcher:
                reader = searcher.reader()
                for _ in reader.all_stored_fields():
                    pass
                for field, term in reader.all_terms():
                    reader.postings(field, term).all_ids()

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

    def vocabulary(self, lang: str) -> Vocabulary:
        """The spelling vocabulary of a language, read on first use (typos, "did you mean")."""
        found = self._vocabularies.get(lang)
        if found is None:
            with self._lock:
                found = self._vocabularies.get(lang)
                if found is None:
                    reader = self._indexes[lang].reader()
                    try:
                        extra = (w for group in self.meta["synonyms"] for p in group for w in plain_words(p))
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
        if key is None:
            return self._open
        if key != self._key:
            with self._lock:
                if key != self._key and not self._failed_recently(key):
                    try:
                        fresh = OpenIndex.open(Path(key[0]))
                    except Exception as exc:  # noqa: BLE001 - any damage: keep the last good index
                        self._failed = (key, time.monotonic())
                        self.problem = f"{key[0]}: {type(exc).__name__}: {exc}"[:300]
                        log.error("search index %s cannot be opened (%s: %s); %s", key[0],
                                  type(exc).__name__, exc, "still serving the previous one"
                                  if self._open else "search is unavailable")
                        return self._open
                    self._failed, self.problem = None, None
                    if self._open is not None:
                        # Keep the previous one open a while: requests may still be reading it.
                        self._retired.append(self._open)
                        while len(self._retired) > 2:
                            self._retired.pop(0).close()
                    self._open, self._key = fresh, key
        return self._open

    def _failed_recently(self, key: tuple) -> bool:
        """The same published index failed less than RETRY_FAILED s ago: do not reread it per query."""
        return (self._failed is not None and self._failed[0] == key
                and time.monotonic() - self._failed[1] < RETRY_FAILED)
