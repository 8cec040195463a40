"""Snippets: a short passage of a topic around the query's words, matches marked."""

from __future__ import annotations

import html

from .analysis import WORD_RE, fold, stems

SNIPPET_CHARS = 180


def snippet(text: str, lang: str, marks: set[str]) -> str:
    """A short passage of text around the first match, HTML-escaped, matches in <mark>."""
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    start = None
    for match in WORD_RE.finditer(folded):
        if start is not None and match.start() > start + SNIPPET_CHARS:
            break
        word_stems = stems(lang, match.group())
        if word_stems and word_stems[0] in marks:
            if start is None:
                start = _sentence_start(text, match.start())
            spans.append(match.span())
    start = start or 0
    end = start + SNIPPET_CHARS
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    out, pos = [], start
    for s, e in spans:
        if s >= end:
            break
        out.append(html.escape(text[pos:s], quote=False))
        out.append(f"<mark>{html.escape(text[s:e], quote=False)}</mark>")
        pos = e
    out.append(html.escape(text[pos:end], quote=False))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return prefix + "".join(out).strip() + suffix


def _sentence_start(text: str, pos: int) -> int:
    """Where the passage starts: the text's start if pos is near it, else pos's sentence."""
    if pos <= 90:
        return 0
    floor = pos - 60
    cut = max(text.rfind(". ", floor, pos), text.rfind("? ", floor, pos), text.rfind(": ", floor, pos))
    if cut >= 0:
        return cut + 2
    space = text.find(" ", floor, pos)
    return space + 1 if space >= 0 else floor
