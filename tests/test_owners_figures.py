"""The owners' figures on a real SQLite file: masking, the recorder, retention, the report, popular topics."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from csohelp.db import open_store
from csohelp.errors import CsohelpError
from csohelp.owners.events import Recorder
from csohelp.owners.masking import normalise_query
from csohelp.owners.popular import popular_topics
from csohelp.owners.report import compute_report, format_csv, format_json, format_text, parse_since
from csohelp.owners.store import Analytics, AnalyticsError, Event, Vote

TODAY = date(2026, 11, 28)
TOPICS = {
    "invoice-dispute": {"fr": {"title": "Contester une facture", "summary": "Erreur sur une facture",
                               "url": "/billing/invoice-dispute/"},
                        "en": {"title": "Dispute an invoice", "summary": "An error on an invoice",
                               "url": "/en/billing/invoice-dispute/"}, "reviewed": "2026-11-26"},
    "order-status": {"fr": {"title": "État d’une commande", "summary": "Où en est ma commande",
                            "url": "/orders/order-status/"},
                     "en": {"title": "Order status", "summary": "Where is my order",
                            "url": "/en/orders/order-status/"}, "reviewed": "2025-06-01"},
    "contact-csol": {"fr": {"title": "Joindre CSOL", "summary": "Téléphone et formulaire",
                            "url": "/about/contact-csol/"},
                     "en": {"title": "Contact CSOL", "summary": "Phone and form",
                            "url": "/en/about/contact-csol/"},
                     "reviewed": "2025-11-29"},
}


@pytest.fixture(params=["sqlite", "postgresql"])
def analytics(request, tmp_path: Path):
    """The owners' tables on each backend: a new SQLite file, a new PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'requests.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database()
    store = Analytics(open_store(url), owned=True)
    yield store
    store.close()


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:15:00").replace(tzinfo=UTC)


# --- masking -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "stored"), [
    ("marie.tremblay@example.com facture", "[email] facture"),
    ("Facture pour MARIE@Example.COM", "facture pour [email]"),
    ("appelez-moi au 514 555-0199", "appelez-moi au [phone]"),
    ("(613) 555-0123 commande", "[phone] commande"),
    ("+1 416-555-0142", "[phone]"),
    ("1-866-880-2765", "[phone]"),
    ("invoice 123456789", "invoice [number]"),
    ("facture no 9876543", "facture no [number]"),
    ("INV2026000123 paid twice", "[number] paid twice"),
    ("client 1234 5678 9012", "client [number]"),
    ("customer number 0001234567", "customer number [number]"),
    ("CSOL-2026-000123", "[number]"),
    # Not personal: short numbers, words, model numbers with few digits stay readable.
    ("numéro de série 7893", "numéro de série 7893"),
    ("order 12345", "order 12345"),
    ("type 2145 modèle 50x", "type 2145 modèle 50x"),
    ("  État   de  COMMANDE ", "état de commande"),
    ("a\u202eb\u0000c", "a b c"),
    ("x" * 300, "x" * 200),
])
def test_personal_data_in_queries_is_masked_before_storage(query: str, stored: str):
    assert normalise_query(query) == stored


# --- the recorder ----------------------------------------------------------------------------------

class DownStore:
    """A store whose database is unreachable (the process boundary we may mock)."""

    def record(self, events):
        raise AnalyticsError("connection refused")


def test_a_full_queue_drops_and_counts_without_blocking(analytics):
    recorder = Recorder(analytics, capacity=3, batch=100)
    for i in range(5):
        recorder.search(f"q{i}", "fr", 1, "page")
    assert recorder.stats() == {"queued": 3, "written": 0, "dropped_full": 2, "dropped_down": 0}
    assert recorder.flush() == 3
    assert analytics.rows("SELECT COUNT(*) FROM analytics_searches") == [(3,)]


