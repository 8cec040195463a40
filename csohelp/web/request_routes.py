"""Service requests on the web: POST /api/requests, the form at /request/ and /en/request/.

Both paths go through the one validation (requests_model) and the one store; the outbox worker
that forwards stored requests to CSOL runs inside the server's lifespan.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..content import LANGS, home_url
from ..db import REFERENCE, IdempotencyConflict, RequestStore, StoreError, StoreUnavailable, open_store
from ..db.limits import StoreHitStore
from ..requests.attachments import MAX_FILE_BYTES, FileStore, check_files, files_dir
from ..requests.forward import ForwardWorker, SmtpConfig
from ..requests.model import REQUEST_TYPE_LABELS, InvalidRequest, form_to_data, validate_request
from .errors import error_body
from .lang import request_lang
from .request_page import (
    ASSETS,
    SENT_COOKIE,
    STRINGS,
    form_path,
    may_see,
    ordered_errors,
    render_fragment,
    sent_token,
    summary_rows,
)
from .security import (
    CSRF_FIELD,
    RateLimiter,
    SecurityMiddleware,
    client_ip,
    csrf_ok,
    csrf_token,
    proxy_networks,
    rate_key,
    set_csrf_cookie,
)
from .settings import Settings
from .shell import ShellPages

log = logging.getLogger(__name__)
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
INVALID = {"fr": "La demande contient des erreurs.", "en": "The request has errors."}
RATE = {"fr": "Trop de demandes\u00a0: attendez une minute, puis réessayez.",
        "en": "Too many requests: wait a minute, then try again."}
BAD_JSON = {"fr": "Le corps de la requête doit être un objet JSON.", "en": "The body must be a JSON object."}
BAD_KEY = {"fr": "En-tête Idempotency-Key non valide.", "en": "Invalid Idempotency-Key header."}
KEY_REUSED = {"fr": "Cette clé Idempotency-Key a déjà servi pour une autre demande\u00a0: "
                    "envoyez cette demande avec une nouvelle clé.",
              "en": "This Idempotency-Key was already used for a different request: "
                    "send this request with a new key."}
FORM_REUSED = {"fr": "Une autre version de ce formulaire a déjà été envoyée. Vérifiez les champs, "
                     "puis envoyez de nouveau.",
               "en": "Another version of this form was already sent. Check the fields, then send again."}
STORE_THREADS = 4  # the store's own threads; also the PostgreSQL pool's size


class RequestService:
    """The store, the rate limiter and the forwarding worker of one app."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.store: RequestStore = open_store(settings.db_url, wait=settings.store_wait,
                                              pool_size=STORE_THREADS)
        # In memory for one process; in the database when processes must count together.
        shared = settings.workers > 1 or self.store.backend != "sqlite"
        self.limiter = RateLimiter(settings.rate_limit, store=StoreHitStore(self.store) if shared else None)
        self.shared_limits = shared
        # The store's own small pool: a locked or lost database holds these threads, never the
        # shared pool that serves search and pages.
        self.executor = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="csohelp-store")
        self.proxies = proxy_networks(settings.trusted_proxies)
        self.smtp = SmtpConfig.from_settings(settings)
        self.worker: ForwardWorker | None = None
        self.files = FileStore(files_dir(settings.var_dir))
        self.secret = settings.secret_key()

    def client(self, request: Request) -> str:
        """The key the rate limit counts by (the client's address, or its IPv6 /64)."""
        return rate_key(client_ip(request, self.proxies))

    async def run(self, call: Callable[..., Any], *args: Any) -> Any:
        """`call(*args)` on the store's threads; StoreUnavailable if it waited `store_wait` for one."""
        queued = time.monotonic()

        def job() -> Any:
            # Not started in time: give up before touching the store, so a 503 never hides a commit.
            if time.monotonic() - queued > self.settings.store_wait:
                raise StoreUnavailable("the request store is busy")
            return call(*args)

        return await asyncio.get_running_loop().run_in_executor(self.executor, job)

    async def allow(self, client: str) -> float | None:
        """None if `client` may submit now, else the seconds to wait; StoreError."""
        if self.shared_limits:
            return await self.run(self.limiter.allow, client)
        return self.limiter.allow(client)

    async def record(self, client: str) -> None:
        """Count one accepted submission of `client` (refusals and replays never count)."""
        try:
            if self.shared_limits:
                await self.run(self.limiter.record, client)
            else:
                self.limiter.record(client)
        except StoreError as exc:
            # The request itself is stored: a lost count must not turn its 201 into an error.
            log.warning("rate limit not recorded: %s", exc)

    async def submit(self, data: dict[str, Any], key: str | None, client: str = "") -> tuple[str, bool]:
        """Store (committed before we answer) and wake the forwarder; StoreError if it cannot."""
        try:
            submission = await self.run(self.store.submit, data, key, client)
        except StoreError as exc:
            log.error("%s", exc)  # the store's own words: they never quote request data
            raise
        if submission.created:
            log.info("stored %s", submission.reference)
            if self.worker:
                self.worker.wake()
        return submission.reference, submission.created


