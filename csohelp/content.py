"""The content model: topics and categories loaded from faq/ YAML, validated all at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from .errors import ContentError, Problem
from .yamlsource import YamlSource, display_path, read_yaml

LANGS: tuple[str, ...] = ("fr", "en")
DEFAULT_LANG = "fr"
REQUEST_TYPES: tuple[str, ...] = (
    "billing", "invoice-dispute", "order-status", "order-entry", "delivery", "serial-lookup",
    "contracts", "licensing", "inventory", "accounts-receivable", "other",
)
# The seed's contact points: the only ones the help centre may show. The phone is written the
# way each language writes it (French: spaces; Canadian English: hyphens); CONTACT["phone"] stays
# the French form for older callers: new code asks contact_for(lang).
PHONE = {"fr": "1 866 880-CSOL (1 866 880-2765)", "en": "1-866-880-CSOL (1-866-880-2765)"}
PHONE_DIGITS = {"fr": "1 866 880-2765", "en": "1-866-880-2765"}
CONTACT = {
    "web": "http://www.ibm.com/support/operations",
    "phone": PHONE["fr"],
    "phone_digits": PHONE_DIGITS["fr"],
    "phone_tel": "+18668802765",
    "plan_page": "http://www.ibm.com/support/",
}


def contact_for(lang: str) -> dict[str, str]:
    """The contact points with the phone written in `lang`."""
    return {**CONTACT, "phone": PHONE.get(lang, PHONE["fr"]),
            "phone_digits": PHONE_DIGITS.get(lang, PHONE_DIGITS["fr"])}
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# Topic bodies link to other topics as [text](topic:ID); the page generator resolves them.
TOPIC_LINK = re.compile(r"\]\(topic:([^)\s]*)\)")

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TopicText(_Strict):
    """One language's text of a topic."""

    title: Text
    summary: Text
    keywords: list[Text] = []
    body: Text
    steps: list[Text] | None = None


class Topic(_Strict):
    """A help-center article, in both languages or not at all."""

    id: Slug
    category: Slug
    kind: Literal["faq", "procedure"]
    reviewed: date
    related: list[Slug] = []
    aliases: list[Slug] = []
    request_type: Literal[REQUEST_TYPES]  # type: ignore[valid-type]
    fr: TopicText
    en: TopicText

    def text(self, lang: str) -> TopicText:
        """The topic's text in `lang`."""
        return self.fr if lang == "fr" else self.en

    def url(self, lang: str) -> str:
        """The topic's site path in `lang` (design.md URL table)."""
        return f"{lang_prefix(lang)}/{self.category}/{self.id}/"


class CategoryText(_Strict):
    """One language's name of a category."""

    title: Text
    description: Text


class Category(_Strict):
    """A group of topics, in display order."""

    id: Slug
    fr: CategoryText
    en: CategoryText

    def text(self, lang: str) -> CategoryText:
        """The category's text in `lang`."""
        return self.fr if lang == "fr" else self.en

    def url(self, lang: str) -> str:
        """The category's site path in `lang`."""
        return f"{lang_prefix(lang)}/{self.id}/"


class CategoryFile(_Strict):
    """faq/categories.yaml."""

    categories: list[Category]
    most_asked: list[Slug] = []


class SynonymFile(_Strict):
    """faq/synonyms.yaml: groups of equivalent words or phrases, any language; and groups no
    topic is about (`no_topic`), which make a query about them get the no-result page."""

    synonyms: list[list[Text]] = []
    no_topic: list[list[Text]] = []


def lang_prefix(lang: str) -> str:
    """'' for French (the site root), '/en' for English."""
    return "" if lang == DEFAULT_LANG else f"/{lang}"


def home_url(lang: str) -> str:
    """The home page path in `lang`."""
    return f"{lang_prefix(lang)}/"


@dataclass
class Corpus:
    """Everything in faq/, validated."""

    categories: list[Category]
    topics: list[Topic]
    most_asked: list[str] = field(default_factory=list)
    synonyms: list[list[str]] = field(default_factory=list)
    no_topic: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_id = {t.id: t for t in self.topics}
        self.by_alias = {a: t for t in self.topics for a in t.aliases}
        self.category_by_id = {c.id: c for c in self.categories}

    def topics_in(self, category_id: str) -> list[Topic]:
        """Topics of one category, in a stable order (by id)."""
        return [t for t in self.topics if t.category == category_id]

    def resolve(self, topic_id: str) -> Topic | None:
        """The topic for an id or a former id (alias)."""
        return self.by_id.get(topic_id) or self.by_alias.get(topic_id)


