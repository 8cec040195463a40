"""Helpers shared by the search tests: an index of the real faq/ built into a folder."""

from __future__ import annotations

from pathlib import Path

from csohelp.content import load_corpus
from csohelp.search.index import TopicDoc, build_index, corpus_categories

REPO = Path(__file__).resolve().parents[1]


def build_faq_index(dest: Path, version: str | None = None) -> Path:
    """The real topics' index at dest."""
    corpus = load_corpus(REPO / "faq")
    return build_index([TopicDoc.from_topic(t) for t in corpus.topics], dest,
                       corpus_categories(corpus), corpus.synonyms, version=version,
                       no_topic=corpus.no_topic)
