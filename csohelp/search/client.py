"""The client's own words in a query: its numbers and times of day, its kind of organisation and
the places it names. They say who asks, or where, not what is asked: context for confidence."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .lexicon import Lexicon

if TYPE_CHECKING:
    from .confidence import Need

ERROR_CODE = re.compile(r"[a-z]{3,}\d")  # "sql30081n", "dsnt408i": a product's message code
TIME = re.compile(r"\d{1,2}(?:h\d{0,2}|am|pm)")  # "7h", "9h30", "3pm": the client's hours
PREFIX_LETTERS = 3  # "CS-20931", "4471-OS": letters this few beside a number are part of it...
PREFIXED_DIGITS = 4  # ...when the number has this many digits ("SQL -911" is an error, not a case)
# An email's sign-off and the name after it ("Thanks, Hank Vogel, Medicine Hat", « Merci,
# Karine »): who writes, not what is asked. A comma or a stop must follow the thanks, so that
# "merci de confirmer la livraison" keeps its words. The name's words are separated by spaces or
# commas (never split inside a word), so a long hostile tail is read in linear time.
NAME_WORD = r"[^\W\d_][\w'’.-]*"
SIGN_OFF = re.compile(
    r"[,.;:!?\s]\s*(?:thanks|thank you|thx|merci|regards|best regards|kind regards|cheers|"
    r"cordialement|salutations)(?:\s+(?:beaucoup|a lot|in advance|à l'avance|d'avance))?\s*[,.!-]+"
    rf"\s*{NAME_WORD}(?:[\s,]+{NAME_WORD}){{0,3}}[\s,]*$", re.IGNORECASE)
ORDINAL = re.compile(r"\d{1,2}(?:st|nd|rd|th|er|re|e|eme)")  # "1st", "20th", « 1er », « 15e »: a date


def in_place_names(needs: list[Need], words: Lexicon) -> set[int]:
    """The concepts that are, one word each and in a row, a place's name of several words."""
    found: set[int] = set()
    for start, need in enumerate(needs):
        for name in words.place_names_from(need.words[0]) if len(need.words) == 1 else ():
            end = start + len(name)
            if end <= len(needs) and all(needs[start + k].words == (w,) for k, w in enumerate(name)):
                found.update(range(start, end))
    return found


def names_client(needs: list[Need], i: int, weights: list[float], kinds: set[str | None],
                 words: Lexicon) -> bool:
    """Whether the i-th concept is a kind of organisation of no other subject ("studio",
    "papetière") beside two words or more that say what is asked: the client, even in a short
    query. A pharmacy or a museum is another subject ("pharmacy hours Sunday")."""
    return (all(words.is_organisation(w) for w in needs[i].words)
            and not kinds & {"elsewhere", "situational"}
            and sum(1 for j, weight in enumerate(weights) if j != i and weight >= 1.0) >= 2)


def describes_client(needs: list[Need], i: int, words: Lexicon) -> bool:
    """Whether the i-th concept is a kind of organisation ("our ski resort") or stands beside
    one ("dental" in "dental clinic", "dentaires" in "cliniques dentaires"; stop words between
    count not)."""
    if any(words.is_organisation(w) for w in needs[i].words):
        return True
    beside = needs[max(0, i - 1):i] + needs[i + 1:i + 2]
    return any(len(n.words) == 1 and words.is_organisation(n.words[0]) for n in beside)


def is_reference(word: str) -> bool:
    """A number the client quotes, not a subject: mostly digits ("00AR123", "PO4500123",
    "AS400"), letters and two digits or more (a serial or model number: "7AB3C", "AB12C"), a
    time of day ("7am", "15h") or a date's day ("1st", « 1er »).
    An error code ("SQL30081N", "0x80070005") or a product ("Db2") is not one."""
    if TIME.fullmatch(word) or ORDINAL.fullmatch(word):
        return True  # a time of the client's day ("7am-3pm", « entre 7h et 15h »), a date's day
    digits = sum(c.isdigit() for c in word)
    return ((digits * 2 > len(word) or (digits >= 2 and word.isalnum())) and not word.startswith("0x")
            and not ERROR_CODE.match(word))


def continues_number(needs: list[Need], i: int) -> bool:
    """Whether the i-th concept is part of a number written with a hyphen or a space: letters
    and digits after a number ("78-3A", "78-A1"), or a few letters before or after a long one
    ("CS-20931", "SC 88120", "4471-OS": a contract's, a case's or an order's number)."""
    if len(needs[i].words) != 1:
        return False
    (word,) = needs[i].words
    before = needs[i - 1].words if i else ()
    after = needs[i + 1].words if i + 1 < len(needs) else ()
    if len(before) == 1 and before[0].isdigit() and word.isalnum() and any(c.isdigit() for c in word):
        return True
    return word.isalpha() and len(word) <= PREFIX_LETTERS and any(
        len(n) == 1 and len(n[0]) >= PREFIXED_DIGITS and n[0].isdigit() for n in (before, after))


def without_sign_off(text: str) -> str:
    """The query without an email's sign-off and the name after it, if it ends with one."""
    return SIGN_OFF.sub("", text)
