"""Dates and sizes written for people, the same in the pages, the footer and the PDF."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
}

KB = {"fr": "Ko", "en": "KB"}


def format_size(size: int, lang: str) -> str:
    """A file size for people, e.g. 48 Ko / 48 KB, 9,5 Ko / 9.5 KB."""
    kilobytes = size / 1024
    number = f"{kilobytes:.1f}" if kilobytes < 10 else f"{round(kilobytes)}"
    if lang == "fr":
        number = number.replace(".", ",")
    return f"{number}\u00a0{KB[lang]}"


def format_date(day: date, lang: str) -> str:
    """A date in words: 1er août 2001 / August 1, 2001."""
    month = MONTHS[lang].split()[day.month - 1]
    if lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{month} {day.day}, {day.year}"


def french_spacing(text: str) -> str:
    """Canadian French typography: a no-break space before « : » and inside guillemets, a narrow
    no-break space before « ? ! ; » (plain spaces are written in the source, this adds them)."""
    text = re.sub(r" ([:])", "\u00a0\\1", text)
    text = re.sub(r" ([?!;])", "\u202f\\1", text)
    return text.replace("« ", "«\u00a0").replace(" »", "\u00a0»")
