"""Safety on every response and every submission: headers, body limit, rate limit, CSRF, client IP."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..csp import inline_script_hashes, read_hashes
from ..db.limits import HitStore
from ..errors import CsohelpError
from .csrf import CSRF_COOKIE, CSRF_FIELD, csrf_ok, csrf_token, set_csrf_cookie
from .lang import path_lang

# The CSRF helpers live in csrf.py; these names stay importable from here.
__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "RateLimiter", "SecurityMiddleware", "client_ip", "csrf_ok",
           "csrf_token", "proxy_networks", "rate_key", "set_csrf_cookie"]

MAX_BODY = 32 * 1024
# The request form's POST carries up to 3 files of 5 MB (multipart): only there is the body larger.
FORM_POST_PATHS = frozenset({"/request/", "/en/request/"})
FORM_MAX_BODY = 3 * 5 * 1024 * 1024 + 256 * 1024
TOO_LARGE = {"fr": "Requête trop volumineuse : 32 Ko au plus.", "en": "Request too large: 32 KB at most."}
INTERNAL = {"fr": "Erreur interne du serveur : réessayez dans un moment.",
            "en": "Internal server error: try again in a moment."}
log = logging.getLogger(__name__)


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
    """Every response: security headers, redirects that never trust Host, HEAD answered as GET.

    Also a 413 for bodies over `max_body` bytes, and the one JSON error shape (with the
    headers) for any unhandled error: Starlette's own 500 comes from its outermost layer, past
    every middleware, as bare text.
    """

    def __init__(self, app: ASGIApp, site_dir: Path, max_body: int = MAX_BODY,
                 public_url: str | None = None):
        self.app = app
        self.max_body = max_body
        self.scripts = InlineScripts(site_dir)
        self.public_url = public_url

    def _location(self, scope: Scope, location: bytes) -> bytes:
        """An absolute redirect to ourselves (built from Host and the proxy-side http://) as the
        public URL's, or as a path when none is configured: browsers resolve it on https."""
        host = dict(scope.get("headers", [])).get(b"host", b"")
        for scheme in (b"http://", b"https://"):
            own = scheme + host
            if host and location.lower().startswith(own.lower()) and location[len(own):len(own) + 1] in b"/?":
                path = location[len(own):] or b"/"
                return (self.public_url or "").encode() + path
        return location

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:  # FastAPI routes answer GET only: HEAD would fall through to the static 404 page
            scope = {**scope, "method": "GET"}
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            if message["type"] == "http.response.start":
                headers = [(k, self._location(scope, v) if k.lower() == b"location" else v)
                           for k, v in message.get("headers", [])
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
                started = True
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

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except Exception as exc:
            if started:  # too late for an error page: let the server cut the connection
                raise
            # The traceback names code, not request data; the path is ours to log, not the query.
            # %r: a path may hold %0D%0A, which must not start a forged line in the log.
            log.error("unhandled %s on %s %r", type(exc).__name__, scope["method"], scope["path"],
                      exc_info=exc)
            lang = path_lang(scope["path"])
            await self._error(send_with_headers, 500, INTERNAL[lang], close=False)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        await self._error(send, 413, TOO_LARGE[path_lang(scope["path"])], close=True)

    @staticmethod
    async def _error(send: Send, status: int, message: str, close: bool) -> None:
        body = json.dumps({"status": status, "error": message, "errors": {}}, ensure_ascii=False).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"cache-control", b"no-store")]
        await send({"type": "http.response.start", "status": status,
                    "headers": headers + ([(b"connection", b"close")] if close else [])})
        await send({"type": "http.response.body", "body": body})


Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def proxy_networks(trusted_proxies: Sequence[str]) -> list[Network]:
    """The trusted proxies as networks, parsed once (a typo fails at startup, not per request)."""
    networks = []
    for proxy in trusted_proxies:
        try:
            networks.append(ipaddress.ip_network(proxy, strict=False))
        except ValueError:
            raise CsohelpError(f"CSOHELP_TRUSTED_PROXIES: {proxy!r} is not an address or network") from None
    return networks


