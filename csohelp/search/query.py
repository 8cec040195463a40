"""Answering a query: plain words, synonyms, both languages, confidence, spelling that helps."""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from whoosh.query import Term

from ..errors import QueryError
from .analysis import OTHER, Synonyms, all_stopwords, plain_words, singular, stems
from .client import without_sign_off
from .confidence import (
    Need,
    Probe,
    confident,
    coverages,
    probe_strength,
    weigh_needs,
    weight_of,
)
from .index import FIELDS, SHORT_FIELDS
from .opened import OpenIndex
from .scoring import Clause
from .snippets import snippet
from .spelling import respell

MAX_CHARS = 500  # longer input is not a search but a paste (or an attack): refused with a 400
MAX_WORDS = 16  # meaningful words beyond this add cost, not precision
CANDIDATES = 30  # best-scored topics judged for confidence (the rest score too low to be shown)
TRIED_WORDS = 3  # misspelled words whose equally near corrections are tried in the query
CLEARLY_BETTER = 0.2  # a correction is offered when it covers this much more of the query
PHRASE_WORDS = 8  # the longest title or keyword phrase sought in a query, in words
PHRASE_BOOST = 1.3  # a confident hit whose title or keyword phrase the query holds ranks so much higher
COMPLETION_WEIGHT = 0.8  # type-ahead: completions of the unfinished last word
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")

TOO_LONG = {
    "fr": f"La recherche est trop longue : {MAX_CHARS} caractères au plus.",
    "en": f"The search is too long: {MAX_CHARS} characters at most.",
}
BAD_CATEGORY = {"fr": "Catégorie inconnue.", "en": "Unknown category."}


@dataclass
class Hit:
    """One result: a topic in the reader's language."""

    id: str
    lang: str
    title: str
    url: str
    snippet: str
    category: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """The API's JSON form of a hit."""
        return dict(self.__dict__)


@dataclass
class SearchResult:
    """The answer to one query, in the API's shape."""

    query: str
    lang: str
    total: int  # how many topics answer the query with confidence (hits holds the first `limit`)
    hits: list[Hit]
    suggestion: str | None
    took_ms: float
    redirect: str | None = None  # an article id typed as the query: go straight there
    corrected: bool = False  # the hits are the suggestion's: the query as typed found nothing

    def to_dict(self) -> dict[str, Any]:
        """The JSON of GET /api/search."""
        return {"query": self.query, "lang": self.lang, "total": self.total,
                "hits": [h.to_dict() for h in self.hits], "suggestion": self.suggestion,
                "corrected": self.corrected, "took_ms": self.took_ms}


@dataclass
class Concept:
    """One thing the reader asked for: a word or phrase and its equivalents (synonyms, typo fixes)."""

    words: tuple[str, ...]
    alternatives: dict[tuple[str, ...], float] = field(default_factory=dict)
    no_topic: bool = False  # a phrase of a group no topic is about (synonyms.yaml's no_topic)


def clean_query(text: str | None, lang: str) -> str:
    """The query as people typed it, minus control characters; too long raises QueryError."""
    text = text or ""
    if len(text) > MAX_CHARS:
        raise QueryError(TOO_LONG)
    text = CONTROL.sub(" ", unicodedata.normalize("NFC", text))
    return " ".join(text.split())


def query_words(text: str) -> list[str]:
    """The query's plain words up to MAX_WORDS meaningful ones: the stop words of a long
    question ("we need the next shipment to go to...") do not use up the allowance."""
    stop = all_stopwords()
    words: list[str] = []
    meaningful = 0
    for word in plain_words(without_sign_off(text)):
        meaningful += word not in stop
        if meaningful > MAX_WORDS:
            break
        words.append(word)
    return words


def concepts_of(words: list[str], synonyms: Synonyms,
                no_topic: frozenset[tuple[tuple[str, ...], ...]] = frozenset()) -> list[Concept]:
    """Group the query's words into concepts, expanding synonym phrases (longest match first);
    `no_topic` holds the groups no topic is about."""
    concepts: list[Concept] = []
    i = 0
    while i < len(words):
        entries = next((synonyms[w] for w in table_forms(words[i]) if w in synonyms), [])
        for phrase, group in entries:
            typed = tuple(words[i:i + len(phrase)])
            if len(typed) == len(phrase) and all(
                    w in table_forms(t) for t, w in zip(typed, phrase, strict=True)):
                concept = Concept(typed, {typed: 1.0}, no_topic=group in no_topic)
                for other in group:
                    concept.alternatives.setdefault(other, 0.9)
                concepts.append(concept)
                i += len(phrase)
                break
        else:
            concepts.append(Concept((words[i],), {(words[i],): 1.0}))
            i += 1
    return concepts


def table_forms(typed: str) -> tuple[str, ...]:
    """The synonym table's forms a typed word may have: its singular, and for a short plural
    that `singular` leaves alone ("POs"), the word without its s."""
    word = singular(typed)
    return (word, word[:-1]) if word.endswith("s") and len(word) > 2 else (word,)


