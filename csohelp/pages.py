"""Render the content model into Markdown pages (docs/fr/, docs/en/) with Jinja2."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from .content import CONTACT, LANGS, TOPIC_LINK, Corpus, Topic, contact_for
from .formats import format_date, french_spacing

# Interface words of the generated pages; topic text itself comes from faq/. French strings are
# written with plain spaces before « : ; ! ? » and inside guillemets; french_spacing makes them
# non-breaking, so a line never starts with a colon or a question mark.
STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "site_name": "Centre d'aide CSO Canada",
        "home_title": "Accueil",
        "hero_title": "Comment pouvons-nous vous aider ?",
        "home_lead": (
            "Le Centre d'aide CSO Canada répond aux questions non techniques des clients "
            "commerciaux d'IBM Canada et de ses partenaires commerciaux : factures et paiements, "
            "commandes, livraisons, contrats, permis d'utilisation, stocks et comptes clients."
        ),
        "hero_lead": (
            "Réponses aux questions non techniques des clients commerciaux d'IBM Canada "
            "et de ses partenaires commerciaux."
        ),
        "home_scope": "Pour le soutien technique, consultez la section « Technical Support » de",
        "search_label": "Rechercher dans le centre d'aide",
        "search_placeholder": "Ex. : contester une facture",
        "search_submit": "Rechercher",
        "suggested": "Sujets suggérés",
        "categories": "Catégories",
        "common": "Questions courantes",
        "count_one": "{n} sujet",
        "count_many": "{n} sujets",
        "home": "Accueil",
        "breadcrumb": "Fil d'Ariane",
        "category_label": "Catégorie :",
        "reviewed_label": "Dernière révision :",
        "steps": "Étapes",
        "related": "Sujets connexes",
        "on_this_page": "Sur cette page",
        "contact_title": "Joindre CSOL",
        "contact_intro": "CSOL accueille vos questions, commentaires et suggestions.",
        "contact_web": "Site web :",
        "contact_phone": "Téléphone :",
        "contact_form": "Envoyer une demande à CSOL",
        "request_cta": "Envoyer une demande",
        "request_cta_lead": "Vous ne trouvez pas la réponse ? Écrivez à CSOL.",
        "request_topic": "Envoyer une demande sur ce sujet",
        "copy_label": "Copier le lien",
        "copy_links": "Liens courts",
        "copy_done": "Lien copié : titres et liens courts en français et en anglais.",
        "copy_failed": "Copie impossible : sélectionnez les liens courts et copiez-les.",
        "search_title": "Recherche",
        "request_title": "Envoyer une demande à CSOL",
    },
    "en": {
        "site_name": "CSO Canada Help Centre",
        "home_title": "Home",
        "hero_title": "How can we help?",
        "home_lead": (
            "The CSO Canada Help Centre answers the non-technical questions of IBM Canada's "
            "commercial clients and business partners: invoices and payments, orders, deliveries, "
            "contracts, licences, inventory records and accounts receivable."
        ),
        "hero_lead": (
            "Answers to the non-technical questions of IBM Canada's commercial clients "
            "and business partners."
        ),
        "home_scope": "For technical support, see the “Technical Support” section of",
        "search_label": "Search the Help Centre",
        "search_placeholder": "e.g. dispute an invoice",
        "search_submit": "Search",
        "suggested": "Suggested topics",
        "categories": "Categories",
        "common": "Common questions",
        "count_one": "{n} topic",
        "count_many": "{n} topics",
        "home": "Home",
        "breadcrumb": "Breadcrumb",
        "category_label": "Category:",
        "reviewed_label": "Last reviewed:",
        "steps": "Steps",
        "related": "Related topics",
        "on_this_page": "On this page",
        "contact_title": "Contact CSOL",
        "contact_intro": "CSOL welcomes your questions, comments and suggestions.",
        "contact_web": "Website:",
        "contact_phone": "Phone:",
        "contact_form": "Send CSOL a request",
        "request_cta": "Send a request",
        "request_cta_lead": "Can't find an answer? Write to CSOL.",
        "request_topic": "Send a request about this topic",
        "copy_label": "Copy link",
        "copy_links": "Short links",
        "copy_done": "Link copied: titles and short links in English and French.",
        "copy_failed": "Could not copy: select the short links and copy them.",
        "search_title": "Search",
        "request_title": "Send CSOL a request",
    },
}


STRINGS["fr"] = {key: french_spacing(value) for key, value in STRINGS["fr"].items()}

# An icon per category on the home page's cards (Material's bundled icons, inlined).
CATEGORY_ICONS = {
    "about": "information-outline", "orders": "cart-outline", "delivery": "truck-delivery-outline",
    "billing": "receipt-text-outline", "contracts": "file-sign", "inventory": "barcode",
    "accounts": "bank-outline",
}
DEFAULT_ICON = "folder-outline"

# Pages the web app fills in at request time, built by mkdocs so they share the site's look.
SHELLS = {"search": "search_title", "request": "request_title"}


def _mdlink(text: str) -> str:
    """Escape the characters that would end or restyle a Markdown link text."""
    return re.sub(r"([\\\[\]*_`<>])", r"\\\1", text)


def _yaml_scalar(text: str) -> str:
    """A front-matter value: JSON strings are valid YAML and escape everything."""
    return json.dumps(text, ensure_ascii=False)


def _icon(name: str) -> str:
    """One of Material's bundled SVG icons, hidden from screen readers (the text says it all)."""
    path = files("material") / "templates" / ".icons" / "material" / f"{name}.svg"
    svg = path.read_text(encoding="utf-8").strip()
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


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
    env.globals["icon"] = _icon
    env.globals["phone"] = phone_html
    return env


