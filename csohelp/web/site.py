"""Serving the built site: static files, a 404 page per language, and the `/` negotiation."""

from __future__ import annotations

from html import escape
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..content import lang_prefix
from ..pages import SHELLS
from ..popular import popular_topics, render_popular
from .lang import COOKIE, LANGS, negotiate, path_lang
from .owners_recording import popular_for

COOKIE_AGE = 365 * 24 * 3600


# The shell pages (pages.SHELLS) are filled in by their routes; their files must never be served
# as they are (an empty form without a CSRF token, a results page without results).
SHELL_FILES = {f"{lang_prefix(lang).strip('/')}/{name}/index.html".lstrip("/"):
               f"{lang_prefix(lang)}/{name}/" for lang in LANGS for name in SHELLS}


class SiteFiles(StaticFiles):
    """StaticFiles with `index.html` folders and a 404 page in the language of the path."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        shell = SHELL_FILES.get(path.replace("\\", "/").lstrip("/"))
        if shell is not None:
            query = scope.get("query_string", b"").decode("latin-1")
            return RedirectResponse(shell + (f"?{query}" if query else ""), status_code=301)
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404:
                raise
            response = None
        if response is not None and response.status_code != 404:
            return response
        app = scope.get("app")
        response = not_found_page(app.state if app else None, path_lang("/" + path))
        if response is None:
            raise HTTPException(status_code=404)
        return response


NOT_FOUND_PAGE = {"fr": "404.html", "en": "en/404.html"}
SUGGESTION = {
    "fr": '<p class="csohelp-404-suggestion">Vouliez-vous dire\u00a0: <a href="{url}">{title}</a>\u202f?</p>',
    "en": '<p class="csohelp-404-suggestion">Did you mean: <a href="{url}">{title}</a>?</p>',
}


def not_found_page(state: Any, lang: str, suggestion: dict | None = None) -> Response | None:
    """The built 404 page of `lang`, with the common topics, the categories and, for a mistyped
    short link, the closest topic; None when no site is built."""
    if state is None:
        return None
    page = state.settings.site_dir / NOT_FOUND_PAGE.get(lang, NOT_FOUND_PAGE["fr"])
    try:
        html = page.read_text("utf-8")
    except OSError:
        return None
    catalogue = state.catalogue.refresh()
    block = render_popular(lang, popular_topics(catalogue.topics, popular_for(state, lang)),
                           catalogue.categories)
    html = html.replace('<div class="csohelp-slot" data-slot="popular"></div>', block, 1)
    text = "" if suggestion is None else SUGGESTION[lang].format(
        url=escape(suggestion[lang]["url"]), title=escape(suggestion[lang]["title"]))
    html = html.replace('<div class="csohelp-slot" data-slot="suggestion"></div>', text, 1)
    return HTMLResponse(html, status_code=404)


def home_choice(request: Request) -> str:
    """Which home a visitor at `/` gets.

    An explicit ?lang= wins; a visitor coming from one of our own pages (the language switcher)
    stays where they clicked; then the language they last read (cookie); then the browser.
    """
    chosen = request.query_params.get("lang")
    if chosen in LANGS:
        return chosen
    referer = request.headers.get("referer", "")
    # Our own origin: the configured public one behind a proxy (which may rewrite Host), else Host.
    public = getattr(request.app.state.settings, "public_url", None) if "app" in request.scope else None
    host = public.split("://", 1)[1] if public else request.headers.get("host", "")
    if host and referer.split("/")[2:3] == [host]:
        return "fr"
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGS:
        return cookie
    return negotiate(request.headers.get("accept-language"))


class LanguageCookie:
    """Remember the language of each page read (HTML, 200, GET), for the next visit to `/`.

    Plain ASGI, not BaseHTTPMiddleware: it only looks at the response's first message, so the
    API and static files pay next to nothing for it.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        lang = path_lang(scope["path"])
        known = Request(scope).cookies.get(COOKIE)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200 and known != lang:
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.append("set-cookie", f"{COOKIE}={lang}; Max-Age={COOKIE_AGE}; Path=/; "
                                                 "HttpOnly; SameSite=lax")
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def redirect_home(lang: str) -> RedirectResponse:
    """302 to the home page of `lang` (not cached: it depends on the visitor)."""
    response = RedirectResponse("/en/" if lang == "en" else "/", status_code=302)
    response.headers["Vary"] = "Accept-Language, Cookie, Referer"
    response.headers["Cache-Control"] = "no-store"
    return response
