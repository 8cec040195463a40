"""Forwarding stored requests to CSOL's intake address by SMTP (the outbox).

Delivery is at-least-once. A request leaves the outbox only when `mark_sent` commits, which
happens after the SMTP server accepted the message. If the process dies between that
acceptance and the commit, the request is still queued, and it is sent again once its lease
ends. The resent message has the same subject (with the reference) and the same Message-ID
(derived from the reference), so CSOL's intake can drop the duplicate. Nothing can shrink
that window to zero without the receiving side's help; everything else is exactly once:
a failure before acceptance leaves the request queued, retried with backoff, never lost.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.errors import MessageError
from email.message import Message
from pathlib import Path
from typing import Any

from ..content import CONTACT
from ..db import RequestStore, StoredRequest
from ..errors import CsohelpError
from .attachments import FileStore, files_dir, load_files
from .mail import MailError, address, compose
from .receipt import send_receipt
from .summary import LABELS as FIELD_LABELS
from .summary import sent_rows, text_lines

log = logging.getLogger(__name__)
LEASE_SECONDS = 300.0  # per message: longer than one SMTP conversation may take (30 s per step)
MAX_BACKOFF = 3600.0

# The words of CSOL's copy around the rows of what was sent (csohelp/requests/summary.py).
LABELS: dict[str, dict[str, str]] = {
    "fr": {"title": "Demande de service", "intro": "Demande reçue par le centre d'aide CSO Canada.",
           "reference": "Référence", "created_at": "Reçue le (UTC)", "topic": "Sujet du centre d'aide",
           "business": "Le client déclare être une entreprise ou un partenaire commercial."},
    "en": {"title": "Service request", "intro": "Request received by the CSO Canada Help Centre.",
           "reference": "Reference", "created_at": "Received (UTC)", "topic": "Help Centre topic",
           "business": "The client states that they are a business or a business partner."},
}


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send: host, port, sender, CSOL's intake address; STARTTLS and login optional."""

    host: str
    port: int
    sender: str
    recipient: str
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    files_dir: Path | None = None  # where the requests' attachments are (csohelp/requests/attachments.py)
    receipts: bool = False  # also send the requester a receipt (on in from_settings)

    @classmethod
    def from_settings(cls, settings: Any) -> SmtpConfig | None:
        """The configuration, or None when SMTP is not configured (requests then stay queued)."""
        if not (settings.smtp_host and settings.smtp_to):
            return None
        sender = settings.smtp_from or settings.smtp_to
        # Checked at startup: an address mail.py refuses would leave every request queued forever.
        for name, value in (("CSOHELP_SMTP_FROM", sender), ("CSOHELP_SMTP_TO", settings.smtp_to)):
            try:
                address(value)
            except MailError:
                raise CsohelpError(f"{name}: {value!r} is not a plain address (name@domain)") from None
        return cls(settings.smtp_host, settings.smtp_port, sender, settings.smtp_to,
                   settings.smtp_starttls, settings.smtp_user, settings.smtp_password,
                   files_dir=files_dir(settings.var_dir), receipts=True)


@dataclass
class ForwardReport:
    """What one pass of the outbox did."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # will be retried
    set_aside: list[str] = field(default_factory=list)  # failed for good: status "failed"


def message_id(reference: str, sender: str) -> str:
    """The Message-ID of a request: the same for every (re)send, so duplicates can be dropped."""
    domain = sender.rpartition("@")[2].strip(" >") or "csohelp.invalid"
    return f"<{reference}.request@{domain}>"


def build_message(record: StoredRequest, config: SmtpConfig,
                  files: Sequence[tuple[str, str, bytes]] = ()) -> Message:
    """The message for CSOL, in the client's language, with the reference in the subject."""
    lang = record.language if record.language in LABELS else "fr"
    t, d = LABELS[lang], record.data
    colon = FIELD_LABELS[lang]["colon"]
    rows = [("reference", record.reference), ("created_at", record.created_at), *sent_rows(d, lang),
            ("topic", d.get("topic"))]
    lines = [t["intro"], "", *text_lines(rows, lang, t)]
    lines += ["", t["business"], "", f"{FIELD_LABELS[lang]['description']}{colon}", d["description"], "",
              "-- ", f"CSOL {CONTACT['web']}"]
    # mail.compose encodes every client value itself: nothing here is ever parsed as a header.
    return compose(subject=f"[{record.reference}] {t['title']}{colon} {d['subject']}",
                   sender=("CSO Canada", config.sender), to=config.recipient,
                   reply_to=(d["contact_name"], d["email"]), body="\n".join(lines),
                   language="fr-CA" if lang == "fr" else "en-CA",
                   message_id=message_id(record.reference, config.sender),
                   extra={"X-CSOL-Reference": record.reference}, files=files)


