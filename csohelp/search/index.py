"""Building the Whoosh index (one sub-index per language) and opening the published one."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.scoring import BM25F
from whoosh.fields import ID, STORED, TEXT, Schema

from ..content import LANGS, Corpus, Topic
from ..errors import BuildError
from .analysis import OTHER, WORD_RE, analyzer, fold, spell_analyzer

META = "meta.json"
# Short fields (titles, keywords) are barely normalised by length: a long title is not worse.
WEIGHTING = BM25F(B=0.75, K1=1.2, title_B=0.3, keywords_B=0.3, xtitle_B=0.3, xkeywords_B=0.3)
FORMAT = 1
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
    for lang in LANGS:
        folder = dest / lang
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), schema(lang))
        writer = ix.writer(limitmb=256)
        for doc in docs:
            document = _document(doc, lang)
            _count_spellings(document["spell"], display)
            writer.add_document(**document)
        writer.commit()
        ix.close()
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


def _count_spellings(text: str, display: dict[str, Counter]) -> None:
    """Count the written forms of each folded word (only those with accents matter)."""
    for match in WORD_RE.finditer(text):
        word = match.group()
        if not word.isascii():
            lower = word.lower()
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


@dataclass
class OpenIndex:
    """One published index, opened: searchers per language and its metadata."""

    path: Path
    version: str
    meta: dict[str, Any]
    searchers: dict[str, Any]
    topics: dict[str, dict[str, Any]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path) -> OpenIndex:
        """Open the index folder at path (a resolved, complete build)."""
        meta = json.loads((path / META).read_text("utf-8"))
        searchers = {lang: whoosh_index.open_dir(str(path / lang)).searcher(weighting=WEIGHTING)
                     for lang in LANGS}
        topics = {t["id"]: t for t in meta["topics"]}
        aliases = {a: t["id"] for t in meta["topics"] for a in t["aliases"]}
        return cls(path, meta["version"], meta, searchers, topics, aliases)

    def close(self) -> None:
        """Release the searchers' files."""
        for searcher in self.searchers.values():
            searcher.close()


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
                if key != self._key:
                    fresh = OpenIndex.open(Path(key[0]))
                    if self._open is not None:
                        # Keep the previous one open a while: requests may still be reading it.
                        self._retired.append(self._open)
                        while len(self._retired) > 2:
                            self._retired.pop(0).close()
                    self._open, self._key = fresh, key
        return self._open