def hop_address(hop: str) -> IPAddress | None:
    """The address of one X-Forwarded-For hop: `IP`, `IP:port`, `[IPv6]` or `[IPv6]:port`."""
    hop = hop.strip().strip('"')
    if hop.startswith("["):
        hop = hop[1:].partition("]")[0]
    elif hop.count(":") == 1:  # IPv4 with a port (a bare IPv6 has several colons)
        hop = hop.partition(":")[0]
    try:
        ip = ipaddress.ip_address(hop)
    except ValueError:
        return None
    return ip.ipv4_mapped or ip if isinstance(ip, ipaddress.IPv6Address) else ip


def client_ip(request: Request, networks: Sequence[Network]) -> str:
    """The client's address; X-Forwarded-For counts only when the peer is a trusted proxy.

    Every X-Forwarded-For line counts (a proxy may add its own line rather than append to the
    client's), read from the right: the first address our own proxies did not add is the client.
    """
    peer = request.client.host if request.client else "unknown"

    def trusted(ip: IPAddress | None) -> bool:
        return ip is not None and any(ip in net for net in networks)

    if not networks or not trusted(hop_address(peer)):
        return peer
    lines = request.headers.getlist("x-forwarded-for")
    hops = [h.strip() for h in ",".join(lines).split(",") if h.strip()]
    for hop in reversed(hops):
        ip = hop_address(hop)
        if ip is None:
            return hop[:100]  # not an address: counted as written (our proxies write addresses)
        if not trusted(ip):
            return str(ip)
    first = hop_address(hops[0]) if hops else None
    return str(first) if first else peer


def rate_key(address: str) -> str:
    """What the rate limit counts by: the IPv4 address, or the IPv6 /64 (one site's subnet)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class MemoryHitStore(HitStore):
    """Counts in a dict of deques, for one server process."""

    def __init__(self, window: float = 60.0):
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._pruned_at = float("-inf")
        self._lock = threading.Lock()

    def recent(self, key: str, since: float) -> list[float]:
        with self._lock:
            hits = self._hits.get(key)
            while hits and hits[0] <= since:
                hits.popleft()
            return list(hits or ())

    def add(self, key: str, at: float) -> None:
        with self._lock:
            # Forget idle clients so memory stays bounded; at most once a window, or many active
            # clients would make every hit walk the whole table.
            if len(self._hits) > 10_000 and at - self._pruned_at >= self.window:
                self._hits = {k: q for k, q in self._hits.items() if q and q[-1] > at - self.window}
                self._pruned_at = at
            self._hits.setdefault(key, deque()).append(at)


class RateLimiter:
    """At most `per_minute` accepted submissions per client in any 60 s window; 0 turns it off.

    `allow` before the work, `record` once a submission was accepted: refused and replayed
    submissions (422, 403, 415, 413, an idempotent replay) do not count, so a few typos never
    lock an office out. Between the two, concurrent submissions of one client may pass a limit
    by the few in flight; that is the price of not counting failures.
    """

    def __init__(self, per_minute: int, window: float = 60.0, store: HitStore | None = None):
        self.per_minute, self.window = per_minute, window
        self.store = store or MemoryHitStore(window)
        # Shared stores compare times between processes: wall-clock there, monotonic in memory.
        self.clock = time.monotonic if isinstance(self.store, MemoryHitStore) else time.time

    def allow(self, key: str, now: float | None = None) -> float | None:
        """None if `key` may submit now, else the seconds to wait."""
        if self.per_minute <= 0:
            return None
        now = self.clock() if now is None else now
        hits = self.store.recent(key, now - self.window)
        if len(hits) >= self.per_minute:
            return max(hits[-self.per_minute] + self.window - now, 1.0)
        return None

    def record(self, key: str, now: float | None = None) -> None:
        """Count one accepted submission of `key`."""
        if self.per_minute > 0:
            self.store.add(key, self.clock() if now is None else now)

    def hit(self, key: str, now: float | None = None) -> float | None:
        """`allow` and, if allowed, `record` at once (for callers that count every attempt)."""
        wait = self.allow(key, now)
        if wait is None:
            self.record(key, now)
        return wait
