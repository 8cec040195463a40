"""The "popular topics" lists: real views of the last 30 days, else the owners' `most_asked` pick."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from .store import Analytics, AnalyticsError

DAYS = 30
MIN_VIEWS = 50  # below this many views in 30 days, a ranking says more about chance than readers
LIMIT = 6
VIEWS = ("SELECT topic, SUM(views) AS n FROM analytics_views WHERE day >= ? AND lang = ? "
         "GROUP BY topic ORDER BY n DESC, topic LIMIT ?")


def popular_ids(store: Analytics | None, topics: Mapping[str, Any], most_asked: Sequence[str], lang: str,
                today: date, limit: int = LIMIT) -> list[str]:
    """Just the ordered topic ids of `popular_topics` (for a caller that renders its own list)."""
    return [t["id"] for t in popular_topics(store, topics, most_asked, lang, today, limit)[1]]


def popular_topics(store: Analytics | None, topics: Mapping[str, Mapping[str, Any]],
                   most_asked: Sequence[str], lang: str, today: date, limit: int = LIMIT,
                   min_views: int = MIN_VIEWS) -> tuple[str, list[dict[str, str]]]:
    """("views" | "most_asked", [{id, title, url}]) for the reader's language.

    Views decide when the last 30 days hold at least `min_views` views in that language; the
    list is then topped up from `most_asked` if fewer topics were read. A store that is down
    falls back to `most_asked`: the pages never fail for a figure.
    """
    ranked: list[str] = []
    source = "most_asked"
    if store is not None:
        try:
            rows = store.rows(VIEWS, ((today - timedelta(days=DAYS)).isoformat(), lang, 100))
        except AnalyticsError:
            rows = []
        if sum(n for _, n in rows) >= min_views:
            ranked, source = [t for t, _ in rows if t in topics], "views"
    for topic_id in most_asked:
        if topic_id not in ranked and topic_id in topics:
            ranked.append(topic_id)
    return source, [{"id": t, "title": topics[t][lang]["title"], "url": topics[t][lang]["url"]}
                    for t in ranked[:limit]]
