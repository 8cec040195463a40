"""Safety on every response and every submission: headers, body limit, rate limit, CSRF, client IP."""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..csp import inline_script_hashes, read_hashes
from ..errors import CsohelpError
from .lang import path_lang

MAX_BODY = 32 * 1024
# The request form's POST carries up to 3 files of 5 MB (multipart): only there is the body larger.
FORM_POST_PATHS = frozenset({"/request/", "/en/request/"})
FORM_MAX_BODY = 3 * 5 * 1024 * 1024 + 256 * 1024
CSRF_COOKIE = "csohelp_csrf"
CSRF_FIELD = "csrf_token"
TOO_LARGE = {"fr": "Requête trop volumineuse : 32 Ko au plus.", "en": "Request too large: 32 KB at most."}


class InlineScripts:
    """SHA-256 hashes of the inline scripts of the built site (mkdocs-material has a few).

    The CSP allows exactly these and no other inline script; reloaded when a new build lands,
    from the file the build writes (csohelp/csp.py); a site built without it is scanned once,
    in a worker thread (about 1 s for 4,000 pages).
    """

    def __init__(self, site_dir: Path):
        self.site_dir = Path(site_dir)
        self._key: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self.sources = ""

    def _build_key(self) -> tuple[int, int]:
        # catalogue.json is written by every build: its inode changes when `site` is swapped.
        try:
            st = os.stat(self.site_dir / "catalogue.json")
        except FileNotFoundError:
            return (0, 0)
        return (st.st_ino, st.st_mtime_ns)

    def current(self) -> str | None:
        """The source list if it belongs to the published build (one stat), else None."""
        return self.sources if self._key == self._build_key() else None

    def refresh(self) -> str:
        """The CSP source list ('sha256-...' ...) for the current build, scanning it if it changed."""
        key = self._build_key()
        with self._lock:
            if key != self._key:  # not already loaded by the request we waited for
                hashes = read_hashes(self.site_dir)
                if hashes is None:
                    hashes = set()
                    for page in self.site_dir.rglob("*.html"):
                        try:
                            hashes |= inline_script_hashes(page.read_bytes())
                        except OSError:  # an old build deleted under our feet: the next key rescans
                            continue
                self.sources, self._key = " ".join(sorted(hashes)), key
            return self.sources


def page_csp(script_hashes: str) -> str:
    """The policy of HTML pages: our own files only, plus the site's known inline scripts."""
    return ("default-src 'self'; "
            f"script-src 'self' {script_hashes}".rstrip() + "; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


# Other responses (JSON, PDF, CSS...) run no script; a full policy would only break viewers.
OTHER_CSP = "frame-ancestors 'none'"
COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    # Not no-referrer: the `/` language negotiation relies on a same-origin Referer.
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityMiddleware:
    """Security headers on every response, and a 413 for bodies over `max_body` bytes."""

    def __init__(self, app: ASGIApp, site_dir: Path, max_body: int = MAX_BODY):
        self.app = app
        self.max_body = max_body
        self.scripts = InlineScripts(site_dir)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"content-security-policy"]
                content_type = dict(headers).get(b"content-type", b"")
                csp = OTHER_CSP
                if content_type.startswith(b"text/html"):
                    scripts = self.scripts.current()
                    if scripts is None:  # a new build: scan it off the event loop
                        scripts = await run_in_threadpool(self.scripts.refresh)
                    csp = page_csp(scripts)
                headers += COMMON_HEADERS + [(b"content-security-policy", csp.encode())]
                message = {**message, "headers": headers}
            await send(message)

        max_body = (FORM_MAX_BODY if scope.get("method") == "POST" and scope["path"] in FORM_POST_PATHS
                    else self.max_body)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_body):
            await self._too_large(scope, send_with_headers)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_body:
                    # A chunked body that lies about its size: the error handlers answer 413.
                    raise HTTPException(413, TOO_LARGE[path_lang(scope["path"])])
            return message

        await self.app(scope, limited_receive, send_with_headers)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        lang = path_lang(scope["path"])
        body = json.dumps({"status": 413, "error": TOO_LARGE[lang], "errors": {}},
                          ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def proxy_networks(trusted_proxies: Sequence[str]) -> list[Network]:
    """The trusted proxies as networks, parsed once (a typo fails at startup, not per request)."""
    networks = []
    for proxy in trusted_proxies:
        try:
            networks.append(ipaddress.ip_network(proxy, strict=False))
        except ValueError:
            raise CsohelpError(f"CSOHELP_TRUSTED_PROXIES: {proxy!r} is not an address or network") from None
    return networks


def client_ip(request: Request, networks: Sequence[Network]) -> str:
    """The client's address; X-Forwarded-For counts only when the peer is a trusted proxy."""
    peer = request.client.host if request.client else "unknown"

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in networks)

    if not networks or not trusted(peer):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    # From the right: the last address our own proxies did not add is the client.
    for hop in reversed(hops):
        if not trusted(hop):
            return hop
    return hops[0] if hops else peer


class RateLimiter:
    """At most `per_minute` hits per client in any 60 s window; 0 turns it off."""

    def __init__(self, per_minute: int, window: float = 60.0):
        self.per_minute, self.window = per_minute, window
        self._hits: dict[str, deque[float]] = {}
        self._pruned_at = float("-inf")
        self._lock = threading.Lock()

    def hit(self, client: str, now: float | None = None) -> float | None:
        """Count one hit; None if allowed, else the seconds to wait."""
        if self.per_minute <= 0:
            return None
        now = time.monotonic() if now is None else now
        with self._lock:
            # Forget idle clients so memory stays bounded; at most once a window, or many active
            # clients would make every hit walk the whole table.
            if len(self._hits) > 10_000 and now - self._pruned_at >= self.window:
                self._hits = {k: q for k, q in self._hits.items() if q and q[-1] > now - self.window}
                self._pruned_at = now
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(hits[0] + self.window - now, 1.0)
            hits.append(now)
            return None


def csrf_token(request: Request) -> str:
    """The visitor's CSRF token (double-submit: the same value in a cookie and the form)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    return token if re.fullmatch(r"[A-Za-z0-9_-]{32,64}", token) else secrets.token_urlsafe(32)


def set_csrf_cookie(response: Response, request: Request, token: str) -> None:
    """Send the token cookie: strict same-site, not readable by scripts."""
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")


def csrf_ok(request: Request, submitted: str | None) -> bool:
    """The form's token matches the cookie, and a browser-sent Origin is our own."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie.encode(), submitted.encode()):
        return False
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return origin.split("://", 1)[-1] == request.headers.get("host", "")
    return origin != "null"
