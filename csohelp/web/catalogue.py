"""The topic catalogue written by the build next to the site, reloaded when a new build lands."""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class Catalogue:
    """Topics by id and alias, from site/catalogue.json; follows the `site` symlink swap."""

    def __init__(self, site_dir: Path):
        self.site_dir = Path(site_dir)
        self._key: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self.topics: dict[str, dict[str, Any]] = {}
        self.aliases: dict[str, str] = {}
        self.categories: list[dict[str, Any]] = []
        self.most_asked: list[str] = []  # faq/categories.yaml most_asked, in order

    def refresh(self) -> Catalogue:
        """Reload if the published file changed (cheap: one stat)."""
        path = self.site_dir / "catalogue.json"
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return self
        key = (st.st_ino, st.st_mtime_ns)
        if key != self._key:
            with self._lock:
                if key != self._key:
                    try:
                        data = json.loads(path.read_text("utf-8"))
                        topics = {t["id"]: t for t in data["topics"]}
                        aliases = {a: t["id"] for t in data["topics"] for a in t["aliases"]}
                        categories = data["categories"]
                        most_asked = data.get("most_asked", [])
                    except (OSError, ValueError, KeyError, TypeError) as exc:
                        # A damaged file must not turn every page into a 500: keep the last good one.
                        log.error("catalogue.json unreadable (%s); keeping the previous one",
                                  type(exc).__name__)
                        self._key = key
                        return self
                    self.topics, self.aliases, self.categories = topics, aliases, categories
                    self.most_asked = most_asked
                    self._key = key
        return self

    def get(self, topic_id: str) -> dict[str, Any] | None:
        """A topic by its current id."""
        return self.refresh().topics.get(topic_id)

    def canonical_id(self, topic_id: str) -> str | None:
        """The current id for an id or a former id."""
        self.refresh()
        if topic_id in self.topics:
            return topic_id
        return self.aliases.get(topic_id)