def resolve_topic_links(markdown: str, topic: Topic, corpus: Corpus) -> str:
    """Rewrite [text](topic:ID) into a relative link to that topic's page."""

    def link(match: re.Match[str]) -> str:
        target = corpus.by_id[match.group(1)]
        path = f"{target.id}.md" if target.category == topic.category else (
            f"../{target.category}/{target.id}.md")
        return f"]({path})"

    return TOPIC_LINK.sub(link, markdown)


# What a topic's text mentions and a reader should be able to click: the seed's web addresses,
# CSOL's phone number (either language's form) and this help centre's request form.
_URL = re.compile(r"https?://[^\s<>()\[\]]*[^\s<>()\[\].,;:!?»]")
_PHONE = re.compile(r"1[ -]866[ -]880-(?:CSOL|2765)(?:\s\(1[ -]866[ -]880-2765\))?")
_FORM = {
    "fr": re.compile(r"formulaire de demande(?: de ce centre d'aide)?"),
    "en": re.compile(r"request form(?: of this [Hh]elp [Cc]ent(?:er|re))?"),
}


def _outside_links(text: str, start: int) -> bool:
    """True when position `start` is not inside a Markdown link, an autolink or inline code."""
    before = text[:start]
    if before.count("[") > before.count("]") or before.count("`") % 2:
        return False
    if re.search(r"\]\([^)]*$", before) or re.search(r"<[^>]*$", before):
        return False
    return True


def phone_html(text: str, lang: str) -> str:
    """A phone number as a tel: link whose parts never break inside (written in `lang`'s form)."""
    if lang == "en":
        text = text.replace(" ", "-").replace("-(", " (")
    main, _, digits = text.partition(" (")
    parts = [main] + ([f"({digits}"] if digits else [])
    inner = " ".join(f'<span class="csohelp-nowrap">{part}</span>' for part in parts)
    return f'<a class="csohelp-phone" href="tel:{CONTACT["phone_tel"]}">{inner}</a>'


def link_mentions(markdown: str, lang: str, request_link: str | None = None) -> str:
    """Turn the web addresses, phone numbers and (with `request_link`) the request form that a
    text mentions into links; what is already a link stays as it is."""
    patterns = [(_URL, lambda m: f"<{m.group(0)}>"), (_PHONE, lambda m: phone_html(m.group(0), lang))]
    if request_link:
        patterns.append((_FORM[lang], lambda m: f"[{m.group(0)}]({request_link})"))
    for pattern, replace in patterns:
        out, last = [], 0
        for match in pattern.finditer(markdown):
            if _outside_links(markdown, match.start()):
                out += [markdown[last:match.start()], replace(match)]
                last = match.end()
        markdown = "".join(out) + markdown[last:]
    return markdown


def linked_topics(texts: list[str]) -> set[str]:
    """The ids of the topics that the texts already link to."""
    return {m.group(1) for text in texts for m in TOPIC_LINK.finditer(text)}


def count_label(n: int, t: dict[str, str]) -> str:
    """« 1 sujet », « 4 sujets » / "1 topic", "4 topics"."""
    return (t["count_one"] if n == 1 else t["count_many"]).format(n=n)


def render_pages(corpus: Corpus, docs_dir: Path) -> list[Path]:
    """Write every page of both languages under docs_dir; return the files written."""
    env = _environment()
    written: list[Path] = []

    def write(rel: str, template: str, lang: str, **context: object) -> None:
        path = docs_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = env.get_template(template).render(
            contact=contact_for(lang), lang=lang, t=STRINGS[lang], **context)
        path.write_text(re.sub(r"\n{3,}", "\n\n", text), encoding="utf-8")
        written.append(path)

    for lang in LANGS:
        common = [corpus.by_id[i] for i in corpus.most_asked]
        cards = [(c, CATEGORY_ICONS.get(c.id, DEFAULT_ICON),
                  count_label(len(corpus.topics_in(c.id)), STRINGS[lang])) for c in corpus.categories]
        write(f"{lang}/index.md", "home.md.j2", lang, cards=cards, most_asked=common)
        for category in corpus.categories:
            write(f"{lang}/{category.id}/index.md", "category.md.j2", lang,
                  category=category, topics=corpus.topics_in(category.id))
        for topic in corpus.topics:
            text = topic.text(lang)
            request_link = f"../../request/?topic={topic.id}"
            in_text = linked_topics([text.body, *(text.steps or [])])
            write(
                f"{lang}/{topic.category}/{topic.id}.md", "topic.md.j2", lang,
                topic=topic, text=text, category=corpus.category_by_id[topic.category],
                body=link_mentions(resolve_topic_links(text.body, topic, corpus), lang),
                steps=[link_mentions(resolve_topic_links(s, topic, corpus), lang, request_link)
                       for s in text.steps or []],
                # "Related topics" adds only what the text does not already link.
                related=[corpus.by_id[r] for r in topic.related if r not in in_text],
                reviewed=format_date(topic.reviewed, lang), request_link=request_link,
                other="en" if lang == "fr" else "fr",
            )
        for name, title_key in SHELLS.items():
            write(f"{lang}/{name}.md", "shell.md.j2", lang, name=name, title=STRINGS[lang][title_key])
    return written
