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
from rapidfuzz import fuzz, process
from starlette.responses import RedirectResponse, Response

from .lang import LANGS, negotiate
from .site import not_found_page

router = APIRouter()
# How close a mistyped id must be to offer its topic (rapidfuzz ratio, 0-100): one or two letters
# off in a usual id ("invoice-disput") score above 90; unrelated ids stay far below.
NEAR_MISS = 85


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
        return not_found(request, lang, closest_topic(catalogue, key))
    if current != topic_id:
        forced = request.query_params.get("lang", "").strip().lower()  # kept only when valid
        target = f"/a/{current}" + (f"?{urlencode({'lang': forced})}" if forced in LANGS else "")
        return RedirectResponse(target, status_code=301)
    topic = catalogue.get(current)
    response = RedirectResponse(topic[lang]["url"], status_code=302)
    response.headers["Vary"] = "Accept-Language"
    response.headers["Cache-Control"] = "no-cache"
    return response


def closest_topic(catalogue, key: str) -> dict | None:
    """The topic whose id or former id is nearest to a mistyped one, if it is near enough."""
    names = {**{i: i for i in catalogue.topics}, **catalogue.aliases}
    found = process.extractOne(key, list(names), scorer=fuzz.ratio, score_cutoff=NEAR_MISS)
    return catalogue.get(names[found[0]]) if found else None


def not_found(request: Request, lang: str, suggestion: dict | None = None) -> Response:
    """The site's 404 page in the reader's language (the other language, a search box, common
    topics and, for a near-miss id, the closest topic)."""
    response = not_found_page(request.app.state, lang, suggestion)
    if response is None:  # no site built yet: still a useful answer in both languages
        text = "Lien introuvable / Link not found"
        response = Response(text, status_code=404, media_type="text/plain; charset=utf-8")
    response.headers["Vary"] = "Accept-Language"  # the reader's language picked the page
    return response


def include(app: FastAPI) -> None:
    """Add the short-link routes to the app (before the site is mounted at "/")."""
    app.include_router(router)
