"""Short links for agents: /a/{id} URLs, the bilingual reply snippet, and `csohelp link` output."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

from .content import LANGS
from .errors import CsohelpError

FORMATS = ("text", "markdown", "html")
#: The public address of the site when CSOHELP_SITE_URL is not set (as in mkdocs.yml).
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
#: Between a title and its link in plain text: French puts a no-break space before the colon.
# overrides/assets/csohelp-copy.js writes the same snippet on topic pages; tests compare them.
SEPARATOR = {"fr": "\u00a0: ", "en": ": "}

Topic = Mapping[str, Any]  # one topic of site/catalogue.json: id, aliases, fr/en {title, url}


class LinkError(CsohelpError):
    """A topic id or query that gives no link."""


def base_url(value: str | None = None) -> str:
    """The site's origin for absolute short links: the argument, CSOHELP_SITE_URL, or the default."""
    url = value or os.environ.get("CSOHELP_SITE_URL") or DEFAULT_BASE_URL
    return url.rstrip("/")


def short_path(topic_id: str, lang: str | None = None) -> str:
    """The short link's path: /a/ID, or /a/ID?lang=xx to force the language."""
    return f"/a/{topic_id}" + (f"?lang={lang}" if lang else "")


def short_link(origin: str, topic_id: str, lang: str) -> str:
    """The absolute short link that opens a topic in `lang`, whatever the reader's browser says."""
    return origin.rstrip("/") + short_path(topic_id, lang)


def choose_langs(lang: str) -> tuple[str, ...]:
    """The languages of a snippet: fr, en, or both (French first, as on the site)."""
    if lang == "both":
        return LANGS
    if lang not in LANGS:
        raise LinkError(f"unknown language {lang!r}: use fr, en or both")
    return (lang,)


def format_links(topic: Topic, origin: str, langs: Iterable[str] = LANGS, fmt: str = "text") -> str:
    """One topic as ready-to-paste lines, one per language: its title and its short link."""
    lines = []
    for lang in langs:
        title, link = topic[lang]["title"], short_link(origin, topic["id"], lang)
        if fmt == "text":
            lines.append(f"{title}{SEPARATOR[lang]}{link}")
        elif fmt == "markdown":
            lines.append(f"[{escape_markdown(title)}]({link})")
        elif fmt == "html":
            lines.append(f'<a href="{escape(link)}" hreflang="{lang}" lang="{lang}">{escape(title)}</a>')
        else:
            raise LinkError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    return ("<br>\n" if fmt == "html" else "\n").join(lines)


def snippet_text(topic: Topic, origin: str) -> str:
    """What the "Copy link for a reply" button copies: French then English title and short link."""
    return format_links(topic, origin, LANGS, "text")


def escape_markdown(text: str) -> str:
    """Escape the characters that would end or restyle a Markdown link text."""
    return "".join("\\" + char if char in "\\[]*_`<>" else char for char in text)


def read_catalogue(site_dir: Path) -> Any:
    """The published catalogue (site/catalogue.json), via the web app's reader."""
    from .web.catalogue import Catalogue

    catalogue = Catalogue(site_dir).refresh()
    if not catalogue.topics:
        raise LinkError(f"no built site in {site_dir}: run `csohelp build` first")
    return catalogue


def find_topic(catalogue: Any, topic_id: str) -> Topic:
    """A topic by id or former id (an alias); LinkError with the close ids when there is none."""
    current = catalogue.canonical_id(topic_id.strip().lower())
    if current is None:
        close = sorted(i for i in catalogue.topics if topic_id.lower() in i or i in topic_id.lower())
        hint = f"; did you mean {', '.join(close[:5])}?" if close else ""
        raise LinkError(f"no topic with id {topic_id!r}{hint}")
    return catalogue.topics[current]


def search_ids(index_dir: Path, query: str, langs: Iterable[str], limit: int) -> list[str]:
    """The ids of the best topics for a query, searched in each language, best score first."""
    from .search import search_topics

    best: dict[str, float] = {}
    for lang in langs:
        for hit in search_topics(index_dir, query, lang=lang, limit=limit):
            best[hit.id] = max(best.get(hit.id, 0.0), hit.score)
    return sorted(best, key=lambda i: -best[i])[:limit]


def add_parser(sub: Any) -> None:
    """The `csohelp link` subcommand (called from csohelp/cli.py build_parser)."""
    p = sub.add_parser("link", help="print ready-to-paste short links to the best topics or one id",
                       description="Print topics as title + short link (/a/ID?lang=xx) for replies.")
    p.add_argument("query", nargs="?", help="words to search for (or use --id)")
    p.add_argument("--id", dest="topic_id", help="one topic by id or former id")
    p.add_argument("--lang", choices=("fr", "en", "both"), default="both")
    p.add_argument("--format", dest="fmt", choices=FORMATS, default="text")
    p.add_argument("--limit", type=int, default=3, help="topics for a query (default 3)")
    p.add_argument("--root", default=".", help="project folder with the built site and index")
    p.add_argument("--base-url", help=f"site origin (default: CSOHELP_SITE_URL or {DEFAULT_BASE_URL})")
    p.set_defaults(func=run_link)


def run_link(args: Any) -> int:
    """Print the links of one id, or of the best topics for a query; blank line between topics."""
    if bool(args.query) == bool(args.topic_id):
        raise LinkError("give either QUERY or --id ID")
    if not 1 <= args.limit <= 50:
        raise LinkError("--limit must be between 1 and 50")
    langs = choose_langs(args.lang)
    root = Path(args.root)
    catalogue = read_catalogue(root / "site")
    if args.topic_id:
        topics = [find_topic(catalogue, args.topic_id)]
    else:
        ids = search_ids(root / "search_index", args.query, langs, args.limit)
        topics = [catalogue.topics[i] for i in ids if i in catalogue.topics]
        if not topics:
            raise LinkError(f"no topic matches {args.query!r}")
    origin = base_url(args.base_url)
    print("\n\n".join(format_links(topic, origin, langs, args.fmt) for topic in topics))
    return 0
