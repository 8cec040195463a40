"""The request API and the no-JavaScript form against a real server: safety and the full flow."""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from conftest import LiveServer, free_port
from test_requests_forward import SmtpServer

from csohelp.db import MAX_SEQ, open_store
from csohelp.web.settings import Settings

GOOD = {"request_type": "billing", "company": "Acme Ltée", "contact_name": "Jo Tremblay",
        "email": "jo@acme.ca", "language": "en", "subject": "Invoice sent twice",
        "description": "Invoice 42 came twice.", "business": True}
FORM = {**{k: v for k, v in GOOD.items() if k != "business"}, "business": "on", "phone": "",
        "customer_number": "", "references.invoice": "INV-42", "references.order": "",
        "references.machine": ""}


def settings_for(project: Path, tmp: Path, **overrides: object) -> Settings:
    values = {"db_url": f"sqlite:///{tmp / 'requests.db'}", "rate_limit": 0, "smtp_host": None,
              "smtp_to": None, "trusted_proxies": ()}
    return Settings.from_env(root=project, **{**values, **overrides})


def live_server_for(settings: Settings) -> LiveServer:
    """A LiveServer that, like production should, leaves X-Forwarded-For to our settings.

    uvicorn's own proxy_headers trusts 127.0.0.1 by default and would rewrite the client first.
    """
    live = LiveServer(settings)
    live.server.config.proxy_headers = False
    return live


def rows(server: LiveServer) -> list[tuple]:
    db = sqlite3.connect(server.settings.db_url[len("sqlite:///"):])
    try:
        return db.execute("SELECT reference, data FROM requests ORDER BY id").fetchall()
    finally:
        db.close()


@pytest.fixture(scope="module")
def server(built_project, tmp_path_factory):
    with live_server_for(settings_for(built_project, tmp_path_factory.mktemp("db"))) as live:
        yield live


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=10) as c:
        yield c


def open_form(client: httpx.Client, path: str = "/en/request/") -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    return {"csrf_token": token, "idempotency_key": key}


def test_the_api_stores_a_request_and_answers_201(server, client):
    answer = client.post("/api/requests", json=GOOD)
    assert answer.status_code == 201 and "location" not in answer.headers  # no public GET of a request
    reference = answer.json()["reference"]
    assert answer.json() == {"reference": reference, "status": "queued"}
    assert re.fullmatch(r"CSOL-\d{4}-\d{6}", reference)
    assert reference in [r[0] for r in rows(server)]  # committed before the answer


@pytest.mark.parametrize(("lang", "message"), [
    ("fr", "Entrez une adresse courriel valide, par exemple nom@entreprise.ca."),
    ("en", "Enter a valid email address, for example name@company.ca."),
])
def test_api_errors_are_per_field_in_the_clients_language(client, lang, message):
    answer = client.post("/api/requests", json={**GOOD, "email": "nope"}, headers={"Accept-Language": lang})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"email": message}


@pytest.mark.parametrize(("body", "content_type", "status"), [
    (b"{not json", "application/json", 400),
    (b"\xff\xfe", "application/json", 400),
    (b"company=Acme", "application/x-www-form-urlencoded", 415),
    (b"[" * 30_000, "application/json", 400),  # deeper than Python's recursion limit
])
def test_api_rejects_what_is_not_a_json_object(client, body, content_type, status):
    answer = client.post("/api/requests", content=body, headers={"Content-Type": content_type})
    assert answer.status_code == status and answer.json()["status"] == status


