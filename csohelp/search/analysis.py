"""Text analysis for French and English: folding, elision, stop words, stemming, plain words."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from whoosh.analysis import (
    Analyzer,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stopwords_for_language

OTHER = {"fr": "en", "en": "fr"}
# Words: letters and digits, with an inner apostrophe kept so elision can see "l'état". Not the
# underscore: a field name pasted from an ERP screen ("PO_STATUS", "DATE_FIN_CONTRAT") is words.
WORD = r"[^\W_]+(?:['’][^\W_]+)*"
WORD_RE = re.compile(WORD)
# Whoosh's French list lacks these frequent words (its "les" would otherwise stem to "le").
EXTRA_STOPWORDS = {
    # NLTK's French list lacks prepositions, conjunctions and pronouns that English has.
    "fr": ("les", "cet", "cette", "ceux", "celle", "celles", "dont", "être", "avoir", "entre",
           "comme", "sans", "chez", "vers", "depuis", "pendant", "tout", "tous", "toute",
           "toutes", "alors", "donc", "sous", "rien", "devant", "après", "avant", "selon",
           "parmi", "lors", "ça", "cela", "ceci", "ici", "très", "aussi", "leurs", "ils",
           "elles", "si", "ni", "quelque", "quelques", "chaque", "va", "vont"),
    # English contractions: "hasn't" says as little as "has not".
    "en": tuple(f"{w}n't" for w in ("has", "have", "had", "does", "do", "did", "is", "are", "was",
                                     "were", "wo", "ca", "could", "should", "would"))
    + ("can't", "i'm", "i've", "i'll", "i'd", "we're", "we've", "we'll", "you're", "it's",
       "that's", "there's", "what's", "where's", "who's", "they're"),
}
# Words the stemmer would merge with another meaning: a printer ("imprimante") is not printing
# ("imprimer", the support plan's PDF), a training ("formation") is not a format.
UNSTEMMED = {"fr": frozenset({"imprimante", "imprimantes", "formation", "formations"}),
             "en": frozenset({"formation", "formations"})}
ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.IGNORECASE)


def _fold_char(char: str) -> str:
    """One character without its accent (same length, so text offsets stay valid)."""
    base = unicodedata.normalize("NFD", char)[0]
    return base if base.isascii() or len(base) == 1 else char


# A 1:1 translation table for the accented letters of Latin scripts (French, English and
# neighbours); a 1:1 map keeps offsets in the folded text equal to those in the original.
FOLD_TABLE = {
    ord(c): _fold_char(c) for c in map(chr, range(0xC0, 0x250)) if _fold_char(c) != c
}


def fold(text: str) -> str:
    """Lowercase and accent-fold text: `Numéro` -> `numero`; same length as the input."""
    return text.lower().translate(FOLD_TABLE)


class ElisionFilter(Filter):
    """Drops the elided article or pronoun of French words: l'état -> état, qu'il -> il."""

    def __call__(self, tokens):
        for t in tokens:
            text = ELISION.sub("", t.text)
            # Other apostrophes (aujourd'hui, English "customer's"): keep the first part only
            # for English possessives, the whole word otherwise.
            if text.endswith(("'s", "’s")):
                text = text[:-2]
            t.text = text.replace("’", "'")
            yield t


class FoldFilter(Filter):
    """Accent folding with the same table as `fold` (so queries and index agree)."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = t.text.translate(FOLD_TABLE)
            yield t


@cache
def stopwords(lang: str) -> frozenset[str]:
    """Whoosh's stop words for `lang` plus a few it lacks, accent-folded (`etait` like `était`)."""
    return frozenset(fold(w) for w in [*stopwords_for_language(lang), *EXTRA_STOPWORDS.get(lang, ())])


@cache
def all_stopwords() -> frozenset[str]:
    """The stop words of French and English together (a word of either says nothing)."""
    return stopwords("fr") | stopwords("en")


