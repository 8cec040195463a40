"""Short links for agents' replies: /a/{id} → the topic in the reader's language.

- a current id answers 302 to the topic page: `?lang=fr|en` wins, then Accept-Language, then
  French. 302 and `Vary: Accept-Language`: the answer depends on the reader, so no cache may
  keep it for everyone.
- a former id (an alias) answers 301 to the current id's short link, keeping `?lang=`: the
  rename is permanent and the same for every reader, so caches and link checkers may learn it;
  the language is then chosen by the 302 of the current id.
- an unknown id answers 404 with the site's 404 page (both languages and a search box), in
  the reader's language.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import FileResponse, RedirectResponse, Response

from .lang import DEFAULT, LANGS, negotiate

router = APIRouter()
NOT_FOUND_PAGE = {"fr": "404.html", "en": "en/404.html"}


def reader_lang(request: Request) -> str:
    """?lang= when it names one of our languages (anything else is ignored), then the browser."""
    chosen = request.query_params.get("lang", "").strip().lower()
    if chosen in LANGS:
        return chosen
    return negotiate(request.headers.get("accept-language"))


@router.api_route("/a/{topic_id}", methods=["GET", "HEAD"], include_in_schema=False)
@router.api_route("/a/{topic_id}/", methods=["GET", "HEAD"], include_in_schema=False)
def short_link(topic_id: str, request: Request) -> Response:
    """Redirect a short link to its topic, a former id to the current one, or answer 404."""
    catalogue = request.app.state.catalogue
    key = topic_id.strip().lower()  # ids are lowercase; agents may type capitals
    current = catalogue.canonical_id(key)
    lang = reader_lang(request)
    if current is None:
        return not_found(request, lang)
    if current != topic_id:
        forced = request.query_params.get("lang", "").strip().lower()  # kept only when valid
        target = f"/a/{current}" + (f"?{urlencode({'lang': forced})}" if forced in LANGS else "")
        return RedirectResponse(target, status_code=301)
    topic = catalogue.get(current)
    response = RedirectResponse(topic[lang]["url"], status_code=302)
    response.headers["Vary"] = "Accept-Language"
    response.headers["Cache-Control"] = "no-cache"
    return response


def not_found(request: Request, lang: str) -> Response:
    """The site's 404 page in the reader's language (it holds the other language and a search box)."""
    site_dir = request.app.state.settings.site_dir
    page = site_dir / NOT_FOUND_PAGE.get(lang, NOT_FOUND_PAGE[DEFAULT])
    if not page.is_file():  # no site built yet: still a useful answer in both languages
        text = "Lien introuvable / Link not found"
        return Response(text, status_code=404, media_type="text/plain; charset=utf-8")
    response = FileResponse(page, status_code=404, media_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept-Language"
    return response


def include(app: FastAPI) -> None:
    """Add the short-link routes to the app (before the site is mounted at "/")."""
    app.include_router(router)
