"""Issue 9, item 1: no client text is ever parsed as a header (delivered through aiosmtpd)."""

from __future__ import annotations

import email
import email.policy

import pytest
from test_requests_forward import DATA, SmtpServer

from csohelp.requests.forward import forward_due
from csohelp.requests.mail import MailError, compose

EXPECTED = {"From", "To", "Reply-To", "Subject", "Message-ID", "Date", "Content-Language",
            "X-CSOL-Reference", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"}
HOSTILE = [
    "=?utf-8?q?Invoice=0D=0AReply-To:=20attacker@evil.example?=",
    "=?utf-8?b?SW52b2ljZQ0KQmNjOiBhdHRhY2tlckBldmlsLmV4YW1wbGU=?=",
    "x =?UTF-8?Q?=0D=0A=0D=0Afake body?= y",
    "=?iso-8859-1?q?=0ABcc:_a@evil.example?=",
    "=?utf-8?q?a?= =?utf-8?q?=0D=0ABcc:b@evil.example?=",
    "Jö, x@evil.example",
    'Jo "Boss", <y@evil.example>',
    "a\u2028Bcc: z@evil.example",
    "Ω" * 150 + " =?utf-8?q?=0D=0ABcc:w@evil.example?=",
]








def parsed(message: email.message.Message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("field", ["subject", "contact_name", "company", "description"])
def test_hostile_text_is_delivered_as_text_with_exactly_our_headers(store, config, port, field, text):
    ref = store.submit({**DATA, field: text}).reference
    with SmtpServer(port) as inbox:
        assert forward_due(store, config).sent == [ref]
    (raw,) = inbox.messages
    msg = parsed(raw)
    assert set(msg.keys()) == EXPECTED and len(msg.keys()) == len(EXPECTED)
    # Python's parser puts a space between two encoded words of a name (RFC 2047 readers do not).
    name = DATA["contact_name"] if field != "contact_name" else text.replace("\u2028", " ")
    assert [(a.display_name.replace(" ", ""), a.addr_spec) for a in msg["Reply-To"].addresses] == [
        (name.replace(" ", ""), DATA["email"])]
    assert [a.addr_spec for a in msg["To"].addresses] == ["csol-intake@example.ca"]
    subject = text.replace("\u2028", " ") if field == "subject" else DATA["subject"]
    assert msg["Subject"] == f"[{ref}] Demande de service\u00a0: {subject}"
    body = msg.get_content()
    assert text.replace("\r\n", "\n") in body and DATA["description"] in body or field == "description"
    assert "Bcc" not in msg and len(msg.defects) == 0


@pytest.mark.parametrize("addr", ["a@b.ca>, evil@x.example", "=?utf-8?q?x?=@evil.example",
                                  "a@b.ca\r\nBcc: e@x.example", "a b@c.ca", '"a"@b.ca'])
def test_an_address_that_is_not_plain_never_reaches_a_header(addr):
    with pytest.raises(MailError):
        compose(subject="s", sender=("CSO", "aide@cso.example.ca"), to="x@y.ca", reply_to=("n", addr),
                body="b", language="fr-CA", message_id="<1@x>")
