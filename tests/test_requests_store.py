"""The store's contract, on a real SQLite file and a real PostgreSQL: durable, sequential per year,
idempotent per client, an outbox with per-message leases, shared rate limits, migrations."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime

import pytest

from csohelp.cli import main
from csohelp.db import MAX_SEQ, REFERENCE, IdempotencyConflict, StoreError, open_store
from csohelp.db.limits import StoreHitStore
from csohelp.db.migrate import migrations
from csohelp.web.security import RateLimiter

DATA = {"request_type": "billing", "company": "Acme", "contact_name": "Jo", "email": "jo@acme.ca",
        "language": "en", "subject": "Invoice", "description": "Twice", "business": True}
YEAR = datetime.now(UTC).year


LATEST = migrations("sqlite")[-1].version  # later features add migrations (0004: the owners' loop)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty store of each backend: a new SQLite file, a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'requests.db'}"
    return request.getfixturevalue("pg_cluster").create_database()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'var' / 'requests.db'}"


def test_references_are_sequential_per_year_and_survive_a_reopen(db_url, tmp_path):
    store = open_store(db_url)
    refs = [store.submit(DATA).reference for _ in range(3)]
    store.close()
    assert refs == [f"CSOL-{YEAR}-00000{i}" for i in (1, 2, 3)]
    again = open_store(db_url)
    assert again.submit(DATA).reference == f"CSOL-{YEAR}-000004"
    assert again.get(refs[0]).data == DATA
    assert [r.reference for r in again.list()] == [*refs, f"CSOL-{YEAR}-000004"]


def test_the_file_is_in_wal_mode_with_full_sync(sqlite_url, tmp_path):
    store = open_store(sqlite_url)
    store.submit(DATA)
    db = sqlite3.connect(tmp_path / "var" / "requests.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    # synchronous is per connection: only the store's own connection can tell (2 = FULL).
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2
    store.close()


def test_a_new_year_starts_again_at_one(db_url):
    store = open_store(db_url)
    store.submit(DATA)
    # Last year's requests, numbered high: they must not push this year's numbers.
    with store.transaction() as tx:
        tx.execute("UPDATE requests SET year = ?, seq = 900, reference = ?",
                   (YEAR - 1, f"CSOL-{YEAR - 1}-000900"))
    assert store.submit(DATA).reference == f"CSOL-{YEAR}-000001"
    store.close()


def test_an_idempotency_key_gives_the_first_reference_and_one_row(db_url):
    store = open_store(db_url)
    first = store.submit(DATA, "key-1", "client-a")
    second = store.submit(dict(reversed(DATA.items())), "key-1", "client-a")  # same body, other order
    other = store.submit(DATA, "key-2", "client-a")
    assert (first.created, second.created, other.created) == (True, False, True)
    assert second.reference == first.reference != other.reference
    assert len(store.list()) == 2
    assert store.get(first.reference).data["subject"] == "Invoice"


def test_an_idempotency_key_is_per_client_and_bound_to_the_body(db_url):
    store = open_store(db_url)
    first = store.submit(DATA, "key-1", "client-a")
    # Another client reusing the key gets its own request, never someone else's reference.
    theirs = store.submit({**DATA, "company": "Other"}, "key-1", "client-b")
    assert theirs.created and theirs.reference != first.reference
    with pytest.raises(IdempotencyConflict) as caught:
        store.submit({**DATA, "subject": "changed"}, "key-1", "client-a")
    assert caught.value.reference == first.reference
    assert len(store.list()) == 2 and store.get(first.reference).data["subject"] == "Invoice"


def test_concurrent_submissions_from_two_connections_get_unique_consecutive_numbers(db_url):
    stores = [open_store(db_url), open_store(db_url)]  # like the server and the cron job
    refs: list[str] = []
    lock = threading.Lock()

    def submit(store):
        for _ in range(50):
            ref = store.submit(DATA).reference
            with lock:
                refs.append(ref)

    threads = [threading.Thread(target=submit, args=(stores[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(int(REFERENCE.match(r).group(2)) for r in refs) == list(range(1, 401))


def test_the_outbox_leases_due_requests_and_keeps_failures_queued(db_url):
    store = open_store(db_url)
    ref = store.submit(DATA).reference
    claimed = store.claim_due(now=1000.0, lease=300)
    assert [r.reference for r in claimed] == [ref]
    assert store.claim_due(now=1001.0, lease=300) == []  # leased: nobody else takes it
    store.mark_failed(ref, retry_at=1060.0, error="ConnectionRefusedError")
    assert store.claim_due(now=1059.0, lease=300) == []
    retried = store.claim_due(now=1060.0, lease=300)
    assert retried[0].attempts == 1 and retried[0].last_error == "ConnectionRefusedError"
    store.mark_sent(ref)
    assert store.claim_due(now=10**10, lease=300) == []
    assert store.get(ref).status == "sent" and store.counts() == {"queued": 0, "sent": 1, "failed": 0}


@pytest.mark.parametrize("url", ["mysql://db/csohelp", "sqlite:///", "sqlite:///:memory:",
                                 "requests.db"])
def test_unsupported_urls_are_clear_errors(url):
    with pytest.raises(StoreError):
        open_store(url)


LEGACY = """
CREATE TABLE requests (id INTEGER PRIMARY KEY, reference TEXT NOT NULL UNIQUE, year INTEGER NOT NULL,
    seq INTEGER NOT NULL, created_at TEXT NOT NULL, idempotency_key TEXT UNIQUE, language TEXT NOT NULL,
    data TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent')),
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL DEFAULT 0, sent_at TEXT,
    last_error TEXT, UNIQUE (year, seq));
