"""The owners' page at /owners/ and /en/owners/: off without CSOHELP_OWNERS_TOKEN, else signed in.

The sign-in compares the token in constant time and sets a session cookie (HttpOnly, SameSite
Strict, Secure except over plain http on loopback) that holds an expiry and its HMAC under the
token: nothing to store, and changing the token signs everyone out. Every answer is no-store and
`X-Robots-Tag: noindex`; the page is not a built page, so it is in no sitemap.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool

from ..db import StoreError
from ..errors import CsohelpError
from ..owners.charts import bar_chart
from ..owners.report import FORMATS, compute_report, parse_since
from ..owners.store import AnalyticsError
from .security import CSRF_FIELD, csrf_ok, csrf_token, set_csrf_cookie

if TYPE_CHECKING:
    from .owners_routes import OwnersService

SESSION_COOKIE = "csohelp_owners"
SESSION_HOURS = 12
HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
PERIODS = ("7d", "30d", "90d", "365d")
NOT_FOUND = {"fr": ("Page introuvable", "La page demandée n’existe pas."),
             "en": ("Page not found", "The page you asked for does not exist.")}
ENV = Environment(loader=PackageLoader("csohelp", "templates/owners"), autoescape=select_autoescape(["html"]),
                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def owners_path(lang: str) -> str:
    """/owners/ or /en/owners/."""
    return "/en/owners/" if lang == "en" else "/owners/"


def session_value(token: str, expires: int) -> str:
    """The cookie: an expiry and its HMAC-SHA256 under the owners' token."""
    mac = hmac.new(token.encode(), f"csohelp-owners:{expires}".encode(), hashlib.sha256).hexdigest()
    return f"{expires}.{mac}"


def signed_in(request: Request, token: str | None) -> bool:
    """A valid, unexpired session cookie for the current token."""
    if not token:
        return False
    value = request.cookies.get(SESSION_COOKIE, "")
    expires, _, _ = value.partition(".")
    if not expires.isdigit() or int(expires) < time.time():
        return False
    return hmac.compare_digest(value.encode(), session_value(token, int(expires)).encode())


def secure_cookie(request: Request) -> bool:
    """Secure everywhere but plain http on this machine (a local preview has no TLS)."""
    return request.url.scheme == "https" or request.url.hostname not in ("127.0.0.1", "localhost", "::1")


def _render(name: str, lang: str, status: int, **values: Any) -> HTMLResponse:
    html = ENV.get_template(name).render(lang=lang, fr=lang == "fr", **values)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def feedback_message_page(request: Request, lang: str, status: int, message: str,
                          confirm: dict[str, str] | None, errors: dict[str, str] | None = None) -> Response:
    """The answer of the plain vote form when it cannot go back to the topic (or must confirm first)."""
    token = csrf_token(request)
    response = _render("message.html", lang, status, message=message, errors=errors or {}, confirm=confirm,
                       csrf_field=CSRF_FIELD, csrf=token,
                       action="/en/feedback" if lang == "en" else "/feedback")
    if confirm is not None:
        set_csrf_cookie(response, request, token)
    return response


def _charts(report: dict, lang: str) -> list[tuple[str, str]]:
    days = [s["day"] for s in report["series"]]
    fr = lang == "fr"
    t = report["totals"]
    searches = bar_chart(
        "Recherches par jour" if fr else "Searches per day", days,
        [("avec résultat" if fr else "with a result", "csohelp-chart__a",
          [s["searches"] - s["no_result"] for s in report["series"]]),
         ("sans résultat sûr" if fr else "no confident result", "csohelp-chart__b",
          [s["no_result"] for s in report["series"]])],
        (f"{t['searches']} recherches, dont {t['no_result']} sans résultat sûr" if fr else
         f"{t['searches']} searches, {t['no_result']} with no confident result"))
    votes = bar_chart(
        "Votes par jour" if fr else "Votes per day", days,
        [("oui" if fr else "yes", "csohelp-chart__a", [s["yes"] for s in report["series"]]),
         ("non" if fr else "no", "csohelp-chart__b", [s["no"] for s in report["series"]])],
        (f"{t['votes_yes']} oui, {t['votes_no']} non" if fr else f"{t['votes_yes']} yes, {t['votes_no']} no"))
    return [("Recherches par jour" if fr else "Searches per day", searches),
            ("Votes par jour" if fr else "Votes per day", votes)]


