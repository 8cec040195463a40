"""Typo tolerance and "did you mean": near spellings from the index's unstemmed, folded vocabulary."""

from __future__ import annotations

import bisect
import heapq
from typing import Any, Protocol

from rapidfuzz import process
from rapidfuzz.distance import OSA

FUZZY_MIN = 5  # one edit only for words of 5+ letters: shorter words have too many neighbours
FUZZY_WEIGHT = 0.4  # typo matches count less than exact ones, so they rank below them


class Concept(Protocol):
    """What the typo fallback needs of a query concept (query.Concept)."""

    words: tuple[str, ...]
    alternatives: dict[tuple[str, ...], float]


class Vocabulary:
    """The words of an index's `spell` field with their document frequencies, held in memory.

    Whoosh's `terms_within` builds a Levenshtein automaton per word (about 4 ms, and 20 ms for
    a query with a typo); candidates of the same first letter, measured by rapidfuzz's C
    optimal-string-alignment distance (a swap of neighbouring letters is one edit: paymnet),
    give the same words in microseconds.
    """

    def __init__(self, reader: Any, fieldname: str = "spell"):
        self.frequency: dict[str, int] = {}
        self._by_initial: dict[str, list[str]] = {}
        for text, info in reader.iter_field(fieldname):
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            self.frequency[word] = info.doc_frequency()
            self._by_initial.setdefault(word[:1], []).append(word)
        self._sorted = sorted(self.frequency)

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def completions(self, prefix: str, limit: int) -> list[str]:
        """Longer words starting with prefix, most frequent first (ties alphabetical)."""
        start = bisect.bisect_right(self._sorted, prefix)  # prefix itself is not a completion
        end = bisect.bisect_left(self._sorted, prefix + "\U0010ffff", start)
        return heapq.nlargest(limit, self._sorted[start:end], key=self.frequency.__getitem__)

    def closest(self, word: str, maxdist: int) -> list[str]:
        """Words within maxdist edits of word (same first letter), nearest then most frequent."""
        matches = process.extract(word, self._by_initial.get(word[:1], ()), scorer=OSA.distance,
                                  score_cutoff=maxdist, limit=None)
        scored = [(dist, -self.frequency[candidate], candidate)
                  for candidate, dist, _ in matches if candidate != word]
        return [w for _, _, w in sorted(scored)]


def add_typo_alternatives(concepts: list[Concept], vocabulary: Vocabulary) -> bool:
    """Add one-edit neighbours of the long words to each concept; True if any was added."""
    added = False
    for concept in concepts:
        if len(concept.words) != 1:
            continue
        word = concept.words[0]
        if len(word) < FUZZY_MIN or word.isdigit():
            continue
        for neighbour in vocabulary.closest(word, 1)[:3]:
            concept.alternatives.setdefault((neighbour,), FUZZY_WEIGHT)
            added = True
    return added


def did_you_mean(words: list[str], vocabulary: Vocabulary, display: dict[str, str]) -> str | None:
    """A corrected query from the unstemmed, folded vocabulary, or None if nothing changes."""
    corrected, changed = [], False
    for word in words:
        if len(word) >= 3 and not word.isdigit() and word not in vocabulary:
            candidates = vocabulary.closest(word, 2 if len(word) >= FUZZY_MIN else 1)
            if candidates:
                word, changed = candidates[0], True
        corrected.append(display.get(word, word))
    return " ".join(corrected) if changed else None
