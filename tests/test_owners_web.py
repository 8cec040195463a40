"""Votes, recording, popular topics and the owners' page against a real server and a real SQLite file."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from conftest import LiveServer

from csohelp.owners.feedback import REASONS
from csohelp.web.settings import Settings

TOKEN = "owners-test-token-5f1c2a"
TOPIC = "invoice-dispute"


def settings_for(project: Path, tmp: Path, **overrides: object) -> Settings:
    values = {
        "db_url": f"sqlite:///{tmp / 'requests.db'}",
        "rate_limit": 0,
        "smtp_host": None,
        "smtp_to": None,
        "trusted_proxies": (),
        "owners_token": TOKEN,
    }
    return Settings.from_env(root=project, **{**values, **overrides})


def db_rows(server: LiveServer, sql: str) -> list[tuple]:
    db = sqlite3.connect(server.settings.db_url[len("sqlite:///") :])
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def flushed(server: LiveServer) -> None:
    """Write what the recorder has queued (its thread would within a second)."""
    server.server.config.app.state.owners.recorder.flush()


@pytest.fixture(scope="module")
def server(built_project, tmp_path_factory):
    with LiveServer(settings_for(built_project, tmp_path_factory.mktemp("owners"))) as live:
        yield live


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=10) as c:
        yield c


# --- votes through the API -------------------------------------------------------------------------


def test_a_vote_is_201_and_a_second_one_changes_it(server, client):
    first = client.post("/api/feedback", json={"topic": TOPIC, "lang": "fr", "helpful": True})
    assert first.status_code == 201, first.text
    assert first.json() == {"topic": TOPIC, "helpful": True, "changed": False}
    cookie = first.cookies.get("csohelp_vote")
    assert cookie and re.fullmatch(r"[A-Za-z0-9_-]{22,64}", cookie)
    header = first.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=strict" in header
    again = client.post(
        "/api/feedback",
        json={
            "topic": TOPIC,
            "lang": "fr",
            "helpful": False,
            "reason": "incomplete",
            "comment": "Écrivez à jo@acme.ca",
        },
    )
    assert again.status_code == 201 and again.json()["changed"] is True
    rows = db_rows(
        server, f"SELECT vote_id, helpful, reason, comment FROM feedback_votes WHERE vote_id = '{cookie}'"
    )
    assert rows == [(cookie, 0, "incomplete", "Écrivez à [email]")]


def test_another_browser_is_another_vote(server):
    for _ in range(2):
        with httpx.Client(base_url=server.url) as fresh:
            assert (
                fresh.post(
                    "/api/feedback", json={"topic": "order-status", "lang": "en", "helpful": True}
                ).status_code
                == 201
            )
    assert db_rows(server, "SELECT COUNT(*) FROM feedback_votes WHERE topic = 'order-status'") == [(2,)]


FR, EN = "fr", "en"


@pytest.mark.parametrize(
    ("body", "field", "lang", "message"),
    [
        ({"topic": "no-such-topic", "lang": "fr", "helpful": True}, "topic", FR, "Sujet inconnu."),
        ({"topic": "no-such-topic", "lang": "en", "helpful": True}, "topic", EN, "Unknown topic."),
        ({"topic": "../../etc", "lang": "en", "helpful": True}, "topic", EN, "Unknown topic."),
        ({"topic": TOPIC, "lang": "de", "helpful": True}, "lang", FR, "Langue non valide\u00a0: fr ou en."),
        ({"topic": TOPIC, "lang": "en", "helpful": "maybe"}, "helpful", EN, "Invalid answer"),
        ({"topic": TOPIC, "lang": "fr", "helpful": 1}, "helpful", FR, "Réponse non valide"),
        ({"topic": TOPIC, "lang": "en"}, "helpful", EN, "Invalid answer"),
        ({"topic": TOPIC, "lang": "en", "helpful": False, "reason": "spam"}, "reason", EN, "Invalid reason."),
        ({"topic": TOPIC, "lang": "fr", "helpful": True, "reason": "unclear"}, "reason", FR, "Non\u00a0»"),
        (
            {"topic": TOPIC, "lang": "en", "helpful": False, "comment": "x" * 501},
            "comment",
            EN,
            "500 characters",
        ),
        (
            {"topic": TOPIC, "lang": "en", "helpful": False, "comment": ["a"]},
            "comment",
            EN,
            "Invalid comment",
        ),
        (
            {"topic": TOPIC, "lang": "en", "helpful": False, "email": "jo@acme.ca"},
            "email",
            EN,
            "Unknown field.",
        ),
        ({"topic": TOPIC, "lang": "fr", "helpful": True, "extra": 1}, "extra", FR, "Champ inconnu."),
    ],
)
def test_bad_fields_are_422_in_the_requests_language(client, body, field, lang, message):
    response = client.post(
        "/api/feedback", json=body, headers={"Accept-Language": "fr-CA" if lang == FR else "en"}
    )
    assert response.status_code == 422
    data = response.json()
    assert set(data) == {"status", "error", "errors"} and data["status"] == 422
    assert data["error"] == ("Le vote contient des erreurs." if lang == FR else "The vote has errors.")
    assert message in data["errors"][field]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"[]", "application/json", 422),
        (b"{", "application/json", 400),
        (b"null", "application/json", 422),
        (b"topic=invoice-dispute&helpful=true", "application/x-www-form-urlencoded", 415),
        (b"[" * 30000, "application/json", 400),
    ],
)
def test_what_is_not_a_json_object_is_refused(client, body, content_type, status):
    assert (
        client.post("/api/feedback", content=body, headers={"Content-Type": content_type}).status_code
        == status
    )


def test_a_vote_from_another_site_is_refused(client, server):
    before = db_rows(server, "SELECT COUNT(*) FROM feedback_votes")
    response = client.post(
        "/api/feedback",
        json={"topic": TOPIC, "lang": "en", "helpful": True},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert db_rows(server, "SELECT COUNT(*) FROM feedback_votes") == before


def test_votes_are_rate_limited(built_project, tmp_path):
    with (
        LiveServer(settings_for(built_project, tmp_path, rate_limit=5)) as live,
        httpx.Client(base_url=live.url) as c,
    ):
        codes = [
            c.post("/api/feedback", json={"topic": TOPIC, "lang": "en", "helpful": True}).status_code
            for _ in range(31)
        ]
        assert codes[:30] == [201] * 30 and codes[30] == 429
        form = c.post("/en/feedback", data={"topic": TOPIC, "helpful": "true"}, headers={"Origin": live.url})
        assert form.status_code == 429 and "Too many votes" in form.text


def test_the_template_offers_the_reasons_the_api_accepts(built_project):
    page = (built_project / "site" / "en" / "billing" / TOPIC / "index.html").read_text("utf-8")
    assert set(re.findall(r'name="reason" value="([^"]+)"', page)) == set(REASONS)
    assert 'action="/en/feedback"' in page and "Was this article helpful?" in page
    fr = (built_project / "site" / "billing" / TOPIC / "index.html").read_text("utf-8")
    assert "Cet article vous a-t-il été utile?" in fr and 'action="/feedback"' in fr


# --- the plain form (no JavaScript) ---------------------------------------------------------------


def test_the_plain_form_returns_to_the_topic_and_asks_why_after_no(client, server):
    origin = {"Origin": server.url}
    no = client.post("/feedback", data={"topic": TOPIC, "helpful": "false"}, headers=origin)
    assert no.status_code == 303
    assert no.headers["location"] == f"/billing/{TOPIC}/#csohelp-feedback-why"
    vote_id = no.cookies["csohelp_vote"]
    why = client.post(
        "/feedback",
        data={"topic": TOPIC, "helpful": "false", "reason": "unclear", "comment": "Trop technique"},
        headers=origin,
    )
    assert why.headers["location"] == f"/billing/{TOPIC}/#csohelp-feedback-thanks"
    yes = client.post("/en/feedback", data={"topic": TOPIC, "helpful": "true"}, headers=origin)
    assert yes.headers["location"] == f"/en/billing/{TOPIC}/#csohelp-feedback-thanks"
    assert db_rows(
        server, f"SELECT lang, helpful, reason FROM feedback_votes WHERE vote_id = '{vote_id}'"
    ) == [("en", 1, None)]


def test_the_plain_form_from_another_site_is_refused(client, server):
    response = client.post(
        "/feedback", data={"topic": TOPIC, "helpful": "true"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403 and "<form" not in response.text


def test_a_browser_that_names_no_origin_confirms_with_a_token(client, server):
    asked = client.post("/en/feedback", data={"topic": TOPIC, "helpful": "true"})
    assert asked.status_code == 403 and "Confirm my vote" in asked.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', asked.text).group(1)
    confirmed = client.post("/en/feedback", data={"topic": TOPIC, "helpful": "true", "csrf_token": token})
    assert confirmed.status_code == 303
    forged = client.post("/en/feedback", data={"topic": TOPIC, "helpful": "true", "csrf_token": "x" * 43})
    assert forged.status_code == 403


def test_the_plain_form_with_a_bad_field_says_so_in_the_pages_language(client, server):
    response = client.post(
        "/feedback", data={"topic": "nope", "helpful": "true"}, headers={"Origin": server.url}
    )
    assert response.status_code == 422
    assert '<html lang="fr">' in response.text and "Sujet inconnu." in response.text


# --- what is recorded -------------------------------------------------------------------------------


def test_searches_from_the_page_and_the_api_are_recorded_masked(client, server):
    assert client.get("/search/", params={"q": "facture 123456789"}).status_code == 200
    assert client.get("/api/search", params={"q": "invoice jo@acme.ca", "lang": "en"}).status_code == 200
    assert client.get("/api/search", params={"q": "xqzwvkq", "lang": "en"}).status_code == 200
    flushed(server)
    rows = db_rows(server, "SELECT lang, query, hits > 0, source FROM analytics_searches ORDER BY id")
    assert ("fr", "facture [number]", 1, "page") in rows
    # The address is masked; how many topics answer is the search's business (its confidence bar).
    assert [r for r in rows if r[:2] == ("en", "invoice [email]") and r[3] == "api"]
    assert ("en", "xqzwvkq", 0, "api") in rows
    assert not db_rows(
        server, "SELECT 1 FROM analytics_searches WHERE query LIKE '%123456789%' OR query LIKE '%acme%'"
    )


def test_the_click_beacon_records_the_opened_position(client, server):
    ok = client.post("/api/search/opened", json={"q": "Facture", "lang": "fr", "pos": 2, "topic": TOPIC})
    assert ok.status_code == 204
    suggest = client.post(
        "/api/search/opened",
        json={"q": "ord", "lang": "en", "pos": 1, "topic": "order-status", "hits": 4, "source": "suggest"},
    )
    assert suggest.status_code == 204
    for bad in (
        {"q": "x", "lang": "fr", "pos": 0, "topic": TOPIC},
        {"q": "x", "lang": "fr", "pos": 1, "topic": "no"},
        {"q": "x", "lang": "xx", "pos": 1, "topic": TOPIC},
        {"q": 3, "lang": "fr", "pos": 1, "topic": TOPIC},
        {"q": "x", "lang": "fr", "pos": 1, "topic": TOPIC, "hits": "many", "source": "suggest"},
        {"q": "x", "lang": "fr", "pos": 1, "topic": TOPIC, "source": "elsewhere"},
        ["not", "an", "object"],
    ):
        assert client.post("/api/search/opened", json=bad).status_code == 422
    flushed(server)
    assert ("fr", "facture", 2, TOPIC) in db_rows(
        server, "SELECT lang, query, pos, topic FROM analytics_opens"
    )
    assert ("en", "ord", 4, "suggest") in db_rows(
        server, "SELECT lang, query, hits, source FROM analytics_searches"
    )


def test_topic_views_are_counted_per_day_without_the_reader(client, server):
    def views() -> int:
        flushed(server)
        found = db_rows(
            server, "SELECT SUM(views) FROM analytics_views WHERE topic = 'order-status' AND lang = 'en'"
        )
        return found[0][0] or 0

    before = views()
    assert client.get("/en/orders/order-status/").status_code == 200
    assert client.get("/en/orders/order-status").status_code in (200, 307)
    client.get("/en/orders/order-status/", headers={"Sec-Purpose": "prefetch"})
    client.get("/en/orders/order-status/", headers={"User-Agent": "Googlebot/2.1"})
    client.get("/en/orders/no-such-topic/")
    assert views() == before + 1
    columns = {r[1] for r in db_rows(server, "PRAGMA table_info(analytics_views)")}
    assert columns == {"day", "topic", "lang", "views"}  # no address, no agent, no cookie


def test_popular_topics_endpoint_falls_back_then_follows_views(client, server):
    data = client.get("/api/popular", params={"lang": "en"}).json()
    assert data["source"] == "most_asked" and data["topics"][0]["id"] == "order-status"
    app = server.server.config.app
    for _ in range(60):
        app.state.owners.recorder.viewed("contact-csol", "en")
    flushed(server)
    data = client.get("/api/popular", params={"lang": "en"}).json()
    assert data["source"] == "views"
    topic = app.state.catalogue.get("contact-csol")["en"]
    assert data["topics"][0] == {"id": "contact-csol", "title": topic["title"], "url": topic["url"]}


# --- the owners' page -----------------------------------------------------------------------------


def sign_in(client: httpx.Client, token: str = TOKEN, path: str = "/owners/") -> httpx.Response:
    page = client.get(path)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post(path + "sign-in", data={"token": token, "csrf_token": csrf})


@pytest.mark.parametrize(
    "path", ["/owners/", "/en/owners/", "/owners/?format=csv", "/en/owners/?format=json"]
)
def test_the_owners_page_is_refused_without_the_token(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    assert 'type="password"' in response.text and "Rapport" not in response.text
    assert "facture" not in response.text and "text/csv" not in response.headers["content-type"]


def test_a_wrong_token_is_refused_and_a_forged_cookie_too(client):
    assert sign_in(client, "wrong-token").status_code == 401
    client.cookies.set("csohelp_owners", f"{int(time.time()) + 3600}.{'0' * 64}")
    assert client.get("/owners/").status_code == 401


def test_the_owners_page_is_shown_with_the_token(client, server):
    client.post("/api/feedback", json={"topic": TOPIC, "lang": "fr", "helpful": False, "reason": "unclear",
                                       "comment": "Appelez-moi au 514 555-0199 <b>svp</b>"})
    client.get("/search/", params={"q": "facture"})
    flushed(server)
    signed = sign_in(client)
    assert signed.status_code == 303 and signed.headers["location"] == "/owners/"
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = client.get("/owners/")
    assert page.status_code == 200 and page.headers["x-robots-tag"] == "noindex, nofollow"
    assert page.headers["cache-control"] == "no-store"
    assert "Rapport des responsables du contenu" in page.text and "<svg" in page.text
    assert "facture" in page.text and "Contester une facture" in page.text
    assert "Appelez-moi au [phone] &lt;b&gt;svp&lt;/b&gt;" in page.text and "555-0199" not in page.text
    english = client.get("/en/owners/", params={"since": "7d", "lang": "fr"})
    assert english.status_code == 200 and "Content owners’ report" in english.text
    csv_text = client.get("/en/owners/", params={"format": "csv"})
    assert (
        csv_text.headers["content-type"].startswith("text/csv") and "top_queries,facture,fr" in csv_text.text
    )
    assert client.get("/owners/", params={"format": "json"}).json()["totals"]["searches"] >= 1
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    out = client.post("/owners/sign-out", data={"csrf_token": csrf})
    assert out.status_code == 303
    assert client.get("/owners/").status_code == 401


def test_the_owners_page_is_off_without_a_configured_token(built_project, tmp_path):
    with (
        LiveServer(settings_for(built_project, tmp_path, owners_token=None)) as live,
        httpx.Client(base_url=live.url) as c,
    ):
        for path in ("/owners/", "/en/owners/"):
            response = c.get(path)
            assert response.status_code == 404 and "password" not in response.text
        assert c.post("/owners/sign-in", data={"token": ""}).status_code == 404


def test_the_owners_page_is_in_no_sitemap(built_project):
    sitemap = built_project / "site" / "sitemap.xml"
    assert sitemap.exists() and "owners" not in sitemap.read_text("utf-8")


def test_shutting_down_writes_what_is_queued_before_the_store_closes(built_project, tmp_path):
    live = LiveServer(settings_for(built_project, tmp_path))
    with live:
        recorder = live.server.config.app.state.owners.recorder
        recorder.interval = 3600  # the writer thread would not get to them: only the shutdown will
        for i in range(300):
            recorder.search(f"facture {i}", "fr", 1, "api")
    assert db_rows(live, "SELECT COUNT(*) FROM analytics_searches") == [(300,)]
    assert recorder.stats()["dropped_down"] == 0


def test_the_no_result_page_offers_popular_topics_filled_by_the_server(client, server):
    page = client.get("/en/search/", params={"q": "xqzwvkq"})
    assert page.status_code == 200
    block = re.search(r'<h2 class="csohelp-popular__title">Common questions</h2>\s*'
                      r'<ul class="csohelp-popular__list">(.*?)</ul>', page.text, re.S)
    assert block and block.group(1).count("<li><a href=\"/en/") >= 3
    found = client.get("/en/search/", params={"q": "invoice"})
    assert "csohelp-popular" not in found.text
    not_found = client.get("/en/no-such-page/")
    assert not_found.status_code == 404 and "csohelp-popular__list" in not_found.text


def test_the_vote_limit_is_shared_by_every_process_of_one_store(built_project, tmp_path):
    settings = settings_for(built_project, tmp_path, rate_limit=5, workers=2)
    with LiveServer(settings) as one, LiveServer(settings) as two, httpx.Client() as c:
        body = {"topic": TOPIC, "lang": "en", "helpful": True}
        codes = [c.post((one, two)[i % 2].url + "/api/feedback", json=body).status_code for i in range(31)]
        assert codes[:30] == [201] * 30 and codes[30] == 429
        # Votes have their own budget: the request form's limit of 5 is untouched.
        ok = c.post(one.url + "/api/requests", json={"request_type": "billing"})
        assert ok.status_code == 422
