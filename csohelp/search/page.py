"""The server-rendered results page: HTML for the search shell's slot, in the reader's language."""

from __future__ import annotations

from urllib.parse import urlencode

from jinja2 import Environment
from markupsafe import Markup

from ..content import contact_for
from ..formats import french_spacing
from ..pages import phone_html
from .query import SearchResult

WORDS = {
    "fr": {
        "action": "/search/", "request": "/request/",
        "label": "Rechercher dans le centre d'aide", "submit": "Rechercher",
        "category": "Catégorie", "all": "Toutes les catégories",
        "zero": "Aucun sujet ne correspond à « {q} ».", "one": "1 sujet pour « {q} ».",
        "many": "{n} sujets pour « {q} ».", "prompt": "Saisissez quelques mots : facture, commande, "
        "numéro de série…",
        "did_you_mean": "Vouliez-vous dire «\u00a0{fixed}\u00a0»\u00a0?", "results": "Résultats",
        "showing": "Affichage des résultats pour «\u00a0{fixed}\u00a0».",
        "instead": "Rechercher plutôt «\u00a0{typed}\u00a0».",
        "none_help": "Vous ne trouvez pas la réponse? Envoyez votre question à CSOL :",
        "request_link": "Envoyer une demande à CSOL", "or_call": "ou appelez CSOL au",
        "in_category": "Catégorie :", "refine": "Préciser la recherche",
    },
    "en": {
        "action": "/en/search/", "request": "/en/request/",
        "label": "Search the Help Centre", "submit": "Search",
        "category": "Category", "all": "All categories",
        "zero": "No topic matches “{q}”.", "one": "1 topic for “{q}”.",
        "many": "{n} topics for “{q}”.", "prompt": "Type a few words: invoice, order, serial number…",
        "did_you_mean": "Did you mean “{fixed}”?", "results": "Results",
        "showing": "Showing results for “{fixed}”.", "instead": "Search instead for “{typed}”.",
        "none_help": "Can't find an answer? Send your question to CSOL:",
        "request_link": "Send CSOL a request", "or_call": "or call CSOL at",
        "in_category": "Category:", "refine": "Refine the search",
    },
}

# French messages with non-breaking spaces before « : ; ! ? » and inside guillemets (issue 15).
WORDS["fr"] = {key: french_spacing(value) for key, value in WORDS["fr"].items()}

TEMPLATE = """\
<form class="csohelp-search-form" action="{{ w.action }}" method="get" role="search"
      aria-label="{{ w.refine }}">
  <p>
    <label for="csohelp-search-q">{{ w.label }}</label>
    <input id="csohelp-search-q" type="search" name="q" value="{{ query }}" maxlength="500"
           autocomplete="off">
  </p>
  <p>
    <label for="csohelp-search-category">{{ w.category }}</label>
    <select id="csohelp-search-category" name="category">
      <option value="">{{ w.all }}</option>
      {% for c in categories %}
      <option value="{{ c.id }}"{% if c.id == category %} selected{% endif %}>{{ c[lang].title }}</option>
      {% endfor %}
    </select>
    <button type="submit" class="md-button md-button--primary">{{ w.submit }}</button>
  </p>
</form>
{% if error %}
<p class="csohelp-search-error" role="alert">{{ error }}</p>
{% elif not query %}
<p class="csohelp-search-status">{{ w.prompt }}</p>
{% else %}
<p class="csohelp-search-status" role="status">{{ status }}</p>
{% if result.corrected %}
<p class="csohelp-search-suggestion">{{ showing }} {{ instead }}</p>
{% elif result.suggestion %}
<p class="csohelp-search-suggestion">{{ did_you_mean }}</p>
{% endif %}
{% if result.hits %}
<ol class="csohelp-results" aria-label="{{ w.results }}">
  {% for hit in result.hits %}
  <li class="csohelp-result">
    <h2 class="csohelp-result__title"><a href="{{ hit.url }}">{{ hit.title }}</a></h2>
    <p class="csohelp-result__snippet">{{ hit.snippet | safe }}</p>
    <p class="csohelp-result__meta">{{ w.in_category }}
      {{ category_titles.get(hit.category, hit.category) }}</p>
  </li>
  {% endfor %}
</ol>
{% else %}
<div class="csohelp-noresults">
  <p>{{ w.none_help }}</p>
  <ul>
    <li><a href="{{ w.request }}">{{ w.request_link }}</a></li>
    <li>{{ w.or_call }} {{ phone | safe }}</li>
  </ul>
</div>
{{ popular | safe }}
{% endif %}
{% endif %}
"""

def _link(action: str, query: str, category: str | None, exact: bool) -> Markup:
    """A link to the results of query (exact: without spelling correction), escaped."""
    params = {"q": query, **({"category": category} if category else {}), **({"exact": "1"} if exact else {})}
    return Markup('<a href="{}?{}"><strong>{}</strong></a>').format(action, urlencode(params), query)


def _spelling(w: dict, query: str, category: str | None, result: SearchResult) -> dict[str, Markup]:
    """The "showing results for … ; search instead for …" or "did you mean …?" sentences."""
    fixed = result.suggestion or ""
    if result.corrected:
        return {"showing": Markup(w["showing"]).format(fixed=Markup("<strong>{}</strong>").format(fixed)),
                "instead": Markup(w["instead"]).format(typed=_link(w["action"], query, category, True))}
    link = _link(w["action"], fixed, category, False)
    return {"did_you_mean": Markup(w["did_you_mean"]).format(fixed=link)}


# Snippets are escaped when they are made (only <mark> is markup), hence `safe` above.
_template = Environment(autoescape=True).from_string(TEMPLATE)


def render_results(lang: str, query: str, category: str | None,
                   result: SearchResult | None, categories: list[dict], error: str | None = None,
                   popular: str = "") -> str:
    """The search form and the results: the HTML for the search shell page's slot.

    `popular` is the HTML of the common questions and categories (csohelp/popular.py), shown when
    nothing matches."""
    w = WORDS[lang]
    status = ""
    if result is not None:
        n = result.total
        # "Showing results for": the count is that of the corrected query.
        shown = result.suggestion if result.corrected and result.suggestion else query
        status = (w["zero"] if n == 0 else w["one"] if n == 1 else w["many"]).format(n=n, q=shown)
    spelling = _spelling(w, query, category, result) if result is not None and result.suggestion else {}
    html = _template.render(
        w=w, lang=lang, query=query, category=category or "", categories=categories, result=result,
        status=status, error=error, contact=contact_for(lang), popular=popular,
        phone=phone_html(contact_for(lang)["phone"], lang), **spelling,
        category_titles={c["id"]: c[lang]["title"] for c in categories},
    )
    return html