"""


def test_a_store_of_the_old_schema_is_migrated_without_losing_a_request(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript(LEGACY)
        db.execute("INSERT INTO requests (reference, year, seq, created_at, idempotency_key, language, data,"
                   " status) VALUES (?, ?, 7, '2026-01-02T03:04:05+00:00', 'api:k', 'en', ?, 'sent')",
                   (f"CSOL-{YEAR}-000007", YEAR, json.dumps(DATA)))
    db.close()
    store = open_store(f"sqlite:///{path}")
    assert store.schema_version() == LATEST
    old = store.get(f"CSOL-{YEAR}-000007")
    assert old.status == "sent" and old.data == DATA
    assert store.submit(DATA).reference == f"CSOL-{YEAR}-000008"
    assert store.upgrade() == []  # idempotent: nothing left to apply
    store.close()
    assert open_store(f"sqlite:///{path}").schema_version() == LATEST


def test_the_outbox_sets_aside_and_counts_failed_requests(db_url):
    store = open_store(db_url)
    ref = store.submit(DATA).reference
    (claimed,) = store.claim_due(now=1000.0, lease=300)
    store.set_aside(ref, "SMTPRecipientsRefused")
    assert store.claim_due(now=10**10, lease=300) == []
    assert store.get(ref).status == "failed" and store.counts() == {"queued": 0, "sent": 0, "failed": 1}
    assert [r.reference for r in store.list(status="failed")] == [ref]


def test_one_claim_is_one_message_and_two_claimers_never_share_one(db_url):
    first, second = open_store(db_url), open_store(db_url)
    refs = [first.submit(DATA).reference for _ in range(3)]
    got = [first.claim_next(1000.0, 60), second.claim_next(1000.0, 60), first.claim_next(1000.0, 60)]
    assert [r.reference for r in got] == refs and second.claim_next(1000.0, 60) is None
    assert [r.reference for r in (first.claim_next(1061.0, 60),)] == [refs[0]]  # lease over: due again
    first.close()
    second.close()


def test_the_rate_limit_is_shared_by_every_connection(db_url):
    stores = [open_store(db_url), open_store(db_url)]
    limiters = [RateLimiter(3, store=StoreHitStore(store)) for store in stores]
    answers = []
    for i in range(5):
        wait = limiters[i % 2].allow("203.0.113.5", 1000.0 + i)
        if wait is None:
            limiters[(i + 1) % 2].record("203.0.113.5", 1000.0 + i)  # counted by the other process
        answers.append(wait)
    assert answers[:3] == [None, None, None] and answers[3] == pytest.approx(57.0)
    assert limiters[0].allow("198.51.100.1", 1005.0) is None  # another client
    assert limiters[1].allow("203.0.113.5", 1061.0) is None  # the oldest hit left the window
    assert limiters[0].store.recent("203.0.113.5", 0.0) == [1000.0, 1001.0, 1002.0]
    for store in stores:
        store.close()


def test_the_generic_door_runs_the_same_sql_on_both_backends(db_url):
    store = open_store(db_url)
    with store.transaction() as tx:
        tx.execute("CREATE TABLE feature_x (name TEXT NOT NULL, hits INTEGER NOT NULL)")
        tx.execute("INSERT INTO feature_x (name, hits) VALUES (?, ?)", ("a 100% ok?", 2))
    assert store.query("SELECT name, hits FROM feature_x WHERE hits > ?", (1,)) == [("a 100% ok?", 2)]
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.execute("INSERT INTO feature_x (name, hits) VALUES (?, ?)", ("rolled back", 1))
        raise RuntimeError("boom")
    assert store.query("SELECT COUNT(*) FROM feature_x")[0][0] == 1
    assert store.schema_version() == LATEST and store.upgrade() == []
    store.close()


def test_db_copy_moves_sqlite_to_postgresql_without_renumbering(sqlite_url, pg_cluster, capsys):
    source = open_store(sqlite_url)
    refs = [source.submit({**DATA, "subject": f"n{i}"}, f"k{i}", "client").reference for i in range(5)]
    source.mark_sent(refs[0])
    source.set_aside(refs[1], "SMTPRecipientsRefused")
    with source.transaction() as tx:  # a gap (a hand-deleted row) must stay a gap, not be renumbered
        tx.execute("DELETE FROM requests WHERE reference = ?", (refs[2],))
    source.close()
    target_url = pg_cluster.create_database()
    assert main(["db", "copy", "--from", sqlite_url, "--to", target_url]) == 0
    assert "copied 4 request(s) and 5 key(s)" in capsys.readouterr().out
    assert main(["db", "copy", "--from", sqlite_url, "--to", target_url]) == 0  # again: nothing twice
    assert "copied 0 request(s) and 0 key(s); 4 were already there" in capsys.readouterr().out
    source, target = open_store(sqlite_url), open_store(target_url)
    assert [r.as_dict() for r in target.list()] == [r.as_dict() for r in source.list()]
    assert target.submit({**DATA, "subject": "n3"}, "k3", "client").reference == refs[3]  # keys came too
    assert target.submit(DATA).reference == f"CSOL-{YEAR}-000006"
    source.close()
    target.close()


def test_the_cli_lists_shows_and_exports_the_same_from_both_stores(sqlite_url, pg_cluster, tmp_path,
                                                                   monkeypatch, capsys):
    outputs = []
    for url in (sqlite_url, pg_cluster.create_database()):
        store = open_store(url)
        ref = store.submit(DATA).reference
        store.submit({**DATA, "company": "Beta"})
        with store.transaction() as tx:  # the same clock for both
            tx.execute("UPDATE requests SET created_at = ?", ("2026-01-02T03:04:05+00:00",))
        store.close()
        monkeypatch.setenv("CSOHELP_DB", url)
        for command in (["list"], ["show", ref], ["export", "--format", "csv"], ["export"]):
            assert main(["requests", *command, "--root", str(tmp_path)]) == 0
        outputs.append(capsys.readouterr())
    assert outputs[0] == outputs[1]
    assert "2 requests: 2 queued, 0 sent, 0 failed" in outputs[0].err


def test_an_unreachable_database_is_a_clear_error(capsys):
    assert main(["db", "upgrade", "--url", "postgresql://csohelp@127.0.0.1:1/nowhere"]) == 1
    assert capsys.readouterr().err.startswith("error: cannot reach the database postgresql://csohelp@")


def test_a_year_without_numbers_left_is_a_store_error_and_stores_nothing(db_url):
    store = open_store(db_url)
    store.submit(DATA)
    with store.transaction() as tx:
        tx.execute("UPDATE requests SET seq = ?", (MAX_SEQ,))
    with pytest.raises(StoreError, match="no reference numbers left"):
        store.submit(DATA, "key-x", "client")
    assert len(store.list()) == 1
    assert store.query("SELECT COUNT(*) FROM idempotency_keys")[0][0] == 0  # the key was not kept
    store.close()


def test_expired_hits_of_clients_that_never_return_are_pruned(db_url, monkeypatch):
    store = open_store(db_url)
    hits = StoreHitStore(store)
    hits.add("203.0.113.9", 1000.0)  # a client seen once, long ago
    monkeypatch.setattr("csohelp.db.limits.random.random", lambda: 0.0)  # this add prunes
    hits.add("198.51.100.1", 1100.0)
    assert store.query("SELECT client FROM rate_hits ORDER BY at") == [("198.51.100.1",)]
    store.close()
