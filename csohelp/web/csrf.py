"""CSRF for the HTML form: a signed double-submit token, and an Origin that must be ours.

The token is `nonce.signature` (HMAC-SHA256 with the server secret), in a cookie and in the
form: a cookie an attacker plants (from a sibling subdomain, say) has no valid signature. Over
HTTPS the cookie is `__Host-` prefixed, so no other host can set it at all. A browser-sent
Origin must be the configured public origin (CSOHELP_SITE_URL), not whatever Host says: a
Host-rewriting proxy would otherwise refuse every real POST, or accept a forged one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from starlette.requests import Request
from starlette.responses import Response

from ..errors import CsohelpError
from .settings import Settings, public_origin

CSRF_COOKIE = "csohelp_csrf"
SECURE_COOKIE = "__Host-csohelp_csrf"
CSRF_FIELD = "csrf_token"
TOKEN = re.compile(r"^([A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{43})$")


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _sign(secret: bytes, nonce: str) -> str:
    digest = hmac.new(secret, nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def valid_token(secret: bytes, token: str | None) -> bool:
    """The token is one we signed."""
    match = TOKEN.match(token or "")
    return bool(match) and hmac.compare_digest(_sign(secret, match.group(1)), match.group(2))


def is_secure(request: Request) -> bool:
    """Visitors reach us over HTTPS: the configured public URL says so, or the request itself."""
    public = _settings(request).public_url
    return public.startswith("https://") if public else request.url.scheme == "https"


def cookie_name(request: Request) -> str:
    """`__Host-` over HTTPS (the browser then requires Secure, Path=/ and no Domain)."""
    return SECURE_COOKIE if is_secure(request) else CSRF_COOKIE


def csrf_token(request: Request) -> str:
    """The visitor's token if it is one we signed, else a new one."""
    secret = _settings(request).secret_key()
    token = request.cookies.get(cookie_name(request))
    if token and valid_token(secret, token):
        return token
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_sign(secret, nonce)}"


def set_csrf_cookie(response: Response, request: Request, token: str) -> None:
    """Send the token cookie: strict same-site, not readable by scripts, Secure over HTTPS."""
    name = cookie_name(request)
    if request.cookies.get(name) != token:
        response.set_cookie(name, token, httponly=True, samesite="strict", path="/",
                            secure=is_secure(request))


def expected_origin(request: Request) -> str:
    """The origin our own pages post from: the configured public one, else this request's."""
    public = _settings(request).public_url
    if public:
        return public
    return f"{request.url.scheme}://{request.headers.get('host', '')}".lower()


def csrf_ok(request: Request, submitted: str | None) -> bool:
    """The form's token is ours and matches the cookie, and a browser-sent Origin is our own."""
    cookie = request.cookies.get(cookie_name(request))
    if not cookie or not submitted or not hmac.compare_digest(cookie.encode(), submitted.encode()):
        return False
    if not valid_token(_settings(request).secret_key(), cookie):
        return False
    origin = request.headers.get("origin")
    if origin is None:  # older browsers on same-origin POSTs: the signed token carries the check
        return True
    try:
        return origin != "null" and public_origin(origin) == expected_origin(request)
    except (CsohelpError, ValueError):  # an Origin we cannot parse is not ours
        return False
