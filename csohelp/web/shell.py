"""The shell pages the build makes (pages.SHELLS: search, request), filled in at request time."""

from __future__ import annotations

import os
import re
from html import escape
from pathlib import Path

from ..content import lang_prefix


class ShellPages:
    """Each shell page in each language, read once and again only when a new site is published."""

    def __init__(self, site_dir: Path):
        self.site_dir = Path(site_dir)
        self._pages: dict[tuple[str, str], tuple[tuple[int, int], str]] = {}

    def get(self, name: str, lang: str) -> str | None:
        """The page's HTML (one stat: the `site` symlink may have moved), or None if unbuilt."""
        path = self.site_dir / lang_prefix(lang).strip("/") / name / "index.html"
        try:
            st = os.stat(path)
            key = (st.st_ino, st.st_mtime_ns)
            found = self._pages.get((name, lang))
            if found is None or found[0] != key:
                found = self._pages[(name, lang)] = (key, path.read_text("utf-8"))
        except OSError:
            return None
        return found[1]

    def fill(
        self, name: str, lang: str, fragment: str, head: str = "", title: str | None = None
    ) -> str | None:
        """The page with `fragment` in its slot, `head` before </head> and, if given, a new title."""
        page = self.get(name, lang)
        if page is None:
            return None
        slot = re.compile(rf'<div class="csohelp-slot" data-slot="{name}">\s*</div>')
        page = slot.sub(lambda _: fragment, page, count=1)
        if head:
            page = page.replace("</head>", head + "</head>", 1)
        if title:
            title = escape(title)
            # The page says what happened in its title and heading (announced on load).
            page = re.sub(r"<title>(.*?)(\s-\s.*)?</title>",
                          lambda m: f"<title>{title}{m.group(2) or ''}</title>", page, count=1, flags=re.S)
            page = re.sub(r"(<h1[^>]*>).*?(</h1>)", lambda m: m.group(1) + title + m.group(2), page,
                          count=1, flags=re.S)
        return page
