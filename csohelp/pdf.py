"""The support plan as PDF: Jinja2 HTML → WeasyPrint → the latest and versioned files."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from types import ModuleType
from typing import TypedDict

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from csohelp.content import LANGS
from csohelp.errors import BuildError
from csohelp.formats import format_date, format_size
from csohelp.plan import Plan

#: The stable "latest" files of design.md, relative to the site root.
LATEST = {"fr": "plan-assistance.pdf", "en": "en/support-plan.pdf"}
DOWNLOADS_DIR = "downloads"

LABELS = {
    "fr": {
        "author": "IBM Canada Ltée – Soutien des opérations clientèle (CSO)",
        "keyword": "plan d'assistance à la clientèle",
        "contents": "Table des matières",
        "version": "Version",
        "effective": "En vigueur le",
        "page": "Page",
    },
    "en": {
        "author": "IBM Canada Ltd. – Customer Support Operations (CSO)",
        "keyword": "customer support plan",
        "contents": "Contents",
        "version": "Version",
        "effective": "Effective",
        "page": "Page",
    },
}
URL = re.compile(r"https?://[^\s<>\"]*[^\s<>\".,;:!?)»]")
PHONE = re.compile(r"\b1 \d{3} \d{3}-[0-9A-Z]{4}\b")
EMPHASIS = re.compile(r"\*([^*\s][^*]*)\*")


class Download(TypedDict):
    """What a page needs to link one language's PDF: URL, size and date."""

    url: str
    versioned_url: str
    size_bytes: int
    size_label: str
    date: str
    date_label: str
    version: str
    title: str


def render_plan(plan: Plan, site_dir: Path) -> list[Path]:
    """Write the fr and en PDFs (latest and versioned copies) under site_dir; return their paths."""
    site_dir = Path(site_dir)
    env = make_environment()
    written: list[Path] = []
    for lang in LANGS:
        data = render_pdf(plan, lang, env)
        for relative in (LATEST[lang], versioned_name(plan, lang)):
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
    labels = LABELS[lang]
    date_label = format_date(plan.effective_date, lang)
    footer = f"{labels['version']} {plan.version} · {labels['effective']} {date_label}"
    return env.get_template("pdf/plan.html").render(
        plan=plan,
        lang=lang,
        labels=labels,
        title=plan.title.get(lang),
        date_label=date_label,
        footer=footer,
    )


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
    """The versioned copy's path relative to the site root."""
    return f"{DOWNLOADS_DIR}/support-plan-{plan.version}-{lang}.pdf"


def write_atomically(target: Path, data: bytes) -> None:
    """Write data to target through a temporary file in the same folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def plan_downloads(plan: Plan, site_dir: Path) -> dict[str, Download]:
    """Per language: the latest PDF's URL, size and date, for the pages' footer link."""
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
            date=plan.effective_date.isoformat(),
            date_label=format_date(plan.effective_date, lang),
            version=plan.version,
            title=plan.title.get(lang),
        )
    return downloads