def test_the_same_idempotency_key_gives_the_same_reference_and_one_row(server, client):
    before = len(rows(server))
    first = client.post("/api/requests", json=GOOD, headers={"Idempotency-Key": "retry-7f3a"})
    second = client.post("/api/requests", json=GOOD, headers={"Idempotency-Key": "retry-7f3a"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second.headers["Idempotent-Replayed"] == "true"
    assert len(rows(server)) == before + 1


def test_the_form_without_javascript_keeps_values_shows_errors_then_confirms(server, client):
    hidden = open_form(client)
    bad = {**FORM, **hidden, "email": "jo@", "company": "<script>alert(1)</script>", "business": ""}
    del bad["business"]
    page = client.post("/en/request/", data=bad)
    assert page.status_code == 422
    html = page.text
    assert 'role="alert"' in html and 'href="#req-email"' in html
    assert re.search(r'id="req-email-error">.*Enter a valid email address', html)
    assert 'aria-describedby="req-email-help req-email-error" aria-invalid="true"' in html
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in html and "<script>alert(1)" not in html
    assert 'value="Invoice sent twice"' in html and 'value="INV-42"' in html
    assert "Invoice 42 came twice.</textarea>" in html
    assert 'id="req-business-error"' in html
    fixed = {**FORM, **hidden}
    done = client.post("/en/request/", data=fixed)
    assert done.status_code == 303
    confirmation = client.get(done.headers["location"])
    reference = re.search(r'id="req-reference">(CSOL-\d{4}-\d{6})<', confirmation.text).group(1)
    assert done.headers["location"] == f"/en/request/?sent={reference}"
    assert "1-866-880-CSOL (1-866-880-2765)" in confirmation.text  # English format
    assert 'href="http://www.ibm.com/support/operations"' in confirmation.text
    assert "<title>Request recorded - " in confirmation.text
    # A double click (the same form posted again) gives the same reference, not a second row.
    again = client.post("/en/request/", data=fixed)
    assert again.headers["location"] == done.headers["location"]
    assert [r[0] for r in rows(server)].count(reference) == 1


def test_a_made_up_confirmation_reference_shows_the_form(client):
    page = client.get("/request/?sent=CSOL-1999-000001")
    assert page.status_code == 200 and 'id="req-form"' in page.text and "CSOL-1999" not in page.text


@pytest.mark.parametrize(("topic", "request_type"), [("invoice-dispute", "invoice-dispute"),
                                                     ("serial-lookup", "serial-lookup")])
def test_a_topic_preselects_the_request_type_and_is_named(client, topic, request_type):
    html = client.get(f"/request/?topic={topic}").text
    assert f'<option value="{request_type}" selected>' in html
    assert f'name="topic" value="{topic}"' in html
    named = r'class="csohelp-topic">Votre demande porte sur le sujet\u00a0: <a href="/[a-z]+/'
    assert re.search(named + topic, html)


def test_an_unknown_topic_is_ignored(client):
    html = client.get("/request/?topic=%3Cscript%3E").text
    assert 'name="topic"' not in html and "<script>" not in html.split("csohelp-request")[1]


@pytest.mark.parametrize("case", ["no-cookie", "wrong-token", "foreign-origin"])
def test_csrf_failures_store_nothing(server, client, case):
    hidden = open_form(client, "/request/")
    data = {**FORM, **hidden}
    headers = {}
    if case == "no-cookie":
        client.cookies.clear()
    elif case == "wrong-token":
        data["csrf_token"] = "x" * 43
    else:
        headers["Origin"] = "https://evil.example"
    before = len(rows(server))
    page = client.post("/request/", data=data, headers=headers)
    assert page.status_code == 403
    assert "Votre session a expiré" in page.text and 'value="Acme Ltée"' in page.text
    assert len(rows(server)) == before


def test_the_honeypot_stores_nothing(server, client):
    hidden = open_form(client)
    before = len(rows(server))
    page = client.post("/en/request/", data={**FORM, **hidden, "website": "http://spam.example"})
    assert page.status_code == 400 and "could not be sent" in page.text
    assert 'name="website" value=""' in page.text  # a person can simply send again
    assert len(rows(server)) == before


@pytest.mark.parametrize("chunked", [False, True])
def test_bodies_over_32_kb_are_413(server, client, chunked):
    body = b'{"description": "' + b"x" * 40_000 + b'"}'
    before = len(rows(server))
    content = iter([body[:20_000], body[20_000:]]) if chunked else body
    answer = client.post("/api/requests", content=content, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json()["status"] == 413
    assert len(rows(server)) == before


def test_security_headers_are_on_every_response(client):
    for path in ("/", "/en/request/", "/healthz", "/no/such/page/", "/assets/csohelp-request.js"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
    csp = client.get("/en/request/").headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in csp and "'unsafe-inline'" not in csp
    assert "object-src 'none'" in csp and "form-action 'self'" in csp


def test_the_rate_limit_answers_429_in_the_pages_language(built_project, tmp_path):
    with live_server_for(settings_for(built_project, tmp_path, rate_limit=2)) as live, \
            httpx.Client(base_url=live.url, timeout=10) as client:
        statuses = [client.post("/api/requests", json=GOOD, headers={"Accept-Language": "en"}).status_code
                    for _ in range(3)]
        assert statuses == [201, 201, 429]
        # X-Forwarded-For from a peer that is not a trusted proxy changes nothing.
        spoofed = client.post("/api/requests", json=GOOD, headers={"X-Forwarded-For": "203.0.113.9"})
        assert spoofed.status_code == 429 and int(spoofed.headers["Retry-After"]) >= 1
        assert spoofed.json()["error"] == "Trop de demandes\u00a0: attendez une minute, puis réessayez."
        hidden = open_form(client, "/request/")
        page = client.post("/request/", data={**FORM, **hidden})
        assert page.status_code == 429 and "Attendez une minute" in page.text
        assert 'value="Acme Ltée"' in page.text
        assert len(rows(live)) == 2


def test_a_store_that_cannot_store_is_a_503_with_the_values_kept(built_project, tmp_path):
    settings = settings_for(built_project, tmp_path)
    store = open_store(settings.db_url)
    store.submit(GOOD)
    store.close()
    with sqlite3.connect(tmp_path / "requests.db") as db:  # this year's numbers are used up
        db.execute("UPDATE requests SET seq = ?", (MAX_SEQ,))
    with live_server_for(settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        answer = client.post("/api/requests", json=GOOD, headers={"Accept-Language": "en"})
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "60"
        assert answer.json()["error"].startswith("Your request could not be saved right now.")
        page = client.post("/request/", data={**FORM, **open_form(client, "/request/")})
        assert page.status_code == 503 and "pas pu être enregistrée" in page.text
        assert 'value="Acme Ltée"' in page.text
        assert len(rows(live)) == 1


def test_forwarded_for_counts_only_behind_a_trusted_proxy(built_project, tmp_path):
    settings = settings_for(built_project, tmp_path, rate_limit=1, trusted_proxies=("127.0.0.0/8",))
    with live_server_for(settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        def post(client_ip: str) -> int:
            return client.post("/api/requests", json=GOOD,
                               headers={"X-Forwarded-For": f"{client_ip}, 127.0.0.1"}).status_code

        assert [post("198.51.100.1"), post("198.51.100.2"), post("198.51.100.1")] == [201, 201, 429]


def test_the_server_forwards_in_the_background_and_logs_only_references(built_project, tmp_path, caplog):
    port = free_port()
    settings = settings_for(built_project, tmp_path, smtp_host="127.0.0.1", smtp_port=port,
                            smtp_to="csol-intake@example.ca", smtp_from="aide@cso.example.ca")
    caplog.set_level(logging.DEBUG)
    with SmtpServer(port) as inbox, live_server_for(settings) as live, \
            httpx.Client(base_url=live.url, timeout=10) as client:
        reference = client.post("/api/requests", json=GOOD).json()["reference"]
        deadline = time.monotonic() + 10
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    # To CSOL: the request (the requester's receipt comes after it, see test_requests_browser).
    to_csol = [m for m in inbox.messages if m["To"] == "csol-intake@example.ca"]
    assert [m["X-CSOL-Reference"] for m in to_csol] == [reference]
    # Everything our process logged; mail.log is the test's own SMTP server, it prints the message.
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert reference in logged
    for secret in ("jo@acme.ca", "Acme", "Tremblay", "Invoice 42"):
        assert secret not in logged
