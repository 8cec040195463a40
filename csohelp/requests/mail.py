"""Building the emails the help center sends, so that no client text is ever parsed as a header.

Every header is written from a value we encoded ourselves: client text always goes out as
RFC 2047 encoded words (base64/Q of UTF-8), so a `=?utf-8?q?...=0D=0A...?=` typed by a client
is encoded again and reads back as the literal text it was, never as a line break. The message
is an `email.message.Message` with the compat32 policy: it stores header strings as given and
never decodes them (the modern policy parses every value it is given, which is where encoded
words were decoded and, before CPython 3.11.10 / 3.12.5, written back unfolded: CVE-2024-6923).
The body is base64 UTF-8: client text in it can never start a header or a MIME part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.charset import BASE64, Charset
from email.encoders import encode_base64
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.utils import formatdate

# Header names we write: nothing else may appear in a message (tests check the exact set).
HEADERS = ("From", "To", "Reply-To", "Subject", "Message-ID", "Date", "Content-Language",
           "X-CSOL-Reference", "Auto-Submitted", "MIME-Version", "Content-Type",
           "Content-Transfer-Encoding")
# What a bare address may be made of: the request model validates more strictly; this is the
# last line of defence (no space, comma, angle bracket, quote, `=?` or line break).
ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$")
# Only machine-made values (references, message ids, language tags) go out unencoded.
TOKEN = re.compile(r"^[\x21-\x7e]+(?: [\x21-\x7e]+)*$")
# Breaks that a reader could take for the end of a header line, once decoded.
BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = BASE64


class MailError(ValueError):
    """A value that cannot be put in a header safely (a bug upstream: validation refuses it)."""


def encoded(text: str) -> str:
    """Client text as encoded words only (ASCII, no line break), whatever it contains."""
    # Header(..., "utf-8") never leaves text unencoded; joining the folded lines with a space
    # keeps one logical line (the generator refolds at its own length).
    # Short words (60): with "Reply-To: " in front a line stays under 78, so no fold comes first.
    text = BREAKS.sub(" ", text)  # validation refuses them; a header is one line regardless
    return Header(text, "utf-8", maxlinelen=60).encode(linesep="\n").replace("\n", "")


def address(addr: str) -> str:
    """A bare address, checked (never quoted, never decoded)."""
    if "=?" in addr or not ADDRESS.match(addr):
        raise MailError("address not safe for a header")
    return addr


def mailbox(name: str, addr: str) -> str:
    """`=?utf-8?...?= <addr>`: the name as encoded words, so a comma or `<` in it stays text."""
    return f"{encoded(name)} <{address(addr)}>" if name else address(addr)


def token(value: str) -> str:
    """A machine-made header value (reference, Message-ID): printable ASCII, one line."""
    if not TOKEN.match(value):
        raise MailError("header value not safe")
    return value


def compose(*, subject: str, sender: tuple[str, str], to: str, reply_to: tuple[str, str] | None,
            body: str, language: str, message_id: str, extra: dict[str, str] | None = None,
            files: Sequence[tuple[str, str, bytes]] = ()) -> Message:
    """A text/plain UTF-8 message with exactly the headers in HEADERS (those given).

    `subject`, the names and `body` may hold anything; addresses must be plain addresses;
    `extra` values are machine-made tokens (e.g. X-CSOL-Reference). `files` (name, MIME type,
    bytes) make it multipart/mixed: the text first, then each file in base64.
    """
    msg = Message()
    msg["From"] = mailbox(*sender)
    msg["To"] = address(to)
    if reply_to is not None:
        msg["Reply-To"] = mailbox(*reply_to)
    msg["Subject"] = encoded(subject)
    msg["Message-ID"] = token(message_id)
    msg["Date"] = formatdate(localtime=False)
    msg["Content-Language"] = token(language)
    for name, value in (extra or {}).items():
        if name not in HEADERS:
            raise MailError(f"unexpected header {name}")
        msg[name] = token(value)
    msg["MIME-Version"] = "1.0"
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    if not files:
        msg.set_payload(text, _UTF8)
        return msg
    msg["Content-Type"] = "multipart/mixed"  # the generator adds a boundary no part contains
    part = Message()
    part.set_payload(text, _UTF8)
    msg.attach(part)
    for name, mime, content in files:
        maintype, _, subtype = mime.partition("/")
        attached = MIMEBase(maintype, subtype)
        attached.set_payload(content)
        encode_base64(attached)
        # RFC 2231 parameter (utf-8''...): the name is percent-encoded, never an encoded word.
        attached.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        msg.attach(attached)
    return msg
