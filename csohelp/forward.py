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
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from pathlib import Path
from typing import Any

from .attachments import FileStore, attach_files, describe, files_dir
from .content import CONTACT
from .receipt import send_receipt
from .requests_model import REQUEST_TYPE_LABELS
from .store import RequestStore, StoredRequest

log = logging.getLogger(__name__)
LEASE_SECONDS = 300.0  # longer than one SMTP conversation may take (its timeout is 30 s)
MAX_BACKOFF = 3600.0

LABELS: dict[str, dict[str, str]] = {
    "fr": {"subject": "Demande de service", "intro": "Demande reçue par le centre d'aide CSO Canada.",
           "reference": "Référence", "request_type": "Type de demande", "company": "Entreprise",
           "customer_number": "Numéro de client IBM", "contact_name": "Nom", "email": "Courriel",
           "phone": "Téléphone", "language": "Langue de préférence", "invoice": "Numéro de facture",
           "order": "Numéro de commande", "machine": "Type, modèle et numéro de série",
           "topic": "Sujet du centre d'aide", "subject_field": "Objet", "description": "Description",
           "business": "Le client déclare être une entreprise ou un partenaire commercial.",
           "created_at": "Reçue le (UTC)", "fr": "français", "en": "anglais", "none": "—",
           "contract_number": "Numéro de contrat", "attachments": "Pièces jointes"},
    "en": {"subject": "Service request", "intro": "Request received by the CSO Canada Help Centre.",
           "reference": "Reference", "request_type": "Request type", "company": "Company",
           "customer_number": "IBM customer number", "contact_name": "Name", "email": "Email",
           "phone": "Phone", "language": "Preferred language", "invoice": "Invoice number",
           "order": "Order number", "machine": "Machine type, model and serial number",
           "topic": "Help Centre topic", "subject_field": "Subject", "description": "Description",
           "business": "The client states that they are a business or a business partner.",
           "created_at": "Received (UTC)", "fr": "French", "en": "English", "none": "—",
           "contract_number": "Contract number", "attachments": "Attachments"},
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
    files_dir: Path | None = None  # where the requests' attachments are (csohelp/attachments.py)
    receipts: bool = False  # also send the requester a receipt (on in from_settings)

    @classmethod
    def from_settings(cls, settings: Any) -> SmtpConfig | None:
        """The configuration, or None when SMTP is not configured (requests then stay queued)."""
        if not (settings.smtp_host and settings.smtp_to):
            return None
        return cls(settings.smtp_host, settings.smtp_port, settings.smtp_from or settings.smtp_to,
                   settings.smtp_to, settings.smtp_starttls, settings.smtp_user, settings.smtp_password,
                   files_dir=files_dir(settings.var_dir), receipts=True)


@dataclass
class ForwardReport:
    """What one pass of the outbox did."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def message_id(reference: str, sender: str) -> str:
    """The Message-ID of a request: the same for every (re)send, so duplicates can be dropped."""
    domain = sender.rpartition("@")[2].strip(" >") or "csohelp.invalid"
    return f"<{reference}.request@{domain}>"


def build_message(record: StoredRequest, config: SmtpConfig) -> EmailMessage:
    """The message for CSOL, in the client's language, with the reference in the subject."""
    lang = record.language if record.language in LABELS else "fr"
    t, d = LABELS[lang], record.data
    refs = d.get("references") or {}
    type_label = REQUEST_TYPE_LABELS.get(d["request_type"], {}).get(lang, d["request_type"])
    colon = " :" if lang == "fr" else ":"  # French typography: a space before the colon
    msg = EmailMessage()
    msg["Subject"] = f"[{record.reference}] {t['subject']}{colon} {d['subject']}"
    msg["From"] = formataddr(("CSO Canada", config.sender))
    msg["To"] = config.recipient
    # Address, not formataddr: formataddr leaves a comma of a non-ASCII name outside the encoded
    # word, so "Jö, x@evil.example" would add a second Reply-To address.
    msg["Reply-To"] = Address(d["contact_name"], addr_spec=d["email"])
    msg["Message-ID"] = message_id(record.reference, config.sender)
    msg["Date"] = formatdate(localtime=False)
    msg["Content-Language"] = "fr-CA" if lang == "fr" else "en-CA"
    msg["X-CSOL-Reference"] = record.reference
    rows = [
        ("reference", record.reference), ("created_at", record.created_at),
        ("request_type", type_label), ("company", d["company"]),
        ("customer_number", d.get("customer_number")), ("contact_name", d["contact_name"]),
        ("email", d["email"]), ("phone", d.get("phone")), ("language", t[d["language"]]),
        ("invoice", refs.get("invoice")), ("order", refs.get("order")), ("machine", refs.get("machine")),
        ("contract_number", d.get("contract_number")),
        ("attachments", describe(d.get("attachments"), lang)),
        ("topic", d.get("topic")), ("subject_field", d["subject"]),
    ]
    lines = [t["intro"], ""] + [f"{t[k]}{colon} {v or t['none']}" for k, v in rows]
    lines += ["", t["business"], "", f"{t['description']}{colon}", d["description"], "", "-- ",
              f"CSOL {CONTACT['web']}"]
    msg.set_content("\n".join(lines))
    return msg


def send_message(record: StoredRequest, config: SmtpConfig) -> None:
    """Hand one request to the SMTP server; returns once the server accepted it."""
    with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
        if config.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if config.username:
            smtp.login(config.username, config.password or "")
        message = build_message(record, config)
        missing = attach_files(message, record.data.get("attachments"),
                               FileStore(config.files_dir) if config.files_dir else None)
        if missing:  # lost from the store: CSOL still gets the request, and the log says which
            log.warning("forwarding %s without %d missing or corrupt attachment(s)", record.reference,
                        len(missing))
        smtp.send_message(message, from_addr=config.sender, to_addrs=[config.recipient])
        if config.receipts:  # the second message of the step: see csohelp/receipt.py
            send_receipt(smtp, record.reference, record.data, config.sender)


def backoff(attempts: int) -> float:
    """Seconds before the next try: 30 s, 1 min, 2 min... at most one hour."""
    return min(30.0 * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def forward_due(store: RequestStore, config: SmtpConfig, now: float | None = None,
                limit: int = 50) -> ForwardReport:
    """Send every request that is due; failures stay queued with a later retry time."""
    report = ForwardReport()
    now = time.time() if now is None else now
    for record in store.claim_due(now, LEASE_SECONDS, limit):
        try:
            send_message(record, config)
        except Exception as exc:  # noqa: BLE001 - any failure keeps the request queued
            # Only the reference and the kind of failure: no request data in logs.
            error = f"{type(exc).__name__}: {getattr(exc, 'smtp_code', '') or ''}".rstrip(": ")
            store.mark_failed(record.reference, now + backoff(record.attempts + 1), error)
            report.failed.append(record.reference)
            log.warning("forwarding %s failed (%s); will retry", record.reference, error)
            continue
        store.mark_sent(record.reference)
        report.sent.append(record.reference)
        log.info("forwarded %s", record.reference)
    return report


def forward_all(store: RequestStore, config: SmtpConfig, now: float | None = None) -> ForwardReport:
    """Pass over the outbox until nothing due is left (for cron)."""
    total = ForwardReport()
    while True:
        report = forward_due(store, config, now)
        total.sent += report.sent
        total.failed += report.failed
        if not report.sent:
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
