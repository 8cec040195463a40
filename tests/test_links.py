"""Short links: /a/{id} redirects (language, aliases, unknown ids), snippets and `csohelp link`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import REPO, LiveServer, project_paths

from csohelp.build import build_site
from csohelp.cli import main
from csohelp.links import format_links, snippet_text
from csohelp.web.settings import Settings

FIXTURE_FAQ = REPO / "tests" / "fixtures" / "faq"
ORIGIN = "https://aide.example.ca"
ORDER = {
    "id": "order-status",
    "fr": {"title": "Vérifier l'état d'une commande", "url": "/orders/order-status/"},
    "en": {"title": "Check the status of an order", "url": "/en/orders/order-status/"},
}
FR_PAGE, EN_PAGE = "/orders/order-status/", "/en/orders/order-status/"


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of the small fixture corpus (order-status has the former id track-order)."""
    root = tmp_path_factory.mktemp("fixture-project")
    build_site(project_paths(root, faq=FIXTURE_FAQ))
    return root


@pytest.fixture(scope="module")
def fixture_server(fixture_project: Path) -> Iterator[LiveServer]:
    """The app serving the fixture build."""
    with LiveServer(Settings.from_env(root=fixture_project)) as server:
        yield server


@pytest.fixture(scope="module")
def client(fixture_server: LiveServer) -> Iterator[httpx.Client]:
    """An HTTP client that shows redirects instead of following them."""
    with httpx.Client(base_url=fixture_server.url, follow_redirects=False, timeout=10) as http:
        yield http


@pytest.mark.parametrize(
    ("accept_language", "query", "location"),
    [
        (None, "", FR_PAGE),  # no header: French, the default
        ("fr-CA,fr;q=0.9", "", FR_PAGE),
        ("en-CA,en;q=0.9", "", EN_PAGE),
        ("en", "", EN_PAGE),
        ("de-DE,de;q=0.9", "", FR_PAGE),  # neither of ours: French
        ("de-DE,en;q=0.5", "", EN_PAGE),
        ("fr;q=0.4,en;q=0.8", "", EN_PAGE),
        ("en;q=0.4,fr;q=0.8", "", FR_PAGE),
        ("en;q=0,fr;q=0.1", "", FR_PAGE),  # q=0 means "not English"
        ("en-US;q=abc", "", FR_PAGE),  # a broken q-value counts as 0
        ("*", "", FR_PAGE),
        ("en-CA,en;q=0.9", "?lang=fr", FR_PAGE),  # ?lang= wins over the browser
        ("fr-CA", "?lang=en", EN_PAGE),
        ("fr-CA", "?lang=EN", EN_PAGE),
        ("en-CA", "?lang=de", EN_PAGE),  # an unknown ?lang= is ignored
        (None, "?lang=", FR_PAGE),
    ],
)
def test_short_link_redirects_to_the_readers_language(
    client: httpx.Client, accept_language: str | None, query: str, location: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language is not None else {}
    response = client.get(f"/a/order-status{query}", headers=headers)
    assert response.status_code == 302
    assert response.headers["location"] == location
    assert "Accept-Language" in response.headers["vary"]


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/a/track-order", "/a/order-status"),  # a former id
        ("/a/track-order?lang=en", "/a/order-status?lang=en"),  # keeps the forced language
        ("/a/track-order?lang=xx", "/a/order-status"),
        ("/a/Order-Status", "/a/order-status"),  # ids are lowercase
        ("/a/TRACK-ORDER/", "/a/order-status"),
    ],
)
def test_former_ids_answer_301_to_the_current_short_link(
    client: httpx.Client, path: str, location: str
) -> None:
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 301
    assert response.headers["location"] == location


@pytest.mark.parametrize(("accept_language", "page"), [("en-CA", EN_PAGE), ("fr-CA", FR_PAGE)])
def test_an_alias_ends_on_the_topic_page(fixture_server: LiveServer, accept_language: str, page: str) -> None:
    with httpx.Client(base_url=fixture_server.url, follow_redirects=True, timeout=10) as http:
        response = http.get("/a/track-order", headers={"Accept-Language": accept_language})
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [301, 302]
    assert response.url.path == page
    assert 'data-topic="order-status"' in response.text


