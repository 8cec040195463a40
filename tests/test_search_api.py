"""The search API and results page over real HTTP: shapes, escaping, status codes, bad input."""

from __future__ import annotations

import html
import re

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csohelp.cli import main
from csohelp.search.analysis import stems
from csohelp.search.query import snippet

HIT_KEYS = {"id", "lang", "title", "url", "snippet", "category", "score"}


@pytest.fixture(scope="module")
def client(live_server) -> httpx.Client:
    with httpx.Client(base_url=live_server.url, timeout=10) as c:
        yield c


def test_search_shape(client: httpx.Client) -> None:
    r = client.get("/api/search", params={"q": "facture", "lang": "fr", "limit": 3})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"query", "lang", "total", "hits", "suggestion", "corrected", "took_ms"}
    assert body["query"] == "facture" and body["lang"] == "fr"
    assert 1 <= len(body["hits"]) <= 3 <= body["total"]
    for hit in body["hits"]:
        assert set(hit) == HIT_KEYS
        assert hit["lang"] == "fr" and not hit["url"].startswith("/en/")
        assert isinstance(hit["score"], float)
    assert "<mark>" in body["hits"][0]["snippet"]


def test_snippet_is_escaped_text_with_only_mark_markup(client: httpx.Client) -> None:
    # The French bodies are full of apostrophes and the English ones of "&"-free text; any tag
    # other than <mark> would be a defect, and unescaping must give back plain text.
    for q, lang in [("qu'il faut avoir sous la main", "fr"), ("customer number", "en")]:
        for hit in client.get("/api/search", params={"q": q, "lang": lang}).json()["hits"]:
            tags = set(re.findall(r"</?([a-zA-Z]+)", hit["snippet"]))
            assert tags <= {"mark"}
            stripped = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
            assert "<" not in stripped and ">" not in stripped
            assert html.escape(html.unescape(stripped), quote=False) == stripped


@pytest.mark.parametrize("text, expected", [
    ("<b>Facture</b> & co", "&lt;b&gt;<mark>Facture</mark>&lt;/b&gt; &amp; co"),
    ("<script>alert('facture')</script>", "&lt;script&gt;alert('<mark>facture</mark>')&lt;/script&gt;"),
    ("a < b > c", "a &lt; b &gt; c"),
])
def test_snippet_escapes_everything_but_its_marks(text: str, expected: str) -> None:
    # The real topics hold no "<" or "&", so the API test above cannot catch a lost escape.
    assert snippet(text, "fr", set(stems("fr", "facture"))) == expected


def test_cross_language_query_answers_in_readers_language(client: httpx.Client) -> None:
    body = client.get("/api/search", params={"q": "billing dispute", "lang": "fr"}).json()
    assert body["hits"][0]["id"] == "invoice-dispute"
    assert body["hits"][0]["title"] == "Contester une facture"
    body = client.get("/api/search", params={"q": "commande", "lang": "en"}).json()
    assert body["hits"][0]["id"] in {"order-status", "order-entry-management"}
    assert body["hits"][0]["url"].startswith("/en/")


def test_article_id_goes_straight_to_topic(client: httpx.Client) -> None:
    body = client.get("/api/search", params={"q": "software-orders", "lang": "en"}).json()
    assert body["hits"][0]["id"] == "software-orders"
    r = client.get("/search/", params={"q": "serial-lookup"})
    assert r.status_code == 303 and r.headers["location"] == "/inventory/serial-lookup/"


def test_typo_finds_topic_and_suggests(client: httpx.Client) -> None:
    body = client.get("/api/search", params={"q": "paymnet", "lang": "en"}).json()
    assert body["hits"][0]["id"] == "payment-methods-and-terms"
    assert body["suggestion"] == "payment"
    body = client.get("/api/search", params={"q": "facturaton", "lang": "fr"}).json()
    assert body["suggestion"] == "facturation"


