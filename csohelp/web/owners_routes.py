"""The owners' loop on the web: votes, search and view recording, popular topics (issue 12).

Dynamic paths added here (the proxy must pass them to the app): POST /api/feedback, POST
/feedback and /en/feedback (the form without JavaScript), POST /api/search/opened (the click
beacon), GET /api/popular; the owners' page (owners_page.py) adds /owners/ and /en/owners/.
Recording never fails a page: it only queues (csohelp/owners/events.py).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..db import RequestStore, StoreError
from ..db.limits import StoreHitStore
from ..owners.events import Recorder, day_bucket
from ..owners.feedback import INVALID, Feedback, InvalidFeedback, validate_feedback
from ..owners.popular import popular_topics
from ..owners.store import Analytics, AnalyticsError, Vote, open_analytics
from .csrf import expected_origin
from .errors import error_body
from .lang import path_lang, request_lang
from .owners_page import feedback_message_page, include_owners_page
from .owners_recording import TopicViews
from .security import CSRF_FIELD, RateLimiter, csrf_ok
from .settings import Settings

log = logging.getLogger(__name__)
VOTE_COOKIE = "csohelp_vote"
VOTE_AGE = 365 * 24 * 3600
VOTE_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
RATE = {"fr": "Trop de votes : attendez une minute, puis réessayez.",
        "en": "Too many votes: wait a minute, then try again."}
BAD_JSON = {"fr": "Le corps de la requête doit être un objet JSON.", "en": "The body must be a JSON object."}
FOREIGN = {"fr": "Requête refusée : elle ne vient pas de ce site.",
           "en": "Request refused: it does not come from this site."}
UNAVAILABLE = {"fr": "Votre vote n’a pas pu être enregistré pour le moment. Réessayez plus tard.",
               "en": "Your vote could not be saved right now. Please try again later."}


class OwnersService:
    """The analytics store, the recorder and the vote rate limit of one app."""

    def __init__(self, settings: Settings, requests: RequestStore | None = None):
        self.settings = settings
        self.store: Analytics | None = None
        try:
            # The request store's own connection (its migrations made our tables), else our own.
            self.store = Analytics(requests) if requests is not None else open_analytics(settings.db_url)
        except AnalyticsError as exc:  # the site works without its figures
            log.error("%s: analytics off", exc)
        self.recorder: Recorder | None = Recorder(self.store) if self.store else None
        # Votes have their own budget (a reader may vote on many topics), counted by the same
        # client key as the request form (security.client_ip through RequestService.client).
        limit = 0 if settings.rate_limit <= 0 else max(30, settings.rate_limit)
        # Several processes, or PostgreSQL: the count lives in the database, as for the request form.
        shared = requests is not None and (settings.workers > 1 or requests.backend != "sqlite")
        self.limiter = RateLimiter(limit, store=StoreHitStore(requests) if shared else None)
        self.shared_limits = shared
        self._stop = threading.Event()
        self._pruner: threading.Thread | None = None

    async def allowed(self, key: str) -> bool:
        """Count one hit of `key` (votes and sign-ins have their own keys); False when over the limit."""
        try:
            if self.shared_limits:
                return await run_in_threadpool(self.limiter.hit, key) is None
            return self.limiter.hit(key) is None
        except StoreError:  # the vote that follows will say the store is down
            return True

    def prune(self) -> None:
        """Fold raw events older than CSOHELP_ANALYTICS_DAYS into daily figures (daily, and at start)."""
        if self.store is None:
            return
        try:
            counts = self.store.prune(datetime.now(UTC).date(), self.settings.analytics_days)
            log.info("analytics retention: %s", counts)
        except AnalyticsError as exc:
            log.warning("analytics retention: %s", exc)

    def start(self) -> None:
        """Start the recorder's writer and the daily retention."""
        if self.recorder:
            self.recorder.start()

            def daily() -> None:
                while True:
                    self.prune()
                    if self._stop.wait(24 * 3600):
                        return

            self._pruner = threading.Thread(target=daily, name="csohelp-retention", daemon=True)
            self._pruner.start()

    def stop(self) -> None:
        """Write what is queued and close the store."""
        self._stop.set()
        if self.recorder:
            self.recorder.stop()
        if self._pruner:
            self._pruner.join(timeout=10)
        if self.store:
            self.store.close()


