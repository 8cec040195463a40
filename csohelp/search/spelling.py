"""Typo tolerance and spelling: the known words of a language, and corrections only for unknown ones."""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA
from wordfreq import get_frequency_dict

from .analysis import fold, plain_word_spans, stopwords
from .lexicon import lexicon

FUZZY_MIN = 4  # shorter words have too many neighbours ("pya" is not "pa" nor "pyx")...
SWAP_MIN = 3  # ...but a word this short may be two letters swapped ("pya": pay)
LONG_WORD = 6  # from this length two edits are still a plausible slip ("paimen", "faktur")
FUZZY_WEIGHT = 0.4  # typo matches count less than exact ones, so they rank below them
# A word at least this frequent in everyday French or English (about once per million words)
# is a real word, even if the help center never uses it: never "correct" it (une, will, météo).
COMMON_FREQUENCY = 1e-6
WORD_NOT_SLIP = 10 ** (4.5 - 9)  # a word this frequent is meant, not a slip of a stop word
ELIDED = frozenset("dljmnst")  # French letters elided before a vowel (d'assistance)
RELATED_MIN = 5  # letters two forms of a word must share at least (personnalis-ée, -ation)


@cache
def everyday_frequency() -> dict[str, float]:
    """Accent-folded everyday words of French and English (wordfreq): the higher frequency of
    the two languages, for words of about once per million words or more."""
    found: dict[str, float] = {}
    for lang in ("fr", "en"):
        for w, f in get_frequency_dict(lang).items():
            if f >= COMMON_FREQUENCY:
                w = fold(w)
                if f > found.get(w, 0.0):
                    found[w] = f
    return found


@cache
def common_words() -> frozenset[str]:
    """Accent-folded everyday words of French and English (wordfreq), and both stop lists."""
    return frozenset(everyday_frequency()) | stopwords("fr") | stopwords("en")


@cache
def _long_stopwords() -> tuple[str, ...]:
    """The stop words of both languages of three letters or more (a slip of "wher" is "where")."""
    return tuple(sorted(w for w in stopwords("fr") | stopwords("en") if len(w) >= 3))


@lru_cache(maxsize=20_000)
def slipped_stopword(word: str) -> bool:
    """Whether a word is one edit from a stop word (wher, whos, dose): it says as little."""
    if len(word) < FUZZY_MIN or everyday_frequency().get(word, 0.0) >= WORD_NOT_SLIP:
        return False  # "fleurs" is a word, not a slip of "leurs"
    return process.extractOne(word, _long_stopwords(), scorer=OSA.distance, score_cutoff=1) is not None


@lru_cache(maxsize=20_000)
def swapped_everyday(word: str) -> str | None:
    """The everyday word this one is with two neighbouring letters swapped ("firday": friday),
    if any: it says what that word says, not something from elsewhere."""
    frequency = everyday_frequency()
    if len(word) <= FUZZY_MIN or word in frequency:
        return None
    swaps = (word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1))
    return next((w for w in swaps if frequency.get(w, 0.0) >= WORD_NOT_SLIP), None)


def slipped_elsewhere(word: str, knows: Callable[[str], bool], corrects: Callable[[str], bool]) -> bool:
    """Whether a word is an everyday word of no topic with two letters swapped ("firday"). A
    slip the spelling correction reads as the help center's own word ("contcat", "joinde") is
    left to it."""
    meant = swapped_everyday(word)
    return meant is not None and not knows(meant) and not corrects(word)


class Vocabulary:
    """The words of an index's `spell` field with their document frequencies, held in memory.

    Candidates of the same first letter, measured by rapidfuzz's C optimal-string-alignment
    distance (a swap of neighbouring letters is one edit: paymnet), in microseconds.
    """

    def __init__(self, reader: Any, fieldname: str = "spell", extra: Iterable[str] = ()):
        self.frequency: dict[str, int] = {}
        for text, info in reader.iter_field(fieldname):
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            self.frequency[word] = info.doc_frequency()
        # Words of the synonym table: "virement" is a word of the help center without a page.
        for word in extra:
            self.frequency.setdefault(word, 1)
        self._by_initial: dict[str, list[str]] = {}
        self._by_doubles: dict[str, list[str]] = {}  # "eronee": erronee (a moved doubled letter)
        for word in self.frequency:
            self._by_initial.setdefault(word[:1], []).append(word)
            self._by_doubles.setdefault(undoubled(word), []).append(word)
        self._sorted = sorted(self.frequency)
        common_words()  # read now, with the index, not on the first query with an unknown word

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def knows(self, word: str) -> bool:
        """Whether a folded word is a word: the help center's, an everyday French or English one,
        or one the lexicon lists (not "canada" for "canola", a word from elsewhere)."""
        return (word in self.frequency or word in common_words() or word.isdigit()
                or len(word) < SWAP_MIN or lexicon().kind(word) is not None)

    def related(self, word: str) -> bool:
        """Whether the help center uses the word or a form of it (personnalisée: personnalisation),
        judged by a shared start of all but its last three letters (five at least)."""
        if word in self.frequency:
            return True
        stem = word[:max(RELATED_MIN, len(word) - 3)]
        at = bisect.bisect_left(self._sorted, stem)
        return len(stem) < len(word) and at < len(self._sorted) and self._sorted[at].startswith(stem)

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

    def corrections(self, word: str, limit: int = 3) -> list[str]:
        """The help center's words an unknown word may stand for, likeliest first ([] if known)."""
        if self.knows(word):
            return []
        if word[:1] in ELIDED and word[1:] in self.frequency:
            return [word[1:]]  # an elision typed without its apostrophe: "dassistance"
        if len(word) < FUZZY_MIN:
            swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
            return sorted((w for w in swapped if w in self.frequency),
                          key=lambda w: (-self.frequency[w], w))[:limit]
        found = self.closest(word, 2 if len(word) >= LONG_WORD else 1)
        # Candidates share the first letter, but the slip may be in it: "ilgne" for "ligne".
        if (head := word[1:2] + word[:1] + word[2:]) in self.frequency and head != word:
            found.append(head)
        # A doubled letter typed single and another typed double is one slip ("eronnée" for
        # "erronée", "adresse" for "address"), however far apart the two letters are.
        doubled = [w for w in self._by_doubles.get(undoubled(word), ()) if w != word]
        # Nearest by slips, then by plain edits ("eronnee": "erronee" before "errone").
        distance = {w: (OSA.distance(word, w),) * 2 for w in set(found) | set(doubled)}
        distance.update((w, (1, distance[w][1])) for w in doubled)
        if not distance:
            return []
        nearest = min(distance.values())
        ranked = sorted(distance, key=lambda w: (distance[w], -self.frequency[w], w))
        return [w for w in ranked if distance[w] == nearest][:limit]


def undoubled(word: str) -> str:
    """A word with each run of a repeated letter written once: "erronee" -> "eronee"."""
    return "".join(c for i, c in enumerate(word) if i == 0 or c != word[i - 1])


def respell(text: str, words: list[str], display: dict[str, str]) -> str:
    """The query as typed with its first words replaced by `words`, each as people write it
    (numéro, not numero); elisions, punctuation and the words beyond are kept as typed
    ("disponiblité d'un produit" -> "disponibilité d'un produit")."""
    out, last = [], 0
    for word, (typed, start, end) in zip(words, plain_word_spans(text), strict=False):
        elision = f"{typed[0]}'" if typed[:1] in ELIDED and typed[1:] == word else ""  # dassistance
        out += [text[last:start], elision + display.get(word, word)]
        last = end
    return "".join(out) + text[last:]
