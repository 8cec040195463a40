"""The bilingual glossary (faq/glossary.yaml): one term per idea, validated with file and line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from .errors import ContentError, Problem
from .yamlsource import YamlSource, read_yaml

GLOSSARY_FILE = "glossary.yaml"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Term(BaseModel):
    """One idea: the French and English terms to use, why, and the words to avoid for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fr: Text
    en: Text
    notes: Text
    avoid_fr: list[Text] = []
    avoid_en: list[Text] = []
    # The support plan reproduces the 2001 text: its own words may stay (e.g. « conflits »).
    plan_keeps: bool = False

    def avoid(self, lang: str) -> list[str]:
        """The words to avoid in `lang`."""
        return list(self.avoid_fr if lang == "fr" else self.avoid_en)


class Glossary(BaseModel):
    """faq/glossary.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: list[Term]

    def find_avoided(self, text: str, lang: str, in_plan: bool = False) -> list[tuple[Term, str]]:
        """Every (term, avoided word) that `text` uses in `lang`."""
        found = []
        for term in self.terms:
            if in_plan and term.plan_keeps:
                continue
            for word in term.avoid(lang):
                if avoided_pattern(word).search(text):
                    found.append((term, word))
        return found


def avoided_pattern(word: str) -> re.Pattern[str]:
    """A whole-word pattern; an all-capitals word (NOTE) matches only in capitals."""
    flags = 0 if word.isupper() else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])", flags)


def load_glossary(faq_dir: Path) -> Glossary:
    """Read and validate faq_dir/glossary.yaml; raise ContentError listing every problem."""
    problems: list[Problem] = []
    source = read_yaml(Path(faq_dir) / GLOSSARY_FILE, problems)
    if source is None or problems:
        raise ContentError(problems)
    if not isinstance(source.data, dict):
        raise ContentError([Problem(source.name, 1, "file", "must be a mapping of fields")])
    try:
        glossary = Glossary.model_validate(source.data)
    except ValidationError as exc:
        raise ContentError([_problem(source, err) for err in exc.errors()]) from None
    problems = _check_terms(source, glossary)
    if problems:
        raise ContentError(problems)
    return glossary


def _problem(source: YamlSource, err: dict) -> Problem:
    """One pydantic error as a Problem at its line."""
    messages = {"missing": "missing", "extra_forbidden": "unknown field",
                "string_too_short": "must not be empty", "list_type": "must be a list",
                "model_type": "must be a mapping of fields", "bool_parsing": "must be true or false",
                "string_type": "must be text"}
    message = messages.get(err["type"]) or err["msg"][:1].lower() + err["msg"][1:]
    return source.problem(tuple(err["loc"]), message)


def _check_terms(source: YamlSource, glossary: Glossary) -> list[Problem]:
    """A term written twice, or a term that its own avoid list forbids."""
    problems = []
    seen: dict[tuple[str, str], int] = {}
    for i, term in enumerate(glossary.terms):
        for lang in ("fr", "en"):
            key = (lang, getattr(term, lang).casefold())
            if key in seen:
                problems.append(source.problem(
                    ("terms", i, lang), f"{getattr(term, lang)!r} is already term {seen[key] + 1}"))
            seen.setdefault(key, i)
            for j, word in enumerate(term.avoid(lang)):
                if avoided_pattern(word).search(getattr(term, lang)):
                    problems.append(source.problem(
                        ("terms", i, f"avoid_{lang}", j), f"{word!r} forbids the term itself"))
    return problems
