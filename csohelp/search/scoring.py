"""Fast BM25F over Whoosh's postings: the same scores as Whoosh's OR of boosted terms, computed in bulk.

Whoosh scores a match through several Python calls per posting (matcher id, weight, field
length, score), about 10 µs each; a word of the synthetic 10k-topic benchmark matches thousands
of documents, so a query cost tens of ms. Here a term's postings are decoded once (a block at a
time on Whoosh's own codec), kept in a bounded cache, and scored with one arithmetic expression
per posting against precomputed BM25 length factors: the ranking is Whoosh's, the cost ~20x less.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.query import Phrase
from whoosh.scoring import BM25F

POSTINGS_BUDGET = 6_000_000  # postings kept decoded per index (8 bytes each: ~48 MB at most)
# Fields whose postings are not all read at open: the title/keyword phrases (query.favour) are
# most of the terms, and a damaged one costs a query its favour, not its answer.
UNVERIFIED = frozenset({"phrases"})
PHRASES = 4096  # phrase matches remembered per index (the synonyms' phrases are a few hundred)


@dataclass(frozen=True)
class Clause:
    """One boosted term (or phrase, for several terms) of a field."""

    field: str
    terms: tuple[str, ...]
    boost: float


class PostingsCache:
    """Decoded postings per field and term, least recently used out, within a budget of postings."""

    def __init__(self, budget: int = POSTINGS_BUDGET):
        self.budget = budget
        self._size = 0
        self._data: OrderedDict[tuple[str, str], Postings] = OrderedDict()
        self._lock = threading.Lock()
        self.loaded = False  # every term of the scored fields was put here (Scorer.read_all)
        self.dropped = 0  # entries dropped for the budget since

    def get(self, searcher: Any, field: str, term: str) -> Postings:
        """The postings of field:term over all the searcher's leaves (empty for an unknown term)."""
        key = (field, term)
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                return found
            if self.loaded and not self.dropped:
                # Every term was loaded at open and none dropped since: a word not here is in
                # no document, and looking it up in the segment files would be wasted.
                return EMPTY
        found = decode_postings(searcher, field, term)
        if not len(found[0]):
            return found  # not kept: typed words are unbounded, the index's are not
        with self._lock:
            if key not in self._data:  # another thread may have decoded it meanwhile
                self._data[key] = found
                self._size += len(found[0])
            while self._size > self.budget and len(self._data) > 1:
                self.dropped += 1
                _, (ids, _w) = self._data.popitem(last=False)
                self._size -= len(ids)
        return found


class PhraseCache:
    """Documents where a phrase's words stand together, for the most recent PHRASES phrases.

    A count of entries, not postings: a typed word that analyses to several stems makes a
    phrase too, so the keys are as unbounded as what people type.
    """

    def __init__(self, size: int = PHRASES):
        self.size = size
        self._data: OrderedDict[tuple[str, tuple[str, ...]], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, tuple[str, ...]], compute: Callable[[], np.ndarray]) -> np.ndarray:
        """The remembered documents of key, or compute and remember them."""
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                return found
        found = compute()
        with self._lock:
            self._data[key] = found
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return found


Postings = tuple[np.ndarray, np.ndarray]  # ascending document numbers, term weights
EMPTY: Postings = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
for _array in EMPTY:
    _array.setflags(write=False)  # shared by every caller


def decode_postings(searcher: Any, field: str, term: str) -> Postings:
    """Doc numbers (index-wide) and weights of a term, a block at a time on Whoosh's W3 codec."""
    ids: list[int] = []
    weights: list[float] = []
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        if (field, term) not in reader:
            continue
        m = reader.postings(field, term)
        start = len(ids)
        if type(m) is W3LeafMatcher:
            # Whole blocks: one unpickle per 128 postings instead of three calls per posting.
            while m.is_active():
                m._read_ids()
                m._read_weights()
                ids.extend(m._ids)
                weights.extend(m._weights)
                m._next_block()
        else:  # inlined single postings, deletions filtered: the generic (slow, rare) way
            while m.is_active():
                ids.append(m.id())
                weights.append(m.weight())
                m.next()
        if offset:
            ids[start:] = [d + offset for d in ids[start:]]
    # One conversion per term, not per block: most terms have a single short block.
    postings = np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)
    for array in postings:
        array.setflags(write=False)  # shared by every request thread
    return postings