def include(app: FastAPI) -> None:
    """Add the request routes, the security middleware and the forwarding worker to `app`."""
    settings: Settings = app.state.settings
    service = RequestService(settings)
    app.state.requests = service
    app.add_middleware(SecurityMiddleware, site_dir=settings.site_dir, public_url=settings.public_url)
    _wrap_lifespan(app, service)

    @app.post("/api/requests")
    async def api_submit(request: Request) -> Response:
        lang = request_lang(request)
        client = service.client(request)
        try:
            wait = await service.allow(client)
        except StoreError:
            return _unavailable(lang)
        if wait is not None:
            return JSONResponse(error_body(429, RATE[lang]), status_code=429,
                                headers={"Retry-After": str(int(wait) + 1)})
        key = request.headers.get("idempotency-key")
        if key is not None and not IDEMPOTENCY_KEY.match(key):
            return JSONResponse(error_body(400, BAD_KEY[lang], {"Idempotency-Key": BAD_KEY[lang]}), 400)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            # Only JSON: a cross-site HTML form cannot send it without a CORS preflight.
            return JSONResponse(error_body(415, BAD_JSON[lang]), status_code=415)
        try:
            data = json.loads(await request.body())
            request_data = validate_request(data)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested 30,000 deep
            return JSONResponse(error_body(400, BAD_JSON[lang]), status_code=400)
        except InvalidRequest as exc:
            return JSONResponse(error_body(422, INVALID[lang], exc.messages(lang)), status_code=422)
        try:
            reference, created = await service.submit(request_data.model_dump(), key and f"api:{key}",
                                                      client)
        except IdempotencyConflict:
            return JSONResponse(error_body(422, KEY_REUSED[lang], {"Idempotency-Key": KEY_REUSED[lang]}),
                                status_code=422)
        except StoreError:
            return _unavailable(lang)
        if created:  # only accepted submissions count against the limit, not errors or replays
            await service.record(client)
        # No Location: there is deliberately no public GET of a request (it holds personal data).
        return JSONResponse({"reference": reference, "status": "queued"}, status_code=201,
                            headers={} if created else {"Idempotent-Replayed": "true"})

    shells: ShellPages = app.state.shells
    for lang in LANGS:
        _form_routes(app, service, shells, lang)


