"""Warnings for content owners (`csohelp check`): broken external links, twin titles, old reviews.

These never stop a build (errors do, in content.py): a topic reviewed 13 months ago is still
right until someone looks. Each warning has the file, line and field of an error.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from ..content import LANGS, Corpus
from ..errors import Problem
from ..yamlsource import YamlSource, read_yaml

REVIEWED_AGE = 365
# What looks like a link to another site: a URL with a scheme, or a Markdown/HTML target naming one.
URL = re.compile(r"\b[a-z][a-z0-9+.\-]*:/{1,3}[^\s<>()\[\]\"'`]*|\bwww\.[^\s<>()\[\]\"'`]+", re.I)
TARGET = re.compile(r"\]\(\s*([^)\s]*)|<((?:https?|ftp)[^>]*)>|href=[\"']([^\"']*)", re.I)
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.I)


def url_problem(url: str) -> str | None:
    """Why an external URL cannot be used as written, or None when it parses."""
    url = url.rstrip(".,;:!?»")
    if url.lower().startswith("www."):
        return "no scheme: write https://" + url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        return f"does not parse ({exc})"
    if parts.scheme.lower() not in ("http", "https", "mailto", "tel"):
        return f"unknown scheme {parts.scheme!r}"
    if parts.scheme.lower() in ("http", "https"):
        host = parts.hostname or ""
        if not url.lower().startswith(parts.scheme.lower() + "://"):
            return "needs two slashes after the scheme"
        labels = host.split(".")
        if len(labels) < 2 or not all(LABEL.match(label) for label in labels) or labels[-1].isdigit():
            return f"{host or 'no host'} is not a host name"
    return None


def _links(text: str) -> list[str]:
    found = [m.group() for m in URL.finditer(text)]
    for m in TARGET.finditer(text):
        target = next(g for g in m.groups() if g is not None)
        if target and "://" not in target and ("." in target.split("/")[0] and target.startswith("www")):
            found.append(target)
    return list(dict.fromkeys(found))


def _texts(source: YamlSource) -> list[tuple[tuple, str]]:
    """Every text field of a topic file with its location (fr/en title, summary, body, steps)."""
    data = source.data if isinstance(source.data, dict) else {}
    out = []
    for lang in LANGS:
        text = data.get(lang) or {}
        for name in ("title", "summary", "body"):
            if isinstance(text.get(name), str):
                out.append(((lang, name), text[name]))
        for i, step in enumerate(text.get("steps") or []):
            if isinstance(step, str):
                out.append(((lang, "steps", i), step))
    return out


def content_warnings(corpus: Corpus, faq_dir: Path, today: date | None = None,
                     reviewed_age: int = REVIEWED_AGE) -> list[Problem]:
    """Warnings on a valid corpus: links that do not parse, duplicate titles, old `reviewed` dates."""
    today = today or date.today()
    warnings: list[Problem] = []
    titles: dict[tuple[str, str], list[tuple[YamlSource, str]]] = {}
    for topic in corpus.topics:
        path = faq_dir / topic.category / f"{topic.id}.yaml"
        source = read_yaml(path if path.exists() else path.with_suffix(".yml"), [])
        if source is None:
            continue
        for loc, text in _texts(source):
            for url in _links(text):
                why = url_problem(url)
                if why:
                    # The line of the link itself inside a multi-line text (a `|` block).
                    offset = text[:text.find(url)].count("\n")
                    warnings.append(source.problem(loc, f"external link {url!r}: {why}", line_offset=offset))
        for lang in LANGS:
            key = " ".join(unicodedata.normalize("NFKC", topic.text(lang).title).casefold().split())
            titles.setdefault((lang, key), []).append((source, topic.id))
        if topic.reviewed < today - timedelta(days=reviewed_age):
            age = (today - topic.reviewed).days
            warnings.append(source.problem(("reviewed",), f"last reviewed {age} days ago (more than "
                                                          f"{reviewed_age}): check that it is still right"))
    for (lang, _), same in titles.items():
        if len(same) > 1:
            ids = ", ".join(topic_id for _, topic_id in same)
            for source, _ in same:
                message = f"the same {lang} title as another topic ({ids})"
                warnings.append(source.problem((lang, "title"), message))
    return sorted(warnings)
