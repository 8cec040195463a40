"""The requester's receipt: their reference and a copy of what they sent, in their language.

It is the second message of the same delivery step (forward.send_message): sent on the same
SMTP connection right after CSOL's intake accepted the request, so it says only what is
true by then. Delivery follows the outbox (at-least-once): a temporary failure of the
receipt fails the step and the request is retried (CSOL's copy comes again with the same
Message-ID, which its intake can drop); a permanent refusal of the requester's address
(5xx) is logged and not retried, so a bad address never holds CSOL's copy back.

No header carries client text: the subject is fixed words and the reference; To is the
address the model validated (ASCII, no display name); the files are not sent back (the
address is not verified: the receipt must not carry documents to whoever it names).
"""

from __future__ import annotations

import logging
import smtplib
from email.message import Message
from typing import Any

from ..content import CONTACT, contact_for
from ..formats import french_spacing
from .mail import compose
from .summary import LABELS as FIELD_LABELS
from .summary import sent_rows, text_lines

log = logging.getLogger(__name__)

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "subject": "Centre d'aide CSO Canada : votre demande {reference}",
        "hello": "Bonjour,",
        "intro": ("Le centre d'aide CSO Canada a enregistré votre demande sous la référence {reference} "
                  "(référence du centre d'aide) et l'a transmise à l'adresse de réception de CSOL "
                  "(Soutien des opérations clientèle en ligne)."),
        "copy": "Voici une copie de ce que vous avez envoyé :",
        "not_you": ("Si vous n'avez pas envoyé cette demande, vous pouvez ignorer ce message. "
                    "Ce courriel est envoyé automatiquement ; les réponses à ce courriel ne sont pas lues."),
        "contact": "Joindre CSOL",
        "attachments": "Pièces jointes reçues",
    },
    "en": {
        "subject": "CSO Canada Help Centre: your request {reference}",
        "hello": "Hello,",
        "intro": ("The CSO Canada Help Centre has recorded your request under reference {reference} "
                  "(the Help Centre's reference) and forwarded it to the intake address of CSOL "
                  "(Customer Support Operations Online)."),
        "copy": "Here is a copy of what you sent:",
        "not_you": ("If you did not send this request, you can ignore this message. "
                    "This email is sent automatically; replies to it are not read."),
        "contact": "Contact CSOL",
        "attachments": "Files received",
    },
}
WORDS["fr"] = {k: french_spacing(v) for k, v in WORDS["fr"].items()}


def receipt_id(reference: str, sender: str) -> str:
    """The receipt's Message-ID: the same on every (re)send, like CSOL's copy."""
    domain = sender.rpartition("@")[2].strip(" >") or "csohelp.invalid"
    return f"<{reference}.receipt@{domain}>"


def build_receipt(reference: str, data: dict[str, Any], sender: str) -> Message:
    """The receipt for the requester, in their preferred language."""
    lang = data.get("language") if data.get("language") in WORDS else "fr"
    t = WORDS[lang]
    fields = FIELD_LABELS[lang]
    colon = fields["colon"]
    lines = [t["hello"], "", t["intro"].format(reference=reference), "", t["copy"], ""]
    lines += text_lines(sent_rows(data, lang), lang, {"attachments": t["attachments"]})
    lines += ["", f"{fields['description']}{colon}", str(data.get("description", "")), "", t["not_you"], "",
              "-- ", f"{t['contact']}{colon} {CONTACT['web']} · {contact_for(lang)['phone']}"]
    # mail.compose writes every header from values it encoded: the client's text is only body.
    return compose(subject=t["subject"].format(reference=reference), sender=("CSO Canada", sender),
                   to=data["email"], reply_to=None, body="\n".join(lines),
                   language="fr-CA" if lang == "fr" else "en-CA", message_id=receipt_id(reference, sender),
                   extra={"Auto-Submitted": "auto-generated"})  # RFC 3834: no auto-reply loops


def send_receipt(smtp: smtplib.SMTP, reference: str, data: dict[str, Any], sender: str) -> bool:
    """Send the receipt on an open connection; False if the address was refused for good.

    A temporary failure (4xx, a dropped connection) raises, so the outbox retries the step.
    """
    try:
        smtp.send_message(build_receipt(reference, data, sender), from_addr=sender, to_addrs=[data["email"]])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            log.warning("receipt for %s refused by the mail server (%s); not retried", reference, codes[0])
            return False
        raise
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
        if 500 <= exc.smtp_code < 600:
            log.warning("receipt for %s refused by the mail server (%s); not retried", reference,
                        exc.smtp_code)
            return False
        raise
    return True