def _form_routes(app: FastAPI, service: RequestService, shells: ShellPages, lang: str) -> None:
    path = form_path(lang)
    t = STRINGS[lang]

    def filled(fragment: str, title: str | None = None) -> str:
        html = shells.fill("request", lang, fragment, head=ASSETS, title=title)
        if html is None:
            raise HTTPException(503, "no built site: run `csohelp build`")
        return html

    def page(request: Request, status: int = 200, *, values: dict[str, Any] | None = None,
             errors: dict[str, str] | None = None, form_error: str | None = None,
             idempotency_key: str | None = None, topic: dict | None = None,
             kept: list | None = None) -> HTMLResponse:
        token = csrf_token(request)
        values = values or {}
        fragment = render_fragment("form.html", lang, values=values,
                                   errors=ordered_errors(errors or {}, values.get("request_type")),
                                   form_error=form_error, csrf=token, topic=topic, kept=kept or [],
                                   forwarding=service.smtp is not None,
                                   idempotency_key=idempotency_key or uuid.uuid4().hex)
        html = filled(fragment)
        if errors or form_error:  # the tab and the screen reader say it first: "Erreur : ..."
            html = html.replace("<title>", f"<title>{t['error_prefix']} ", 1)
        response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
        set_csrf_cookie(response, request, token)
        return response

    def topic_info(topic_id: str | None) -> dict | None:
        catalogue = app.state.catalogue
        canonical = catalogue.canonical_id(topic_id) if topic_id else None
        if not canonical:
            return None
        topic = catalogue.get(canonical)
        return {"id": canonical, "title": topic[lang]["title"], "url": topic[lang]["url"],
                "request_type": topic["request_type"]}

    @app.get(path, response_class=HTMLResponse, include_in_schema=False)
    async def show_form(request: Request) -> Response:
        sent = request.query_params.get("sent", "")
        record = None
        if sent and REFERENCE.match(sent):
            try:
                record = await service.run(service.store.get, sent)
            except StoreError:  # a store that is down shows the form instead of an error
                record = None
        if record is not None:
            # What was sent, only to the browser that sent it (references are sequential).
            summary = ({"email": record.data.get("email"), "rows": summary_rows(record.data, lang)}
                       if may_see(sent, request.cookies.get(SENT_COOKIE), service.secret) else None)
            fragment = render_fragment("confirmation.html", lang, reference=sent, home=home_url(lang),
                                       summary=summary, forwarding=service.smtp is not None)
            return HTMLResponse(filled(fragment, t["thanks_title"]), headers={"Cache-Control": "no-store"})
        topic = topic_info(request.query_params.get("topic"))
        # ?request_type= lets a link (or the language switch) preset the type without a topic.
        asked = request.query_params.get("request_type", "")
        request_type = topic["request_type"] if topic else (asked if asked in REQUEST_TYPE_LABELS else None)
        values = {"language": lang, **({"request_type": request_type} if request_type else {})}
        return page(request, values=values, topic=topic)

    @app.post(path, response_class=HTMLResponse, include_in_schema=False)
    async def submit_form(request: Request) -> Response:
        # multipart/form-data (files) or urlencoded (old pages, scripts): starlette spools files to disk.
        form = await request.form(max_files=10, max_part_size=64 * 1024)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            uploads = [(upload.filename or "", await upload.read(MAX_FILE_BYTES + 1))
                       for upload in form.getlist("attachments")
                       if not isinstance(upload, str) and (upload.filename or upload.size)]
        finally:
            await form.close()  # the spooled temporary files
        kept = await run_in_threadpool(service.files.kept, [v for v in form.getlist("kept_attachments")
                                                              if isinstance(v, str)])
        key = fields.get("idempotency_key", "")
        key = key if IDEMPOTENCY_KEY.match(key) else uuid.uuid4().hex
        topic = topic_info(fields.get("topic"))
        values = {k: v for k, v in fields.items()
                  if k not in ("website", CSRF_FIELD, "idempotency_key", "kept_attachments")}
        values["business"] = form_to_data(fields)["business"]
        again = {"values": values, "idempotency_key": key, "topic": topic, "kept": kept}
        client = service.client(request)
        try:
            wait = await service.allow(client)
        except StoreError:
            response = page(request, 503, form_error=t["unavailable"], **again)
            response.headers["Retry-After"] = str(RETRY_AFTER)
            return response
        if wait is not None:
            response = page(request, 429, form_error=t["rate"], **again)
            response.headers["Retry-After"] = str(int(wait) + 1)
            return response
        if not csrf_ok(request, fields.get(CSRF_FIELD)):
            return page(request, 403, form_error=t["csrf"], **again)
        if fields.get("website"):
            # The honeypot: people never see this field; whatever filled it is not stored.
            log.info("honeypot: submission dropped")
            return page(request, 400, form_error=t["honeypot_error"], **again)
        data = form_to_data(fields)
        data["topic"] = topic["id"] if topic else None
        # Off the event loop: hashing 15 MB would stall every other request for tens of ms.
        accepted, problems = await run_in_threadpool(check_files, uploads, kept)
        try:
            # Files that pass are kept (durably, fsync'd) even when a field is wrong: not chosen twice.
            for _, content in accepted:
                await run_in_threadpool(service.files.put, content)
        except OSError as exc:
            log.error("attachment store: %s", type(exc).__name__)
            return page(request, 503, form_error=t["unavailable"], **again)
        again["kept"] = kept + [attachment for attachment, _ in accepted]
        try:
            valid = validate_request(data)
        except InvalidRequest as exc:
            problems = {**exc.problems, **problems}
        if problems:
            return page(request, 422, errors=InvalidRequest(problems).messages(lang), **again)
        record = valid.model_dump()
        if again["kept"]:
            record["attachments"] = [attachment.as_dict() for attachment in again["kept"]]
        try:
            reference, created = await service.submit(record, f"form:{key}", client)
        except IdempotencyConflict:
            return page(request, 422, form_error=FORM_REUSED[lang], **{**again, "idempotency_key": None})
        except StoreError:
            response = page(request, 503, form_error=t["unavailable"], **again)
            response.headers["Retry-After"] = str(RETRY_AFTER)
            return response
        if created:
            await service.record(client)
        # Post/redirect/get: a reload shows the confirmation again instead of posting twice.
        response = RedirectResponse(f"{path}?sent={reference}", status_code=303)
        earlier = (request.cookies.get(SENT_COOKIE) or "").split(".")[-4:]
        tokens = ".".join([v for v in earlier if v] + [sent_token(reference, service.secret)])
        response.set_cookie(SENT_COOKIE, tokens, max_age=3600, path="/", httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response


RETRY_AFTER = 60


def _unavailable(lang: str) -> JSONResponse:
    """503 while the store is busy or unreachable: nothing was stored, the client may retry."""
    return JSONResponse(error_body(503, STRINGS[lang]["unavailable"]), status_code=503,
                        headers={"Retry-After": str(RETRY_AFTER)})


def _wrap_lifespan(app: FastAPI, service: RequestService) -> None:
    """Start the forwarding worker with the server and stop it (finishing a send) on shutdown."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(asgi_app: Any):
        if service.smtp is None:
            try:
                counts = service.store.counts()
            except StoreError:
                counts = {"queued": 0}
            log.warning("FORWARDING IS NOT CONFIGURED (set CSOHELP_SMTP_HOST and CSOHELP_SMTP_TO): "
                        "requests are recorded but not forwarded to CSOL, and no receipt is sent; "
                        "%d requests stay queued", counts["queued"])
        else:
            service.worker = ForwardWorker(service.store, service.smtp, service.settings.forward_interval)
            service.worker.start()
        try:
            async with inner(asgi_app) as state:
                yield state
        finally:
            if service.worker:
                await run_in_threadpool(service.worker.stop)
                service.worker = None
            service.executor.shutdown(wait=False, cancel_futures=True)
            service.store.close()

    app.router.lifespan_context = lifespan
