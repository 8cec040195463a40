"""The SearchBackend contract, run against every backend (Whoosh today), and the index swap."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import LiveServer
from search_helpers import build_faq_index

from csohelp.build import publish_dir
from csohelp.errors import QueryError
from csohelp.search import SearchBackend, WhooshBackend, backend_for, search_topics
from csohelp.web.settings import Settings

BACKENDS = [WhooshBackend]


@pytest.fixture(scope="module", params=BACKENDS, ids=lambda b: b.__name__)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SearchBackend:
    root = tmp_path_factory.mktemp("backend")
    publish_dir(build_faq_index(root / "index-1"), root / "search_index")
    return request.param(root / "search_index")


def test_search_contract(backend: SearchBackend) -> None:
    result = backend.search("Numéro de série", "fr", limit=5)
    assert result.hits[0].id == "serial-lookup"
    assert result.hits[0].url == "/inventory/serial-lookup/"
    assert len(result.hits) <= 5 and result.total >= len(result.hits)
    assert all(h.lang == "fr" for h in result.hits)
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)


def test_a_typo_that_finds_nothing_shows_the_corrected_results(backend: SearchBackend) -> None:
    # "paymnet" is no word: the results are those of "payment", and the answer says so.
    exact = backend.search("payment", "en")
    typo = backend.search("paymnet", "en")
    assert typo.corrected and typo.suggestion == "payment"
    assert [h.id for h in typo.hits] == [h.id for h in exact.hits]
    assert typo.hits[0].id == "payment-methods-and-terms"
    # The "search instead for" link: the query as typed, uncorrected, finds nothing.
    instead = backend.search("paymnet", "en", exact=True)
    assert instead.hits == [] and instead.suggestion is None and not instead.corrected


def test_short_words_are_corrected_only_for_two_letters_swapped(backend: SearchBackend) -> None:
    # A three-letter word has too many neighbours one edit away ("pyx", "pau" are not "pay"),
    # but two neighbouring letters typed the wrong way round are a slip: "pya" is "pay".
    assert backend.search("pyx", "en").hits == [] and backend.search("pau", "en").hits == []
    swapped = backend.search("pya", "en")
    assert swapped.corrected and swapped.suggestion == "pay"
    assert swapped.hits[0].id == "payment-methods-and-terms"


def test_synonyms_both_ways(backend: SearchBackend) -> None:
    assert backend.search("bill", "en", 3).hits[0].id in {"billing-options", "invoice-dispute"}
    assert backend.search("permis", "fr", 1).hits[0].id == "software-licensing"
    assert backend.search("expiry", "fr", 1).hits[0].id == "contract-renewals"


def test_suggest_and_article(backend: SearchBackend) -> None:
    assert backend.suggest("commande", "fr")[0]["id"] in {"order-status", "order-entry-management"}
    assert backend.article("order-status")["en"]["url"] == "/en/orders/order-status/"
    assert backend.article("nope") is None
    assert {c["id"] for c in backend.categories()} >= {"billing", "orders"}


@pytest.mark.parametrize("call", [
    lambda b: b.search("x" * 501, "fr"),
    lambda b: b.search("facture", "de"),
    lambda b: b.search("facture", "fr", category="nope"),
    lambda b: b.suggest("x" * 501, "en"),
])
def test_bad_input_raises_query_error_with_both_languages(backend: SearchBackend, call) -> None:
    with pytest.raises(QueryError) as info:
        call(backend)
    assert info.value.message_for("fr") != info.value.message_for("en")


def test_repeated_query_is_answered_from_cache(backend: SearchBackend) -> None:
    # A real search of this small index may also take under 1 ms: the shared hits prove the cache.
    first = backend.search("contrat de service", "fr")
    again = backend.search("Contrat  de SERVICE", "fr")
    assert again.hits is first.hits and again.took_ms < 1
    assert again.query == "Contrat de SERVICE"  # echoed as typed, not as first cached


def test_unknown_words_leave_nothing_in_the_scorer_caches(backend: SearchBackend) -> None:
    # Typed words are unbounded; caching their (empty) postings or idf would grow without end.
    scorer = backend.handle.current().scorers["en"]
    backend.search("zqxjv", "en")
    before = (len(scorer.cache._data), len(scorer._idf))
    for i in range(30):
        assert backend.search(f"zqxjv{i} wkqpz{i}", "en").hits == []
    assert (len(scorer.cache._data), len(scorer._idf)) == before


def test_search_topics_for_other_features(tmp_path: Path) -> None:
    publish_dir(build_faq_index(tmp_path / "index-1"), tmp_path / "search_index")
    hits = search_topics(tmp_path / "search_index", "track my order", "en", 3)
    assert hits[0].id == "order-status" and hits[0].url == "/en/orders/order-status/"


def test_queries_keep_succeeding_while_the_index_is_rebuilt(tmp_path: Path) -> None:
    """Rebuild and swap the index five times while two threads query it without pause."""
    link = tmp_path / "search_index"
    publish_dir(build_faq_index(tmp_path / "index-0", version="v0"), link)
    backend = WhooshBackend(link, cache_size=1)
    failures: list[BaseException] = []
    answered = [0]
    stop = threading.Event()

    def query() -> None:
        words = ["facture", "commande", "livraison", "contrat", "numéro de série"]
        i = 0
        while not stop.is_set():
            try:
                hits = backend.search(words[i % len(words)] + f" {i}", "fr").hits
                assert hits, "no hits"
                answered[0] += 1
            except BaseException as exc:  # noqa: BLE001 - every failure is the test's finding
                failures.append(exc)
            i += 1

    threads = [threading.Thread(target=query) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for n in range(1, 6):
            publish_dir(build_faq_index(tmp_path / f"index-{n}", version=f"v{n}"), link)
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not failures, failures[:3]
    assert answered[0] > 20
    assert backend.handle.current().version == "v5"  # picked up without a restart


def test_server_picks_up_a_new_index_without_restart(built_project: Path, tmp_path: Path) -> None:
    link = tmp_path / "search_index"
    publish_dir(build_faq_index(tmp_path / "index-a", version="a"), link)
    settings = Settings(root=tmp_path, site_dir=built_project / "site", index_dir=link)
    with LiveServer(settings) as server, httpx.Client(base_url=server.url) as client:
        statuses: list[int] = []
        stop = threading.Event()

        def hammer() -> None:
            while not stop.is_set():
                statuses.append(client.get("/api/search", params={"q": "facture", "lang": "fr"}).status_code)

        thread = threading.Thread(target=hammer)
        thread.start()
        publish_dir(build_faq_index(tmp_path / "index-b", version="b"), link)
        time.sleep(0.3)
        stop.set()
        thread.join()
        assert statuses and set(statuses) == {200}
        # The app's backend (one per index folder in the process) now reads the new index.
        assert backend_for(link).handle.current().version == "b"


@pytest.mark.parametrize("query, lang", [("numéro de série", "fr"), ("invoice payment terms", "en"),
                                         ("facture commande", "fr"), ("licence", "en")])
def test_bulk_scorer_ranks_exactly_like_whoosh(backend: SearchBackend, query: str, lang: str) -> None:
    """The bulk BM25F scorer (csohelp.search.scoring) gives Whoosh's own scores and order."""
    from whoosh.query import Or, Term

    from csohelp.search.analysis import plain_words
    from csohelp.search.query import concepts_of, whoosh_query

    ix = backend.handle.current()
    clauses, _marks, _needs = whoosh_query(concepts_of(plain_words(query), ix.synonyms), lang)
    assert any(len(c.terms) == 1 for c in clauses)
    terms = [c for c in clauses if len(c.terms) == 1]  # Whoosh scores phrases its own way
    whoosh_q = Or([Term(c.field, c.terms[0], boost=c.boost) for c in terms])
    with ix.searching(lang) as searcher:
        expected = [(h.docnum, h.score) for h in searcher.search(whoosh_q, limit=10)]
        total = len(searcher.search(whoosh_q, limit=None))
        got, got_total = ix.scorers[lang].top(searcher, terms, 10)
    assert [d for d, _ in got] == [d for d, _ in expected] and got_total == total
    assert [s for _, s in got] == pytest.approx([s for _, s in expected])