def analyzer(lang: str, stem_cache: int | None = 100_000) -> Analyzer:
    """The stemming analyzer of `lang`; French folds accents BEFORE stemming.

    Stemming first would give `electricit` and `électric` for `electricite`/`électricité`;
    folding first gives one stem for both spellings.
    """
    chain = RegexTokenizer(WORD) | LowercaseFilter() | ElisionFilter() | FoldFilter()
    chain = chain | StopFilter(stoplist=stopwords(lang), minsize=1)
    if lang == "fr":
        chain = chain | FeminineFilter()
    chain = chain | StemFilter(lang="fr" if lang == "fr" else "en", ignore=UNSTEMMED.get(lang),
                               cachesize=stem_cache)
    return chain | FoldFilter() | PluralFilter() if lang == "fr" else chain


class FeminineFilter(Filter):
    """Gives a folded feminine participle its accent back for the stemmer (personnalisee ->
    personnalisée -> personnalis, as personnaliser): without it "-ee" stems apart."""

    def __call__(self, tokens):
        for t in tokens:
            if len(t.text) > 4 and t.text.endswith("ee"):
                t.text = t.text[:-2] + "ée"
            elif len(t.text) > 5 and t.text.endswith("ees"):
                t.text = t.text[:-3] + "ées"
            yield t


class PluralFilter(Filter):
    """Drops the plural s/x the French stemmer keeps after a vowel (numeros -> numero)."""

    def __call__(self, tokens):
        for t in tokens:
            if len(t.text) > 4 and t.text[-1] in "sx" and t.text[-2] in "aeiou":
                t.text = t.text[:-1]
            yield t


def spell_analyzer() -> Analyzer:
    """Unstemmed, accent-folded words without stop words of either language: for "did you mean"."""
    stop = stopwords("fr") | stopwords("en")
    return (RegexTokenizer(WORD) | LowercaseFilter() | ElisionFilter() | FoldFilter()
            | StopFilter(stoplist=stop, minsize=2))


@lru_cache(maxsize=4)
def cached_analyzer(lang: str) -> Analyzer:
    """One analyzer per language for query time (building one costs more than using it).

    Without Whoosh's stem cache: it is not thread-safe (concurrent evictions raise KeyError)
    and `stems` below already caches, with a lock.
    """
    return analyzer(lang, stem_cache=None)


def plain_words(text: str) -> list[str]:
    """The folded, unstemmed words of text (elision removed), stop words kept: query terms."""
    return [word for word, _start, _end in plain_word_spans(text)]


def plain_word_spans(text: str) -> list[tuple[str, int, int]]:
    """plain_words with where each stands in text (`fold` keeps offsets): start and end of the
    word itself, without its elision ("d'") or possessive ("'s")."""
    spans = []
    for match in WORD_RE.finditer(fold(text)):
        raw = match.group()
        elided = ELISION.match(raw)
        start = match.start() + (elided.end() if elided else 0)
        word = raw[start - match.start():].replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if word:
            spans.append((word, start, start + len(word)))
    return spans


@lru_cache(maxsize=50_000)
def stems(lang: str, text: str) -> tuple[str, ...]:
    """The index terms `analyzer(lang)` makes of text (cached: queries repeat words)."""
    return tuple(t.text for t in cached_analyzer(lang)(text))


Synonyms = dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]]


def singular(word: str) -> str:
    """A word without a plural s or x, to match synonyms in either number (chèques, cheque)."""
    return word[:-1] if len(word) > 3 and word[-1] in "sx" and word[-2] != "s" else word


def group_phrases(group: list[str]) -> tuple[tuple[str, ...], ...]:
    """The words of every phrase of a synonym group (as the synonym table keeps them)."""
    return tuple(words for words in (tuple(plain_words(p)) for p in group) if words)


def synonym_table(groups: list[list[str]]) -> Synonyms:
    """First word -> [(phrase words in the singular, the words of every phrase of its group)],
    longest first."""
    table: Synonyms = {}
    for group in groups:
        phrases = group_phrases(group)
        for words in phrases:
            if len(words) == 1 and words[0] in all_stopwords():
                continue  # "dû" folds to "du": the article must not mean "amount owing"
            table.setdefault(singular(words[0]), []).append((tuple(map(singular, words)), phrases))
    for entries in table.values():
        entries.sort(key=lambda e: -len(e[0]))
    return table
