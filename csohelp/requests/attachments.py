"""Files a client attaches to a request: checked by their bytes, stored durably outside the site.

A file is accepted only if its first bytes are those of a PDF, PNG or JPEG (its name and the
type the browser declares are ignored), it is not empty and at most 5 MB, and at most three
come with one request. Accepted files are written content-addressed (the SHA-256 of their
bytes names them) under var/attachments/ or CSOHELP_ATTACHMENTS, fsync'd before the request
that references them is committed; the request's data keeps only {name, type, size, sha256},
so the store's schema does not change.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
# Magic numbers: what the file is, whatever it is called.
MAGIC: dict[str, tuple[bytes, str]] = {
    "application/pdf": (b"%PDF-", ".pdf"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
}
EXTENSIONS = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_NAME = 100
Problems = dict[str, tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Attachment:
    """One stored file as the request's data refers to it."""

    name: str
    type: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape kept in the request's data."""
        return asdict(self)


def sniff(content: bytes) -> str | None:
    """The file's type from its first bytes, or None when it is none of the accepted ones."""
    for mime, (magic, _) in MAGIC.items():
        if content.startswith(magic):
            return mime
    return None


def clean_name(name: str) -> str:
    """The client's file name made safe for a page, a terminal and a MIME header.

    Only the last path component is kept; letters, digits, space and . _ - ( ) survive, the
    rest becomes _ (so no "=?" encoded word, no quote, no control or bidi character).
    """
    name = unicodedata.normalize("NFC", re.split(r"[\\/]", name or "")[-1])
    name = "".join(c if (c.isalnum() or c in " ._-()") and c.isprintable() else "_" for c in name)
    return re.sub(r"\s+", " ", name).strip(" ._")[:MAX_NAME] or "file"


def safe_name(name: str, mime: str) -> str:
    """clean_name(), ending in the extension of the file's real type (a PNG never reads .pdf)."""
    name = clean_name(name)
    stem, dot, ext = name.rpartition(".")
    extension = "." + ext.lower() if dot and EXTENSIONS.get("." + ext.lower()) == mime else MAGIC[mime][1]
    if not (dot and EXTENSIONS.get("." + ext.lower()) == mime):
        stem = name  # invoice.pdf that is a PNG becomes invoice.pdf.png
    return stem[: MAX_NAME - len(extension)] + extension


def check_files(files: Sequence[tuple[str, bytes]], kept: Sequence[Attachment] = ()
                ) -> tuple[list[tuple[Attachment, bytes]], Problems]:
    """Accepted (attachment, bytes) pairs and the problems, in the model's {field: (kind, ctx)} shape.

    `files` are (client file name, bytes read up to MAX_FILE_BYTES + 1); `kept` are files
    accepted by an earlier try of the same form, counted against the limit of three. Every
    problem is reported at once: attachments.size, attachments.type, attachments.count.
    """
    accepted: list[tuple[Attachment, bytes]] = []
    too_large: list[str] = []
    wrong: list[str] = []
    for name, content in files:
        if len(content) > MAX_FILE_BYTES:
            too_large.append(clean_name(name))
            continue
        mime = sniff(content)
        if mime is None:  # empty, or not what we accept, whatever its name says
            wrong.append(clean_name(name))
            continue
        digest = hashlib.sha256(content).hexdigest()
        if digest in {a.sha256 for a, _ in accepted} | {a.sha256 for a in kept}:
            continue  # the same file twice is one attachment
        accepted.append((Attachment(safe_name(name, mime), mime, len(content), digest), content))
    problems: Problems = {}
    if too_large:
        problems["attachments.size"] = ("too_large", {"names": ", ".join(too_large)})
    if wrong:
        problems["attachments.type"] = ("file_type", {"names": ", ".join(wrong)})
    room = max(MAX_FILES - len(kept), 0)
    if len(accepted) > room:
        accepted = accepted[:room]
        problems["attachments.count"] = ("too_many", {"max_files": MAX_FILES})
    return accepted, problems


