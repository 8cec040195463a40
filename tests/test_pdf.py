"""The support plan PDFs: files, metadata, text, links, bookmarks, footer, size."""

from __future__ import annotations

import logging
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import BooleanObject

from csohelp.content import LANGS
from csohelp.errors import BuildError
from csohelp.pdf import (
    LATEST,
    format_date,
    format_inline,
    format_size,
    plan_downloads,
    render_pdf,
    render_plan,
    versioned_name,
)
from csohelp.plan import Plan, load_plan

PLAN_DIR = Path(__file__).resolve().parent.parent / "plan"
MAX_BYTES = 500 * 1024
PHONE = {"fr": "1 866 880-2765", "en": "1-866-880-2765"}
# What the PDF says it is: IBM Canada's 2001 plan, published in the help centre on a date.
NOTICE = {"fr": "Plan de 2001 d'IBM Canada, publié dans le Centre d'aide CSO Canada le 28 novembre 2026",
          "en": "IBM Canada's 2001 plan, published in the CSO Canada Help Centre on November 28, 2026"}


@pytest.fixture(scope="module")
def plan() -> Plan:
    """The real plan of the repository."""
    return load_plan(PLAN_DIR)


@pytest.fixture(scope="module")
def site(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site folder into which the plan was rendered once."""
    site_dir = tmp_path_factory.mktemp("site")
    render_plan(plan, site_dir)
    return site_dir


def read(site: Path, lang: str) -> PdfReader:
    """The latest PDF of one language."""
    return PdfReader(site / LATEST[lang])


def words(text: str) -> str:
    """Text with every run of whitespace turned into one space."""
    return " ".join(text.split())


def test_render_writes_latest_and_versioned_files(plan: Plan, tmp_path: Path) -> None:
    written = render_plan(plan, tmp_path)
    assert written == [
        tmp_path / "plan-assistance.pdf",
        tmp_path / "downloads/support-plan-2026-11-28-fr.pdf",
        tmp_path / "downloads/support-plan-2001.1-fr.pdf",  # published before: stays reachable
        tmp_path / "en/support-plan.pdf",
        tmp_path / "downloads/support-plan-2026-11-28-en.pdf",
        tmp_path / "downloads/support-plan-2001.1-en.pdf",
    ]
    assert all(path.read_bytes().startswith(b"%PDF-") for path in written)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(p.name for p in written)


@pytest.mark.parametrize("lang", LANGS)
def test_versioned_copy_equals_latest(site: Path, plan: Plan, lang: str) -> None:
    latest = (site / LATEST[lang]).read_bytes()
    assert (site / versioned_name(plan, lang)).read_bytes() == latest
    assert (site / f"downloads/support-plan-2001.1-{lang}.pdf").read_bytes() == latest


@pytest.mark.parametrize("lang", LANGS)
def test_rendering_is_reproducible_and_quiet(
    site: Path, plan: Plan, lang: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = render_pdf(plan, lang)
    assert data == (site / LATEST[lang]).read_bytes()
    # No warning at all: not bad CSS, nor the "Using fontTools instead of HarfBuzz-Subset"
    # notice (libharfbuzz-subset0 is a requirement: it gives the stable bytes checked above).
    assert [record.getMessage() for record in caplog.records] == []


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_is_valid_and_small(site: Path, lang: str) -> None:
    reader = read(site, lang)
    assert len(reader.pages) >= 2
    assert (site / LATEST[lang]).stat().st_size < MAX_BYTES


@pytest.mark.parametrize("lang", LANGS)
def test_metadata_has_language_title_and_publication(site: Path, plan: Plan, lang: str) -> None:
    reader = read(site, lang)
    assert reader.trailer["/Root"]["/Lang"] == lang
    assert reader.metadata is not None
    assert reader.metadata.title == plan.title.get(lang)
    assert "2001" in reader.metadata["/Keywords"]
    assert NOTICE[lang] in reader.metadata.subject
    # IBM wrote the 2001 text; the metadata does not claim IBM wrote this edition.
    assert reader.metadata.author == {"fr": "IBM Canada Ltée (texte du plan de 2001)",
                                      "en": "IBM Canada Ltd. (2001 plan text)"}[lang]
    for invented in ("Version", "2001.1", "vigueur", "Effective"):
        assert invented not in str(dict(reader.metadata))


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_is_tagged_for_screen_readers(site: Path, plan: Plan, lang: str) -> None:
    """PDF/UA-1: marked content, a structure tree with headings, the title shown as the name."""
    root = read(site, lang).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    roles: set[str] = set()

    def walk(node: object, depth: int = 0) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if depth > 40:
            return
        if isinstance(node, dict):
            if "/S" in node:
                roles.add(str(node["/S"]))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
                walk(kid, depth + 1)
        elif isinstance(node, list):
            for kid in node:
                walk(kid, depth + 1)

    walk(root["/StructTreeRoot"])
    assert {"/H1", "/P", "/L"} <= roles, roles


@pytest.mark.parametrize("lang", LANGS)
def test_text_holds_phone_and_every_section_title(site: Path, plan: Plan, lang: str) -> None:
    text = words("\n".join(page.extract_text() for page in read(site, lang).pages))
    assert PHONE[lang] in text
    assert "http://www.ibm.com/support/operations" in text.replace("/ ", "/")
    for section in plan.sections:
        assert words(section.title.get(lang)) in text


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_says_what_the_plan_is_and_its_number(site: Path, plan: Plan, lang: str) -> None:
    pages = read(site, lang).pages
    for number, page in enumerate(pages, start=1):
        text = words(page.extract_text())
        assert NOTICE[lang] in text
        assert f"Page {number} / {len(pages)}" in text
        for invented in ("Version", "2001.1", "vigueur", "Effective"):
            assert invented not in text


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_is_near_empty(site: Path, lang: str) -> None:
    """The cover and contents share the first page with the text (the plan is short)."""
    pages = read(site, lang).pages
    assert len(pages) <= 3
    assert all(len(words(page.extract_text())) > 400 for page in pages[:-1])


def test_french_pdf_uses_french_typography(site: Path) -> None:
    text = "\n".join(page.extract_text() for page in read(site, "fr").pages)
    assert "NOTE" not in text
    assert "REMARQUE\u00a0:" in text or "REMARQUE :" in text
    assert "«Technical" not in text and "Support»" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_toc_links_are_internal_and_reach_their_section(site: Path, plan: Plan, lang: str) -> None:
    reader = read(site, lang)
    annotations = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    links = [a for a in annotations if a["/Subtype"] == "/Link"]
    internal = [str(link["/Dest"]) for link in links if "/Dest" in link]
    # One TOC link per section; the text that follows the TOC on page 1 may link out.
    assert set(internal) == {section.id for section in plan.sections}
    destinations = reader.named_destinations
    text_by_page = [words(page.extract_text()) for page in reader.pages]
    for section in plan.sections:
        page = reader.get_destination_page_number(destinations[section.id])
        assert words(section.title.get(lang)) in text_by_page[page]


@pytest.mark.parametrize("lang", LANGS)
def test_bookmarks_list_the_sections(site: Path, plan: Plan, lang: str) -> None:
    reader = read(site, lang)
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[1:] == [section.title.get(lang) for section in plan.sections]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", LANGS)
def test_pdftotext_finds_the_phone_number(site: Path, lang: str) -> None:
    result = subprocess.run(
        ["pdftotext", str(site / LATEST[lang]), "-"], capture_output=True, check=True, text=True
    )
    assert PHONE[lang] in result.stdout


def test_downloads_describe_both_files(site: Path, plan: Plan) -> None:
    downloads = plan_downloads(plan, site)
    assert set(downloads) == set(LANGS)
    assert downloads["fr"]["url"] == "/plan-assistance.pdf"
    assert downloads["en"]["url"] == "/en/support-plan.pdf"
    for lang, info in downloads.items():
        assert info["size_bytes"] == (site / LATEST[lang]).stat().st_size
        assert info["size_label"] == format_size(info["size_bytes"], lang)
        assert info["versioned_url"] == f"/downloads/support-plan-2026-11-28-{lang}.pdf"
        assert info["date"] == "2026-11-28"
        assert info["date_label"] == format_date(plan.published, lang)
        assert info["plan_year"] == 2001
        assert "version" not in info
        assert info["title"] == plan.title.get(lang)
    # What the site footer shows (overrides/partials/csohelp-footer.html, front's partial).
    assert downloads["fr"]["notice"] == (
        "Plan de 2001 d'IBM Canada, publié dans ce centre d'aide le 28 novembre 2026")
    assert downloads["en"]["notice"] == (
        "IBM Canada's 2001 plan, published in this Help Centre on November 28, 2026")
    for info in downloads.values():
        assert info["notice"] == f"{info['notice_intro']} {info['date_label']}"


def test_downloads_refuse_a_missing_pdf(plan: Plan, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="plan-assistance.pdf: the support plan PDF is missing"):
        plan_downloads(plan, tmp_path)


@pytest.mark.parametrize(
    ("size", "lang", "label"),
    [
        (9_728, "fr", "9,5\u00a0Ko"),
        (9_728, "en", "9.5\u00a0KB"),
        (21_791, "fr", "21\u00a0Ko"),
        (204_800, "en", "200\u00a0KB"),
    ],
)
def test_format_size(size: int, lang: str, label: str) -> None:
    assert format_size(size, lang) == label


@pytest.mark.parametrize(
    ("day", "lang", "label"),
    [
        (date(2026, 11, 26), "fr", "26 novembre 2026"),
        (date(2026, 11, 26), "en", "November 26, 2026"),
        (date(2001, 8, 1), "fr", "1er août 2001"),
        (date(2001, 8, 1), "en", "August 1, 2001"),
    ],
)
def test_format_date(day: date, lang: str, label: str) -> None:
    assert format_date(day, lang) == label


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("a <b> & c", "a &lt;b&gt; &amp; c"),
        ("(*c.-à-d.* x)", "(<em>c.-à-d.</em> x)"),
        (
            "allez à http://www.ibm.com/support/. Puis",
            'allez à <a href="http://www.ibm.com/support/">http://www.ibm.com/support/</a>. Puis',
        ),
        ("au 1 866 880-2765.", 'au <span class="nowrap">1 866 880-2765</span>.'),
        ("at 1-866-880-CSOL.", 'at <span class="nowrap">1-866-880-CSOL</span>.'),
    ],
)
def test_format_inline(text: str, html: str) -> None:
    assert format_inline(text) == html
