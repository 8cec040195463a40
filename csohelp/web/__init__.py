"""The ASGI app: the built site, language negotiation, health, and the API of later stages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from . import caching, health, link_routes, owners_routes, request_routes, search_routes
from .catalogue import Catalogue
from .errors import install_error_handlers
from .settings import Settings
from .shell import ShellPages
from .site import LanguageCookie, SiteFiles, home_choice, redirect_home


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for one site folder; routers of other features are included here."""
    settings = settings or Settings.from_env()
    app = FastAPI(title="CSO Canada help center", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.catalogue = Catalogue(settings.site_dir)
    app.state.shells = ShellPages(settings.site_dir)  # the search and request pages fill these
    install_error_handlers(app)

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        lang = home_choice(request)
        if lang != "fr":
            return redirect_home(lang)
        response = await files.get_response("index.html", request.scope)
        response.headers["Vary"] = "Accept-Language, Cookie, Referer"
        return response

    # Feature routes, before the site is mounted at "/": search and its pages (issue 3), the
    # request form with the security middleware and the outbox worker (issue 4), short links (5),
    # votes, recording and the owners' page (12).
    for feature in (search_routes, request_routes, link_routes, owners_routes, health):
        feature.include(app)

    app.add_middleware(LanguageCookie)
    caching.install(app)  # gzip and Cache-Control (issue 14), outermost
    files = SiteFiles(directory=settings.site_dir, html=True, check_dir=False)
    app.mount("/", files, name="site")
    return app