def test_a_store_that_is_down_drops_and_counts_and_never_raises():
    recorder = Recorder(DownStore(), batch=2)  # type: ignore[arg-type]
    for _ in range(5):
        recorder.viewed("order-status", "fr")
    assert recorder.flush() == 0
    assert recorder.stats()["dropped_down"] == 5 and recorder.stats()["queued"] == 0


def test_the_writer_thread_loses_nothing_from_many_threads(analytics):
    recorder = Recorder(analytics, batch=50, interval=0.05)
    recorder.start()

    def burst(n: int) -> None:
        for i in range(250):
            recorder.search(f"facture {n}", "fr", i % 3, "api")

    threads = [threading.Thread(target=burst, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    recorder.stop()
    assert recorder.stats() == {"queued": 0, "written": 1000, "dropped_full": 0, "dropped_down": 0}
    assert analytics.rows("SELECT COUNT(*) FROM analytics_searches") == [(1000,)]


def test_stored_events_hold_buckets_and_masked_text_only(analytics):
    recorder = Recorder(analytics, clock=lambda: at("2026-11-28", 14))
    recorder.search("Facture 123456789 de jo@acme.ca", "fr", 2, "page")
    recorder.opened("Facture 123456789", "fr", 1, "invoice-dispute")
    recorder.viewed("invoice-dispute", "en")
    recorder.flush()
    assert analytics.rows("SELECT hour, lang, query, hits, source FROM analytics_searches") == [
        ("2026-11-28T14", "fr", "facture [number] de [email]", 2, "page")]
    assert analytics.rows("SELECT hour, query, pos, topic FROM analytics_opens") == [
        ("2026-11-28T14", "facture [number]", 1, "invoice-dispute")]
    assert analytics.rows("SELECT day, topic, lang, views FROM analytics_views") == [
        ("2026-11-28", "invoice-dispute", "en", 1)]


# --- a known set of events -------------------------------------------------------------------------

def load_events(analytics: Analytics) -> None:
    """12 searches, 4 opens, 9 views, 6 votes over two days, plus one old day outside 30 days."""
    events = []
    for day, hour in (("2026-11-27", 9), ("2026-11-28", 10)):
        b = f"{day}T{hour:02d}"
        events += [Event("search", b, "fr", "facture", 3, source="page")] * 3
        events += [Event("search", b, "fr", "xqzwvk", 0, source="api")]
        events += [Event("search", b, "en", "order status", 2, source="suggest")]
        events += [Event("search", b, "en", "licence renewal", 1, source="page")]
        events += [Event("open", b, "fr", "facture", 1, "invoice-dispute")] * 2
        events += [Event("view", day, "fr", topic="invoice-dispute")] * 3
    events += [Event("view", "2026-11-28", "en", topic="order-status")] * 3
    events += [Event("search", "2026-09-01T08", "fr", "vieille requête", 0, source="page")]  # before --since
    analytics.record(events)
    votes = [("a", "invoice-dispute", True, None), ("b", "invoice-dispute", True, None),
             ("c", "invoice-dispute", False, "unclear"), ("a", "order-status", False, "incomplete"),
             ("b", "order-status", False, "incomplete"), ("c", "order-status", False, None)]
    for vote_id, topic, helpful, reason in votes:
        analytics.vote(Vote(vote_id, topic, "fr", helpful, reason, "trop long" if vote_id == "c" else None,
                            "2026-11-28"))


REQUESTS = [
    {"created_at": "2026-11-27T10:00:00+00:00", "request_type": "billing", "topic": "invoice-dispute",
     "language": "fr"},
    {"created_at": "2026-11-28T10:00:00+00:00", "request_type": "billing", "topic": None, "language": "en"},
    {"created_at": "2026-11-28T11:00:00+00:00", "request_type": "order-status", "topic": "order-status",
     "language": "en"},
    {"created_at": "2026-01-01T11:00:00+00:00", "request_type": "other", "topic": None, "language": "en"},
]


def test_the_report_counts_exactly_from_a_known_set_of_events(analytics):
    load_events(analytics)
    report = compute_report(analytics, TOPICS, REQUESTS, parse_since("30d", TODAY), TODAY)
    assert report["totals"] == {"searches": 12, "no_result": 2, "opens": 4, "votes_yes": 2, "votes_no": 4,
                                "views": 9, "requests": 3}
    assert [(q["query"], q["searches"], q["opens"]) for q in report["top_queries"]] == [
        ("facture", 6, 4), ("licence renewal", 2, 0), ("order status", 2, 0), ("xqzwvk", 2, 0)]
    assert [(q["query"], q["no_result"]) for q in report["no_result_queries"]] == [("xqzwvk", 2)]
    assert [(q["query"], q["searches"]) for q in report["never_opened"]] == [
        ("licence renewal", 2), ("order status", 2)]
    feedback = {f["topic"]: f for f in report["feedback"]}
    assert (feedback["invoice-dispute"]["yes"], feedback["invoice-dispute"]["no"]) == (2, 1)
    assert feedback["invoice-dispute"]["helpful_ratio"] == 0.667
    assert feedback["order-status"]["reasons"] == {"incomplete": 2}
    assert [f["topic"] for f in report["feedback"]] == ["order-status", "invoice-dispute"]  # worst first
    assert [(v["topic"], v["views"]) for v in report["most_viewed"]] == [
        ("invoice-dispute", 6), ("order-status", 3)]
    assert report["requests_by_type"] == [{"request_type": "billing", "requests": 2},
                                          {"request_type": "order-status", "requests": 1}]
    assert report["requests_by_topic"] == [{"topic": None, "requests": 1},
                                           {"topic": "invoice-dispute", "requests": 1},
                                           {"topic": "order-status", "requests": 1}]
    # order-status reviewed 2025-06-01 is older than 12 months; contact-csol (2025-11-29) is not.
    assert [s["topic"] for s in report["stale_topics"]] == ["order-status"]
    days = {s["day"]: s for s in report["series"]}
    assert days["2026-11-28"] == {"day": "2026-11-28", "searches": 6, "no_result": 1, "yes": 2, "no": 4}
    assert len(report["series"]) == 31


def test_the_report_for_one_language(analytics):
    load_events(analytics)
    report = compute_report(analytics, TOPICS, REQUESTS, parse_since("30d", TODAY), TODAY, lang="en")
    assert report["totals"] == {"searches": 4, "no_result": 0, "opens": 0, "votes_yes": 0, "votes_no": 0,
                                "views": 3, "requests": 2}


def test_the_report_formats_say_the_same(analytics):
    load_events(analytics)
    report = compute_report(analytics, TOPICS, REQUESTS, parse_since("30d", TODAY), TODAY)
    assert json.loads(format_json(report))["totals"]["searches"] == 12
    text = format_text(report)
    assert "12 searches (2 with no confident result, 4 results opened)" in text
    assert "xqzwvk" in text and "order-status" in text
    rows = list(csv.DictReader(io.StringIO(format_csv(report))))
    assert {"section": "top_queries", "item": "facture", "lang": "fr", "measure": "searches",
            "value": "6"} in rows
    assert {"section": "feedback", "item": "order-status", "lang": "", "measure": "reasons.incomplete",
            "value": "2"} in rows


def test_csv_cells_cannot_run_as_formulas(analytics):
    analytics.record([Event("search", "2026-11-28T10", "fr", "=cmd|' /c calc'!a1", 1, source="page")])
    report = compute_report(analytics, TOPICS, [], parse_since("7d", TODAY), TODAY)
    assert "'=cmd|' /c calc'!a1" in format_csv(report)


@pytest.mark.parametrize(("text", "since"), [("30d", date(2026, 10, 29)), ("2w", date(2026, 11, 14)),
                                              ("2026-11-01", date(2026, 11, 1))])
def test_since_is_days_weeks_or_a_date(text: str, since: date):
    assert parse_since(text, TODAY) == since


@pytest.mark.parametrize("text", ["", "30", "thirty days", "2026-13-01", "-3d"])
def test_a_bad_since_is_a_clean_error(text: str):
    with pytest.raises(CsohelpError, match="--since"):
        parse_since(text, TODAY)


# --- retention -----------------------------------------------------------------------------------

def test_retention_folds_old_raw_events_into_days_and_the_report_stays_the_same(analytics):
    load_events(analytics)
    before = compute_report(analytics, TOPICS, REQUESTS, date(2026, 8, 1), TODAY)
    # Keep 1 day: everything before 2026-11-27 goes, i.e. the old search and nothing else...
    assert analytics.prune(TODAY, 1) == {"searches": 1, "opens": 0, "votes": 0}
    # ...then keep 0 days: every raw event before today is folded.
    assert analytics.prune(TODAY, 0) == {"searches": 6, "opens": 2, "votes": 0}
    assert analytics.rows("SELECT COUNT(*) FROM analytics_searches WHERE hour < '2026-11-28'") == [(0,)]
    assert analytics.prune(date(2026, 11, 30), 1) == {"searches": 6, "opens": 2, "votes": 6}
    assert analytics.rows("SELECT COUNT(*) FROM feedback_votes") == [(0,)]
    after = compute_report(analytics, TOPICS, REQUESTS, date(2026, 8, 1), TODAY)
    for key in ("totals", "top_queries", "no_result_queries", "never_opened", "most_viewed", "series"):
        assert after[key] == before[key], key
    # Aggregates keep counts and reasons, never the vote id or the comment.
    assert [(f["topic"], f["yes"], f["no"], f["reasons"]) for f in after["feedback"]] == [
        (f["topic"], f["yes"], f["no"], f["reasons"]) for f in before["feedback"]]
    assert all(not f["comments"] for f in after["feedback"])
    assert analytics.prune(date(2026, 11, 30), 1) == {"searches": 0, "opens": 0, "votes": 0}


# --- popular topics ------------------------------------------------------------------------------

def test_popular_topics_come_from_views_when_there_are_enough(analytics):
    analytics.record([Event("view", "2026-11-20", "fr", topic="contact-csol")] * 40
                     + [Event("view", "2026-11-21", "fr", topic="order-status")] * 20
                     + [Event("view", "2026-11-21", "en", topic="invoice-dispute")] * 5
                     + [Event("view", "2026-09-01", "fr", topic="invoice-dispute")] * 100)  # too old
    source, topics = popular_topics(analytics, TOPICS, ["invoice-dispute", "order-status"], "fr", TODAY)
    assert source == "views"
    assert [t["id"] for t in topics] == ["contact-csol", "order-status", "invoice-dispute"]
    assert topics[0] == {"id": "contact-csol", "title": "Joindre CSOL", "url": "/about/contact-csol/"}


def test_popular_topics_fall_back_to_most_asked(analytics):
    analytics.record([Event("view", "2026-11-21", "en", topic="contact-csol")] * 5)
    assert popular_topics(analytics, TOPICS, ["order-status", "invoice-dispute"], "en", TODAY) == (
        "most_asked", [{"id": "order-status", "title": "Order status", "url": "/en/orders/order-status/"},
                       {"id": "invoice-dispute", "title": "Dispute an invoice",
                        "url": "/en/billing/invoice-dispute/"}])
    assert popular_topics(None, TOPICS, ["order-status"], "en", TODAY)[0] == "most_asked"


def test_popular_ids_are_the_same_order(analytics):
    from csohelp.owners.popular import popular_ids

    analytics.record([Event("view", "2026-11-20", "fr", topic="order-status")] * 60)
    ids = popular_ids(analytics, TOPICS, ["invoice-dispute"], "fr", TODAY)
    assert ids == ["order-status", "invoice-dispute"]
