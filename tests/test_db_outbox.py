"""Issue 9's store items: permanent failures set aside, one lease per message, keys per client,
and a locked store that answers 503 while search and pages keep answering."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from aiosmtpd.controller import Controller
from test_requests_forward import DATA, Inbox, SmtpServer
from test_requests_web import GOOD, live_server_for, settings_for

from csohelp.cli import main
from csohelp.db import open_store
from csohelp.requests import forward
from csohelp.requests.forward import forward_all, forward_due


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'requests.db'}"
    return request.getfixturevalue("pg_cluster").create_database()






class Refusing(Inbox):
    """A server that refuses the recipient with the given reply."""

    def __init__(self, reply: str):
        super().__init__()
        self.reply = reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        return self.reply


class Slow(Inbox):
    """A server that takes `delay` seconds to accept each message."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def serve(handler, port: int) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def test_a_refused_recipient_is_set_aside_as_failed_and_not_retried(db_url, config, port, tmp_path,
                                                                   monkeypatch, capsys):
    store = open_store(db_url)
    refused = store.submit(DATA).reference
    controller = serve(Refusing("550 5.1.1 mailbox unavailable"), port)
    try:
        report = forward_all(store, config)
        assert report.set_aside == [refused] and report.sent == []
        # Never again, however late: it is out of the outbox, with its reason.
        assert forward_due(store, config, now=time.time() + 10**6).set_aside == []
    finally:
        controller.stop()
    record = store.get(refused)
    assert (record.status, record.attempts) == ("failed", 1)
    assert record.last_error == "SMTPRecipientsRefused"
    assert store.counts() == {"queued": 0, "sent": 0, "failed": 1}
    temporary = store.submit(DATA).reference  # a 4xx is temporary: it stays queued
    controller = serve(Refusing("451 4.3.0 try later"), port)
    try:
        assert forward_all(store, config).failed == [temporary]
    finally:
        controller.stop()
    assert store.get(temporary).status == "queued"
    store.close()
    monkeypatch.setenv("CSOHELP_DB", db_url)
    assert main(["requests", "list", "--status", "failed", "--root", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert refused in out and temporary not in out
    assert "1 queued, 0 sent, 1 failed" in err


def test_a_message_that_cannot_be_built_is_set_aside(db_url, config, port):
    store = open_store(db_url)
    # Stored before today's validation; the mail layer refuses to put it in a header (MailError).
    ref = store.submit({**DATA, "email": "=?utf-8?q?x?=@acme.ca"}).reference
    with SmtpServer(port) as inbox:
        assert forward_all(store, config).set_aside == [ref]
    assert store.get(ref).status == "failed" and inbox.messages == []
    store.close()


def test_two_forwarders_never_send_a_message_twice(db_url, config, port, monkeypatch):
    # The lease (1 s here) is longer than one message (0.2 s) but shorter than all of them: a
    # lease over the whole batch would let the second forwarder take messages still being sent.
    monkeypatch.setattr(forward, "LEASE_SECONDS", 1.0)
    first = open_store(db_url)
    refs = [first.submit({**DATA, "subject": f"n{i}"}).reference for i in range(8)]
    second = open_store(db_url)  # the server's worker and a cron job: two connections
    handler = Slow(0.2)
    controller = serve(handler, port)
    stop = time.monotonic() + 3.5

    def forwarder(store):
        while time.monotonic() < stop:
            forward_due(store, config)
            time.sleep(0.05)

    try:
        threads = [threading.Thread(target=forwarder, args=(s,)) for s in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        controller.stop()
    ids = sorted(m["X-CSOL-Reference"] for m in handler.messages)
    assert ids == refs  # each exactly once
    assert first.counts()["sent"] == 8
    first.close()
    second.close()


def test_an_idempotency_key_is_per_client_and_a_changed_body_is_a_422(built_project, tmp_path):
    settings = settings_for(built_project, tmp_path, trusted_proxies=("127.0.0.0/8",))
    with live_server_for(settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        def post(body, lang, client_ip):
            return client.post("/api/requests", json=body, headers={
                "Idempotency-Key": "shared-key-1", "Accept-Language": lang, "X-Forwarded-For": client_ip})

        mine = post(GOOD, "en", "203.0.113.5")
        theirs = post({**GOOD, "company": "Someone Else"}, "en", "198.51.100.7")
        assert mine.status_code == theirs.status_code == 201
        assert mine.json()["reference"] != theirs.json()["reference"]  # nobody sees another's reference
        replay = post(GOOD, "en", "203.0.113.5")
        assert replay.status_code == 201 and replay.json()["reference"] == mine.json()["reference"]
        changed = post({**GOOD, "subject": "Another subject"}, "fr", "203.0.113.5")
        assert changed.status_code == 422
        body = changed.json()
        assert body["status"] == 422 and "Idempotency-Key" in body["errors"]
        assert "déjà servi" in body["error"]
        english = post({**GOOD, "subject": "x"}, "en", "203.0.113.5").json()["error"]
        assert english.startswith("This Idempotency-Key was already used")
    rows = sqlite3.connect(tmp_path / "requests.db").execute("SELECT COUNT(*) FROM requests").fetchone()
    assert rows == (2,)


def test_a_locked_store_answers_503_quickly_while_search_and_pages_keep_answering(built_project, tmp_path):
    settings = settings_for(built_project, tmp_path, store_wait=1.0)
    with live_server_for(settings) as live:
        holder = sqlite3.connect(tmp_path / "requests.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # a backup, a cron job...: the write lock is taken
        try:
            def submit(i: int) -> tuple[int, str | None, float]:
                start = time.monotonic()
                with httpx.Client(base_url=live.url, timeout=60) as c:
                    r = c.post("/api/requests", json={**GOOD, "subject": f"s{i}"})
                return r.status_code, r.headers.get("Retry-After"), time.monotonic() - start

            with ThreadPoolExecutor(60) as pool:
                waiting = [pool.submit(submit, i) for i in range(60)]
                time.sleep(0.5)  # the submissions now wait on the lock
                with httpx.Client(base_url=live.url, timeout=60) as c:
                    for path in ("/api/search?q=facture&lang=fr", "/a/invoice-dispute", "/api/search?q=bill"):
                        start = time.monotonic()
                        assert c.get(path).status_code in (200, 302, 307), path
                        assert time.monotonic() - start < 1.0, path
                answers = [f.result() for f in waiting]
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert {(status, retry) for status, retry, _ in answers} == {(503, "60")}
        assert max(took for _, _, took in answers) < 8
        with httpx.Client(base_url=live.url, timeout=10) as c:
            assert c.post("/api/requests", json=GOOD).status_code == 201  # the lock is gone: back to normal
