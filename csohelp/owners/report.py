"""The owners' report: what clients looked for, what helped, what failed; as text, JSON or CSV.

One function computes every figure (`compute_report`) from the analytics store, the topics of
the published catalogue and the request store; the CLI and the owners' page only format it.
Raw events and the daily aggregates left by retention are read together, so a report over a
year counts the same as it did when the events were fresh.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from rapidfuzz import fuzz, process

from ..errors import CsohelpError
from .store import Analytics

TOP = 20
STALE_DAYS = 365
Topics = Mapping[str, Mapping[str, Any]]  # catalogue topics: id -> {fr: {title, summary}, en, reviewed}

SEARCHES = """
    SELECT lang, query, SUM(searches), SUM(no_result), SUM(opens) FROM (
        SELECT lang, query, substr(hour, 1, 10) AS day, 1 AS searches,
               CASE WHEN hits = 0 THEN 1 ELSE 0 END AS no_result, 0 AS opens FROM analytics_searches
        UNION ALL SELECT lang, query, substr(hour, 1, 10), 0, 0, 1 FROM analytics_opens
        UNION ALL SELECT lang, query, day, searches, no_result, opens FROM analytics_search_days
    ) AS s WHERE day >= ? {lang} GROUP BY lang, query
"""
VOTES = """
    SELECT topic, helpful, reason, SUM(n) FROM (
        SELECT topic, lang, day, helpful, COALESCE(reason, '') AS reason, 1 AS n FROM feedback_votes
        UNION ALL SELECT topic, lang, day, helpful, reason, votes FROM feedback_vote_days
    ) AS v WHERE day >= ? {lang} GROUP BY topic, helpful, reason
"""
COMMENTS = ("SELECT topic, day, comment FROM feedback_votes WHERE comment IS NOT NULL AND day >= ? {lang} "
            "ORDER BY day DESC, topic LIMIT 200")
VIEWS = "SELECT topic, SUM(views) FROM analytics_views WHERE day >= ? {lang} GROUP BY topic"
SEARCH_DAYS = """
    SELECT day, SUM(searches), SUM(no_result) FROM (
        SELECT substr(hour, 1, 10) AS day, lang, 1 AS searches,
               CASE WHEN hits = 0 THEN 1 ELSE 0 END AS no_result FROM analytics_searches
        UNION ALL SELECT day, lang, searches, no_result FROM analytics_search_days
    ) AS s WHERE day >= ? {lang} GROUP BY day
"""
VOTE_DAYS = """
    SELECT day, helpful, SUM(n) FROM (
        SELECT day, lang, helpful, 1 AS n FROM feedback_votes
        UNION ALL SELECT day, lang, helpful, votes FROM feedback_vote_days
    ) AS v WHERE day >= ? {lang} GROUP BY day, helpful
"""


def parse_since(text: str, today: date) -> date:
    """`30d`, `12w` or a date (YYYY-MM-DD) as the first day of the report."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*([dw])\s*", text or "")
    if match:
        days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
        return today - timedelta(days=days)
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CsohelpError(f"--since {text!r}: give a number of days (30d), of weeks (4w) or a date "
                           "(2026-11-01)") from None


def _query(store: Analytics, sql: str, since: date, lang: str | None) -> list[tuple]:
    # Only the language filter changes the SQL; values always travel as parameters.
    params: tuple = (since.isoformat(), lang) if lang else (since.isoformat(),)
    return store.rows(sql.format(lang="AND lang = ?" if lang else ""), params)


def _title(topics: Topics, topic_id: str, lang: str) -> str:
    topic = topics.get(topic_id)
    return topic[lang]["title"] if topic else topic_id


def closest_topic(query: str, lang: str, topics: Topics) -> str | None:
    """The topic whose title and summary are nearest to a query that found nothing (fuzzy words)."""
    choices = {tid: f"{t[lang]['title']} {t[lang].get('summary', '')}" for tid, t in topics.items()}
    found = process.extractOne(query, choices, scorer=fuzz.token_set_ratio, score_cutoff=30)
    return found[2] if found else None