def files_dir(var_dir: Path | str) -> Path:
    """Where attachments live: CSOHELP_ATTACHMENTS, else var/attachments (never inside the site)."""
    configured = os.environ.get("CSOHELP_ATTACHMENTS")
    return Path(configured) if configured else Path(var_dir) / "attachments"


class FileStore:
    """Content-addressed files: <root>/<first two hex digits>/<sha256>, written durably."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the file with this digest is (or would be)."""
        if not SHA256.match(sha256):
            raise ValueError("not a SHA-256 digest")
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> str:
        """Write `content` (if not already there) and fsync it and its folder; its SHA-256."""
        digest = hashlib.sha256(content).hexdigest()
        final = self.path(digest)
        if final.exists() and final.stat().st_size == len(content):
            os.utime(final)  # in use again: prune() leaves recent files alone
            return digest  # same bytes, same name: already durable
        final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = final.parent / f".tmp-{secrets.token_hex(8)}"
        try:
            with open(tmp, "xb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, final)  # atomic: a reader sees no file or the whole file
        finally:
            tmp.unlink(missing_ok=True)
        for folder in (final.parent, self.root):
            _fsync_dir(folder)
        return digest

    def read(self, sha256: str) -> bytes | None:
        """The file's bytes if present and intact (its digest checked), else None."""
        try:
            content = self.path(sha256).read_bytes()
        except (OSError, ValueError):
            return None
        return content if hashlib.sha256(content).hexdigest() == sha256 else None

    def kept(self, values: Iterable[str]) -> list[Attachment]:
        """Files accepted by an earlier try of the form ("sha256:name" values), re-checked on disk."""
        out: list[Attachment] = []
        for value in values:
            digest, _, name = value.partition(":")
            content = self.read(digest) if SHA256.match(digest) else None
            mime = sniff(content) if content else None
            if mime and digest not in {a.sha256 for a in out}:
                out.append(Attachment(safe_name(name, mime), mime, len(content or b""), digest))
        return out[:MAX_FILES]


    def prune(self, referenced: set[str], older_than: float, now: float) -> list[str]:
        """Delete files no request refers to, last written before `now - older_than` s; their digests.

        They come from forms sent back with an error and never completed: personal documents
        that must not stay forever. A recent file may belong to a form being corrected.
        """
        removed = []
        for path in sorted(self.root.glob("??/*")):
            if SHA256.match(path.name) and path.name not in referenced:
                try:
                    if path.stat().st_mtime < now - older_than:
                        path.unlink()
                        removed.append(path.name)
                except FileNotFoundError:  # another prune got there first
                    continue
        return removed


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load_files(attachments: Iterable[dict[str, Any]] | None,
               store: FileStore | None) -> tuple[list[tuple[str, str, bytes]], list[str]]:
    """The request's files for the message to CSOL as (name, type, bytes); and the names missing.

    A file is sent with the type its bytes show, under a name safe_name() reduced to characters
    that cannot start an encoded word (mail.compose encodes it as an RFC 2231 parameter).
    """
    files: list[tuple[str, str, bytes]] = []
    missing: list[str] = []
    for item in attachments or ():
        content = store.read(str(item.get("sha256", ""))) if store else None
        mime = sniff(content) if content else None
        name = safe_name(str(item.get("name", "")), mime or "application/pdf")
        if content is None or mime is None:
            missing.append(name)
            continue
        files.append((name, mime, content))
    return files, missing


def describe(attachments: Iterable[dict[str, Any]] | None, lang: str) -> str:
    """One line listing the files: "a.pdf (120 Ko), b.png (2,1 Mo)"."""
    return ", ".join(f"{a.get('name')} ({human_size(int(a.get('size', 0)), lang)})"
                     for a in attachments or ())


def human_size(size: int, lang: str) -> str:
    """Bytes as Ko/Mo (fr) or KB/MB (en), with the language's decimal mark."""
    if size >= 1024 * 1024:
        text, unit = f"{size / (1024 * 1024):.1f}", ("Mo" if lang == "fr" else "MB")
    else:
        text, unit = str(max(1, round(size / 1024))), ("Ko" if lang == "fr" else "KB")
    return (text.replace(".", ",") if lang == "fr" else text) + "\u00a0" + unit
