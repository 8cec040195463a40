"""Render the content model into Markdown pages (docs/fr/, docs/en/) with Jinja2."""

from __future__ import annotations

import json
import re
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from .content import CONTACT, LANGS, TOPIC_LINK, Corpus, Topic
from .formats import format_date

# Interface words of the generated pages; topic text itself comes from faq/.
STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "site_name": "Centre d'aide CSO Canada",
        "home_title": "Centre d'aide CSO Canada",
        "home_lead": (
            "Réponses aux questions non techniques des clients commerciaux d'IBM Canada "
            "et de ses partenaires commerciaux : factures et paiements, commandes, livraisons, "
            "contrats, permis d'utilisation, stocks et comptes clients."
        ),
        "categories": "Catégories",
        "most_asked": "Questions les plus fréquentes",
        "home": "Accueil",
        "breadcrumb": "Fil d'Ariane",
        "category_label": "Catégorie :",
        "reviewed_label": "Dernière révision :",
        "steps": "Étapes",
        "related": "Sujets connexes",
        "contact_title": "Joindre CSOL",
        "contact_intro": (
            "CSOL (Soutien des opérations clientèle en ligne) répond à vos questions, "
            "commentaires et suggestions."
        ),
        "contact_web": "Site web :",
        "contact_phone": "Téléphone :",
        "contact_form": "Envoyer une demande à CSOL",
        "search_title": "Recherche",
        "request_title": "Envoyer une demande à CSOL",
    },
    "en": {
        "site_name": "CSO Canada Help Center",
        "home_title": "CSO Canada Help Center",
        "home_lead": (
            "Answers to the non-technical questions of IBM Canada's commercial clients "
            "and business partners: invoices and payments, orders, deliveries, contracts, "
            "licences, inventory records and accounts receivable."
        ),
        "categories": "Categories",
        "most_asked": "Most asked questions",
        "home": "Home",
        "breadcrumb": "Breadcrumb",
        "category_label": "Category:",
        "reviewed_label": "Last reviewed:",
        "steps": "Steps",
        "related": "Related topics",
        "contact_title": "Contact CSOL",
        "contact_intro": (
            "CSOL (Customer Support Operations Online) welcomes your questions, "
            "comments and suggestions."
        ),
        "contact_web": "Web site:",
        "contact_phone": "Phone:",
        "contact_form": "Send CSOL a request",
        "search_title": "Search",
        "request_title": "Send CSOL a request",
    },
}

# Pages the web app fills in at request time, built by mkdocs so they share the site's look.
SHELLS = {"search": "search_title", "request": "request_title"}


def _mdlink(text: str) -> str:
    """Escape the characters that would end or restyle a Markdown link text."""
    return re.sub(r"([\\\[\]*_`<>])", r"\\\1", text)


def _yaml_scalar(text: str) -> str:
    """A front-matter value: JSON strings are valid YAML and escape everything."""
    return json.dumps(text, ensure_ascii=False)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("csohelp", "templates/pages"),
        autoescape=False,  # Markdown output; topic bodies are Markdown by design
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["mdlink"] = _mdlink
    env.filters["yaml"] = _yaml_scalar
    return env


def resolve_topic_links(markdown: str, topic: Topic, corpus: Corpus) -> str:
    """Rewrite [text](topic:ID) into a relative link to that topic's page."""

    def link(match: re.Match[str]) -> str:
        target = corpus.by_id[match.group(1)]
        path = f"{target.id}.md" if target.category == topic.category else (
            f"../{target.category}/{target.id}.md")
        return f"]({path})"

    return TOPIC_LINK.sub(link, markdown)


def render_pages(corpus: Corpus, docs_dir: Path) -> list[Path]:
    """Write every page of both languages under docs_dir; return the files written."""
    env = _environment()
    written: list[Path] = []

    def write(rel: str, template: str, **context: object) -> None:
        path = docs_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = env.get_template(template).render(contact=CONTACT, **context)
        path.write_text(re.sub(r"\n{3,}", "\n\n", text), encoding="utf-8")
        written.append(path)

    for lang in LANGS:
        t = STRINGS[lang]
        most_asked = [corpus.by_id[i] for i in corpus.most_asked]
        write(f"{lang}/index.md", "home.md.j2", lang=lang, t=t,
              categories=corpus.categories, most_asked=most_asked)
        for category in corpus.categories:
            write(f"{lang}/{category.id}/index.md", "category.md.j2", lang=lang, t=t,
                  category=category, topics=corpus.topics_in(category.id))
        for topic in corpus.topics:
            text = topic.text(lang)
            write(
                f"{lang}/{topic.category}/{topic.id}.md", "topic.md.j2", lang=lang, t=t,
                topic=topic, text=text, category=corpus.category_by_id[topic.category],
                body=resolve_topic_links(text.body, topic, corpus),
                steps=[resolve_topic_links(s, topic, corpus) for s in text.steps or []],
                related=[corpus.by_id[r] for r in topic.related],
                reviewed=format_date(topic.reviewed, lang),
            )
        for name, title_key in SHELLS.items():
            write(f"{lang}/{name}.md", "shell.md.j2", name=name, title=t[title_key])
    return written
