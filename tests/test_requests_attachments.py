"""Attachments and the receipt end to end: a real server, multipart posts, aiosmtpd on loopback, the CLI."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import logging
import os
import re
import time
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from conftest import free_port
from test_requests_forward import DATA, SmtpServer
from test_requests_web import FORM, live_server_for, open_form, rows, settings_for

from csohelp.cli import main
from csohelp.db import open_store
from csohelp.requests.attachments import MAX_FILE_BYTES, FileStore
from csohelp.requests.forward import SmtpConfig, forward_due

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))
CSOL = "csol-intake@example.ca"


@pytest.fixture(scope="module")
def mail(built_project, tmp_path_factory):
    """A server that forwards to aiosmtpd, with its own store and attachment folder."""
    port = free_port()
    tmp = tmp_path_factory.mktemp("attachments")
    settings = settings_for(built_project, tmp, smtp_host="127.0.0.1", smtp_port=port, smtp_to=CSOL,
                            smtp_from="aide@cso.example.ca", var_dir=tmp / "var", forward_interval=0.2)
    with SmtpServer(port) as inbox, live_server_for(settings) as live:
        yield live, inbox


def wait_for(inbox, count: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def test_files_are_stored_forwarded_as_attachments_and_the_receipt_reaches_the_requester(mail):
    live, inbox = mail
    with httpx.Client(base_url=live.url, timeout=10) as client:
        before = len(inbox.messages)
        hidden = open_form(client, "/request/")
        data = {**FORM, **hidden, "language": "fr", "contract_number": "CT-2001-7",
                "request_type": "invoice-dispute", "email": "marie@acme.ca"}
        files = [("attachments", ("Facture mars.PDF", PDF, "application/pdf")),
                 ("attachments", ("capture.png", PNG, "application/octet-stream"))]
        done = client.post("/request/", data=data, files=files)
        assert done.status_code == 303
        reference = done.headers["location"].rpartition("=")[2]
        page = client.get(done.headers["location"]).text
        wait_for(inbox, before + 2)
    # Stored with the request, outside the site, by content.
    stored = json.loads([r for r in rows(live) if r[0] == reference][0][1])
    assert stored["contract_number"] == "CT-2001-7"
    assert stored["attachments"] == [
        {"name": "Facture mars.pdf", "type": "application/pdf", "size": len(PDF),
         "sha256": hashlib.sha256(PDF).hexdigest()},
        {"name": "capture.png", "type": "image/png", "size": len(PNG),
         "sha256": hashlib.sha256(PNG).hexdigest()}]
    var = live.settings.var_dir
    assert (var / "attachments" / hashlib.sha256(PDF).hexdigest()[:2] / hashlib.sha256(PDF).hexdigest()
            ).read_bytes() == PDF
    # The confirmation shows what was sent, to this browser.
    assert "Ce que vous avez envoyé" in page and "Facture mars.pdf" in page and "CT-2001-7" in page
    assert "Une copie de votre demande sera envoyée à marie@acme.ca." in page
    # CSOL's copy first, with the files; then the receipt to the requester, in French, without them.
    to_csol, receipt = [parsed(m) for m in inbox.messages[before:before + 2]]
    assert inbox.envelopes[before][1] == [CSOL] and inbox.envelopes[before + 1][1] == ["marie@acme.ca"]
    assert to_csol["X-CSOL-Reference"] == reference
    files_sent = [(p.get_filename(), p.get_content_type(), p.get_content())
                  for p in to_csol.iter_attachments()]
    assert files_sent == [("Facture mars.pdf", "application/pdf", PDF), ("capture.png", "image/png", PNG)]
    body = to_csol.get_body(("plain",)).get_content()
    assert "Numéro de contrat\u00a0: CT-2001-7" in body and "Facture mars.pdf (1\u00a0Ko)" in body
    assert receipt["To"] == "marie@acme.ca" and receipt["Auto-Submitted"] == "auto-generated"
    assert receipt["Subject"] == f"Centre d'aide CSO Canada\u00a0: votre demande {reference}"
    assert receipt["Message-ID"] == f"<{reference}.receipt@cso.example.ca>" and "Reply-To" not in receipt
    assert list(receipt.iter_attachments()) == []
    text = receipt.get_body(("plain",)).get_content()
    assert f"sous la référence {reference} (référence du centre d'aide)" in text
    assert "Numéro de contrat\u00a0: CT-2001-7" in text and "Invoice 42 came twice." in text
    assert "Pièces jointes reçues\u00a0: Facture mars.pdf (1\u00a0Ko), capture.png (1\u00a0Ko)" in text


@pytest.mark.parametrize(("lang", "name", "content", "message"), [
    ("fr", "facture.pdf", b"MZ\x90\x00 this is an exe",
     "Ce fichier n'est pas un PDF, un PNG ou un JPEG\u00a0: facture.pdf."),
    ("en", "photo.jpg", b"<svg onload=alert(1)>", "This file is not a PDF, PNG or JPEG: photo.jpg."),
    ("en", "big.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES, "File too large (5 MB at most per file): big.pdf."),
])
def test_a_refused_file_is_said_in_the_pages_language_and_every_value_is_kept(mail, lang, name, content,
                                                                                message):
    live, _ = mail
    path = "/request/" if lang == "fr" else "/en/request/"
    with httpx.Client(base_url=live.url, timeout=20) as client:
        before = len(rows(live))
        hidden = open_form(client, path)
        data = {**FORM, **hidden, "contract_number": "CT-1", "request_type": "invoice-dispute"}
        page = client.post(path, data=data, files=[("attachments", (name, content, "application/pdf")),
                                                   ("attachments", ("ok.png", PNG, "image/png"))])
    assert page.status_code == 422 and len(rows(live)) == before
    html = page.text
    assert message.replace("'", "&#39;") in html
    assert 'href="#req-attachments"' in html and 'id="req-attachments-error"' in html
    for value in ('value="Acme Ltée"', 'value="jo@acme.ca"', 'value="INV-42"', 'value="CT-1"'):
        assert value in html
    # The good file is kept (by its digest, re-checked on disk): it need not be chosen again.
    digest = hashlib.sha256(PNG).hexdigest()
    assert f'name="kept_attachments" id="req-kept-1" value="{digest}:ok.png" checked' in html
    # The invoice number comes first for a dispute, under the type, named for it.
    assert html.index('data-field="references.invoice"') < html.index('data-field="subject"')
    assert ("Numéro de la facture contestée" if lang == "fr" else "Number of the disputed invoice") in html


def test_a_kept_file_is_sent_with_the_corrected_request(mail):
    live, inbox = mail
    with httpx.Client(base_url=live.url, timeout=10) as client:
        hidden = open_form(client, "/en/request/")
        bad = {**FORM, **hidden, "email": "nope"}
        first = client.post("/en/request/", data=bad, files=[("attachments", ("scan.png", PNG, "image/png"))])
        assert first.status_code == 422
        kept = re.search(r'name="kept_attachments" id="req-kept-1" value="([^"]+)"', first.text).group(1)
        done = client.post("/en/request/", data={**FORM, **hidden, "kept_attachments": kept})
        assert done.status_code == 303
    reference = done.headers["location"].rpartition("=")[2]
    stored = json.loads([r for r in rows(live) if r[0] == reference][0][1])
    assert [a["name"] for a in stored["attachments"]] == ["scan.png"]


def test_the_api_takes_no_attachments_and_keeps_its_32_kb_limit(mail):
    live, _ = mail
    with httpx.Client(base_url=live.url, timeout=10) as client:
        answer = client.post("/api/requests", json={
            "request_type": "billing", "company": "Acme", "contact_name": "Jo", "email": "jo@acme.ca",
            "language": "en", "subject": "x", "description": "y", "business": True,
            "attachments": [{"name": "a.pdf", "sha256": hashlib.sha256(PDF).hexdigest()}]})
        assert answer.status_code == 422 and answer.json()["errors"] == {"attachments": "Champ inconnu."}
        big = client.post("/api/requests", content=b"x" * 40_000,
                          headers={"Content-Type": "application/json"})
        assert big.status_code == 413
        # Other routes keep 32 KB too; the form's POST takes files, up to 3 x 5 MB.
        assert client.post("/en/search/", content=b"x" * 40_000).status_code == 413
        hidden = open_form(client, "/en/request/")
        huge = client.post("/en/request/", data={**FORM, **hidden},
                           files=[("attachments", (f"{i}.pdf", PDF + b"0" * (MAX_FILE_BYTES - 100), "x/y"))
                                  for i in range(4)])
        assert huge.status_code == 413


def test_requests_show_lists_attachments_with_their_stored_file(mail, monkeypatch, capsys):
    live, _ = mail
    with httpx.Client(base_url=live.url, timeout=10) as client:
        hidden = open_form(client, "/en/request/")
        done = client.post("/en/request/", data={**FORM, **hidden},
                           files=[("attachments", ("../../x.pdf", PDF, "application/pdf"))])
    reference = done.headers["location"].rpartition("=")[2]
    monkeypatch.setenv("CSOHELP_DB", live.settings.db_url)
    monkeypatch.setenv("CSOHELP_VAR_DIR", str(live.settings.var_dir))
    assert main(["requests", "show", reference]) == 0
    shown = json.loads(capsys.readouterr().out)
    digest = hashlib.sha256(PDF).hexdigest()
    assert shown["attachments"] == [{
        "name": "x.pdf", "type": "application/pdf", "size": len(PDF), "sha256": digest,
        "path": str(Path(live.settings.var_dir) / "attachments" / digest[:2] / digest), "present": True}]


def test_without_forwarding_the_pages_do_not_claim_it_and_the_log_says_so(built_project, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    with live_server_for(settings_for(built_project, tmp_path, var_dir=tmp_path / "var")) as live, \
            httpx.Client(base_url=live.url, timeout=10) as client:
        form = client.get("/en/request/").text
        hidden = open_form(client, "/en/request/")
        done = client.post("/en/request/", data={**FORM, **hidden})
        page = client.get(done.headers["location"]).text
    assert "FORWARDING IS NOT CONFIGURED" in caplog.text
    assert "forwards it" not in form and "A copy of your request" not in form
    assert "It has not been forwarded to CSOL yet." in page
    assert "will be forwarded" not in page and "A copy of your request" not in page


def test_the_summary_is_shown_only_to_the_browser_that_sent_it(mail):
    live, _ = mail
    with httpx.Client(base_url=live.url, timeout=10) as client:
        hidden = open_form(client, "/en/request/")
        done = client.post("/en/request/", data={**FORM, **hidden, "subject": "<img src=x onerror=alert(1)>"})
        mine = client.get(done.headers["location"]).text
    assert "&lt;img src=x onerror=alert(1)&gt;" in mine and "<img src=x" not in mine
    with httpx.Client(base_url=live.url, timeout=10) as stranger:
        theirs = stranger.get(done.headers["location"]).text
    assert 'id="req-reference"' in theirs and "What you sent" not in theirs and "jo@acme.ca" not in theirs


class PickyInbox:
    """An aiosmtpd handler that refuses the requester's address with `code` and keeps the rest."""

    def __init__(self, code: str):
        self.code = code
        self.delivered: list[list[str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if address == "jo@acme.ca":
            return self.code
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        self.delivered.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.mark.parametrize(("code", "status", "csol_copies"), [
    ("550 5.1.1 no such user", "sent", 1),  # refused for good: logged, CSOL's copy is not held back
    ("451 4.3.0 try again later", "queued", 1),  # temporary: the step is retried (at-least-once)
])
def test_a_refused_receipt_never_holds_back_csols_copy(tmp_path, code, status, csol_copies):
    port = free_port()
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    reference = store.submit(DATA).reference
    handler = PickyInbox(code)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        report = forward_due(store, SmtpConfig("127.0.0.1", port, "aide@cso.example.ca", CSOL, timeout=5,
                                               receipts=True))
    finally:
        controller.stop()
    assert store.get(reference).status == status
    assert (report.sent, report.failed) == (([reference], []) if status == "sent" else ([], [reference]))
    assert handler.delivered == [[CSOL]] * csol_copies
    store.close()


def test_prune_files_removes_only_old_unreferenced_files(mail, monkeypatch, capsys):
    live, _ = mail
    with httpx.Client(base_url=live.url, timeout=10) as client:
        hidden = open_form(client, "/en/request/")
        done = client.post("/en/request/", data={**FORM, **hidden},
                           files=[("attachments", ("kept.pdf", PDF + b"kept", "application/pdf"))])
        assert done.status_code == 303
    files = FileStore(Path(live.settings.var_dir) / "attachments")
    referenced = hashlib.sha256(PDF + b"kept").hexdigest()
    old_orphan, new_orphan = files.put(PNG + b"old"), files.put(PNG + b"new")
    week_ago = time.time() - 7 * 86400
    for digest in (referenced, old_orphan):
        os.utime(files.path(digest), (week_ago, week_ago))
    monkeypatch.setenv("CSOHELP_DB", live.settings.db_url)
    monkeypatch.setenv("CSOHELP_VAR_DIR", str(live.settings.var_dir))
    assert main(["requests", "prune-files", "--days", "2"]) == 0
    assert capsys.readouterr().out.startswith("removed 1 unreferenced file(s)")
    assert files.read(old_orphan) is None
    assert files.read(referenced) == PDF + b"kept" and files.read(new_orphan) == PNG + b"new"


@pytest.mark.parametrize(("query", "first"), [
    ("?topic=invoice-dispute", "references.invoice"),
    ("?request_type=contracts", "contract_number"),
    ("?request_type=serial-lookup", "references.machine"),
    ("?request_type=other", "subject"),
    ("?request_type=%3Cscript%3E", "subject"),
    ("", "subject"),
])
def test_without_javascript_the_form_follows_the_type_and_keeps_every_field(mail, query, first):
    live, _ = mail
    html = httpx.get(f"{live.url}/en/request/{query}", timeout=10).text
    fields = re.findall(r'data-field="([^"]+)"', html)
    assert fields[:2] == ["request_type", first]
    assert sorted(fields) == sorted([
        "request_type", "subject", "description", "references.invoice", "references.order", "contract_number",
        "references.machine", "attachments", "company", "customer_number", "contact_name", "email", "phone",
        "language", "business"])
    assert 'enctype="multipart/form-data"' in html and "<script>" not in html.split("csohelp-request")[1]
