"""Forwarding to CSOL against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import email
import email.policy
import time
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from csohelp.cli import main
from csohelp.db import open_store
from csohelp.requests.forward import LEASE_SECONDS, forward_due, message_id, send_message

DATA = {"request_type": "invoice-dispute", "company": "Acme Ltée", "contact_name": "Jo Tremblay",
        "email": "jo@acme.ca", "language": "fr", "subject": "Facture en double",
        "description": "La facture 42 a été envoyée deux fois.", "business": True,
        "customer_number": None, "phone": "613-555-0123", "references": {"invoice": "INV-42"},
        "topic": "invoice-dispute"}


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.envelopes.append((envelope.mail_from, envelope.rcpt_tos))
        return "250 OK"


class SmtpServer:
    """aiosmtpd's Controller on a chosen loopback port."""

    def __init__(self, port: int):
        self.inbox = Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)

    def __enter__(self) -> Inbox:
        self.controller.start()
        return self.inbox

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()








def test_a_request_is_delivered_exactly_once_in_the_clients_language(store, config, port):
    ref = store.submit(DATA).reference
    en_ref = store.submit({**DATA, "language": "en", "subject": "Duplicate invoice"}).reference
    with SmtpServer(port) as inbox:
        report = forward_due(store, config)
        again = forward_due(store, config, now=time.time() + 10 * LEASE_SECONDS)
    assert report.sent == [ref, en_ref] and again.sent == []
    assert len(inbox.messages) == 2
    fr, en = inbox.messages
    assert fr["Subject"] == f"[{ref}] Demande de service\u00a0: Facture en double"
    assert en["Subject"] == f"[{en_ref}] Service request: Duplicate invoice"
    assert fr["Message-ID"] == message_id(ref, config.sender) == f"<{ref}.request@cso.example.ca>"
    assert inbox.envelopes[0] == ("aide@cso.example.ca", ["csol-intake@example.ca"])
    body = fr.get_payload(decode=True).decode("utf-8")
    assert "Type de demande\u00a0: Contestation de facture" in body
    assert "Numéro de facture\u00a0: INV-42" in body
    assert "Numéro de client IBM\u00a0: —" in body and "None" not in body  # an empty field is a dash
    assert "Request type: Invoice dispute" in en.get_payload(decode=True).decode("utf-8")
    assert store.counts() == {"queued": 0, "sent": 2, "failed": 0}


@pytest.mark.parametrize("name", ["Jö, x@evil.example", 'Jo "Boss", Tremblay', "Zoë Tremblay-Côté"])
def test_the_reply_to_is_the_client_and_only_the_client(store, config, port, name):
    ref = store.submit({**DATA, "contact_name": name}).reference
    with SmtpServer(port) as inbox:
        assert forward_due(store, config).sent == [ref]
    parsed = email.message_from_bytes(inbox.messages[0].as_bytes(), policy=email.policy.default)
    assert [(a.display_name, a.addr_spec) for a in parsed["Reply-To"].addresses] == [(name, "jo@acme.ca")]


def test_server_down_keeps_the_request_queued_until_it_comes_back(store, config, port):
    ref = store.submit(DATA).reference
    now = time.time()
    report = forward_due(store, config, now=now)
    record = store.get(ref)
    assert report.failed == [ref] and record.status == "queued"
    assert record.attempts == 1 and record.last_error == "ConnectionRefusedError"
    assert record.next_attempt_at == pytest.approx(now + 30)
    with SmtpServer(port) as inbox:
        assert forward_due(store, config, now=now + 10).sent == []  # backoff: not yet
        assert forward_due(store, config, now=now + 31).sent == [ref]
    assert len(inbox.messages) == 1 and store.get(ref).status == "sent"


def test_a_crash_after_acceptance_resends_with_the_same_reference_and_message_id(store, config, port):
    ref = store.submit(DATA).reference
    now = time.time()
    with SmtpServer(port) as inbox:
        # The worker claims the request and the SMTP server accepts it, then the process dies
        # before mark_sent commits: exactly the at-least-once window of forward.py.
        (record,) = store.claim_due(now, LEASE_SECONDS)
        send_message(record, config)
        assert store.get(ref).status == "queued"
        assert forward_due(store, config, now=now + 1).sent == []  # still leased
        assert forward_due(store, config, now=now + LEASE_SECONDS + 1).sent == [ref]
    first, second = inbox.messages
    assert first["Message-ID"] == second["Message-ID"] == f"<{ref}.request@cso.example.ca>"
    assert ref in first["Subject"] and first["Subject"] == second["Subject"]


def test_the_cli_forwards_and_says_when_smtp_is_missing(tmp_path, port, monkeypatch, capsys):
    db = tmp_path / "cli.db"
    store = open_store(f"sqlite:///{db}")
    ref = store.submit(DATA).reference
    store.close()
    for name in ("HOST", "PORT", "FROM", "TO", "USER", "PASSWORD", "STARTTLS"):
        monkeypatch.delenv(f"CSOHELP_SMTP_{name}", raising=False)
    monkeypatch.setenv("CSOHELP_DB", str(db))
    assert main(["requests", "forward", "--root", str(tmp_path)]) == 0
    assert capsys.readouterr().out == (
        "SMTP is not configured (set CSOHELP_SMTP_HOST and CSOHELP_SMTP_TO): 1 request(s) stay queued\n")
    monkeypatch.setenv("CSOHELP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CSOHELP_SMTP_PORT", str(port))
    monkeypatch.setenv("CSOHELP_SMTP_TO", "csol-intake@example.ca")
    assert main(["requests", "forward", "--root", str(tmp_path)]) == 1  # server down: retry later
    assert capsys.readouterr().err == f"failed: {ref}\n"
    with SmtpServer(port) as inbox:
        db_store = open_store(f"sqlite:///{db}")
        db_store.mark_failed(ref, retry_at=0, error="reset for the test")  # due now
        db_store.close()
        assert main(["requests", "forward", "--root", str(tmp_path)]) == 0
    assert "sent 1, failed 0 (will retry), 0 still queued" in capsys.readouterr().out
    # CSOL's copy, then the requester's receipt (from_settings turns receipts on).
    assert [rcpt for _, rcpt in inbox.envelopes] == [["csol-intake@example.ca"], ["jo@acme.ca"]]