def _model_problems(source: YamlSource, exc: ValidationError, prefix: tuple = ()) -> list[Problem]:
    """Turn pydantic's errors into Problems located in the YAML file."""
    problems = []
    for err in exc.errors():
        loc = prefix + tuple(err["loc"])
        problems.append(source.problem(loc, _message(err)))
    return problems


def _message(err: dict[str, Any]) -> str:
    """A short, plain message for one pydantic error."""
    kind = err["type"]
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return f"{err['input']!r} is not a lowercase slug (a-z, 0-9 and single hyphens)"
    if kind.startswith("date"):
        return f"{err['input']!r} is not a date (YYYY-MM-DD)"
    if kind == "literal_error":
        return f"{err['input']!r} is not one of: {err['ctx']['expected']}"
    return err["msg"][0].lower() + err["msg"][1:]


def _load_model(source: YamlSource, model: type[BaseModel], problems: list[Problem]) -> Any:
    """Validate a parsed file against `model`; None (with problems added) when it fails."""
    if not isinstance(source.data, dict):
        problems.append(Problem(source.name, 1, "file", "must be a mapping of fields"))
        return None
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        problems.extend(_model_problems(source, exc))
        return None


def load_corpus(faq_dir: Path, today: date | None = None) -> Corpus:
    """Load and validate faq/; raise ContentError listing every problem found."""
    faq_dir = Path(faq_dir)
    today = today or date.today()
    problems: list[Problem] = []
    if not faq_dir.is_dir():
        raise ContentError([Problem(display_path(faq_dir), 0, "folder", "not found")])

    cat_source = read_yaml(faq_dir / "categories.yaml", problems)
    cat_file = _load_model(cat_source, CategoryFile, problems) if cat_source else None
    syn_source = read_yaml(faq_dir / "synonyms.yaml", problems, optional=True)
    syn_file = _load_model(syn_source, SynonymFile, problems) if syn_source else None

    topics: list[tuple[YamlSource, Topic]] = []
    # Ids of files that failed validation still count, so references to them are not reported too.
    known_ids: set[str] = set()
    for path in sorted(faq_dir.glob("*/*.yaml")) + sorted(faq_dir.glob("*/*.yml")):
        known_ids.add(path.stem)  # the file name is the id, even when the file is broken
        source = read_yaml(path, problems)
        if source is None:
            continue
        if isinstance(source.data, dict) and isinstance(source.data.get("id"), str):
            known_ids.add(source.data["id"])
        topic = _load_model(source, Topic, problems)
        if topic is not None:
            topics.append((source, topic))
    for path in sorted(faq_dir.glob("*/*/**/*.y*ml")):
        problems.append(Problem(display_path(path), 0, "file", "topics live in faq/<category>/"))

    categories = cat_file.categories if cat_file else []
    # Without a valid categories.yaml every topic would report its category: say it once.
    category_ids = {c.id for c in categories} if cat_file else None
    problems += _check_topics(topics, category_ids, today, known_ids)
    if cat_file:
        problems += _check_categories(cat_source, cat_file, known_ids)
    if syn_file:
        problems += _check_no_topic(syn_source, syn_file, [t for _, t in topics])
    if problems:
        raise ContentError(problems)
    order = {c.id: i for i, c in enumerate(categories)}
    ordered = sorted((t for _, t in topics), key=lambda t: (order[t.category], t.id))
    return Corpus(categories, ordered, cat_file.most_asked, syn_file.synonyms if syn_file else [],
                  syn_file.no_topic if syn_file else [])