def send_message(record: StoredRequest, config: SmtpConfig) -> None:
    """Hand one request to the SMTP server; returns once the server accepted it."""
    with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
        if config.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if config.username:
            smtp.login(config.username, config.password or "")
        files, missing = load_files(record.data.get("attachments"),
                                    FileStore(config.files_dir) if config.files_dir else None)
        message = build_message(record, config, files)
        if missing:  # lost from the store: CSOL still gets the request, and the log says which
            log.warning("forwarding %s without %d missing or corrupt attachment(s)", record.reference,
                        len(missing))
        smtp.send_message(message, from_addr=config.sender, to_addrs=[config.recipient])
        if config.receipts:  # the second message of the step: see csohelp/requests/receipt.py
            send_receipt(smtp, record.reference, record.data, config.sender)


def backoff(attempts: int) -> float:
    """Seconds before the next try: 30 s, 1 min, 2 min... at most one hour."""
    return min(30.0 * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def permanent(exc: Exception) -> bool:
    """A failure that no retry can cure: the server refused with 5xx, or no message can be built."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException) and not isinstance(exc, smtplib.SMTPServerDisconnected):
        # 5xx to MAIL FROM, RCPT or DATA; 421 and 4xx are temporary, and a failed login is the
        # operator's setting to fix: those stay queued.
        return exc.smtp_code >= 500 and not isinstance(exc, smtplib.SMTPAuthenticationError)
    # Building the message failed (a value the mail layer refuses): it would fail the same way again.
    return isinstance(exc, (ValueError, TypeError, KeyError, UnicodeError, MessageError))


def forward_one(store: RequestStore, config: SmtpConfig, now: float | None = None,
                lease: float | None = None) -> tuple[str, str] | None:
    """Claim the oldest due request, send it, mark it; (reference, "sent"|"retry"|"failed") or None.

    The lease covers this one message only, so another forwarder (the server's worker, a cron
    `csohelp requests forward`) never picks up a message that is still being sent.
    """
    now = time.time() if now is None else now
    record = store.claim_next(now, LEASE_SECONDS if lease is None else lease)
    if record is None:
        return None
    try:
        send_message(record, config)
    except Exception as exc:  # noqa: BLE001 - any failure keeps the request (queued or set aside)
        # Only the reference and the kind of failure: no request data in logs.
        error = f"{type(exc).__name__}: {getattr(exc, 'smtp_code', '') or ''}".rstrip(": ")
        if permanent(exc):
            store.set_aside(record.reference, error)
            log.error("forwarding %s failed for good (%s): set aside", record.reference, error)
            return record.reference, "failed"
        store.mark_failed(record.reference, now + backoff(record.attempts + 1), error)
        log.warning("forwarding %s failed (%s); will retry", record.reference, error)
        return record.reference, "retry"
    store.mark_sent(record.reference)
    log.info("forwarded %s", record.reference)
    return record.reference, "sent"


def forward_due(store: RequestStore, config: SmtpConfig, now: float | None = None,
                limit: int = 50) -> ForwardReport:
    """Send up to `limit` due requests, one claim each; failures stay queued with a later retry time."""
    report = ForwardReport()
    for _ in range(limit):
        outcome = forward_one(store, config, now)
        if outcome is None:
            break
        reference, result = outcome
        {"sent": report.sent, "retry": report.failed, "failed": report.set_aside}[result].append(reference)
    return report


def forward_all(store: RequestStore, config: SmtpConfig, now: float | None = None) -> ForwardReport:
    """Pass over the outbox until nothing due is left (for cron)."""
    total = ForwardReport()
    while True:
        report = forward_due(store, config, now)
        total.sent += report.sent
        total.failed += report.failed
        total.set_aside += report.set_aside
        if not (report.sent or report.set_aside):
            return total


class ForwardWorker:
    """A background thread in the server process that empties the outbox."""

    def __init__(self, store: RequestStore, config: SmtpConfig, interval: float = 30.0):
        self.store, self.config, self.interval = store, config, interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="csohelp-forward", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def wake(self) -> None:
        """A request was just stored: send it now rather than at the next interval."""
        self._wake.set()

    def stop(self, timeout: float = 35.0) -> None:
        """Finish the message in progress and stop."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                forward_all(self.store, self.config)
            except Exception as exc:  # the worker must outlive a bad pass; requests stay queued
                # No traceback: its frames could hold request data.
                log.error("forwarding pass failed: %s", type(exc).__name__)
            self._wake.wait(self.interval)