def same_origin(request: Request) -> bool | None:
    """True/False when the browser says where a POST comes from (Origin, Sec-Fetch-Site), else None."""
    origin = request.headers.get("origin")
    if origin:  # scheme, host and port, against the configured public origin (as the form's CSRF)
        return origin != "null" and origin.lower() == expected_origin(request)
    site = request.headers.get("sec-fetch-site")
    return site in ("same-origin", "none") if site else None


def include(app: FastAPI) -> None:
    """Add the feedback, recording and popular-topic routes, the view counter and the owners' page."""
    requests = getattr(app.state, "requests", None)
    service = OwnersService(app.state.settings, requests.store if requests is not None else None)
    app.state.owners = service
    _wrap_lifespan(app, service)
    app.add_middleware(TopicViews, owners=app)

    def client(request: Request) -> str:
        return app.state.requests.client(request) if hasattr(app.state, "requests") else "all"

    def canonical(topic: str) -> str | None:
        return app.state.catalogue.canonical_id(topic)

    async def save(request: Request, feedback: Feedback) -> tuple[bool, str]:
        """Store the vote under this browser's vote id (a new random one on its first vote)."""
        vote_id = request.cookies.get(VOTE_COOKIE, "")
        if not VOTE_ID.match(vote_id):
            vote_id = secrets.token_urlsafe(18)
        if service.store is None:
            raise AnalyticsError("analytics store unavailable")
        vote = Vote(vote_id, feedback.topic, feedback.lang, feedback.helpful, feedback.reason,
                    feedback.comment, day_bucket())
        return await run_in_threadpool(service.store.vote, vote), vote_id

    def remember(response: Response, request: Request, vote_id: str) -> None:
        # A functional first-party cookie: a random id that lets this browser change its own vote.
        if request.cookies.get(VOTE_COOKIE) != vote_id:
            response.set_cookie(VOTE_COOKIE, vote_id, max_age=VOTE_AGE, httponly=True, samesite="strict",
                                path="/", secure=request.url.scheme == "https")

    @app.post("/api/feedback")
    async def api_feedback(request: Request) -> Response:
        lang = request_lang(request)
        if not await service.allowed("vote:" + client(request)):
            return JSONResponse(error_body(429, RATE[lang]), status_code=429, headers={"Retry-After": "60"})
        if same_origin(request) is False:
            return JSONResponse(error_body(403, FOREIGN[lang]), status_code=403)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            # Only JSON, as for /api/requests: a cross-site form cannot send it without a preflight.
            return JSONResponse(error_body(415, BAD_JSON[lang]), status_code=415)
        try:
            data = json.loads(await request.body())
        except (ValueError, RecursionError):
            return JSONResponse(error_body(400, BAD_JSON[lang]), status_code=400)
        if isinstance(data, dict) and data.get("lang") in ("fr", "en") and "lang" not in request.query_params:
            lang = data["lang"]  # the vote's own language answers, as the reader reads it
        try:
            feedback = validate_feedback(data, canonical)
        except InvalidFeedback as exc:
            return JSONResponse(error_body(422, INVALID[lang], exc.messages(lang)), status_code=422)
        try:
            changed, vote_id = await save(request, feedback)
        except AnalyticsError:
            return JSONResponse(error_body(503, UNAVAILABLE[lang]), status_code=503,
                                headers={"Retry-After": "60"})
        response = JSONResponse({"topic": feedback.topic, "helpful": feedback.helpful, "changed": changed},
                                status_code=201, headers={"Cache-Control": "no-store"})
        remember(response, request, vote_id)
        return response

    async def form_feedback(request: Request, lang: str) -> Response:
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        token = fields.pop(CSRF_FIELD, None)
        if not await service.allowed("vote:" + client(request)):
            return feedback_message_page(request, lang, 429, RATE[lang], None)
        origin = same_origin(request)
        if not (token and csrf_ok(request, token)) and origin is not True:
            # A browser that says nothing of where the form came from confirms with a token instead.
            confirm = None if origin is False else fields
            return feedback_message_page(request, lang, 403, FOREIGN[lang], confirm)
        try:
            feedback = validate_feedback({"lang": lang, **fields}, canonical)
        except InvalidFeedback as exc:
            return feedback_message_page(request, lang, 422, INVALID[lang], None, errors=exc.messages(lang))
        try:
            _, vote_id = await save(request, feedback)
        except AnalyticsError:
            return feedback_message_page(request, lang, 503, UNAVAILABLE[lang], None)
        topic = app.state.catalogue.get(feedback.topic)
        # Back to the topic: a "No" without a reason yet opens the optional reason form (CSS :target).
        step = "why" if not feedback.helpful and not feedback.reason and not feedback.comment else "thanks"
        response = RedirectResponse(f"{topic[lang]['url']}#csohelp-feedback-{step}", status_code=303)
        remember(response, request, vote_id)
        return response

    @app.post("/feedback", include_in_schema=False)
    async def form_feedback_fr(request: Request) -> Response:
        return await form_feedback(request, "fr")

    @app.post("/en/feedback", include_in_schema=False)
    async def form_feedback_en(request: Request) -> Response:
        return await form_feedback(request, "en")

    @app.post("/api/search/opened", include_in_schema=False)
    async def search_opened(request: Request) -> Response:
        """The click beacon of the results page and the type-ahead: which result was opened."""
        try:
            data = json.loads(await request.body())
            query, lang, pos, source = data["q"], data["lang"], data["pos"], data.get("source", "page")
            hits = data.get("hits", pos)
            topic = canonical(str(data["topic"])) if isinstance(data.get("topic"), str) else None
            valid = (isinstance(query, str) and lang in ("fr", "en") and type(pos) is int and 1 <= pos <= 50
                     and type(hits) is int and 0 <= hits <= 50
                     and topic is not None and source in ("page", "suggest"))
        except (ValueError, RecursionError, KeyError, TypeError):
            valid = False
        if not valid:
            return JSONResponse(error_body(422, INVALID[path_lang(request.url.path)]), status_code=422)
        if service.recorder:
            if source == "suggest":  # the type-ahead is recorded once, when a suggestion is chosen
                service.recorder.search(query, lang, hits, "suggest")
            service.recorder.opened(query, lang, pos, topic)
        return Response(status_code=204)

    @app.get("/api/popular")
    def api_popular(request: Request, limit: int = 6) -> Response:
        lang = request_lang(request)
        catalogue = app.state.catalogue.refresh()
        source, topics = popular_topics(service.store, catalogue.topics, catalogue.most_asked, lang,
                                        datetime.now(UTC).date(), limit=max(1, min(limit, 20)))
        return JSONResponse({"lang": lang, "source": source, "topics": topics},
                            headers={"Cache-Control": "public, max-age=300"})

    include_owners_page(app, service)


def _wrap_lifespan(app: FastAPI, service: OwnersService) -> None:
    """Start the recorder with the server; on shutdown write what is queued."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(asgi_app: Any):
        service.start()
        async with inner(asgi_app) as state:
            # Stop inside the inner lifespan: the request store it closes on exit is ours too, and
            # the last batch must reach it first.
            try:
                yield state
            finally:
                await run_in_threadpool(service.stop)

    app.router.lifespan_context = lifespan