def whoosh_query(concepts: list[Concept], lang: str) -> tuple[list[Clause], set[str], list[Need]]:
    """The boosted field clauses for concepts (summed, like an OR), the reader-language stems to
    mark, and what each meaningful concept needs of a topic (for the confidence check)."""
    clauses: list[Clause] = []
    marks: set[str] = set()
    needs: list[Need] = []
    stop = all_stopwords()
    for concept in concepts:
        if len(concept.alternatives) == 1 and all(w in stop for w in concept.words):
            continue  # "est", "will": a stop word of either language says nothing (but "s/n" does)
        seen: dict[tuple[str, tuple[str, ...]], float] = {}
        own = stems(lang, " ".join(concept.words))
        need = Need(weight_of(concept.words, own, lang), own, concept.words,
                    no_topic=concept.no_topic)
        for alternative, weight in concept.alternatives.items():
            text = " ".join(alternative)
            own, other = stems(lang, text), stems(OTHER[lang], text)
            marks.update(own)
            for fieldname, boost, cross in FIELDS:
                terms = other if cross else own
                if weight < 1.0 and len(alternative) > 1 and len(terms) < 2:
                    # An equivalent phrase its stop words leave one word of ("who is this
                    # service for": "service", "not ordered": "order") would search for that
                    # word alone: every topic titled "service". The phrase typed still counts.
                    continue
                # Equivalents (synonyms, typo fixes) only in the short fields: their long body
                # posting lists cost most of a query's time and add little precision.
                if terms and (weight == 1.0 or fieldname in SHORT_FIELDS):
                    key = (fieldname, terms)
                    if key not in seen:
                        need.probes.append(Probe(fieldname, terms, probe_strength(fieldname, weight)))
                    seen[key] = max(seen.get(key, 0.0), boost * weight)
        clauses.extend(Clause(f, t, b) for (f, t), b in seen.items())
        if need.probes:  # stop words only: nothing to match, nothing to ask of a topic
            needs.append(need)
    return clauses, marks, needs


@dataclass
class Ranked:
    """The confident hits of one wording of a query: (docnum, score, coverage), best first."""

    hits: list[tuple[int, float, float]]
    marks: set[str]

    @property
    def best(self) -> float:
        """The best coverage (0 when nothing answers)."""
        return max((c for _, _, c in self.hits), default=0.0)


def rank(ix: OpenIndex, searcher: Any, words: list[str], lang: str,
         allowed: set[int] | None, prefix: str | None = None) -> Ranked:
    """Score the words against the index and keep the topics that answer them, best first.

    With `prefix` (type-ahead), the last word may be unfinished: its completions count too.
    """
    concepts = concepts_of(words, ix.synonyms, ix.no_topic)
    if prefix and concepts and len(prefix) >= 2:
        # Completions from the in-memory vocabulary: no term scan of the index per keystroke.
        for completion in ix.vocabulary(lang).completions(prefix, 4):
            concepts[-1].alternatives.setdefault((completion,), COMPLETION_WEIGHT)
    clauses, marks, needs = whoosh_query(concepts, lang)
    if not clauses:
        return Ranked([], marks)
    scorer = ix.scorers[lang]
    weigh_needs(scorer, searcher, needs, ix.knows, ix.corrects)
    best, _total = scorer.top(searcher, clauses, CANDIDATES, allowed)
    covered = coverages(scorer, searcher, [d for d, _ in best], needs)
    scored = [(d, s, *covered[d]) for d, s in best]
    return Ranked(confident(scored, needs), marks)


def favour(ix: OpenIndex, searcher: Any, hits: list[tuple[int, float, float]],
           words: list[str], lang: str) -> list[tuple[int, float, float]]:
    """The confident hits, those whose title or keyword of several words the query holds
    ("product availability", "modifier une commande") first among equals: scores × PHRASE_BOOST."""
    top = hits[0][1] if hits else 0.0
    # Only a hit the boost could lift to the first place needs the lookup.
    if not any(s * PHRASE_BOOST > top for _, s, _ in hits[1:]):
        return hits
    typed = stems(lang, " ".join(words))
    # A run holding a word of no phrase names no topic: not looked up (nor remembered).
    known = ix.scorers[lang].words_in.get("phrases", set())
    named: set[int] = set()
    for n in range(2, min(len(typed), PHRASE_WORDS) + 1):
        for i in range(len(typed) - n + 1):
            if all(t in known for t in typed[i:i + n]):
                named |= ix.named_by(searcher, lang, " ".join(typed[i:i + n]))
    if not named:
        return hits
    boosted = [(d, s * PHRASE_BOOST if d in named else s, c) for d, s, c in hits]
    return sorted(boosted, key=lambda h: -h[1])