def test_while_a_new_index_opens_queries_are_answered_from_the_one_in_service(tmp_path: Path) -> None:
    """Opening reads, verifies and warms an index (seconds for a big one): the other request
    threads must not wait for it."""
    link = tmp_path / "search_index"
    publish_dir(build_faq_index(tmp_path / "index-0", version="v0"), link)
    backend = WhooshBackend(link, cache_size=0)
    assert backend.search("facture", "fr").hits
    publish_dir(build_faq_index(tmp_path / "index-1", version="v1"), link)
    answered: list[str] = []
    with backend.handle._lock:  # another thread is opening the new index
        worker = threading.Thread(target=lambda: answered.append(backend._open().version))
        worker.start()
        worker.join(timeout=10)
        assert not worker.is_alive(), "a query waited for the index being opened"
    assert answered == ["v0"]
    assert backend._open().version == "v1"  # and the next query, once it is open, reads it


def test_the_postings_of_a_verified_index_answer_without_the_segment_files(tmp_path: Path) -> None:
    """Every scored term is decoded at open: a query needs no read of the postings file, even
    for a word the index has never seen."""
    link = tmp_path / "search_index"
    publish_dir(build_faq_index(tmp_path / "index-0"), link)
    backend = WhooshBackend(link, cache_size=0)
    ix = backend._open()
    expected = [h.id for h in backend.search("numéro de série", "fr").hits]
    (postings,) = (link / "fr").glob("*.pst")
    postings.write_bytes(b"\0" * postings.stat().st_size)  # any read of it now gives garbage
    assert [h.id for h in backend.search("numéro de série", "fr").hits] == expected
    # An unknown word: no lookup either (and a word from elsewhere: nothing confident).
    assert backend.search("zqxjvw numéro", "fr").total == 0
    assert ix.scorers["fr"].cache.loaded and not ix.scorers["fr"].cache.dropped


def test_phrase_matches_are_remembered_within_a_bound() -> None:
    """Typed words that analyse to several stems make phrases too: as unbounded as the input."""
    import numpy as np

    from csohelp.search.scoring import PhraseCache

    cache = PhraseCache(size=3)
    computed: list[int] = []
    for n in range(10):
        cache.get(("title", (f"a{n}", "b")), lambda n=n: computed.append(n) or np.array([n]))
    assert len(cache._data) == 3 and computed == list(range(10))
    assert cache.get(("title", ("a9", "b")), lambda: np.array([-1]))[0] == 9  # kept, not recomputed


def test_an_index_built_before_no_topic_groups_still_opens(tmp_path: Path) -> None:
    # A rollback publishes an older build: its meta.json has no "no_topic" list.
    index = build_faq_index(tmp_path / "index")
    meta_path = index / "meta.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    del meta["no_topic"]
    meta_path.write_text(json.dumps(meta), "utf-8")
    old = WhooshBackend(index)
    assert old.search("facture", "fr").hits
    assert old.handle.current().no_topic == frozenset()
