"""Which language a reader wants: the path, a choice they made, or their browser."""

from __future__ import annotations

from starlette.requests import Request

from ..content import DEFAULT_LANG as DEFAULT
from ..content import LANGS

COOKIE = "csohelp_lang"


def path_lang(path: str) -> str:
    """The language of a site path: English under /en/, French elsewhere."""
    return "en" if path == "/en" or path.startswith("/en/") else DEFAULT


def negotiate(accept_language: str | None) -> str:
    """The best of fr/en for an Accept-Language header (RFC 9110 q-values); French by default."""
    best, best_q = DEFAULT, 0.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        # Earlier tags win ties: browsers list languages in order of preference.
        score = q - position * 1e-6
        if primary in LANGS and q > 0 and score > best_q:
            best, best_q = primary, score
    return best


def request_lang(request: Request, default: str | None = None) -> str:
    """?lang= first, then the page's path for site pages, then the browser."""
    chosen = request.query_params.get("lang")
    if chosen in LANGS:
        return chosen
    if default:
        return default
    return negotiate(request.headers.get("accept-language"))