@pytest.mark.parametrize(
    ("path", "accept_language", "page_lang"),
    [
        ("/a/no-such-topic", "fr-CA", "fr"),
        ("/a/no-such-topic", "en-CA", "en"),
        ("/a/no-such-topic?lang=en", "fr-CA", "en"),
        ("/a/payment-term", None, "fr"),
        ("/a/%3Cscript%3E", None, "fr"),
        ("/a/" + "x" * 2000, "en", "en"),
    ],
)
def test_unknown_id_is_a_404_page_in_both_languages_with_a_search_box(
    client: httpx.Client, path: str, accept_language: str | None, page_lang: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert f'<html lang="{page_lang}"' in html
    assert "Page introuvable" in html and "Page not found" in html
    other = "en" if page_lang == "fr" else "fr"
    assert f'<div lang="{other}">' in html  # the passage in the other language is marked
    search = "/search/" if page_lang == "fr" else "/en/search/"
    assert f'action="{search}"' in html and 'name="q"' in html
    assert "<script>alert" not in html


def test_head_gives_the_same_redirect(client: httpx.Client) -> None:
    response = client.head("/a/order-status", headers={"Accept-Language": "en"})
    assert (response.status_code, response.headers["location"]) == (302, EN_PAGE)


def test_every_topic_of_the_real_site_has_a_working_short_link(built_project: Path) -> None:
    catalogue = json.loads((built_project / "site" / "catalogue.json").read_text("utf-8"))
    with LiveServer(Settings.from_env(root=built_project)) as server, httpx.Client(
        base_url=server.url, follow_redirects=True, timeout=10
    ) as http:
        for topic in catalogue["topics"]:
            for lang in ("fr", "en"):
                response = http.get(f"/a/{topic['id']}?lang={lang}")
                assert response.status_code == 200, topic["id"]
                assert response.url.path == topic[lang]["url"]
                assert f'<html lang="{lang}"' in response.text


@pytest.mark.parametrize(
    ("langs", "fmt", "expected"),
    [
        (("fr", "en"), "text",
         f"Vérifier l'état d'une commande\u00a0: {ORIGIN}/a/order-status?lang=fr\n"
         f"Check the status of an order: {ORIGIN}/a/order-status?lang=en"),
        (("en",), "text", f"Check the status of an order: {ORIGIN}/a/order-status?lang=en"),
        (("fr",), "markdown", f"[Vérifier l'état d'une commande]({ORIGIN}/a/order-status?lang=fr)"),
        (("fr", "en"), "html",
         f'<a href="{ORIGIN}/a/order-status?lang=fr" hreflang="fr" lang="fr">'
         "Vérifier l&#x27;état d&#x27;une commande</a><br>\n"
         f'<a href="{ORIGIN}/a/order-status?lang=en" hreflang="en" lang="en">'
         "Check the status of an order</a>"),
    ],
)
def test_format_links(langs: tuple[str, ...], fmt: str, expected: str) -> None:
    assert format_links(ORDER, ORIGIN + "/", langs, fmt) == expected


def test_markdown_and_html_escape_titles() -> None:
    topic = {"id": "x", "fr": {"title": "a [b] *c* <d>", "url": "/"}, "en": {"title": "e & f", "url": "/"}}
    assert format_links(topic, ORIGIN, ("fr",), "markdown").startswith(r"[a \[b\] \*c\* \<d\>](")
    assert ">e &amp; f</a>" in format_links(topic, ORIGIN, ("en",), "html")


def test_snippet_is_french_then_english() -> None:
    assert snippet_text(ORDER, ORIGIN).splitlines() == [
        f"Vérifier l'état d'une commande\u00a0: {ORIGIN}/a/order-status?lang=fr",
        f"Check the status of an order: {ORIGIN}/a/order-status?lang=en",
    ]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `csohelp ARGS`; return the exit code, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def titles(root: Path, topic_id: str) -> dict[str, str]:
    """A topic's titles in the built catalogue, by language."""
    catalogue = json.loads((root / "site" / "catalogue.json").read_text("utf-8"))
    topic = next(t for t in catalogue["topics"] if t["id"] == topic_id)
    return {lang: topic[lang]["title"] for lang in ("fr", "en")}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--id", "contact-csol", "--lang", "en"], "{en}: {o}/a/contact-csol?lang=en\n"),
        (["--id", "contact-csol", "--lang", "fr", "--format", "markdown"],
         "[{fr}]({o}/a/contact-csol?lang=fr)\n"),
        (["--id", "Contact-CSOL"],
         "{fr}\u00a0: {o}/a/contact-csol?lang=fr\n{en}: {o}/a/contact-csol?lang=en\n"),
    ],
)
def test_cli_link_by_id(
    built_project: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    want = expected.format(o=ORIGIN, **titles(built_project, "contact-csol"))
    assert run_cli(capsys, "link", "--root", str(built_project), "--base-url", ORIGIN, *args) == (
        0, want, "")


@pytest.mark.parametrize("given", ["track-order", "order-status"])
def test_cli_link_gives_the_current_id_for_a_former_one(
    fixture_project: Path, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    code, out, _ = run_cli(capsys, "link", "--root", str(fixture_project), "--id", given,
                           "--base-url", ORIGIN)
    assert (code, out) == (0, snippet_text(ORDER, ORIGIN) + "\n")


def test_cli_link_uses_csohelp_site_url(
    built_project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSOHELP_SITE_URL", "https://aide.example.ca/")
    code, out, _ = run_cli(capsys, "link", "--root", str(built_project), "--id", "contact-csol",
                           "--lang", "en")
    assert out == f"{titles(built_project, 'contact-csol')['en']}: {ORIGIN}/a/contact-csol?lang=en\n"


@pytest.mark.parametrize(
    ("query", "lang", "best"),
    [
        ("contester une facture", "fr", "invoice-dispute"),
        ("invoice dispute", "en", "invoice-dispute"),
        ("numéro de série", "both", "serial-lookup"),
        ("support plan PDF", "both", "download-support-plan"),
    ],
)
def test_cli_link_by_query_prints_the_best_topics_first(
    built_project: Path, capsys: pytest.CaptureFixture[str], query: str, lang: str, best: str
) -> None:
    code, out, err = run_cli(capsys, "link", query, "--root", str(built_project), "--lang", lang,
                             "--base-url", ORIGIN, "--limit", "2")
    assert (code, err) == (0, "")
    topics = out.rstrip("\n").split("\n\n")
    assert 1 <= len(topics) <= 2
    lines = topics[0].splitlines()
    assert len(lines) == (2 if lang == "both" else 1)
    assert lines[0].endswith(f"/a/{best}?lang={'fr' if lang == 'both' else lang}")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--id", "no-such-topic"], "error: no topic with id 'no-such-topic'"),
        (["--id", "invoice"], "did you mean invoice-dispute, invoice-reconciliation-customization?"),
        ([], "error: give either QUERY or --id ID"),
        (["facture", "--id", "order-status"], "error: give either QUERY or --id ID"),
        (["zzzqqqxxy"], "error: no topic matches 'zzzqqqxxy'"),
        (["facture", "--limit", "0"], "error: --limit must be between 1 and 50"),
    ],
)
def test_cli_link_errors_are_one_clean_line(
    built_project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, "link", "--root", str(built_project), *args)
    assert (code, out) == (1, "")
    assert message in err and err.count("\n") == 1


def test_cli_link_without_a_build_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "link", "--root", str(tmp_path), "--id", "order-status")
    assert code == 1
    assert f"no built site in {tmp_path / 'site'}: run `csohelp build` first" in err
