"""The search's judgement of what a word is about (lexicon.yaml): context (a client's business,
words that qualify rather than name), neutral (everyday words of no other subject), elsewhere
(subjects the help center does not cover) and situational (another subject when asked about
alone, the client's situation in a long question: a lawyer, the GST, Excel)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from .analysis import all_stopwords, fold, plain_words, singular

LEXICON = Path(__file__).with_name("lexicon.yaml")
KINDS = ("context", "elsewhere", "situational", "neutral")  # a word in two lists: the first


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
    word, in either language)."""
    # libyaml's loader when PyYAML has it: tens of thousands of words load in a blink.
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    # Listed as written (folded): a typed plural is looked up by its singular too, but the
    # list's own words are not made singular ("toux" is no form of "tous").
    lists = {name: frozenset(fold(str(w)) for lang in ("fr", "en") for w in data.get(name, {}).get(lang, ()))
             for name in (*KINDS, "organisations", "places")}
    lists["context"] |= lists["places"]  # where the client is: context, as chosen by hand
    elsewhere = lists["elsewhere"] - lists["context"]
    situational = lists["situational"] - lists["context"] - elsewhere
    # A name that reads as one word ("Val-d'Or": val) would make that word context anywhere.
    names = frozenset(words for lang in ("fr", "en") for name in data.get("place_names", {}).get(lang, ())
                      if len(words := name_words(str(name))) > 1)
    return Lexicon(lists["context"], elsewhere,
                   lists["neutral"] - elsewhere - lists["context"] - situational, situational,
                   lists["organisations"], names)


@cache
def lexicon() -> Lexicon:
    """The lexicon shipped with the package (read once)."""
    return read_lexicon()
