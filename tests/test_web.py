"""The web app on a real uvicorn server: language negotiation at `/`, pages, 404s, health."""

from __future__ import annotations

import httpx
import pytest

from csohelp.web.lang import negotiate


@pytest.mark.parametrize("header, expected", [
    (None, "fr"),
    ("", "fr"),
    ("en", "en"),
    ("en-US,en;q=0.9", "en"),
    ("en-CA,fr-CA;q=0.8", "en"),
    ("fr-CA,fr;q=0.9,en;q=0.8", "fr"),
    ("fr;q=0.5,en;q=0.6", "en"),
    ("de-DE,de;q=0.9,en;q=0.5", "en"),
    ("de-DE,es", "fr"),
    ("en;q=0,fr;q=0.1", "fr"),
    ("*", "fr"),
    ("en;q=abc,fr", "fr"),
    ("EN-gb", "en"),
])
def test_negotiate_accept_language(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


@pytest.mark.parametrize("headers, cookies, query, expected_location", [
    ({"Accept-Language": "en-US,en;q=0.9"}, {}, "", "/en/"),
    ({"Accept-Language": "fr-CA"}, {}, "", None),
    ({}, {}, "", None),
    # The visitor picked French in the switcher: they come from one of our pages.
    ({"Accept-Language": "en", "Referer": "{base}/en/"}, {"csohelp_lang": "en"}, "", None),
    # They read French last time: they stay in French.
    ({"Accept-Language": "en"}, {"csohelp_lang": "fr"}, "", None),
    ({"Accept-Language": "fr"}, {"csohelp_lang": "en"}, "", "/en/"),
    # A link from another site does not count as a choice.
    ({"Accept-Language": "en", "Referer": "https://example.org/"}, {}, "", "/en/"),
    ({"Accept-Language": "en"}, {}, "?lang=fr", None),
    ({"Accept-Language": "fr"}, {}, "?lang=en", "/en/"),
])
def test_home_negotiation(live_server, headers, cookies, query, expected_location) -> None:
    headers = {k: v.format(base=live_server.url) for k, v in headers.items()}
    with httpx.Client(base_url=live_server.url, cookies=cookies) as client:
        response = client.get("/" + query, headers=headers, follow_redirects=False)
    if expected_location is None:
        assert response.status_code == 200
        assert '<html lang="fr"' in response.text
    else:
        assert response.status_code == 302
        assert response.headers["location"] == expected_location
        assert response.headers["cache-control"] == "no-store"


def test_pages_remember_their_language(live_server) -> None:
    with httpx.Client(base_url=live_server.url) as client:
        assert client.get("/en/billing/invoice-dispute/").cookies["csohelp_lang"] == "en"
        # Back on `/` with an English browser but having just read English: English home.
        assert client.get("/", follow_redirects=False).headers["location"] == "/en/"
        assert client.get("/billing/invoice-dispute/").cookies["csohelp_lang"] == "fr"
        assert client.get("/", headers={"Accept-Language": "en"}, follow_redirects=False).status_code == 200
        # Only pages read count: the API, a 404 or a PDF leave the choice alone.
        for path in ("/api/search?q=invoice&lang=en", "/en/nope/", "/en/support-plan.pdf"):
            assert "csohelp_lang" not in client.get(path).cookies, path
        assert client.cookies["csohelp_lang"] == "fr"


@pytest.mark.parametrize("path, lang, title", [
    ("/nope/", "fr", "Page introuvable"),
    ("/billing/nope/", "fr", "Page introuvable"),
    ("/en/nope/", "en", "Page not found"),
    ("/en/billing/nope", "en", "Page not found"),
])
def test_unknown_page_is_a_404_in_its_language(live_server, path, lang, title) -> None:
    response = httpx.get(live_server.url + path)
    assert response.status_code == 404
    assert f'<html lang="{lang}"' in response.text
    assert title in response.text


def test_topic_pages_and_folder_redirect(live_server) -> None:
    response = httpx.get(live_server.url + "/en/orders/order-status/")
    assert response.status_code == 200
    assert "Check the status of an order" in response.text
    assert "1-866-880-2765" in response.text
    redirect = httpx.get(live_server.url + "/orders/order-status", follow_redirects=False)
    assert redirect.status_code in (301, 307, 308)
    assert redirect.headers["location"].endswith("/orders/order-status/")


def test_healthz_counts_topics(live_server) -> None:
    response = httpx.get(live_server.url + "/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["topics"]) == ("ok", 20)
    assert {part: body[part]["status"] for part in ("site", "search", "store")} == dict.fromkeys(
        ("site", "search", "store"), "ok")
