"""Issue 9, done-when: hostile input in every field of the API and the form, delivered by SMTP.

Every example goes through a real server whose outbox worker forwards to aiosmtpd on loopback:
no 5xx, no header but ours in any delivered message, and every accepted request delivered with
the client's text in the body.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
import pytest
from conftest import free_port
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_requests_forward import SmtpServer
from test_requests_web import live_server_for, settings_for

from csohelp.db import open_store

EXPECTED = {"From", "To", "Reply-To", "Subject", "Message-ID", "Date", "Content-Language",
            "X-CSOL-Reference", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"}
NASTY = ["=?utf-8?q?a=0D=0ABcc:_x@evil.example?=", "=?utf-8?b?DQpCY2M6IHhAZXZpbC5leGFtcGxl?=",
         "\r\nBcc: x@evil.example", "\n", "\r", "\x85", "\u2028", "\u202e", "\u2066", "\x9b", "\x00",
         "\x1b[2J", "\t", ";=1+1;", '"', ",", "<a@b.ca>", "é", "😀", " ", "=?", "?=", "\\", "'",
         "%0D%0A", "Reply-To: y@evil.example", "--boundary", ".", "..", "@"]
piece = st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=8))
hostile = st.lists(piece, min_size=1, max_size=5).map("".join)
# Hostile but acceptable: what a header or a spreadsheet could misread, in text a client may send.
TRICKY = ['"', ",", "<a@b.ca>", "é", "😀", ";=1+1;", "Reply-To: y@evil.example", "--boundary", "\u202e",
          "%0D%0A", "?=", "\\", "'", "=?utf-8?q?x?", "Bcc:", "=0D=0A", "(comment)", "@", ":", "Ω" * 40]
printable = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1,
                    max_size=8)
tricky = st.lists(st.one_of(st.sampled_from(TRICKY), printable), min_size=1, max_size=5).map("".join)
BASE = {"request_type": "billing", "company": "Acme Ltée", "contact_name": "Jo Tremblay",
        "email": "jo@acme.ca", "language": "fr", "subject": "Facture en double",
        "description": "La facture 42 est arrivée deux fois.", "customer_number": "1234567",
        "phone": "613-555-0123", "topic": "invoice-dispute"}
ODD = st.one_of(st.integers(), st.none(), st.booleans(), st.lists(st.text(max_size=3), max_size=2))


def field(name: str) -> st.SearchStrategy[Any]:
    base = BASE[name]
    options = [hostile, hostile.map(lambda s: base + s), tricky, tricky.map(lambda s: base + " " + s),
               tricky.map(lambda s: s + " " + base)]
    if name == "email":
        options += [hostile.map(lambda s: f"jo{s}@acme.ca"), hostile.map(lambda s: f"{s}@acme.ca")]
    return st.one_of(*options, ODD) if name != "email" else st.one_of(*options)


FIELDS = [*BASE, "business", "references.invoice", "references.order", "references.machine"]


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """A good request with one to three fields made hostile (so that many are still accepted)."""
    data: dict[str, Any] = {**BASE, "business": True, "references": {"invoice": "INV-42"}}
    for name in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True)):
        if name == "business":
            data[name] = draw(st.sampled_from([False, "on", None, 1, "true"]))
        elif name.startswith("references."):
            data["references"][name.split(".")[1]] = draw(st.one_of(hostile, ODD))
        else:
            data[name] = draw(field(name))
    return data


@pytest.fixture(scope="module")
def system(built_project, tmp_path_factory):
    port = free_port()
    tmp = tmp_path_factory.mktemp("fuzz")
    config = settings_for(built_project, tmp, smtp_host="127.0.0.1", smtp_port=port,
                          smtp_to="csol-intake@example.ca", smtp_from="aide@cso.example.ca",
                          forward_interval=0.2)
    with SmtpServer(port) as inbox, live_server_for(config) as live, \
            httpx.Client(base_url=live.url, timeout=10) as client:
        store = open_store(config.db_url)
        yield client, inbox, store
        store.close()


def submit(client: httpx.Client, data: dict[str, Any], form: bool) -> str | None:
    """Post through the API or the form; the reference if accepted, None if refused (4xx)."""
    if not form:
        answer = client.post("/api/requests", json=data)
        assert answer.status_code in (201, 400, 422), (answer.status_code, answer.text[:300])
        return answer.json()["reference"] if answer.status_code == 201 else None
    page = client.get("/request/")
    fields = {k: v for k, v in data.items() if k not in ("references", "business")}
    fields.update({f"references.{k}": v for k, v in (data.get("references") or {}).items()})
    fields = {k: "" if v is None else str(v) for k, v in fields.items()}
    fields["business"] = "on" if data.get("business") in (True, "on", 1) else ""
    fields["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    fields["idempotency_key"] = uuid.uuid4().hex
    answer = client.post("/request/", data=fields)
    assert answer.status_code in (303, 400, 422), (answer.status_code, answer.text[:300])
    return answer.headers["location"].split("sent=")[1] if answer.status_code == 303 else None


def delivered(inbox: Any, store: Any, reference: str) -> Any:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [m for m in inbox.messages if m["X-CSOL-Reference"] == reference]
        if found:
            return found
        time.sleep(0.02)
    record = store.get(reference)
    pytest.fail(f"{reference} not delivered: {record.status if record else 'missing'}, "
                f"{record.last_error if record else ''}")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=requests(), form=st.booleans())
def test_hostile_fields_never_inject_headers_or_5xx(system, data, form):
    client, inbox, store = system
    reference = submit(client, data, form)
    event("accepted" if reference else "refused")
    if reference is None:
        return
    (message,) = delivered(inbox, store, reference)
    assert set(message.keys()) == EXPECTED and len(message.keys()) == len(EXPECTED)
    stored = store.get(reference).data
    assert [a.addr_spec for a in message["Reply-To"].addresses] == [stored["email"]]
    assert [a.addr_spec for a in message["To"].addresses] == ["csol-intake@example.ca"]
    assert message["Subject"].endswith(stored["subject"]) and reference in message["Subject"]
    body = message.get_content()
    for name in ("company", "contact_name", "email", "subject", "description"):
        assert stored[name] in body, name
