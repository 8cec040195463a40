"""The built site: both languages of every topic, links that resolve, hreflang, a safe build."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import REPO, project_paths

from csohelp.build import build_site
from csohelp.content import LANGS, load_corpus
from csohelp.csp import inline_script_hashes, read_hashes
from csohelp.errors import BuildError, ContentError

SITE_URL = "http://127.0.0.1:8000/"


class PageLinks(HTMLParser):
    """Collects what a page points at, its <html lang>, its hreflang alternates and its ids."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.alternates: dict[str, str] = {}
        self.ids: set[str] = set()
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "link" and a.get("rel") == "alternate" and a.get("hreflang"):
            self.alternates[a["hreflang"]] = a["href"] or ""
        elif tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"])
        elif tag in ("script", "img", "source") and a.get("src"):
            self.links.append(a["src"])


def parse(path: Path) -> PageLinks:
    parser = PageLinks()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_url(site: Path, path: Path) -> str:
    """The URL path a file of the site is served at."""
    rel = path.relative_to(site).as_posix()
    return "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def target_file(site: Path, url_path: str) -> Path:
    """The file that answers a URL path, as the server resolves it."""
    target = site / url_path.lstrip("/")
    return target / "index.html" if url_path.endswith("/") or target.is_dir() else target


@pytest.fixture(scope="module")
def site(built_project: Path) -> Path:
    return (built_project / "site").resolve()


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, PageLinks]:
    return {page_url(site, p): parse(p) for p in sorted(site.rglob("*.html"))}


def test_every_topic_and_category_has_both_pages(site: Path) -> None:
    corpus = load_corpus(REPO / "faq")
    for topic in corpus.topics:
        for lang in LANGS:
            page = target_file(site, topic.url(lang))
            assert page.exists(), topic.url(lang)
            assert topic.text(lang).title in page.read_text(encoding="utf-8")
    for category in corpus.categories:
        for lang in LANGS:
            assert target_file(site, category.url(lang)).exists()


def test_every_internal_link_and_asset_resolves(site: Path, pages: dict[str, PageLinks]) -> None:
    broken = []
    for url, page in pages.items():
        for href in page.links:
            absolute = urlsplit(urljoin(SITE_URL + url.lstrip("/"), href))
            if absolute.scheme not in ("http", "https") or absolute.netloc != "127.0.0.1:8000":
                continue
            if absolute.path.startswith(("/api/", "/a/")):
                continue  # served by the app, tested with it
            target = target_file(site, absolute.path)
            if not target.exists():
                broken.append(f"{url} -> {href}")
            elif absolute.fragment and target.suffix == ".html":
                if absolute.fragment not in parse(target).ids:
                    broken.append(f"{url} -> {href} (no such anchor)")
    assert broken == []


def test_html_lang_matches_the_language_folder(pages: dict[str, PageLinks]) -> None:
    for url, page in pages.items():
        assert page.lang == ("en" if url.startswith("/en/") else "fr"), url


def test_hreflang_alternates_are_absolute_and_point_at_each_other(pages: dict[str, PageLinks]) -> None:
    checked = 0
    for url, page in pages.items():
        if url.endswith("404.html"):
            continue
        alts = page.alternates
        assert set(alts) == {"fr", "en", "x-default"}, url
        assert all(href.startswith(SITE_URL) for href in alts.values()), url
        assert alts["x-default"] == alts["fr"]
        own = alts["en" if url.startswith("/en/") else "fr"]
        assert own == SITE_URL + url.lstrip("/"), url
        for lang in ("fr", "en"):
            other = pages["/" + alts[lang][len(SITE_URL):]]
            assert other.alternates[lang] == alts[lang]
            assert other.alternates["fr" if lang == "en" else "en"] == alts["fr" if lang == "en" else "en"]
        checked += 1
    assert checked >= 2 * (20 + 7 + 1)


def test_404_page_in_each_language(site: Path) -> None:
    fr, en = parse(site / "404.html"), parse(site / "en" / "404.html")
    assert (fr.lang, en.lang) == ("fr", "en")
    assert "Page introuvable" in (site / "404.html").read_text()
    assert "Page not found" in (site / "en" / "404.html").read_text()
    # No counterpart page: no hreflang, and the switcher leads to the other language's home.
    assert fr.alternates == en.alternates == {}
    for path, other in ((site / "404.html", 'href="/en/" hreflang="en"'),
                        (site / "en" / "404.html", 'href="/" hreflang="fr"')):
        html = path.read_text(encoding="utf-8")
        assert f'<a {other} lang="{other[-3:-1]}" class="csohelp-lang__link">' in html


def test_no_builtin_search_index(site: Path) -> None:
    """Material's lunr search must not answer: no plugin, no index file."""
    assert not (site / "search" / "search_index.json").exists()
    assert not list(site.rglob("search_index.json"))


def test_invalid_content_keeps_the_last_good_site(tmp_path: Path) -> None:
    faq = tmp_path / "faq"
    shutil.copytree(REPO / "tests" / "fixtures" / "faq", faq)
    paths = project_paths(tmp_path / "project", faq=faq)
    build_site(paths)
    good = (paths.site / "index.html").read_bytes()
    topic = faq / "billing" / "invoice-dispute.yaml"
    topic.write_text(topic.read_text().replace("  title: Dispute an invoice\n", ""))
    with pytest.raises(ContentError):
        build_site(paths)
    assert (paths.site / "index.html").read_bytes() == good
    assert (paths.site / "en" / "billing" / "invoice-dispute" / "index.html").exists()


def test_failed_mkdocs_build_keeps_the_last_good_site(tmp_path: Path) -> None:
    faq = tmp_path / "faq"
    shutil.copytree(REPO / "tests" / "fixtures" / "faq", faq)
    paths = project_paths(tmp_path / "project", faq=faq)
    build_site(paths)
    before = sorted(p.name for p in paths.work.iterdir())
    topic = faq / "billing" / "payment-terms.yaml"
    # A Markdown link to a page that does not exist passes our validation but not mkdocs --strict.
    topic.write_text(topic.read_text().replace("CSOL answers", "[CSOL](missing.md) answers"))
    with pytest.raises(BuildError, match="missing.md"):
        build_site(paths)
    assert sorted(p.name for p in paths.work.iterdir()) == before
    assert "CSOL answers" in (paths.site / "en" / "billing" / "payment-terms" / "index.html").read_text()


def test_build_records_the_inline_script_hashes_of_every_page(site: Path) -> None:
    """The server's CSP reads this file; it must cover every inline script of the site."""
    scanned: set[str] = set()
    for page in site.rglob("*.html"):
        scanned |= inline_script_hashes(page.read_bytes())
    assert scanned and read_hashes(site) == scanned
