"""Building the Whoosh index (one sub-index per language) and opening the published one."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.scoring import BM25F

from ..content import LANGS, Corpus, Topic
from ..errors import BuildError
from .analysis import (
    OTHER,
    WORD_RE,
    analyzer,
    fold,
    spell_analyzer,
    stems,
)
from .lexicon import read_lexicon

log = logging.getLogger(__name__)
META = "meta.json"

# Short fields (titles, keywords) are barely normalised by length: a long title is not worse.
WEIGHTING = BM25F(B=0.75, K1=1.2, title_B=0.3, keywords_B=0.3, xtitle_B=0.3, xkeywords_B=0.3)
FORMAT = 1
# Searchers per language: with the GIL a second one only added ~80 MB of mapped index
# (scripts/bench_search.py: 276 vs 196 MB RSS) without more requests per second.
SEARCHERS = 1
# Query fields, their weights, and whether they hold the other language's text (analysed in that
# language): title > keywords > summary > body; the other language's words count less.
FIELDS: list[tuple[str, float, bool]] = [
    ("title", 6.0, False), ("keywords", 4.0, False), ("summary", 2.0, False), ("body", 1.0, False),
    ("xtitle", 2.5, True), ("xkeywords", 2.0, True), ("xsummary", 0.5, True),
]
# Short fields say what a topic is about; equivalents (synonyms, typo fixes) are sought there only.
SHORT_FIELDS = frozenset({"title", "keywords", "xtitle", "xkeywords"})
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
        # Its titles and keywords of several words, stemmed for this language, one term each.
        phrases=KEYWORD(commas=True, scorable=False),
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
        "text": own["summary"] + " " + body, "phrases": ",".join(topic_phrases(doc, lang)),
    }


def build_index(docs: Iterable[TopicDoc], dest: Path, categories: list[dict] | None = None,
                synonyms: list[list[str]] | None = None, version: str | None = None,
                no_topic: list[list[str]] | None = None) -> Path:
    """Write a complete index folder (fr/, en/, meta.json) at dest; return dest. `no_topic`:
    the synonym groups no topic is about (a query about them gets the no-result page)."""
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
        "no_topic": no_topic or [],
        # The usual accented spelling of folded words, so "did you mean" reads "numéro".
        "display": {w: c.most_common(1)[0][0] for w, c in display.items()
                    if c.most_common(1)[0][0] != w},
    }
    # meta.json last: its presence marks a complete index.
    (dest / META).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    return dest


_inherited: list[TopicDoc] = []


def topic_phrases(doc: TopicDoc, lang: str) -> list[str]:
    """The topic's titles and keywords of two words or more (in either language), as a query
    in `lang` is stemmed: a query holding one names this topic."""
    texts = [t for other in LANGS for t in (doc.texts[other]["title"], *doc.texts[other]["keywords"])]
    return sorted({" ".join(p) for p in (stems(lang, text) for text in texts) if len(p) >= 2})


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
    # Separate segment files, not one compound file: without mmap (see OpenIndex) every read of
    # a compound file goes through a Python-level read(); plain files read in C.
    writer = ix.writer(limitmb=256, compound=False)
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
    read_lexicon()  # a broken lexicon.yaml stops the build (file, line, list), not every search
    try:
        build_index((TopicDoc.from_topic(t) for t in corpus.topics), dest,
                    corpus_categories(corpus), corpus.synonyms, version=stamp,
                    no_topic=corpus.no_topic)
    except OSError as exc:
        raise BuildError(f"search index: {exc}") from exc
    return dest, Path(paths.index)
