"""Serving the built site: static files, a 404 page per language, and the `/` negotiation."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from .lang import COOKIE, LANGS, negotiate, path_lang


class SiteFiles(StaticFiles):
    """StaticFiles with `index.html` folders and a 404 page in the language of the path."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404:
                raise
            response = None
        if response is not None and response.status_code != 404:
            return response
        lang = path_lang("/" + path)
        page = "404.html" if lang == "fr" else f"{lang}/404.html"
        full_path, stat_result = self.lookup_path(page)
        if stat_result is None:
            raise HTTPException(status_code=404)
        return FileResponse(full_path, stat_result=stat_result, status_code=404)


def home_choice(request: Request) -> str:
    """Which home a visitor at `/` gets.

    An explicit ?lang= wins; a visitor coming from one of our own pages (the language switcher)
    stays where they clicked; then the language they last read (cookie); then the browser.
    """
    chosen = request.query_params.get("lang")
    if chosen in LANGS:
        return chosen
    referer = request.headers.get("referer", "")
    host = request.headers.get("host", "")
    if host and referer.split("/")[2:3] == [host]:
        return "fr"
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGS:
        return cookie
    return negotiate(request.headers.get("accept-language"))


def remember_lang(response: Response, request: Request, path: str) -> None:
    """Remember the language of the page just read, for the next visit to `/`."""
    lang = path_lang(path)
    if request.cookies.get(COOKIE) != lang:
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)


def redirect_home(lang: str) -> RedirectResponse:
    """302 to the home page of `lang` (not cached: it depends on the visitor)."""
    response = RedirectResponse("/en/" if lang == "en" else "/", status_code=302)
    response.headers["Vary"] = "Accept-Language, Cookie, Referer"
    response.headers["Cache-Control"] = "no-store"
    return response