def test_suggestion_is_null_for_good_queries(client: httpx.Client) -> None:
    assert client.get("/api/search", params={"q": "facture", "lang": "fr"}).json()["suggestion"] is None


def test_category_filter(client: httpx.Client) -> None:
    body = client.get("/api/search", params={"q": "facture", "lang": "fr", "category": "billing"}).json()
    assert body["hits"] and {h["category"] for h in body["hits"]} == {"billing"}


def test_suggest_shape_and_prefix(client: httpx.Client) -> None:
    r = client.get("/api/suggest", params={"q": "livr", "lang": "fr"})
    assert r.status_code == 200
    suggestions = r.json()["suggestions"]
    assert suggestions[0]["id"] == "delivery-scheduling"
    assert all(set(s) == {"id", "title", "url"} for s in suggestions)
    assert client.get("/api/suggest", params={"q": "", "lang": "en"}).json() == {"suggestions": []}


def test_article(client: httpx.Client) -> None:
    body = client.get("/api/articles/order-status").json()
    assert body["id"] == "order-status" and body["category"] == "orders"
    assert body["fr"]["url"] == "/orders/order-status/" and body["en"]["url"] == "/en/orders/order-status/"
    assert set(body["fr"]) == set(body["en"]) == {"title", "url", "summary"}
    r = client.get("/api/articles/no-such-topic", headers={"Accept-Language": "en"})
    assert r.status_code == 404 and r.json()["error"] == "Topic not found."


@pytest.mark.parametrize("params", [
    {"q": "x" * 10_240},
    {"q": "x" * 30_000},
    {"q": "facture", "lang": "de"},
    {"q": "facture", "limit": "0"},
    {"q": "facture", "limit": "51"},
    {"q": "facture", "limit": "ten"},
    {"q": "facture", "category": "nope"},
])
def test_bad_parameters_are_400_in_the_requested_language(client: httpx.Client, params: dict) -> None:
    params = {"lang": "fr", **params}
    r = client.get("/api/search", params=params)
    assert r.status_code == 400
    body = r.json()
    assert set(body) == {"status", "error", "errors"} and body["status"] == 400
    assert "Traceback" not in r.text and "whoosh" not in r.text.lower()


def test_too_long_message_follows_lang(client: httpx.Client) -> None:
    fr = client.get("/api/search", params={"q": "x" * 10_240, "lang": "fr"}).json()["error"]
    en = client.get("/api/search", params={"q": "x" * 10_240, "lang": "en"}).json()["error"]
    assert "trop longue" in fr and "too long" in en


@pytest.mark.parametrize("q", [
    "", "   ", '"unbalanced', "'", "AND", "OR", "NOT", "AND OR NOT", "*", "?", "*xyz*", "fact*",
    "title:facture", "field:value", "\x00\x01\x1f", "\u202e\ufeff", "((((", "[a TO z]", "~2",
    "facture^10", "-", "\\", "a" * 499, " ".join(["facture"] * 400)[:500], "🙂", "<script>",
])
def test_hostile_queries_get_a_normal_answer(client: httpx.Client, q: str) -> None:
    for path in ("/api/search", "/api/suggest"):
        r = client.get(path, params={"q": q, "lang": "en"})
        assert r.status_code == 200, (path, q, r.text)
    body = client.get("/api/search", params={"q": q, "lang": "en"}).json()
    assert "<script>" not in "".join(h["snippet"] for h in body["hits"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=600), lang=st.sampled_from(["fr", "en"]))