def run_search(ix: OpenIndex, text: str, lang: str, limit: int, category: str | None,
               exact: bool = False, prefix: bool = False) -> SearchResult:
    """Answer one cleaned query against an open index (no cache).

    Spelling helps or stays silent: only words unknown to the help center and to everyday
    French and English are corrected, and only when the corrected query answers clearly
    better. When the query as typed finds nothing, the corrected one's hits are shown.
    """
    started = time.perf_counter()
    if category is not None and category not in ix.category_ids:
        raise QueryError(BAD_CATEGORY)
    words = query_words(text)
    last = words[-1] if prefix and words and not text[-1:].isspace() else None
    direct = _direct_topic(ix, text)
    suggestion, corrected = None, False
    with ix.searching(lang) as searcher:
        allowed = set(Term("category", category).docs(searcher)) if category else None
        ranked = rank(ix, searcher, words, lang, allowed, last)
        fixed = None if exact else _correct(ix, searcher, words, lang, allowed)
        if fixed is not None:
            fixed, other = fixed
            if other.hits and (not ranked.hits or other.best >= ranked.best + CLEARLY_BETTER):
                suggestion = respell(text, fixed, ix.meta.get("display", {}))
                if not ranked.hits:
                    ranked, corrected = other, True
        # The order of the hits shown: once, not in each spelling trial (those weigh coverage).
        shown = favour(ix, searcher, ranked.hits, fixed if corrected else words, lang)
        # Snippets only for the hits shown: they cost more than the ranking.
        hits = [_hit(searcher, d, lang, score, ranked.marks) for d, score, _ in shown[:limit]]
        total = len(ranked.hits)
        if direct is not None and (category is None or direct["category"] == category):
            hits = [h for h in hits if h.id != direct["id"]]
            top = hits[0].score if hits else 1.0
            stored_text = _stored_text(searcher, direct["id"])
            hits.insert(0, Hit(direct["id"], lang, direct[lang]["title"], direct[lang]["url"],
                               snippet(stored_text, lang, ranked.marks), direct["category"],
                               round(top + 1, 3)))
            hits = hits[:limit]
            total = max(total, len(hits))
    took = round((time.perf_counter() - started) * 1000, 2)
    return SearchResult(text, lang, total, hits, suggestion, took,
                        redirect=direct[lang]["url"] if direct else None, corrected=corrected)


def _correct(ix: OpenIndex, searcher: Any, words: list[str], lang: str,
             allowed: set[int] | None) -> tuple[list[str], Ranked] | None:
    """The query with its unknown words corrected, and its hits; None when no word is unknown.

    Between equally near words (contarct: contact or contract?), the one that answers the
    rest of the query best wins: "contarct renewal" is about a contract.
    """
    vocabulary = ix.vocabulary(lang)
    options = [vocabulary.corrections(w) for w in words]
    if not any(options):
        return None
    fixed = [o[0] if o else w for w, o in zip(words, options, strict=True)]
    # Each trial ranks the whole query: a few ambiguous words are weighed so, the rest take
    # their likeliest correction (a query of 16 typos must not cost 48 rankings).
    ambiguous = [i for i, choices in enumerate(options) if len(choices) > 1][:TRIED_WORDS]
    for i in ambiguous if len(words) > 1 else ():
        trials = [fixed[:i] + [c] + fixed[i + 1:] for c in options[i]]
        fixed = max(trials, key=lambda t: rank(ix, searcher, t, lang, allowed).best)
    return fixed, rank(ix, searcher, fixed, lang, allowed)


def _hit(searcher: Any, docnum: int, lang: str, score: float, marks: set[str]) -> Hit:
    """The Hit of a document."""
    stored = searcher.stored_fields(docnum)
    return Hit(stored["id"], lang, stored["title"], stored["url"], snippet(stored["text"], lang, marks),
               stored["category"], round(score, 3))


def _direct_topic(ix: OpenIndex, text: str) -> dict | None:
    """The topic whose id (or former id) is the whole query, e.g. `order-status`."""
    candidate = text.strip().strip("/").lower()
    if not ID_PATTERN.match(candidate):
        return None
    topic_id = candidate if candidate in ix.topics else ix.aliases.get(candidate)
    return ix.topics.get(topic_id) if topic_id else None


def _stored_text(searcher: Any, topic_id: str) -> str:
    """The stored plain text of a topic in the searcher's language."""
    docnum = searcher.document_number(id=topic_id)
    return searcher.stored_fields(docnum)["text"] if docnum is not None else ""


def run_suggest(ix: OpenIndex, text: str, lang: str, limit: int) -> list[dict]:
    """Topics for an unfinished query: the results page's analysis, spelling and confidence,
    with the last word also read as the start of a longer one."""
    if not plain_words(text):
        return []
    result = run_search(ix, text, lang, limit, None, prefix=True)
    return [{"id": h.id, "title": h.title, "url": h.url} for h in result.hits]
