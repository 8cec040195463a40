"""Search queries as they are stored: normalised, and with anything that looks personal masked.

Canada's PIPEDA in mind: people paste e-mail addresses, phone numbers, customer and invoice
numbers into search boxes. Those are replaced by a placeholder before a query is queued, so
they never reach the store, the report or a log.
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY = 200  # longer queries are cut: the report lists queries, not paragraphs
EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"']+")
# Spelled-out addresses ("marie at example dot com") are rare in a search box; not attempted.
PHONE = re.compile(r"(?<![\w])(?:\+?1[\s.\-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.\-])\d{3}[\s.\-]\d{4}(?![\w])")
# A phone number is written with separators; ten bare digits are masked as a number below.
# Vanity numbers like CSOL's own 1-866-880-CSOL are public; a personal number with letters is not
# a thing people type, so letters end a phone number.
LONG_DIGITS = re.compile(r"(?<![\d])(?:\d[\s.\-/]?){5,}\d(?!\d)")  # 6+ digits: customer, invoice...
TOKEN = re.compile(r"\w+(?:[\-/.]\w+)*")  # a word with its inner hyphens: INV-2026-000123
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
MASKS = {"email": "[email]", "phone": "[phone]", "number": "[number]"}


def _digits_in(token: str) -> int:
    return sum(ch.isdigit() for ch in token)


def mask_query(text: str) -> str:
    """`text` with e-mail addresses, phone numbers and runs of 6+ digits replaced by placeholders."""
    text = EMAIL.sub(MASKS["email"], text)
    text = PHONE.sub(MASKS["phone"], text)
    # Reference-like codes mixing letters and 6+ digits (INV2026000123, CSOL-2026-000123).
    text = TOKEN.sub(lambda m: MASKS["number"] if _digits_in(m.group()) >= 6 else m.group(), text)
    return LONG_DIGITS.sub(MASKS["number"], text)


def normalise_query(text: str | None) -> str:
    """The stored form of a query: NFKC, no control or bidi characters, lower case, one space, masked."""
    text = unicodedata.normalize("NFKC", text or "")
    text = CONTROL.sub(" ", text)
    text = mask_query(text)
    text = " ".join(text.lower().split())
    return text[:MAX_QUERY].rstrip()
