"""The search's judgement of what a word is about (lexicon.yaml): context (a client's business,
words that qualify rather than name), neutral (everyday words of no other subject), elsewhere
(subjects the help center does not cover) and situational (another subject when asked about
alone, the client's situation in a long question: a lawyer, the GST, Excel)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError, Problem
from ..yamlsource import read_yaml
from .analysis import all_stopwords, fold, plain_words, singular

LEXICON = Path(__file__).with_name("lexicon.yaml")
KINDS = ("context", "elsewhere", "situational", "neutral")  # a word in two lists: the first
LISTS = (*KINDS, "organisations", "places", "place_names")  # each: {fr: [...], en: [...]}
LANGS = ("fr", "en")


@dataclass(frozen=True)
class Lexicon:
    """Accent-folded words of both languages, as listed."""

    context: frozenset[str]
    elsewhere: frozenset[str]
    neutral: frozenset[str] = frozenset()
    situational: frozenset[str] = frozenset()
    organisations: frozenset[str] = frozenset()  # a client's kind of organisation, any list
    place_names: frozenset[tuple[str, ...]] = frozenset()  # places of several words, as read

    def kind(self, word: str) -> str | None:
        """The list a typed word is in: "context", "elsewhere", "situational" or "neutral";
        None for a word of none. The word as typed (folded) first, then its singular: a listed
        plural says more than the singular's list ("retraités" is elsewhere, "retraite" context)."""
        for form in forms(word):
            for name in KINDS:
                if form in getattr(self, name):
                    return name
        return None

    def place_names_from(self, word: str) -> list[tuple[str, ...]]:
        """The place names of several words whose first word is `word` (as read: folded)."""
        return self._place_names_by_first_word.get(word, [])

    @cached_property
    def _place_names_by_first_word(self) -> dict[str, list[tuple[str, ...]]]:
        # A query's words are looked up once each, not every name against the query.
        index: dict[str, list[tuple[str, ...]]] = {}
        for name in self.place_names:
            index.setdefault(name[0], []).append(name)
        return index

    def is_organisation(self, word: str) -> bool:
        """A kind of organisation ("clinic", "cabinet"): it and the word beside it describe the
        client in a question."""
        return any(form in self.organisations for form in forms(word))

    def is_context(self, word: str) -> bool:
        """A word of a client's own organisation, purchasing, finance or correspondence
        ("subsidiary", "marchandise", "lettre"), or one that qualifies rather than names
        ("discontinued", "inconnu"): never a sign of another subject."""
        return self.kind(word) == "context"

    def is_elsewhere(self, word: str) -> bool:
        """A word naming a subject the help center does not cover (pizza, passport, VPN)."""
        return self.kind(word) == "elsewhere"

    def is_situational(self, word: str) -> bool:
        """A word naming another subject when asked about alone ("avocat pour litige", "GST
        filing deadline") but the client's situation in a long question ("as a lawyer reviewing
        our agreement...", "the GST on this invoice...")."""
        return self.kind(word) == "situational"

    def is_neutral(self, word: str) -> bool:
        """An everyday word judged to name no other subject, nor one of a client's business
        ("possède", "écrite", "mornings")."""
        return self.kind(word) == "neutral"


def name_words(name: str) -> tuple[str, ...]:
    """A place's name as a query reads it: its folded words without stop words ("Rivière-du-Loup":
    riviere, loup)."""
    stop = all_stopwords()
    return tuple(w for w in plain_words(name) if w not in stop)


def forms(word: str) -> tuple[str, ...]:
    """The forms a typed word is looked up by: as typed (folded), then its singular."""
    folded = fold(word)
    return tuple(dict.fromkeys((folded, singular(folded))))


def read_lexicon(path: Path = LEXICON) -> Lexicon:
    """The word lists of a lexicon file. A word in two lists: context before elsewhere (both
    chosen by hand), elsewhere before situational, and each before neutral (judged word by
    word, in either language). A broken file is a ContentError naming its line and list."""
    # libyaml's loader when PyYAML has it: tens of thousands of words load in a blink.
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (yaml.YAMLError, UnicodeDecodeError):
        data = None  # read again below, by the reader that gives the line
    wrong = shape_problems(data)
    if wrong:
        raise ContentError(locate(path, wrong))
    # Listed as written (folded): a typed plural is looked up by its singular too, but the
    # list's own words are not made singular ("toux" is no form of "tous").
    lists = {name: frozenset(fold(w) for w in listed(data, name))
             for name in (*KINDS, "organisations", "places")}
    lists["context"] |= lists["places"]  # where the client is: context, as chosen by hand
    elsewhere = lists["elsewhere"] - lists["context"]
    situational = lists["situational"] - lists["context"] - elsewhere
    # A name that reads as one word ("Val-d'Or": val) would make that word context anywhere.
    names = frozenset(words for name in listed(data, "place_names") if len(words := name_words(name)) > 1)
    return Lexicon(lists["context"], elsewhere,
                   lists["neutral"] - elsewhere - lists["context"] - situational, situational,
                   lists["organisations"], names)


def listed(data: dict[str, Any], name: str) -> list[str]:
    """The entries of one list, both languages, as text (a list may be absent)."""
    return [str(w) for lang in LANGS for w in (data.get(name) or {}).get(lang) or ()]


def shape_problems(data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Where the file is not lists of words by language, and what is wrong there."""
    if not isinstance(data, dict):
        return [((), "expected the lists of words (context, elsewhere, ...), each by language")]
    wrong: list[tuple[tuple[Any, ...], str]] = []
    for name in LISTS:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, dict) or set(value) - set(LANGS):
            wrong.append(((name,), "expected fr: and en: lists of words"))
            continue
        for lang, words in value.items():
            if words is None:
                continue  # a language with no words yet
            if not isinstance(words, list):
                wrong.append(((name, lang), "expected a list of words"))
            else:
                wrong += [((name, lang, i), "expected a word, not a list or a mapping")
                          for i, w in enumerate(words) if isinstance(w, (list, dict)) or w is None]
    return wrong


def locate(path: Path, wrong: list[tuple[tuple[Any, ...], str]]) -> list[Problem]:
    """The problems found, with their lines (or the file's syntax error, when it has one)."""
    problems: list[Problem] = []
    source = read_yaml(path, problems)
    if source is None:
        return problems
    return problems + [source.problem(loc, message) for loc, message in wrong]


@cache
def lexicon() -> Lexicon:
    """The lexicon shipped with the package (read once)."""
    return read_lexicon()
