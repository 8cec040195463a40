"""Where the owners' figures live: the analytics tables, on the same database as the requests.

`open_analytics(url)` is the only way in, like `open_store` for requests: the same CSOHELP_DB
(`sqlite:///path`) holds both. Raw events (searches, opened results, votes) are kept
`retention_days`, then folded into daily aggregates that carry no vote id and no comment;
topic views are counted per day from the start (no raw view event ever exists).
"""

from __future__ import annotations

import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ..errors import CsohelpError
from ..store import sqlite_path

SCHEMA = [
    # version 1: the owners' loop (issue 12). Times are buckets (hour or day), never instants.
    """
    CREATE TABLE IF NOT EXISTS analytics_searches (
        id INTEGER PRIMARY KEY, hour TEXT NOT NULL, lang TEXT NOT NULL, query TEXT NOT NULL,
        hits INTEGER NOT NULL, source TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS analytics_searches_hour ON analytics_searches (hour);
    CREATE TABLE IF NOT EXISTS analytics_opens (
        id INTEGER PRIMARY KEY, hour TEXT NOT NULL, lang TEXT NOT NULL, query TEXT NOT NULL,
        position INTEGER NOT NULL, topic TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS analytics_opens_hour ON analytics_opens (hour);
    CREATE TABLE IF NOT EXISTS analytics_views (
        day TEXT NOT NULL, topic TEXT NOT NULL, lang TEXT NOT NULL, views INTEGER NOT NULL,
        PRIMARY KEY (day, topic, lang));
    CREATE TABLE IF NOT EXISTS feedback_votes (
        vote_id TEXT NOT NULL, topic TEXT NOT NULL, lang TEXT NOT NULL, helpful INTEGER NOT NULL,
        reason TEXT, comment TEXT, day TEXT NOT NULL, PRIMARY KEY (vote_id, topic));
    CREATE INDEX IF NOT EXISTS feedback_votes_day ON feedback_votes (day);
    CREATE TABLE IF NOT EXISTS analytics_search_days (
        day TEXT NOT NULL, lang TEXT NOT NULL, query TEXT NOT NULL, searches INTEGER NOT NULL,
        no_result INTEGER NOT NULL, opens INTEGER NOT NULL, PRIMARY KEY (day, lang, query));
    CREATE TABLE IF NOT EXISTS feedback_vote_days (
        day TEXT NOT NULL, topic TEXT NOT NULL, lang TEXT NOT NULL, helpful INTEGER NOT NULL,
        reason TEXT NOT NULL, votes INTEGER NOT NULL, PRIMARY KEY (day, topic, lang, helpful, reason));
    """,
]


class AnalyticsError(CsohelpError):
    """The analytics store cannot be opened or written."""


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


class AnalyticsStore(ABC):
    """What the queue, the feedback routes, the report and the popular lists need."""

    @abstractmethod
    def record(self, events: Iterable[Event]) -> None:
        """Write a batch of events in one transaction; AnalyticsError if the store is down."""

    @abstractmethod
    def vote(self, vote: Vote) -> bool:
        """Store or replace a browser's vote on a topic; True if it replaced an earlier one."""

    @abstractmethod
    def prune(self, today: date, days: int) -> dict[str, int]:
        """Fold raw events older than `days` into daily aggregates and delete them."""

    @abstractmethod
    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run a read query (the report's SQL is plain and runs on every backend)."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""


class SqliteAnalytics(AnalyticsStore):
    """The analytics tables in the requests' SQLite file (WAL: readers never wait for the writer)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                       timeout=5.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise AnalyticsError(f"cannot open the analytics store {self.path}: {exc}") from None

    def _migrate(self) -> None:
        # Two servers starting at once: BEGIN IMMEDIATE makes the second wait, then see the version.
        with self._write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS analytics_schema (version INTEGER NOT NULL)")
            row = db.execute("SELECT MAX(version) FROM analytics_schema").fetchone()
            current = row[0] or 0
            for version, script in enumerate(SCHEMA[current:], start=current + 1):
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute("INSERT INTO analytics_schema (version) VALUES (?)", (version,))

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise AnalyticsError(f"analytics store: {exc}") from None

    def record(self, events: Iterable[Event]) -> None:
        searches, opens, views = [], [], {}
        for e in events:
            if e.kind == "search":
                searches.append((e.bucket, e.lang, e.query, e.number, e.source))
            elif e.kind == "open":
                opens.append((e.bucket, e.lang, e.query, e.number, e.topic))
            elif e.kind == "view":
                key = (e.bucket, e.topic, e.lang)
                views[key] = views.get(key, 0) + 1
        with self._write() as db:
            db.executemany("INSERT INTO analytics_searches (hour, lang, query, hits, source) "
                           "VALUES (?, ?, ?, ?, ?)", searches)
            db.executemany("INSERT INTO analytics_opens (hour, lang, query, position, topic) "
                           "VALUES (?, ?, ?, ?, ?)", opens)
            db.executemany("INSERT INTO analytics_views (day, topic, lang, views) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT (day, topic, lang) DO UPDATE SET views = views + excluded.views",
                           [(*k, n) for k, n in views.items()])

    def vote(self, vote: Vote) -> bool:
        with self._write() as db:
            earlier = db.execute("SELECT 1 FROM feedback_votes WHERE vote_id = ? AND topic = ?",
                                 (vote.vote_id, vote.topic)).fetchone()
            db.execute(
                "INSERT INTO feedback_votes (vote_id, topic, lang, helpful, reason, comment, day) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (vote_id, topic) DO UPDATE SET "
                "lang = excluded.lang, helpful = excluded.helpful, reason = excluded.reason, "
                "comment = excluded.comment, day = excluded.day",
                (vote.vote_id, vote.topic, vote.lang, int(vote.helpful), vote.reason, vote.comment, vote.day))
        return earlier is not None

    def prune(self, today: date, days: int) -> dict[str, int]:
        cutoff = (today - timedelta(days=days)).isoformat()  # a day; hours "YYYY-MM-DDTHH" sort after it
        with self._write() as db:
            db.execute(AGGREGATE_SEARCHES, (cutoff, cutoff))
            db.execute(AGGREGATE_VOTES, (cutoff,))
            counts = {
                "searches": db.execute("DELETE FROM analytics_searches WHERE hour < ?", (cutoff,)).rowcount,
                "opens": db.execute("DELETE FROM analytics_opens WHERE hour < ?", (cutoff,)).rowcount,
                "votes": db.execute("DELETE FROM feedback_votes WHERE day < ?", (cutoff,)).rowcount,
            }
        return counts

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise AnalyticsError(f"analytics store: {exc}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()


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


def open_analytics(url: str) -> AnalyticsStore:
    """The analytics store for a database URL (the requests' CSOHELP_DB)."""
    if url.startswith("sqlite:///"):
        return SqliteAnalytics(sqlite_path(url))
    raise AnalyticsError(f"unsupported analytics database URL {url.split('://')[0]}:// (sqlite:/// only, "
                         "until the database layer lands)")