def compute_report(store: Analytics, topics: Topics, requests: Iterable[Mapping[str, Any]],
                   since: date, today: date, lang: str | None = None, stale_days: int = STALE_DAYS,
                   titles: str | None = None) -> dict:
    """Every figure of the report, from `since` (inclusive) to today, for one language or both.

    Topic titles are in `titles` (the reader's language), else in the report's, else in French.
    """
    shown = titles or lang or "fr"
    searches = [{"lang": r[0], "query": r[1], "searches": r[2], "no_result": r[3], "opens": r[4]}
                for r in _query(store, SEARCHES, since, lang)]
    asked = [s for s in searches if s["searches"]]
    top = sorted(asked, key=lambda s: (-s["searches"], s["query"]))[:TOP]
    failed = sorted((s for s in asked if s["no_result"]), key=lambda s: (-s["no_result"], s["query"]))[:TOP]
    for s in failed:
        s["closest_topic"] = closest_topic(s["query"], s["lang"], topics)
    never = sorted((s for s in asked if s["searches"] > s["no_result"] and not s["opens"]),
                   key=lambda s: (-s["searches"], s["query"]))[:TOP]

    votes: dict[str, dict[str, Any]] = defaultdict(lambda: {"yes": 0, "no": 0, "reasons": Counter()})
    for topic, helpful, reason, n in _query(store, VOTES, since, lang):
        votes[topic]["yes" if helpful else "no"] += n
        if not helpful and reason:
            votes[topic]["reasons"][reason] += n
    comments = defaultdict(list)
    for topic, day, comment in _query(store, COMMENTS, since, lang):
        comments[topic].append({"day": day, "comment": comment})
    feedback = [{"topic": t, "title": _title(topics, t, shown), "yes": v["yes"], "no": v["no"],
                 "helpful_ratio": round(v["yes"] / (v["yes"] + v["no"]), 3),
                 "reasons": dict(sorted(v["reasons"].items())), "comments": comments[t][:5]}
                for t, v in votes.items()]
    feedback.sort(key=lambda f: (f["helpful_ratio"], -(f["yes"] + f["no"]), f["topic"]))

    viewed = sorted(((t, n) for t, n in _query(store, VIEWS, since, lang)), key=lambda v: (-v[1], v[0]))
    kept = [r for r in requests if str(r.get("created_at", ""))[:10] >= since.isoformat()
            and (lang is None or r.get("language") == lang)]
    by_type = Counter(r.get("request_type") or "other" for r in kept)
    by_topic = Counter(r.get("topic") or "" for r in kept)
    stale_before = (today - timedelta(days=stale_days)).isoformat()
    stale = sorted((t.get("reviewed", ""), tid) for tid, t in topics.items()
                   if t.get("reviewed") and t["reviewed"] < stale_before)

    series: dict[str, dict[str, int]] = {}
    for i in range((today - since).days + 1):
        series[(since + timedelta(days=i)).isoformat()] = {"searches": 0, "no_result": 0, "yes": 0, "no": 0}
    for day, n, zero in _query(store, SEARCH_DAYS, since, lang):
        if day in series:
            series[day].update(searches=n, no_result=zero)
    for day, helpful, n in _query(store, VOTE_DAYS, since, lang):
        if day in series:
            series[day]["yes" if helpful else "no"] = n
    return {
        "since": since.isoformat(), "until": today.isoformat(), "lang": lang,
        "totals": {"searches": sum(s["searches"] for s in searches),
                   "no_result": sum(s["no_result"] for s in searches),
                   "opens": sum(s["opens"] for s in searches),
                   "votes_yes": sum(v["yes"] for v in votes.values()),
                   "votes_no": sum(v["no"] for v in votes.values()),
                   "views": sum(n for _, n in viewed), "requests": len(kept)},
        "top_queries": top,
        "no_result_queries": [{**s, "closest_title": _title(topics, s["closest_topic"], s["lang"])
                               if s["closest_topic"] else None} for s in failed],
        "never_opened": never,
        "feedback": feedback,
        "comments": [{"topic": t, "title": _title(topics, t, shown), **c}
                     for t in sorted(comments) for c in comments[t][:5]],
        "most_viewed": [{"topic": t, "title": _title(topics, t, shown), "views": n} for t, n in viewed[:TOP]],
        "requests_by_type": [{"request_type": k, "requests": n}
                             for k, n in sorted(by_type.items(), key=lambda i: (-i[1], i[0]))],
        "requests_by_topic": [{"topic": k or None, "requests": n}
                              for k, n in sorted(by_topic.items(), key=lambda i: (-i[1], i[0]))],
        "stale_topics": [{"topic": tid, "title": _title(topics, tid, shown), "reviewed": day}
                         for day, tid in stale],
        "series": [{"day": d, **v} for d, v in series.items()],
    }


