"""Where the owners' figures live: the analytics tables, on the same database as the requests.

The tables are migrations of the database layer (csohelp/db/migrations/*/0004_owners_loop.sql),
so SQLite and PostgreSQL both hold them; `Analytics` runs its SQL through the request store's
own `transaction()` and `query()` (`?` placeholders on every backend). Raw events (searches,
opened results, votes) are kept `retention_days`, then folded into daily aggregates that carry
no vote id and no comment; topic views are counted per day from the start (no raw view event).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ..db import RequestStore, StoreError, open_store
from ..errors import CsohelpError


class AnalyticsError(CsohelpError):
    """The analytics tables cannot be read or written right now."""

@dataclass(frozen=True)
class Event:
    """One thing to count: a search, an opened result, or a topic view (bucketed, masked)."""

    kind: str  # "search" | "open" | "view"
    bucket: str  # hour "2026-11-28T14" for searches and opens, day "2026-11-28" for views
    lang: str
    query: str = ""
    number: int = 0  # confident hits of a search, position of an opened result
    topic: str = ""
    source: str = ""  # where a search came from: page, api, suggest


@dataclass(frozen=True)
class Vote:
    """One browser's vote on one topic (its latest: a vote can be changed)."""

    vote_id: str
    topic: str
    lang: str
    helpful: bool
    reason: str | None
    comment: str | None
    day: str


class Analytics:
    """The owners' tables in the request store's database."""

    def __init__(self, store: RequestStore, owned: bool = False):
        self.store = store
        self.owned = owned  # opened by us (the CLI), so closed by us

    def record(self, events: Iterable[Event]) -> None:
        """Write a batch of events in one transaction; AnalyticsError if the store is down."""
        searches, opens, views = [], [], {}
        for e in events:
            if e.kind == "search":
                searches.append((e.bucket, e.lang, e.query, e.number, e.source))
            elif e.kind == "open":
                opens.append((e.bucket, e.lang, e.query, e.number, e.topic))
            elif e.kind == "view":
                key = (e.bucket, e.topic, e.lang)
                views[key] = views.get(key, 0) + 1
        try:
            with self.store.transaction() as tx:
                for row in searches:
                    tx.execute("INSERT INTO analytics_searches (hour, lang, query, hits, source) "
                               "VALUES (?, ?, ?, ?, ?)", row)
                for row in opens:
                    tx.execute("INSERT INTO analytics_opens (hour, lang, query, pos, topic) "
                               "VALUES (?, ?, ?, ?, ?)", row)
                for (day, topic, lang), n in views.items():
                    tx.execute("INSERT INTO analytics_views (day, topic, lang, views) VALUES (?, ?, ?, ?) "
                               "ON CONFLICT (day, topic, lang) DO UPDATE SET "
                               "views = analytics_views.views + excluded.views", (day, topic, lang, n))
        except StoreError as exc:
            raise AnalyticsError(f"analytics: {exc}") from None

    def vote(self, vote: Vote) -> bool:
        """Store or replace a browser's vote on a topic; True if it replaced an earlier one."""
        try:
            with self.store.transaction() as tx:
                earlier = tx.execute("SELECT 1 FROM feedback_votes WHERE vote_id = ? AND topic = ?",
                                     (vote.vote_id, vote.topic))
                tx.execute(
                    "INSERT INTO feedback_votes (vote_id, topic, lang, helpful, reason, comment, day) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (vote_id, topic) DO UPDATE SET "
                    "lang = excluded.lang, helpful = excluded.helpful, reason = excluded.reason, "
                    "comment = excluded.comment, day = excluded.day",
                    (vote.vote_id, vote.topic, vote.lang, int(vote.helpful), vote.reason, vote.comment,
                     vote.day))
        except StoreError as exc:
            raise AnalyticsError(f"analytics: {exc}") from None
        return bool(earlier)

    def prune(self, today: date, days: int) -> dict[str, int]:
        """Fold raw events older than `days` into daily aggregates and delete them (one transaction)."""
        cutoff = (today - timedelta(days=days)).isoformat()  # a day; hours "YYYY-MM-DDTHH" sort after it
        try:
            with self.store.transaction() as tx:
                counts = {
                    "searches": tx.execute("SELECT COUNT(*) FROM analytics_searches WHERE hour < ?",
                                           (cutoff,))[0][0],
                    "opens": tx.execute("SELECT COUNT(*) FROM analytics_opens WHERE hour < ?",
                                        (cutoff,))[0][0],
                    "votes": tx.execute("SELECT COUNT(*) FROM feedback_votes WHERE day < ?", (cutoff,))[0][0],
                }
                tx.execute(AGGREGATE_SEARCHES, (cutoff, cutoff))
                tx.execute(AGGREGATE_VOTES, (cutoff,))
                tx.execute("DELETE FROM analytics_searches WHERE hour < ?", (cutoff,))
                tx.execute("DELETE FROM analytics_opens WHERE hour < ?", (cutoff,))
                tx.execute("DELETE FROM feedback_votes WHERE day < ?", (cutoff,))
        except StoreError as exc:
            raise AnalyticsError(f"analytics: {exc}") from None
        return counts

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run a read query (the report's SQL is plain and runs on both backends)."""
        try:
            return self.store.query(sql, params)
        except StoreError as exc:
            raise AnalyticsError(f"analytics: {exc}") from None

    def close(self) -> None:
        """Close the store if this object opened it."""
        if self.owned:
            self.store.close()


# Raw rows older than the cutoff become one row per day, language and query (or topic, answer and
# reason); the ON CONFLICT adds to a day already folded by an earlier prune.
AGGREGATE_SEARCHES = """
    INSERT INTO analytics_search_days (day, lang, query, searches, no_result, opens)
    SELECT day, lang, query, SUM(s), SUM(z), SUM(o) FROM (
        SELECT substr(hour, 1, 10) AS day, lang, query, 1 AS s, CASE WHEN hits = 0 THEN 1 ELSE 0 END AS z,
               0 AS o FROM analytics_searches WHERE hour < ?
        UNION ALL
        SELECT substr(hour, 1, 10), lang, query, 0, 0, 1 FROM analytics_opens WHERE hour < ?
    ) AS raw GROUP BY day, lang, query
    ON CONFLICT (day, lang, query) DO UPDATE SET
        searches = analytics_search_days.searches + excluded.searches,
        no_result = analytics_search_days.no_result + excluded.no_result,
        opens = analytics_search_days.opens + excluded.opens
"""
AGGREGATE_VOTES = """
    INSERT INTO feedback_vote_days (day, topic, lang, helpful, reason, votes)
    SELECT day, topic, lang, helpful, COALESCE(reason, ''), COUNT(*) FROM feedback_votes WHERE day < ?
    GROUP BY day, topic, lang, helpful, COALESCE(reason, '')
    ON CONFLICT (day, topic, lang, helpful, reason) DO UPDATE SET
        votes = feedback_vote_days.votes + excluded.votes
"""


def open_analytics(url: str) -> Analytics:
    """The owners' tables in the database of a URL (the requests' CSOHELP_DB), migrated."""
    try:
        return Analytics(open_store(url), owned=True)
    except StoreError as exc:
        raise AnalyticsError(f"analytics: {exc}") from None