def include_owners_page(app: FastAPI, service: OwnersService) -> None:
    """GET the page (or its sign-in), POST the sign-in and the sign-out, in both languages."""
    token = service.settings.owners_token

    def requests_list(since_day: str) -> list[dict]:
        store = getattr(getattr(app.state, "requests", None), "store", None)
        if store is None:
            return []
        try:
            return [{"created_at": r.created_at, **r.data} for r in store.list()
                    if r.created_at[:10] >= since_day]
        except StoreError:
            return []

    def sign_in_page(request: Request, lang: str, status: int, error: str | None = None) -> Response:
        csrf = csrf_token(request)
        response = _render("signin.html", lang, status, error=error, csrf=csrf, csrf_field=CSRF_FIELD,
                           action=owners_path(lang) + "sign-in")
        set_csrf_cookie(response, request, csrf)
        return response

    async def show(request: Request, lang: str) -> Response:
        if not token:  # off: as if there were no such page
            return _render("message.html", lang, 404, heading=NOT_FOUND[lang][0], message=NOT_FOUND[lang][1],
                           errors={}, confirm=None, csrf_field=CSRF_FIELD, csrf="", action="")
        if not signed_in(request, token):
            return sign_in_page(request, lang, 401)
        today = datetime.now(UTC).date()
        period = request.query_params.get("since", "30d")
        chosen = request.query_params.get("lang")
        chosen = chosen if chosen in ("fr", "en") else None
        try:
            since = parse_since(period, today)
        except CsohelpError:
            period, since = "30d", parse_since("30d", today)
        if service.store is None:
            return _render("message.html", lang, 503, message="analytics store unavailable", errors={},
                           confirm=None, csrf_field=CSRF_FIELD, csrf="", action="")
        catalogue = app.state.catalogue.refresh()
        try:
            report = await run_in_threadpool(
                compute_report, service.store, catalogue.topics, requests_list(since.isoformat()), since,
                today, chosen, titles=lang)
        except AnalyticsError as exc:
            return _render("message.html", lang, 503, message=str(exc), errors={}, confirm=None,
                           csrf_field=CSRF_FIELD, csrf="", action="")
        kind = request.query_params.get("format")
        if kind in ("json", "csv"):
            media = "application/json" if kind == "json" else "text/csv; charset=utf-8"
            return Response(FORMATS[kind](report), media_type=media, headers={
                **HEADERS, "Content-Disposition": f'attachment; filename="csohelp-report-{today}.{kind}"'})
        csrf = csrf_token(request)
        response = _render("report.html", lang, 200, report=report, charts=_charts(report, lang),
                           period=period, periods=PERIODS, chosen=chosen, stats=service.recorder.stats()
                           if service.recorder else {}, csrf=csrf, csrf_field=CSRF_FIELD,
                           action=owners_path(lang))
        set_csrf_cookie(response, request, csrf)
        return response

    async def sign_in(request: Request, lang: str) -> Response:
        if not token:
            return await show(request, lang)
        form = await request.form()
        given = form.get("token")
        if not csrf_ok(request, form.get(CSRF_FIELD) if isinstance(form.get(CSRF_FIELD), str) else None):
            return sign_in_page(request, lang, 403, "expired")
        if not await service.allowed("owners-sign-in"):  # one budget for all: guessing stays slow
            return sign_in_page(request, lang, 429, "rate")
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(), token.encode()):
            return sign_in_page(request, lang, 401, "wrong")
        expires = int(time.time()) + SESSION_HOURS * 3600
        response = RedirectResponse(owners_path(lang), status_code=303, headers=HEADERS)
        response.set_cookie(SESSION_COOKIE, session_value(token, expires), max_age=SESSION_HOURS * 3600,
                            httponly=True, samesite="strict", path="/", secure=secure_cookie(request))
        return response

    async def sign_out(request: Request, lang: str) -> Response:
        form = await request.form()
        response = RedirectResponse(owners_path(lang), status_code=303, headers=HEADERS)
        if csrf_ok(request, form.get(CSRF_FIELD) if isinstance(form.get(CSRF_FIELD), str) else None):
            response.delete_cookie(SESSION_COOKIE, path="/", secure=secure_cookie(request), httponly=True,
                                   samesite="strict")
        return response

    for lang in ("fr", "en"):
        path = owners_path(lang)

        def bind(handler: Any, lang: str = lang) -> Any:
            async def route(request: Request) -> Response:
                return await handler(request, lang)
            return route

        app.add_api_route(path, bind(show), methods=["GET"], include_in_schema=False)
        app.add_api_route(path + "sign-in", bind(sign_in), methods=["POST"], include_in_schema=False)
        app.add_api_route(path + "sign-out", bind(sign_out), methods=["POST"], include_in_schema=False)
