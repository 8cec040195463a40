"""Common topics and the categories, as one HTML block: the 404 page and the no-result search page.

Today the topics are faq/categories.yaml `most_asked` (the catalogue's "popular" list); when views
are counted, the server passes its own ordered ids to render_popular and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment

WORDS = {
    "fr": {"common": "Questions courantes", "categories": "Catégories",
           "label": "Pour continuer"},
    "en": {"common": "Common questions", "categories": "Categories",
           "label": "Where to go next"},
}

TEMPLATE = """\
<section class="csohelp-popular" aria-label="{{ w.label }}">
  {% if topics %}
  <div class="csohelp-popular__col">
    <h2 class="csohelp-popular__title">{{ w.common }}</h2>
    <ul class="csohelp-popular__list">
      {% for t in topics %}<li><a href="{{ t[lang].url }}">{{ t[lang].title }}</a></li>
      {% endfor %}
    </ul>
  </div>
  {% endif %}
  {% if categories %}
  <div class="csohelp-popular__col">
    <h2 class="csohelp-popular__title">{{ w.categories }}</h2>
    <ul class="csohelp-popular__list">
      {% for c in categories %}<li><a href="{{ c[lang].url }}">{{ c[lang].title }}</a></li>
      {% endfor %}
    </ul>
  </div>
  {% endif %}
</section>
"""

_template = Environment(autoescape=True).from_string(TEMPLATE)


def popular_topics(by_id: Mapping[str, Mapping[str, Any]], ids: Sequence[str],
                   limit: int = 6) -> list[Mapping[str, Any]]:
    """The topics named by `ids` (most_asked today, by views later), in order; unknown ids skipped."""
    chosen = list(ids) or list(by_id)[:limit]
    return [by_id[i] for i in chosen if i in by_id][:limit]


def render_popular(lang: str, topics: Sequence[Mapping[str, Any]],
                   categories: Sequence[Mapping[str, Any]]) -> str:
    """The block: common topics, then the categories, linked in `lang`."""
    return _template.render(w=WORDS[lang], lang=lang, topics=topics, categories=categories)