class Scorer:
    """BM25F of one index language: length factors, idf and decoded postings, shared by all threads.

    Every method takes the calling thread's own searcher: Whoosh readers seek in shared files,
    so threads must not share one. Scores are summed in numpy arrays: one vector operation
    per term instead of a Python step per posting.
    """

    def __init__(self, searcher: Any, weighting: BM25F):
        self.weighting = weighting
        self.doccount = searcher.doc_count_all()
        self.K1 = weighting.K1
        self.cache = PostingsCache()
        self.phrases = PhraseCache()
        self.words_in: dict[str, set[str]] = {}  # the words of UNVERIFIED fields' terms (read_all)
        self._idf: dict[tuple[str, str], float] = {}
        self._norms = {name: self._field_norms(searcher, name, weighting._field_B.get(name, weighting.B))
                       for name, fieldobj in searcher.schema.items() if fieldobj.scorable}

    def _field_norms(self, searcher: Any, field: str, B: float) -> np.ndarray:
        """K1 * ((1 - B) + B * length / average length) per document (BM25's length factor)."""
        avg = searcher.avg_field_length(field) or 1
        lengths = np.zeros(self.doccount, dtype=np.float64)
        for leaf, offset in searcher.leaf_searchers():
            length = leaf.reader().doc_field_length
            for d in range(leaf.doc_count_all()):
                lengths[offset + d] = length(d, field) or 0
        return self.K1 * ((1 - B) + B * lengths / avg)

    def read_all(self, searcher: Any) -> None:
        """Read every term's postings once (a damaged file fails here, not in a query), keeping
        the scored fields' decoded for the queries to come."""
        reader = searcher.reader()
        for field, term in reader.all_terms():
            if field in self._norms:
                # The reader lists terms as UTF-8 bytes; queries look them up as text.
                self.cache.get(searcher, field, term.decode("utf-8") if isinstance(term, bytes) else term)
            elif field in UNVERIFIED:
                # Their terms are listed, not read: the words they hold, for lookups to skip
                # runs of words no term can be (query.favour: a typed word of no phrase).
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                self.words_in.setdefault(field, set()).update(text.split())
            else:
                reader.postings(field, term).all_ids()
        self.cache.loaded = True

    def _add_term(self, searcher: Any, acc: np.ndarray, field: str, term: str, boost: float,
                  only: np.ndarray | None = None) -> None:
        """Add boost * BM25(field:term) to every document's score (only those of `only`, sorted)."""
        ids, weights = self.cache.get(searcher, field, term)
        if not len(ids):
            return
        idf = self._idf.get((field, term))
        if idf is None:  # (only the index's own terms: bounded)
            idf = self._idf[(field, term)] = self.weighting.idf(searcher, field, term)
        if only is not None:
            keep = np.isin(ids, only, assume_unique=True)
            ids, weights = ids[keep], weights[keep]
        # A term's documents are distinct, so fancy-index += adds once to each.
        acc[ids] += (boost * idf * (self.K1 + 1)) * weights / (weights + self._norms[field][ids])

    def top(self, searcher: Any, clauses: list[Clause], limit: int,
            allowed: set[int] | None = None) -> tuple[list[tuple[int, float]], int]:
        """The best `limit` (docnum, score) pairs, best first, and how many documents matched."""
        acc = np.zeros(self.doccount, dtype=np.float64)
        for clause in clauses:
            if clause.field not in self._norms:
                continue
            if len(clause.terms) == 1:
                self._add_term(searcher, acc, clause.field, clause.terms[0], clause.boost)
            else:
                # A phrase: its words' scores, only in documents where they stand together.
                inside = self.phrase_docs(searcher, clause.field, clause.terms)
                for term in clause.terms if len(inside) else ():
                    self._add_term(searcher, acc, clause.field, term, clause.boost, inside)
        if allowed is not None:
            mask = np.zeros(self.doccount, dtype=bool)
            mask[list(allowed)] = True
            acc[~mask] = 0.0
        matched = int(np.count_nonzero(acc))  # every matched document has a positive score
        if not matched:
            return [], 0
        # The best `limit` without a full sort; equal scores come out lowest document number
        # first, as from Whoosh's collector.
        k = min(limit, matched)
        part = np.argpartition(-acc, k - 1)[:k] if k < self.doccount else np.arange(self.doccount)
        floor = acc[part].min()
        found = np.flatnonzero(acc >= floor)
        order = np.lexsort((found, -acc[found]))[:limit]
        best = found[order]
        return list(zip(best.tolist(), acc[best].tolist(), strict=True)), matched

    def phrase_docs(self, searcher: Any, field: str, terms: tuple[str, ...]) -> np.ndarray:
        """The documents (sorted) where the terms stand together; Whoosh's position check runs
        only when every word is in some common document (mostly it is not)."""
        common: np.ndarray | None = None
        for term in terms:
            ids, _w = self.cache.get(searcher, field, term)
            common = ids if common is None else np.intersect1d(common, ids, assume_unique=True)
            if not len(common):
                return common
        # Phrases recur (synonyms such as "numéro de série"): Whoosh's check, a Python step per
        # posting, runs once per phrase, not once per query.
        return self.phrases.get((field, terms), lambda: np.array(
            sorted(Phrase(field, list(terms), slop=2).docs(searcher)), dtype=np.int64))

    def having(self, searcher: Any, docnums: set[int], field: str, term: str) -> set[int]:
        """Those of docnums that have term in field (binary searches in its decoded postings)."""
        if not docnums or field not in self._norms:
            return set()  # (no reader lookup: the postings cache answers for known terms)
        ids, _w = self.cache.get(searcher, field, term)
        if not len(ids):
            return set()
        wanted = np.fromiter(docnums, dtype=np.int64, count=len(docnums))
        at = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
        return set(wanted[ids[at] == wanted].tolist())

    def share(self, searcher: Any, field: str, term: str) -> float:
        """The share of documents with term in field (1.0: a word of every topic tells nothing)."""
        return len(self.cache.get(searcher, field, term)[0]) / max(1, self.doccount)
