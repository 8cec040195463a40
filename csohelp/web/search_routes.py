"""Search over HTTP: the JSON API (search, suggest, articles) and the server-rendered results page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ..errors import QueryError
from ..popular import popular_topics, render_popular
from ..search import backend_for
from ..search.page import render_results
from ..search.query import CONTROL
from .errors import error_body
from .lang import request_lang
from .owners_recording import popular_for, record_search
from .shell import ShellPages

Lang = Literal["fr", "en"]
NOT_FOUND = {"fr": "Sujet introuvable.", "en": "Topic not found."}
def include(app: FastAPI) -> None:
    """Add the search routes to the app (before the site is mounted at "/")."""
    settings = app.state.settings
    app.state.search = backend_for(settings.index_dir)
    shells: ShellPages = app.state.shells
    router = APIRouter()

    @router.get("/api/search")
    def api_search(
        request: Request,
        q: Annotated[str, Query(max_length=20_000)] = "",
        lang: Lang | None = None,
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
        category: Annotated[str | None, Query(max_length=100)] = None,
        exact: bool = False,
    ) -> dict:
        result = app.state.search.search(q, lang or request_lang(request), limit, category or None, exact)
        record_search(app, q, result.lang, result, "api")
        return result.to_dict()

    @router.get("/api/suggest")
    def api_suggest(
        request: Request,
        q: Annotated[str, Query(max_length=20_000)] = "",
        lang: Lang | None = None,
        limit: Annotated[int, Query(ge=1, le=20)] = 6,
    ) -> dict:
        return {"suggestions": app.state.search.suggest(q, lang or request_lang(request), limit)}

    @router.get("/api/articles/{topic_id}")
    def api_article(request: Request, topic_id: str) -> Response:
        catalogue = app.state.catalogue
        real = catalogue.canonical_id(topic_id)
        topic = catalogue.get(real) if real else None
        if topic is None:
            message = NOT_FOUND[request_lang(request)]
            return JSONResponse(error_body(404, message), status_code=404)
        return JSONResponse({
            "id": topic["id"], "category": topic["category"],
            **{lang: {k: topic[lang][k] for k in ("title", "url", "summary")} for lang in ("fr", "en")},
        })

    def results_page(request: Request, lang: str) -> Response:
        q = request.query_params.get("q", "")
        category = request.query_params.get("category") or None
        if shells.get("search", lang) is None:
            return JSONResponse(error_body(503, "no built site"), status_code=503)
        backend = app.state.search
        try:
            categories = backend.categories()
        except QueryError:
            categories = []
        result, error, status = None, None, 200
        try:
            if category and category not in {c["id"] for c in categories}:
                category = None  # a stale or edited link: search everything rather than fail
            if q.strip():
                # exact=1: the "search instead for" link, the query as typed without correction.
                exact = request.query_params.get("exact") == "1"
                result = backend.search(q, lang, 20, category, exact)
                record_search(app, q, lang, result, "page")
        except QueryError as exc:
            error, status = exc.message_for(lang), 400
        if result is not None and result.redirect and not category:
            # An article id typed as the query: go straight to the topic.
            return RedirectResponse(result.redirect, status_code=303)
        shown = result.query if result is not None else " ".join(CONTROL.sub(" ", q).split())[:500]
        popular = ""
        if result is not None and not result.hits:  # nothing found: offer the common questions
            catalogue = app.state.catalogue.refresh()
            popular = render_popular(lang, popular_topics(catalogue.topics, popular_for(app.state, lang)),
                                     catalogue.categories)
        page = shells.fill("search", lang, render_results(lang, shown, category, result, categories,
                                                          error, popular))
        return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})

    @router.get("/search/", include_in_schema=False)
    def search_page_fr(request: Request) -> Response:
        return results_page(request, "fr")

    @router.get("/en/search/", include_in_schema=False)
    def search_page_en(request: Request) -> Response:
        return results_page(request, "en")

    app.include_router(router)
