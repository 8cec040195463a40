"""The support plan: one bilingual YAML source (plan/plan.yaml), validated into a Plan."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from csohelp.errors import ContentError, Problem
from csohelp.yamlsource import YamlSource, read_yaml

PLAN_FILE = "plan.yaml"
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# A former versioned download's id, as in downloads/support-plan-2001.1-fr.pdf: a file-name part.
DOWNLOAD_ID = r"^[0-9A-Za-z]+(?:[.-][0-9A-Za-z]+)*$"

Text = Annotated[str, Field(min_length=1)]
Loc = tuple[int | str, ...]


class StrictModel(BaseModel):
    """Base of the plan models: unknown fields are errors, text is stripped, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Bilingual(StrictModel):
    """A text in both languages."""

    fr: Text
    en: Text

    def get(self, lang: str) -> str:
        """The text in one language."""
        return str(getattr(self, lang))


class TextBlock(StrictModel):
    """A paragraph or a note, in both languages."""

    kind: Literal["paragraph", "note"]
    fr: Text
    en: Text

    def get(self, lang: str) -> str:
        """The text in one language."""
        return str(getattr(self, lang))


class ListBlock(StrictModel):
    """A bulleted list or a list of checked questions, item for item in both languages."""

    kind: Literal["list", "questions"]
    fr: list[Text] = Field(min_length=1)
    en: list[Text] = Field(min_length=1)

    @field_validator("en")
    @classmethod
    def match_french(cls, value: list[str], info: Any) -> list[str]:
        """Check that the English list has as many items as the French one."""
        french = info.data.get("fr")
        if french is not None and len(french) != len(value):
            raise ValueError(f"has {count_items(len(value))} but fr has {count_items(len(french))}")
        return value

    def get(self, lang: str) -> list[str]:
        """The items in one language."""
        return list(getattr(self, lang))


Block = Annotated[TextBlock | ListBlock, Field(discriminator="kind")]
BLOCK_KINDS = ("paragraph", "note", "list", "questions")


class Section(StrictModel):
    """One titled section of the plan; its id is the anchor in the PDF."""

    id: Annotated[str, Field(pattern=SLUG)]
    title: Bilingual
    blocks: list[Block] = Field(min_length=1)


class Plan(StrictModel):
    """The whole support plan: front matter and sections."""

    # The year of IBM Canada's text (the seed's © 2001); the plan gives no version number.
    plan_year: Annotated[int, Field(ge=1900, le=2100)]
    # The day this help centre published this edition; not a date the plan takes effect.
    published: date
    # Ids of versioned downloads published before, kept reachable (same file, old name).
    former_download_ids: list[Annotated[str, Field(pattern=DOWNLOAD_ID)]] = []
    title: Bilingual
    sections: list[Section] = Field(min_length=1)


MESSAGES = {
    "missing": "missing",
    "extra_forbidden": "unknown field",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
    "union_tag_not_found": "missing",
    "model_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
    "list_type": "must be a list",
}


def load_plan(plan_dir: Path) -> Plan:
    """Read and validate plan_dir/plan.yaml; raise ContentError with every problem found."""
    problems: list[Problem] = []
    source = read_yaml(Path(plan_dir) / PLAN_FILE, problems)
    if source is None or problems:
        raise ContentError(problems)
    if not isinstance(source.data, dict):
        message = "empty" if source.data is None else "must be a mapping of fields"
        raise ContentError([Problem(source.name, 1, "file", message)])
    try:
        plan = Plan.model_validate(source.data)
    except ValidationError as exc:
        raise ContentError([describe_error(err, source) for err in exc.errors()]) from None
    problems = check_sections(plan, source)
    if problems:
        raise ContentError(problems)
    return plan


def describe_error(err: Any, source: YamlSource) -> Problem:
    """Turn one pydantic error into a Problem at its line in the file."""
    loc = strip_tags(tuple(err["loc"]))
    kind = err["type"]
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        loc = (*loc, "kind")
    if kind == "union_tag_invalid":
        message = f"unknown kind {err['ctx']['tag']!r}; expected one of {', '.join(BLOCK_KINDS)}"
    elif kind == "string_pattern_mismatch":
        message = pattern_message(loc, err["input"])
    elif kind == "value_error":
        message = str(err["ctx"]["error"])
    elif kind in ("int_parsing", "int_type") and loc == ("plan_year",):
        message = f"{err['input']!r} is not a year like 2001"
    elif kind in ("greater_than_equal", "less_than_equal"):
        message = f"{err['input']!r} is not a year like 2001"
    elif kind.startswith("date"):
        message = f"{err['input']!r} is not a date (YYYY-MM-DD)"
    else:
        message = MESSAGES.get(kind) or lower_first(err["msg"])
    return source.problem(loc, message)


def strip_tags(loc: Loc) -> Loc:
    """Drop the block-kind tags that pydantic puts into the locations of union members."""
    kept: list[int | str] = []
    for index, part in enumerate(loc):
        after_block = index >= 2 and loc[index - 2] == "blocks" and isinstance(loc[index - 1], int)
        if not (after_block and part in BLOCK_KINDS):
            kept.append(part)
    return tuple(kept)


def pattern_message(loc: Loc, value: Any) -> str:
    """Explain which format a field expects."""
    if "former_download_ids" in loc:
        return f"{value!r} is not a file-name id like 2001.1 (letters, digits, dots, hyphens)"
    return f"{value!r} is not a lowercase slug (a-z, 0-9 and single hyphens)"


def check_sections(plan: Plan, source: YamlSource) -> list[Problem]:
    """Find duplicate section ids (they are the PDF's link targets)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, section in enumerate(plan.sections):
        if section.id in seen:
            message = f"duplicate section id {section.id!r}"
            problems.append(source.problem(("sections", index, "id"), message))
        seen.add(section.id)
    return problems


def count_items(number: int) -> str:
    """A number of list items in words: 1 item, 2 items."""
    return f"{number} item{'s' if number != 1 else ''}"


def lower_first(text: str) -> str:
    """The text with its first letter in lower case."""
    return text[:1].lower() + text[1:]
