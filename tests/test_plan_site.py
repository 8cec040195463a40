"""The support plan in the built site: the PDFs, the footer link on every page, the copy button."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from csohelp.content import LANGS
from csohelp.links import format_links
from csohelp.pdf import LABELS, LATEST, format_size, versioned_name
from csohelp.plan import Plan, load_plan

PLAN_DIR = Path(__file__).resolve().parent.parent / "plan"
PHONE = {"fr": "1 866 880-2765", "en": "1-866-880-2765"}


@pytest.fixture(scope="module")
def plan() -> Plan:
    """The real plan of the repository."""
    return load_plan(PLAN_DIR)


@pytest.fixture(scope="module")
def site(built_project: Path) -> Path:
    """The published site of the session's real build."""
    return built_project / "site"


class Links(HTMLParser):
    """The <html lang>, and every <a> of a page with its attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.links: list[dict[str, str]] = []
        self._open: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = values.get("lang", "")
        elif tag == "a":
            self._open = {**values, "text": ""}
            self.links.append(self._open)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._open = None


def parse(page: Path) -> Links:
    """The links of one built page."""
    parser = Links()
    parser.feed(page.read_text("utf-8"))
    return parser


def pages(site: Path) -> list[Path]:
    """Every HTML page of the site."""
    found = sorted(site.rglob("*.html"))
    assert len(found) > 40
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_built_site_holds_both_pdfs_valid_in_their_language(site: Path, plan: Plan, lang: str) -> None:
    latest = site / LATEST[lang]
    reader = PdfReader(latest)
    assert reader.trailer["/Root"]["/Lang"] == lang
    assert reader.metadata is not None and reader.metadata.title == plan.title.get(lang)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert PHONE[lang] in text
    for section in plan.sections:
        assert " ".join(section.title.get(lang).split()) in text
    assert (site / versioned_name(plan, lang)).read_bytes() == latest.read_bytes()
    assert latest.stat().st_size < 500 * 1024


def test_build_leaves_no_pdf_work_folder(built_project: Path) -> None:
    assert [p.name for p in (built_project / "build").iterdir() if p.name.startswith("pdf-")] == []


def plan_downloads_notice(plan: Plan, lang: str) -> str:
    """The words the footer shows before the publication date."""
    return LABELS[lang]["site_intro"].format(year=plan.plan_year)


def test_every_page_links_the_plan_in_its_language_with_size_and_date(site: Path, plan: Plan) -> None:
    for page in pages(site):
        parsed = parse(page)
        lang = parsed.lang
        assert lang in LANGS, page
        footer = [a for a in parsed.links if "csohelp-plan__link" in a.get("class", "")]
        assert len(footer) == 1, page
        link = footer[0]
        size = (site / LATEST[lang]).stat().st_size
        assert link["href"] == f"/{LATEST[lang]}"
        assert link["hreflang"] == lang and link["type"] == "application/pdf"
        assert f"(PDF,\u00a0{format_size(size, lang)})" in link["text"], page
        html = page.read_text("utf-8")
        # What the plan is (IBM Canada's 2001 plan, published here on a date), in the page's
        # language; no invented version or "in force" date. Needs front's footer partial.
        intro = plan_downloads_notice(plan, lang)
        assert intro in html.replace("&#39;", "'"), page
        assert f'<time datetime="{plan.published.isoformat()}">' in html
        for invented in ("Version 2001", "vigueur", "effective"):
            assert invented not in html, (page, invented)


def test_every_pdf_link_of_the_site_points_at_a_pdf(site: Path) -> None:
    seen = set()
    for page in pages(site):
        for link in parse(page).links:
            href = link.get("href", "")
            if href.endswith(".pdf"):
                assert href.startswith("/"), (page, href)
                assert (site / href.lstrip("/")).read_bytes().startswith(b"%PDF-"), (page, href)
                seen.add(href)
    assert seen == {"/plan-assistance.pdf", "/en/support-plan.pdf"}


@pytest.mark.parametrize("lang", LANGS)
def test_download_topic_links_both_languages(site: Path, lang: str) -> None:
    page = site / ("" if lang == "fr" else "en") / "about" / "download-support-plan" / "index.html"
    body = [a for a in parse(page).links if "csohelp-plan__link" not in a.get("class", "")]
    hrefs = {a["href"] for a in body}
    assert {"/plan-assistance.pdf", "/en/support-plan.pdf"} <= hrefs
    other = "en" if lang == "fr" else "fr"
    assert all(a.get("hreflang") == other for a in body if a["href"] == f"/{LATEST[other]}")


def test_every_topic_page_has_its_copy_block(site: Path) -> None:
    catalogue = json.loads((site / "catalogue.json").read_text("utf-8"))
    for topic in catalogue["topics"]:
        for lang in LANGS:
            html = (site / topic[lang]["url"].lstrip("/") / "index.html").read_text("utf-8")
            assert html.count('class="csohelp-copy"') == 1
            assert f'data-topic="{topic["id"]}"' in html
            for short in (f"/a/{topic['id']}?lang=fr", f"/a/{topic['id']}?lang=en"):
                assert f'href="{short}"' in html  # readers without JavaScript see the links
            assert re.search(r'<span lang="en">[^<]+: <a href="/a/', html)
    home = (site / "index.html").read_text("utf-8")
    assert "csohelp-copy" not in home.split("<body", 1)[1].split("<script", 1)[0]


@pytest.mark.parametrize("path", ["/plan-assistance.pdf", "/en/support-plan.pdf"])
def test_server_sends_the_pdfs_as_pdf(live_server, site: Path, path: str) -> None:
    response = httpx.get(live_server.url + path, timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content == (site / path.lstrip("/")).read_bytes()


@pytest.mark.browser
@pytest.mark.parametrize(
    ("path", "key"),
    [("/orders/order-status/", "Enter"), ("/en/billing/invoice-dispute/", "Space")],
)
def test_copy_button_puts_the_bilingual_snippet_on_the_clipboard(
    browser, live_server, site: Path, output_dir: Path, path: str, key: str
) -> None:
    """The agents' small "Copy link" control: plain text and HTML with linked titles, the page's
    language first (issue 11)."""
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + path)
    fr = not path.startswith("/en/")
    langs = ("fr", "en") if fr else ("en", "fr")
    button = page.get_by_role("button", name="Copier le lien" if fr else "Copy link", exact=True)
    status = page.locator(".csohelp-copy__status")
    assert status.get_attribute("role") == "status" and status.inner_text() == ""
    button.focus()  # the keyboard works: focus, then Enter or Space
    page.keyboard.press(key)
    done = "Lien copié" if fr else "Link copied"
    page.wait_for_function(
        "text => document.querySelector('.csohelp-copy__status').textContent.startsWith(text)", arg=done)
    assert status.is_visible()
    catalogue = json.loads((site / "catalogue.json").read_text("utf-8"))
    topic_id = page.locator(".csohelp-copy").get_attribute("data-topic")
    topic = next(t for t in catalogue["topics"] if t["id"] == topic_id)
    assert page.evaluate("navigator.clipboard.readText()") == format_links(topic, live_server.url, langs)
    html = page.evaluate("""async () => {
        for (const item of await navigator.clipboard.read()) {
            if (item.types.includes('text/html')) return await (await item.getType('text/html')).text();
        }
        return null; }""")
    # Chromium hands the HTML back sanitized (entities decoded): compare the decoded markup.
    assert html is not None
    assert unescape(format_links(topic, live_server.url, langs, "html")) in unescape(html)
    # The links shown (folded, for agents) are the absolute ones that were copied.
    shown = page.locator(".csohelp-copy__snippet a").evaluate_all("links => links.map(a => a.href)")
    assert shown == [f"{live_server.url}/a/{topic_id}?lang={lang}" for lang in langs]
    page.screenshot(path=str(output_dir / "copied.png"))
    assert errors == []
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize(("path", "lang"), [("/billing/", "fr"), ("/en/orders/order-status/", "en")])
def test_footer_link_downloads_the_pdf_of_the_page_language(
    browser, live_server, site: Path, path: str, lang: str
) -> None:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(live_server.url + path)
    with page.expect_download() as info:
        page.locator("a.csohelp-plan__link").click()
    download = info.value
    assert download.url == f"{live_server.url}/{LATEST[lang]}"
    assert download.suggested_filename == Path(LATEST[lang]).name
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF-") and data == (site / LATEST[lang]).read_bytes()
    context.close()
