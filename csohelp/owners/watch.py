"""`csohelp serve --watch`: rebuild when the content changes and reload the pages that are open.

A watchfiles thread rebuilds on every change to faq/, plan/, overrides/ or mkdocs.yml, one build
at a time. Pages served in watch mode carry one external script (the site's CSP allows it) that
long-polls /__csohelp/build and reloads when a build finishes. When the content does not validate,
every page shows the problems (file, line, field) instead of the last good site, then reloads by
itself once they are fixed. Nothing of this exists outside watch mode.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import ContentError, CsohelpError

log = logging.getLogger(__name__)
PREFIX = "/__csohelp/"
SCRIPT = f'<script src="{PREFIX}watch.js" defer></script>'
WATCH_JS = """/* csohelp serve --watch: reload this page when a new build is ready (long poll). */
(function () {
  "use strict";
  var build = document.documentElement.getAttribute("data-csohelp-build");
  function poll() {
    fetch("__PREFIX__build?since=" + encodeURIComponent(build || ""), {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (build !== null && String(data.build) !== build) { location.reload(); return; }
        build = String(data.build);
        poll();
      }, function () { setTimeout(poll, 1000); });
  }
  poll();
})();
""".replace("__PREFIX__", PREFIX)


@dataclass
class BuildState:
    """The number of the last build and, if it failed, why; shared by the watcher and the server."""

    build: int = 0
    problems: list[str] = field(default_factory=list)
    message: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def finished(self, error: CsohelpError | None) -> None:
        """Record the end of a build (a new number makes open pages reload)."""
        with self.lock:
            self.build += 1
            if isinstance(error, ContentError):
                self.problems, self.message = [str(p) for p in error.problems], str(error).splitlines()[0]
            elif error is not None:
                self.problems, self.message = [], str(error)
            else:
                self.problems, self.message = [], None


def watched_paths(root: Path) -> list[Path]:
    """What a content owner edits: faq/, plan/, overrides/ and mkdocs.yml (those that exist)."""
    return [p for p in (root / "faq", root / "plan", root / "overrides", root / "mkdocs.yml") if p.exists()]


def rebuild(root: Path, state: BuildState) -> None:
    """One build of the project; its outcome goes to `state` (never raises)."""
    from ..build import Paths, build_site

    try:
        build_site(Paths(root))
    except CsohelpError as exc:
        log.warning("build failed: %s", str(exc).splitlines()[0])
        state.finished(exc)
        return
    except Exception as exc:  # a template or plugin crash: show it, keep watching
        log.exception("build crashed")
        state.finished(CsohelpError(f"{type(exc).__name__}: {exc}"))
        return
    state.finished(None)


def watch_and_rebuild(root: Path, state: BuildState, stop: threading.Event) -> threading.Thread:
    """Start the watcher thread: every batch of changes is one rebuild."""
    from watchfiles import watch

    def run() -> None:
        for changes in watch(*watched_paths(root), stop_event=stop, debounce=300, raise_interrupt=False):
            log.warning("%d change(s), rebuilding", len(changes))
            rebuild(root, state)

    thread = threading.Thread(target=run, name="csohelp-watch", daemon=True)
    thread.start()
    return thread


def error_page(state: BuildState) -> str:
    """The page shown instead of the site while the content does not validate."""
    items = "".join(f"<li><code>{escape(p)}</code></li>" for p in state.problems)
    return (f'<!doctype html><html lang="en" data-csohelp-build="{state.build}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Build failed - csohelp serve --watch</title></head><body><main>"
            f"<h1>The site was not rebuilt</h1><p>{escape(state.message or '')}</p><ul>{items}</ul>"
            "<p>Fix the file and save: this page reloads by itself.</p></main>" + SCRIPT + "</body></html>")


class WatchMode:
    """ASGI middleware of watch mode: the poll and script routes, the error page, the script tag."""

    def __init__(self, app: ASGIApp, state: BuildState):
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path == PREFIX + "watch.js":
            await Response(WATCH_JS, media_type="text/javascript",
                           headers={"Cache-Control": "no-store"})(scope, receive, send)
            return
        if path == PREFIX + "build":
            await self._poll(Request(scope))(scope, receive, send)
            return
        page = scope["method"] == "GET" and not path.startswith(("/api/", "/assets/", "/search/index"))
        if page and self.state.message is not None and "." not in path.rsplit("/", 1)[-1]:
            await HTMLResponse(error_page(self.state), status_code=500,
                               headers={"Cache-Control": "no-store"})(scope, receive, send)
            return
        # Pages come back uncompressed, so the script tag can be added (watch mode is local only).
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"]
        await self.app({**scope, "headers": headers}, receive, self._injecting(send))

    def _poll(self, request: Request) -> Any:
        since = request.query_params.get("since", "")

        async def answer(scope: Scope, receive: Receive, send: Send) -> None:
            for _ in range(100):  # 20 s at most, then the script asks again
                if since != str(self.state.build):
                    break
                await asyncio.sleep(0.2)
            await JSONResponse({"build": self.state.build}, headers={"Cache-Control": "no-store"})(
                scope, receive, send)
        return answer

    def _injecting(self, send: Send) -> Send:
        start: Message | None = None
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(b"text/html"):
                    start = message  # hold it: the body grows by one script tag
                    return
                await send(message)
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            mark = f'<html data-csohelp-build="{self.state.build}"'.encode()
            body = b"".join(chunks).replace(b"<html", mark, 1)
            body = body.replace(b"</body>", SCRIPT.encode() + b"</body>", 1)
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        return wrapped


def serve_watching(root: Path, host: str, port: int) -> None:
    """Build, serve, and rebuild on every change until interrupted (uvicorn handles Ctrl-C)."""
    import uvicorn

    from ..web import create_app
    from ..web.settings import Settings

    state = BuildState()
    rebuild(root, state)
    app = create_app(Settings.from_env(root=root))
    app.add_middleware(WatchMode, state=state)
    stop = threading.Event()
    thread = watch_and_rebuild(root, state, stop)
    print(f"serving {root / 'site'} on http://{host}:{port}/ and rebuilding on changes to "
          + ", ".join(p.name for p in watched_paths(root)), flush=True)
    try:
        # A long poll holds its connection up to 20 s: do not wait for it on Ctrl-C.
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False,
                    timeout_graceful_shutdown=1)
    finally:
        stop.set()
        thread.join(timeout=5)