# --- formats --------------------------------------------------------------------------------------

SECTIONS = [  # (key, heading, columns)
    ("top_queries", "Top queries", ("query", "lang", "searches", "no_result", "opens")),
    ("no_result_queries", "Queries with no confident result",
     ("query", "lang", "no_result", "closest_topic")),
    ("never_opened", "Queries whose results were never opened", ("query", "lang", "searches")),
    ("feedback", "Was this article helpful? (worst first)",
     ("topic", "yes", "no", "helpful_ratio", "reasons")),
    ("most_viewed", "Most viewed topics", ("topic", "views")),
    ("requests_by_type", "Requests per type", ("request_type", "requests")),
    ("requests_by_topic", "Requests per topic of origin", ("topic", "requests")),
    ("stale_topics", f"Topics reviewed more than {STALE_DAYS // 30} months ago", ("topic", "reviewed")),
]


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.0%}"
    return "-" if value is None else str(value)


def format_text(report: dict) -> str:
    """A plain-text report for a terminal or an e-mail."""
    t = report["totals"]
    lines = [f"CSO Canada help center: report {report['since']} to {report['until']}"
             f" ({report['lang'] or 'fr+en'})",
             f"{t['searches']} searches ({t['no_result']} with no confident result, {t['opens']} results "
             f"opened), {t['views']} topic views, votes {t['votes_yes']} yes / {t['votes_no']} no, "
             f"{t['requests']} requests"]
    for key, heading, columns in SECTIONS:
        lines += ["", heading, "-" * len(heading)]
        rows = report[key]
        if not rows:
            lines.append("(none)")
            continue
        cells = [[_cell(r.get(c)) for c in columns] for r in rows]
        widths = [min(max(len(c), *(len(row[i]) for row in cells)), 60) for i, c in enumerate(columns)]
        lines.append("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
        lines += ["  ".join(v[:60].ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
                  for row in cells]
    return "\n".join(lines) + "\n"


def format_json(report: dict) -> str:
    """The report as one JSON object."""
    return json.dumps(report, ensure_ascii=False, indent=1) + "\n"


def format_csv(report: dict) -> str:
    """Long format, one figure a row: section, item, lang, measure, value (formulas neutralised)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("section", "item", "lang", "measure", "value"))

    def safe(value: Any) -> Any:
        # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
        return "'" + value if isinstance(value, str) and value and value[0] in "=+-@\t\r" else value

    for name, value in report["totals"].items():
        writer.writerow(("totals", "", report["lang"] or "", name, value))
    for key, _, columns in SECTIONS:
        item_col = columns[0]
        for row in report[key]:
            for measure in columns[1:]:
                if measure == "lang":
                    continue
                value = row.get(measure)
                if isinstance(value, dict):
                    for sub, n in value.items():
                        writer.writerow((key, safe(row[item_col] or ""), row.get("lang", ""),
                                         f"{measure}.{sub}", n))
                else:
                    writer.writerow((key, safe(row[item_col] or ""), row.get("lang", ""), measure,
                                     safe("" if value is None else value)))
    return out.getvalue()


FORMATS = {"text": format_text, "json": format_json, "csv": format_csv}
