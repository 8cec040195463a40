"""Cache headers and gzip from the app itself, for deployments without nginx in front."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..deploy.policy import ALREADY_COMPRESSED, GZIP_LEVEL, GZIP_MIN_LENGTH, cache_control


class CacheHeaders:
    """Cache-Control on each successful answer that has none (csohelp/deploy/policy.py).

    Also weakens the ETag of a gzipped body (as nginx does): the same tag must not name two
    different byte sequences. Plain ASGI: it only looks at the response's first message.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cache(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                headers = MutableHeaders(scope=message)
                if "cache-control" not in headers:
                    headers["Cache-Control"] = cache_control(scope["path"])
                etag = headers.get("etag")
                if etag and not etag.startswith("W/") and "content-encoding" in headers:
                    headers["ETag"] = "W/" + etag
            await send(message)

        await self.app(scope, receive, send_with_cache)


def install(app: FastAPI) -> None:
    """Add gzip (text only, from 1 KB) and the cache headers around everything else."""
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_LENGTH, compresslevel=GZIP_LEVEL,
                       exclude_content_types=DEFAULT_EXCLUDED_CONTENT_TYPES + ALREADY_COMPRESSED)
    # Added last, so outermost: it sees the Content-Encoding that gzip set.
    app.add_middleware(CacheHeaders)
