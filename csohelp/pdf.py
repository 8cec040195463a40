"""The support plan as PDF: Jinja2 HTML → WeasyPrint → the latest and versioned files."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import TypedDict

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from csohelp.content import LANGS
from csohelp.errors import BuildError
from csohelp.files import write_atomically
from csohelp.formats import format_date, format_size
from csohelp.plan import Plan

#: The stable "latest" files of design.md, relative to the site root.
LATEST = {"fr": "plan-assistance.pdf", "en": "en/support-plan.pdf"}
DOWNLOADS_DIR = "downloads"

LABELS = {
    "fr": {
        # The text is IBM Canada's 2001 plan; this edition (headings, layout) is the help centre's.
        "author": "IBM Canada Ltée (texte du plan de {year})",
        "publisher": "Centre d'aide CSO Canada",
        "keyword": "plan d'assistance à la clientèle",
        "contents": "Table des matières",
        "plan_of": "Plan de {year} d'IBM Canada",
        "published": "publié dans le Centre d'aide CSO Canada le {date}",
        # The site's footer says where the reader is: « ce centre d'aide ».
        "site_intro": "Plan de {year} d'IBM Canada, publié dans ce centre d'aide le",
        "page": "Page",
    },
    "en": {
        "author": "IBM Canada Ltd. ({year} plan text)",
        "publisher": "CSO Canada Help Centre",
        "keyword": "customer support plan",
        "contents": "Contents",
        "plan_of": "IBM Canada's {year} plan",
        "published": "published in the CSO Canada Help Centre on {date}",
        "site_intro": "IBM Canada's {year} plan, published in this Help Centre on",
        "page": "Page",
    },
}
URL = re.compile(r"https?://[^\s<>\"]*[^\s<>\".,;:!?)»]")
# The phone in either language's format: 1 866 880-CSOL (fr) or 1-866-880-CSOL (en).
PHONE = re.compile(r"\b1[ -]\d{3}[ -]\d{3}-[0-9A-Z]{4}\b")
EMPHASIS = re.compile(r"\*([^*\s][^*]*)\*")


class Download(TypedDict):
    """What a page needs to link one language's PDF: URL, size and date."""

    url: str
    versioned_url: str
    size_bytes: int
    size_label: str
    date: str
    date_label: str
    plan_year: int
    notice_intro: str
    notice: str
    title: str


def render_plan(plan: Plan, site_dir: Path) -> list[Path]:
    """Write the fr and en PDFs (latest, versioned and former names) under site_dir; return paths."""
    site_dir = Path(site_dir)
    env = make_environment()
    written: list[Path] = []
    for lang in LANGS:
        data = render_pdf(plan, lang, env)
        former = [former_name(download_id, lang) for download_id in plan.former_download_ids]
        for relative in (LATEST[lang], versioned_name(plan, lang), *former):
            target = site_dir / relative
            write_atomically(target, data)
            written.append(target)
    return written


def render_pdf(plan: Plan, lang: str, env: Environment | None = None) -> bytes:
    """Render the plan in one language to PDF bytes."""
    html = render_html(plan, lang, env or make_environment())
    weasyprint = import_weasyprint()
    try:
        # PDF/UA-1: a tagged structure (headings, lists, reading order) for screen readers, as
        # the site itself meets WCAG; it costs about 7 KB and no measurable time.
        return weasyprint.HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf(
            pdf_variant="pdf/ua-1")
    except Exception as exc:  # WeasyPrint raises many kinds; the build reports one
        raise BuildError(f"the {lang} support plan PDF could not be rendered: {exc}") from exc


def import_weasyprint() -> ModuleType:
    """Import WeasyPrint on first use: it takes about a second, which `csohelp check` need not pay."""
    # libharfbuzz-subset (Debian libharfbuzz-subset0, installed by .ci/run) subsets the fonts
    # with stable bytes; without it WeasyPrint 70 warns at import, an error under pytest.
    import weasyprint

    return weasyprint


def render_html(plan: Plan, lang: str, env: Environment) -> str:
    """Render the plan in one language to the HTML that WeasyPrint lays out."""
    labels = {key: value.format(year=plan.plan_year) for key, value in LABELS[lang].items()
              if key != "published"}
    date_label = format_date(plan.published, lang)
    published = LABELS[lang]["published"].format(date=date_label)
    return env.get_template("pdf/plan.html").render(
        plan=plan,
        lang=lang,
        labels=labels,
        title=plan.title.get(lang),
        date_label=date_label,
        published=published,
        footer=publication_notice(plan, lang, pdf=True),
    )


def publication_notice(plan: Plan, lang: str, pdf: bool = False) -> str:
    """What the plan is: IBM Canada's text of its year, published here on a date (no version)."""
    labels = LABELS[lang]
    date_label = format_date(plan.published, lang)
    if pdf:
        published = labels["published"].format(date=date_label)
        return f"{labels['plan_of'].format(year=plan.plan_year)}, {published}"
    return f"{labels['site_intro'].format(year=plan.plan_year)} {date_label}"


def make_environment() -> Environment:
    """A Jinja2 environment over the package templates, with the PDF filters."""
    env = Environment(
        loader=PackageLoader("csohelp", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["inline"] = format_inline
    env.filters["css_string"] = quote_css
    return env


def format_inline(text: str) -> Markup:
    """Escape text, then mark *emphasis*, link URLs and keep phone numbers on one line."""
    html = str(escape(text))
    html = EMPHASIS.sub(r"<em>\1</em>", html)
    html = URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', html)
    html = PHONE.sub(r'<span class="nowrap">\g<0></span>', html)
    return Markup(html)


def quote_css(text: str) -> Markup:
    """A CSS string literal holding text (for margin-box content)."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return Markup(f'"{body}"')


def versioned_name(plan: Plan, lang: str) -> str:
    """The versioned copy's path relative to the site root: named by its publication date."""
    return f"{DOWNLOADS_DIR}/support-plan-{plan.published.isoformat()}-{lang}.pdf"


def former_name(download_id: str, lang: str) -> str:
    """A versioned name published before (e.g. support-plan-2001.1-fr.pdf), kept reachable."""
    return f"{DOWNLOADS_DIR}/support-plan-{download_id}-{lang}.pdf"


def plan_downloads(plan: Plan, site_dir: Path) -> dict[str, Download]:
    """Per language: the latest PDF's URL, size and publication notice, for the pages' footer.

    The site footer shows `notice_intro` then the date (`date`, `date_label`) in a <time>:
    « Plan de 2001 d'IBM Canada, publié dans ce centre d'aide le 26 novembre 2026 ».
    """
    downloads: dict[str, Download] = {}
    for lang in LANGS:
        path = Path(site_dir) / LATEST[lang]
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise BuildError(f"{path}: the support plan PDF is missing; render it first") from None
        downloads[lang] = Download(
            url=f"/{LATEST[lang]}",
            versioned_url=f"/{versioned_name(plan, lang)}",
            size_bytes=size,
            size_label=format_size(size, lang),
            date=plan.published.isoformat(),
            date_label=format_date(plan.published, lang),
            plan_year=plan.plan_year,
            notice_intro=LABELS[lang]["site_intro"].format(year=plan.plan_year),
            notice=publication_notice(plan, lang),
            title=plan.title.get(lang),
        )
    return downloads
