"""The `/` language choice of the app (csohelp/web/site.py) as regular expressions for nginx maps.

nginx cannot compare q-values, so it decides only the headers whose answer a regular
expression can prove: the first French or English tag with q=1 (what browsers send for a
reader of either language), no French or English at all, and the descending one-digit
q-values browsers use ("de-DE,de;q=0.9,en;q=0.8"). Any other Accept-Language (odd spacing,
three-digit q-values, q>1, extra parameters) goes to the app, which decides it exactly, so
nginx and the app never disagree. The rules are plain PCRE, checked against the app's
`negotiate` in tests/test_deploy_config.py.
"""

from __future__ import annotations

import re

from ..content import DEFAULT_LANG, LANGS

WS = r"[ \t]*"
REST = r"(?:-[a-z0-9]{1,8})*"  # the subtags after the primary one
TAG = rf"(?:[a-z]{{1,8}}{REST}|\*)"
OURS = "(?:" + "|".join(LANGS) + ")"
OTHER_TAG = rf"(?:(?!{OURS}(?![a-z])){TAG})"
Q_ANY = r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)"
Q_ZERO = r"0(?:\.0{0,3})?"
Q_ONE = r"1(?:\.0{0,3})?"


def _q(value: str) -> str:
    return rf"{WS};{WS}q={value}"


def _entry(tag: str, q: str | None, optional: bool = True) -> str:
    param = f"(?:{_q(q)})" + ("?" if optional else "") if q else ""
    return f"{WS}{tag}{param}{WS}"


# Entries the app skips: other languages, and French or English refused with q=0.
SKIPPED = f"(?:{_entry(OTHER_TAG, Q_ANY)}|{_entry(OURS + REST, Q_ZERO, optional=False)})"
ANY = _entry(TAG, Q_ANY)


def _not_above(digit: int) -> str:
    """A q-value of at most 0.<digit> (0.<digit> itself ties, and the earlier tag wins ties)."""
    below = f"[0-{digit - 1}][0-9]{{0,2}}|" if digit > 0 else ""
    return rf"0(?:\.(?:{below}{digit}0{{0,2}})?)?"


def browser_rules() -> list[tuple[str, str]]:
    """(regex, language) pairs, first match wins, for a case-insensitive match of Accept-Language."""
    rules = [(rf"^(?:{WS}|{SKIPPED}(?:,{SKIPPED})*)$", DEFAULT_LANG)]
    for lang in LANGS:
        first = f"^(?:{SKIPPED},)*"
        rules.append((first + _entry(lang + REST, Q_ONE) + f"(?:,{ANY})*$", lang))
        for digit in range(9, 0, -1):
            later = f"(?:{_entry(OTHER_TAG, Q_ANY)}|{_entry(OURS + REST, _not_above(digit), False)})"
            top = _entry(lang + REST, rf"0\.{digit}0{{0,2}}", optional=False)
            rules.append((first + top + f"(?:,{later})*$", lang))
    return rules


# A Referer on our own host: `referer.split("/")[2] == Host` in the app; the key is "Host|Referer".
SAME_ORIGIN_REFERER = r"^([^/|]+)\|[^/]*/[^/]*/\1(?:/|$)"


def browser_choice(accept_language: str) -> str | None:
    """What the nginx rules answer for a header: a language, or None (the app decides)."""
    for pattern, lang in browser_rules():
        if re.match(pattern, accept_language, re.I):
            return lang
    return None