def _check_no_topic(source: YamlSource, syn_file: SynonymFile, topics: list[Topic]) -> list[Problem]:
    """A phrase no topic is about must be in no topic's title or keywords (search would send
    the clients asking for that topic to the no-result page), nor in a group of synonyms
    (which of the two a query meant would depend on the order of the file)."""
    # Words as the search's synonym table reads them: folded, elisions dropped, singular.
    # (Imported here: the search package imports this module.)
    from .search.analysis import plain_words, singular

    def words(text: str) -> tuple[str, ...]:
        return tuple(singular(w) for w in plain_words(text))

    shown = [(words(t), topic.id) for topic in topics for lang in LANGS
             for t in [topic.text(lang).title, *topic.text(lang).keywords]]
    synonyms = {words(p) for group in syn_file.synonyms for p in group}
    problems = []
    for i, group in enumerate(syn_file.no_topic):
        for j, phrase in enumerate(group):
            seek = words(phrase)
            n = len(seek)
            owner = next((topic_id for seq, topic_id in shown if n and any(
                seq[k:k + n] == seek for k in range(len(seq) - n + 1))), None)
            if owner:
                problems.append(source.problem(("no_topic", i, j), f"{phrase!r} is in the title or "
                                               f"keywords of {owner}: a topic is about it"))
            elif seek in synonyms:
                problems.append(source.problem(("no_topic", i, j), f"{phrase!r} is also in a group "
                                               "of synonyms: keep it in one of the two"))
    return problems


def _check_categories(source: YamlSource, cat_file: CategoryFile, ids: set[str]) -> list[Problem]:
    """Duplicate categories and most-asked ids that name no topic."""
    problems = []
    seen: set[str] = set()
    for i, cat in enumerate(cat_file.categories):
        if cat.id in seen:
            problems.append(source.problem(("categories", i, "id"), f"duplicate category {cat.id!r}"))
        seen.add(cat.id)
    for i, topic_id in enumerate(cat_file.most_asked):
        if topic_id not in ids:
            problems.append(source.problem(("most_asked", i), f"unknown topic {topic_id!r}"))
    return problems


def _check_topics(
    topics: list[tuple[YamlSource, Topic]],
    category_ids: set[str] | None,
    today: date,
    ids: set[str],
) -> list[Problem]:
    """Rules that span files: ids, aliases, categories, related topics, links, dates."""
    problems: list[Problem] = []
    owner: dict[str, str] = {}  # id or alias -> file that claimed it first
    # Ids first, so an alias that repeats an id is the one reported.
    claims = [(source, ("id",), topic.id, "id") for source, topic in topics]
    claims += [(source, ("aliases", i), alias, "alias")
               for source, topic in topics for i, alias in enumerate(topic.aliases)]
    for source, loc, name, what in claims:
        if name in owner:
            problems.append(source.problem(loc, f"duplicate {what} {name!r} (also in {owner[name]})"))
        else:
            owner[name] = source.name
    for source, topic in topics:
        path = source.path
        if path.stem != topic.id:
            problems.append(
                source.problem(("id",), f"{topic.id!r} does not match the file name {path.name!r}"))
        if category_ids is not None and topic.category not in category_ids:
            problems.append(source.problem(("category",), f"unknown category {topic.category!r}"))
        elif path.parent.name != topic.category:
            problems.append(source.problem(
                ("category",), f"{topic.category!r} does not match the folder {path.parent.name!r}/"))
        if topic.reviewed > today:
            problems.append(source.problem(("reviewed",), f"{topic.reviewed} is in the future"))
        for i, rel in enumerate(topic.related):
            if rel not in ids:
                problems.append(source.problem(("related", i), f"unknown topic {rel!r}"))
            elif rel == topic.id:
                problems.append(source.problem(("related", i), "a topic cannot be related to itself"))
        problems += _check_texts(source, topic, ids)
    return problems


def _check_texts(source: YamlSource, topic: Topic, ids: set[str]) -> list[Problem]:
    """Steps only for procedures, the same number in both languages; topic links resolve."""
    problems = []
    for lang in LANGS:
        text = topic.text(lang)
        if topic.kind == "procedure" and not text.steps:
            problems.append(source.problem((lang, "steps"), "missing (a procedure needs steps)"))
        if topic.kind == "faq" and text.steps is not None:
            problems.append(source.problem((lang, "steps"), "only procedures have steps"))
        for name, value in [("body", text.body)] + [
            (("steps", i), step) for i, step in enumerate(text.steps or [])
        ]:
            loc = (lang, *name) if isinstance(name, tuple) else (lang, name)
            for match in TOPIC_LINK.finditer(value):
                if match.group(1) not in ids:
                    line_offset = value.count("\n", 0, match.start())
                    problems.append(source.problem(
                        loc, f"link to unknown topic {match.group(1)!r}", line_offset))
    if topic.kind == "procedure" and topic.fr.steps and topic.en.steps:
        if len(topic.fr.steps) != len(topic.en.steps):
            problems.append(source.problem(
                ("en", "steps"), f"{len(topic.en.steps)} steps, but fr has {len(topic.fr.steps)}"))
    return problems
