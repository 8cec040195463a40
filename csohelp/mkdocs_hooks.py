"""MkDocs hooks (mkdocs.yml `hooks:`): absolute hreflang alternates and a 404 page per language."""

from __future__ import annotations

import re
from html import escape, unescape
from pathlib import Path
from urllib.parse import urljoin

from csohelp.content import DEFAULT_LANG
from csohelp.csp import inline_script_hashes, write_hashes

_ALTERNATE = re.compile(r'<link rel="alternate" href="([^"]*)" hreflang="([a-z-]+)">')
_SWITCH = re.compile(r'(<a href=")[^"]*(" hreflang="([a-z]+)"[^>]*class="csohelp-lang__link")')
_404: dict[str, str] = {}
_script_hashes: set[str] = set()


def _language(config) -> str:
    return config.theme["language"]


def on_post_page(output: str, page, config) -> str:
    """Make hreflang alternates absolute and add x-default (search engines ignore relative ones)."""
    base = urljoin(config.site_url or "/", page.url)
    links = []

    def absolute(match: re.Match[str]) -> str:
        href = urljoin(base, match.group(1))
        links.append((match.group(2), href))
        return f'<link rel="alternate" href="{href}" hreflang="{match.group(2)}">'

    output = _ALTERNATE.sub(absolute, output)
    default = dict(links).get(DEFAULT_LANG)
    if default:
        tag = f'<link rel="alternate" href="{default}" hreflang="{DEFAULT_LANG}">'
        output = output.replace(
            tag, f'{tag}\n    <link rel="alternate" href="{default}" hreflang="x-default">', 1)
    _script_hashes.update(inline_script_hashes(output.encode("utf-8")))
    return output


_PHONE_TOC = '<div class="csohelp-slot" data-slot="phone-toc"></div>'
TOC_TITLE = {"fr": "Sur cette page", "en": "On this page"}


def on_page_content(html: str, page, config, files) -> str:
    """On topics, a folded "On this page" list of the sections, for phones: Material's table of
    contents is a desktop side column, and topics are not in the drawer (csohelp.css shows it
    only below 76.25em)."""
    if _PHONE_TOC not in html:
        return html
    sections = [link for top in page.toc for link in top.children] or list(page.toc)
    if len(sections) < 2:
        return html.replace(_PHONE_TOC, "")
    items = "".join(f'<li><a href="#{escape(link.id)}">{escape(unescape(link.title))}</a></li>'
                    for link in sections)
    title = TOC_TITLE.get(_language(config), TOC_TITLE["en"])
    block = (f'<nav class="csohelp-phone-toc" aria-label="{title}"><details><summary>{title}'
             f'</summary><ul>{items}</ul></details></nav>')
    return html.replace(_PHONE_TOC, block)


def on_post_build(config) -> None:
    """Record the inline scripts' hashes for the server's CSP (each language build adds its own)."""
    write_hashes(Path(config.site_dir), _script_hashes)


def on_post_template(output: str, template_name: str, config) -> str:
    """Keep one 404 page per language: site/404.html (fr) and site/en/404.html.

    mkdocs-static-i18n builds every language into the same site_dir, so each build would
    overwrite site/404.html; the non-default builds write theirs under their own folder.
    """
    if template_name != "404.html":
        return output
    # A 404 has no counterpart page: no hreflang alternates (it must not be indexed), and the
    # language switcher leads to the other language's home (the i18n plugin would leave the
    # alternates of whichever page it built last).
    output = _ALTERNATE.sub("", output)
    output = _SWITCH.sub(
        lambda m: f"{m.group(1)}{'/' if m.group(3) == DEFAULT_LANG else f'/{m.group(3)}/'}{m.group(2)}",
        output)
    _script_hashes.update(inline_script_hashes(output.encode("utf-8")))
    lang = _language(config)
    _404[lang] = output
    if lang == DEFAULT_LANG:
        return output
    target = Path(config.site_dir) / lang / "404.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(output, encoding="utf-8")
    return _404.get(DEFAULT_LANG, output)
