"""Votes on topics ("Was this article helpful?"): validation and the words of the feedback block.

One validation for the JSON API and the plain form: every problem is collected, then one
`InvalidFeedback` carries the messages per field in both languages. A comment is free text but
asks for no personal data; whatever looks like an address, a phone or a customer number is
masked before it is stored, like a search query.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import CsohelpError
from .masking import CONTROL, mask_query

MAX_COMMENT = 500
REASONS: dict[str, dict[str, str]] = {
    "unclear": {"fr": "Ce n’est pas clair", "en": "It is not clear"},
    "incomplete": {"fr": "Il manque de l’information", "en": "Information is missing"},
    "not-my-question": {"fr": "Cela ne répond pas à ma question", "en": "It does not answer my question"},
    "other": {"fr": "Autre raison", "en": "Another reason"},
}
MESSAGES = {
    "topic": {"fr": "Sujet inconnu.", "en": "Unknown topic."},
    "lang": {"fr": "Langue non valide : fr ou en.", "en": "Invalid language: fr or en."},
    "helpful": {"fr": "Réponse non valide : oui (true) ou non (false).",
                "en": "Invalid answer: yes (true) or no (false)."},
    "reason": {"fr": "Raison non valide.", "en": "Invalid reason."},
    "reason_yes": {"fr": "Une raison n’accompagne qu’une réponse « Non ».",
                   "en": "A reason goes only with a “No” answer."},
    "comment": {"fr": f"Commentaire non valide : texte de {MAX_COMMENT} caractères au plus.",
                "en": f"Invalid comment: text of {MAX_COMMENT} characters at most."},
    "unknown": {"fr": "Champ inconnu.", "en": "Unknown field."},
}
INVALID = {"fr": "Le vote contient des erreurs.", "en": "The vote has errors."}
FIELDS = {"topic", "lang", "helpful", "reason", "comment"}


class InvalidFeedback(CsohelpError):
    """A vote with bad fields; `fields` maps each field to the key of its message."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        super().__init__(", ".join(f"{k}: {MESSAGES[v]['en']}" for k, v in sorted(fields.items())))

    def messages(self, lang: str) -> dict[str, str]:
        """Per-field messages in the reader's language."""
        return {name: MESSAGES[key][lang] for name, key in self.fields.items()}


@dataclass(frozen=True)
class Feedback:
    """A valid vote, before it gets its browser's vote id."""

    topic: str
    lang: str
    helpful: bool
    reason: str | None
    comment: str | None


def clean_comment(text: str) -> str:
    """One paragraph of plain text: NFC, no control or bidi characters, masked personal data."""
    text = unicodedata.normalize("NFC", text)
    text = " ".join(CONTROL.sub(" ", text).split())
    return mask_query(text)


def validate_feedback(data: Any, canonical: Callable[[str], str | None]) -> Feedback:
    """A Feedback from a JSON object or form fields; InvalidFeedback listing every bad field.

    `canonical` maps a topic id (or a former id) to the current id, None when unknown.
    """
    if not isinstance(data, Mapping):
        raise InvalidFeedback({"request": "unknown"})
    bad: dict[str, str] = {name: "unknown" for name in data if name not in FIELDS}
    topic = data.get("topic")
    well_formed = isinstance(topic, str) and re.fullmatch(r"[a-z0-9-]{1,80}", topic)
    topic_id = canonical(topic) if well_formed else None
    if topic_id is None:
        bad["topic"] = "topic"
    lang = data.get("lang")
    if lang not in ("fr", "en"):
        bad["lang"] = "lang"
    helpful = data.get("helpful")
    if isinstance(helpful, str):  # the plain form sends text
        helpful = {"true": True, "yes": True, "oui": True, "false": False, "no": False, "non": False}.get(
            helpful.strip().lower(), helpful)
    if not isinstance(helpful, bool):
        bad["helpful"] = "helpful"
    reason = data.get("reason") or None
    if reason is not None and reason not in REASONS:
        bad["reason"] = "reason"
    elif reason is not None and helpful is True:
        bad["reason"] = "reason_yes"
    comment = data.get("comment")
    if comment in (None, ""):
        comment = None
    elif not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        bad["comment"] = "comment"
    elif helpful is True:
        bad["comment"] = "reason_yes"
    else:
        comment = clean_comment(comment) or None
    if bad:
        raise InvalidFeedback(bad)
    return Feedback(topic_id, lang, helpful, reason, comment)  # type: ignore[arg-type]