def test_random_strings_never_500(client: httpx.Client, q: str, lang: str) -> None:
    for path in ("/api/search", "/api/suggest"):
        r = client.get(path, params={"q": q, "lang": lang})
        assert r.status_code in (200, 400), (q, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("path, q, expect", [
    ("/search/", "contester facture", "/billing/invoice-dispute/"),
    ("/en/search/", "invoice dispute", "/en/billing/invoice-dispute/"),
])
def test_results_page_is_server_rendered(client: httpx.Client, path: str, q: str, expect: str) -> None:
    r = client.get(path, params={"q": q})
    assert r.status_code == 200
    page = r.text
    assert 'data-slot="search"' not in page  # the slot was filled
    assert f'href="{expect}"' in page and "<mark>" in page
    assert 'class="md-header' in page and "md-footer" in page  # the site's look
    assert 'name="category"' in page


def test_results_page_no_results_offers_request_form_and_phone(client: httpx.Client) -> None:
    page = client.get("/search/", params={"q": "zzqxv wqqzk"}).text
    assert 'href="/request/"' in page and "1 866 880-CSOL (1 866 880-2765)" in re.sub(r"<[^>]+>", "", page)
    page = client.get("/en/search/", params={"q": "zzqxv wqqzk"}).text
    assert 'href="/en/request/"' in page and 'href="tel:+18668802765"' in page


def test_results_page_suggestion_and_category(client: httpx.Client) -> None:
    page = client.get("/en/search/", params={"q": "paymnet"}).text
    assert "Showing results for “<strong>payment</strong>”." in page
    instead = '<a href="/en/search/?q=paymnet&amp;exact=1"><strong>paymnet</strong></a>'
    assert f"Search instead for “{instead}”." in page
    assert "payment-methods-and-terms" in page or "/en/billing/payment-methods-and-terms/" in page
    page = client.get("/search/", params={"q": "paymnet", "exact": "1"}).text
    assert "Aucun sujet ne correspond à «\u00a0paymnet\u00a0»." in page and "Affichage" not in page
    # A misspelled word is a word from elsewhere: the query as typed answers nothing with
    # confidence, so the corrected one's results are shown at once.
    page = client.get("/en/search/", params={"q": "order staus"}).text
    assert "Showing results for “<strong>order status</strong>”." in page
    # When the query as typed already answers, the correction is only offered.
    page = client.get("/en/search/", params={"q": "our invoice payment terms net 30 questoin"}).text
    assert ('Did you mean “<a href="/en/search/?q=our+invoice+payment+terms+net+30+question"><strong>'
            'our invoice payment terms net 30 question</strong></a>”?') in page
    page = client.get("/search/", params={"q": "numéro", "category": "inventory"}).text
    assert '<option value="inventory" selected>' in page
    assert "/billing/" not in re.sub(r"(?s).*<ol", "", page).split("</ol>")[0]


@pytest.mark.parametrize("q", ["x" * 10_240, "<script>alert(1)</script>", '"', "\x00"])
def test_results_page_bad_input(client: httpx.Client, q: str) -> None:
    r = client.get("/en/search/", params={"q": q})
    assert r.status_code in (200, 400)
    assert "<script>alert" not in r.text
    assert r.headers["content-type"].startswith("text/html")


def test_cli_search_json_matches_api(built_project, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "numero serie", "--lang", "fr", "--json", "--root", str(built_project)]) == 0
    out = capsys.readouterr().out
    assert '"id": "serial-lookup"' in out and '"took_ms"' in out
    assert main(["search", "x" * 600, "--root", str(built_project)]) == 1
    assert "trop longue" in capsys.readouterr().err


def test_cli_search_says_when_it_shows_corrected_results(built_project,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "paymnet", "--lang", "en", "--root", str(built_project)]) == 0
    out = capsys.readouterr().out
    assert "showing results for: payment" in out and "payment-methods-and-terms" in out
    assert main(["search", "paymnet", "--lang", "en", "--exact", "--root", str(built_project)]) == 0
    assert capsys.readouterr().out.startswith("0 result(s) for 'paymnet'")


@pytest.mark.parametrize("mark", ["\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\u202e"])
def test_bidi_controls_never_reach_the_results_page(client: httpx.Client, mark: str) -> None:
    """An isolate or override echoed with the query would reorder the page's text around it."""
    page = client.get("/en/search/", params={"q": f"invoice{mark}dispute"})
    assert page.status_code == 200 and mark not in page.text
