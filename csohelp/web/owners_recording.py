"""Recording for the owners' loop on the web: searches, topic views, and the popular-topics block.

Nothing here can fail or slow a page: each function only queues (csohelp/owners/events.py) or
reads a figure with a fallback.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..owners.popular import popular_ids

if TYPE_CHECKING:
    from .owners_routes import OwnersService

log = logging.getLogger(__name__)
BOT = re.compile(r"bot|crawl|spider|slurp|preview|monitor", re.I)


def confident_hits(result: Any) -> int:
    """How many confident hits a search result has (the backend's own count when it gives one)."""
    confident = getattr(result, "confident", None)
    return int(confident) if confident is not None else int(getattr(result, "total", 0) or 0)


def record_search(app: FastAPI, query: str, lang: str, result: Any, source: str) -> None:
    """Queue a search for the owners' figures; never raises (the search answers regardless)."""
    service: OwnersService | None = getattr(app.state, "owners", None)
    if service is None or service.recorder is None or result is None:
        return
    try:
        service.recorder.search(query, lang, confident_hits(result), source)
    except Exception:  # best effort by design: a figure is never worth a failed search
        log.exception("analytics: search not recorded")


def popular_for(state: Any, lang: str) -> list[str]:
    """The popular topic ids for `lang` right now (`state` is app.state): views of the last 30
    days when there are enough, else faq/categories.yaml `most_asked`."""
    service: OwnersService | None = getattr(state, "owners", None)
    catalogue = state.catalogue.refresh()
    return popular_ids(service.store if service else None, catalogue.topics, catalogue.most_asked, lang,
                       datetime.now(UTC).date())


class TopicPaths:
    """Which topic (id, language) a site path shows; the map is made once per build."""

    def __init__(self, state: Any):
        self.state = state
        self._paths: dict[str, tuple[str, str]] = {}
        self._topics: object = None

    def __call__(self, path: str) -> tuple[str, str] | None:
        catalogue = self.state.catalogue.refresh()
        if catalogue.topics is not self._topics:  # a new build: map its paths once
            self._paths = {t[lang]["url"]: (tid, lang) for tid, t in catalogue.topics.items()
                           for lang in ("fr", "en")}
            self._topics = catalogue.topics
        return self._paths.get(path if path.endswith("/") else path + "/")


def is_read(headers: Headers) -> bool:
    """A person reading: prefetches are not reads, crawlers are not clients (the agent is read,
    never stored)."""
    purpose = headers.get("sec-purpose", "") + headers.get("purpose", "")
    return not purpose.startswith("prefetch") and not BOT.search(headers.get("user-agent", ""))


class TopicViews:
    """Count topic pages served (GET, 200, HTML), by topic, language and day; nothing about the reader."""

    def __init__(self, app: ASGIApp, owners: FastAPI):
        self.app, self.owners = app, owners
        self.topic_at = TopicPaths(owners.state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        found = self.topic_at(scope["path"])
        service: OwnersService | None = getattr(self.owners.state, "owners", None)
        if found is None or service is None or service.recorder is None:
            await self.app(scope, receive, send)
            return
        skip = not is_read(Headers(scope=scope))

        async def send_counted(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200 and not skip:
                service.recorder.viewed(*found)
            await send(message)

        await self.app(scope, receive, send_counted)
