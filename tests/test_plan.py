"""The support plan source: the real plan loads, and broken plans give exact messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from csohelp.content import LANGS
from csohelp.errors import ContentError
from csohelp.plan import ListBlock, Plan, load_plan
from csohelp.yamlsource import display_path

PLAN_DIR = Path(__file__).resolve().parent.parent / "plan"

# A small valid plan; each bad case below edits one line of it (line numbers in comments).
VALID = """\
plan_year: 2001
published: 2026-11-26
title:
  fr: Plan
  en: Plan
sections:
  - id: purpose
    title:
      fr: Objet
      en: Purpose
    blocks:
      - kind: paragraph
        fr: Texte
        en: Text
      - kind: list
        fr: [un, deux]
        en: [one, two]
"""
#   1 plan_year  2 published  3 title  4-5 fr/en  6 sections  7 - id  8 title  9-10 fr/en
#   11 blocks  12 - kind: paragraph  13-14 fr/en  15 - kind: list  16-17 fr/en

SECOND_SECTION = """\
  - id: purpose
    title: {fr: Encore, en: Again}
    blocks: [{kind: note, fr: Note, en: Note}]
"""

BAD_PLANS = [
    ("  en: Plan\n", "", "3: title.en: missing"),
    ("      fr: Objet\n", '      fr: " "\n', "9: sections[0].title.fr: must not be empty"),
    ("    title:\n", "    summary: x\n    title:\n", "8: sections[0].summary: unknown field"),
    (
        "id: purpose",
        "id: Purpose",
        "7: sections[0].id: 'Purpose' is not a lowercase slug (a-z, 0-9 and single hyphens)",
    ),
    ("plan_year: 2001", "plan_year: two thousand",
     "1: plan_year: 'two thousand' is not a year like 2001"),
    ("plan_year: 2001", "plan_year: 20011", "1: plan_year: 20011 is not a year like 2001"),
    # The invented version and "in force" date of the old front matter are refused.
    ("plan_year: 2001\n", 'plan_year: 2001\nversion: "2001.1"\n', "2: version: unknown field"),
    ("published: 2026-11-26\n", "published: 2026-11-26\neffective_date: 2026-11-26\n",
     "3: effective_date: unknown field"),
    (
        "published: 2026-11-26",
        "published: 2026-13-01",
        "2: published: '2026-13-01' is not a date (YYYY-MM-DD)",
    ),
    (
        "published: 2026-11-26\n",
        "published: 2026-11-26\nformer_download_ids: [\"../x\"]\n",
        "3: former_download_ids[0]: '../x' is not a file-name id like 2001.1 "
        "(letters, digits, dots, hyphens)",
    ),
    ("title:\n  fr: Plan\n  en: Plan\n", "title: Plan\n", "3: title: must be a mapping of fields"),
    (
        "kind: paragraph",
        "kind: table",
        "12: sections[0].blocks[0].kind: unknown kind 'table'; "
        "expected one of paragraph, note, list, questions",
    ),
    ("      - kind: paragraph\n        fr", "      - fr", "12: sections[0].blocks[0].kind: missing"),
    ("en: [one, two]", "en: [one]", "17: sections[0].blocks[1].en: has 1 item but fr has 2 items"),
    ("fr: Texte", "fr: [a, b]", "13: sections[0].blocks[0].fr: input should be a valid string"),
    ("en: [one, two]", "en: one", "17: sections[0].blocks[1].en: must be a list"),
    ("fr: [un, deux]", "fr: []", "16: sections[0].blocks[1].fr: must not be empty"),
    ("plan_year: 2001\n", "plan_year: 2001\nplan_year: 2002\n", "2: plan_year: written twice"),
    (VALID, VALID + SECOND_SECTION, "18: sections[1].id: duplicate section id 'purpose'"),
    (
        "  en: Plan\n",
        " en: Plan\n",
        "5: yaml: did not find expected key",  # libyaml's words (yamlsource uses CSafeLoader)
    ),
    (VALID, VALID.split("sections:")[0] + "sections: []\n", "6: sections: must not be empty"),
    (VALID, "- just\n- a list\n", "1: file: must be a mapping of fields"),
    (VALID, "", "1: file: empty"),
]


def write_plan(folder: Path, text: str) -> Path:
    """Write text as folder/plan.yaml and return the file's path."""
    path = folder / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_fixture_loads(tmp_path: Path) -> None:
    write_plan(tmp_path, VALID)
    plan = load_plan(tmp_path)
    assert plan.plan_year == 2001
    assert plan.published.isoformat() == "2026-11-26"
    assert plan.former_download_ids == []
    assert [block.kind for block in plan.sections[0].blocks] == ["paragraph", "list"]


@pytest.mark.parametrize(("old", "new", "expected"), BAD_PLANS)
def test_broken_plan_gives_exact_message(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in VALID
    path = write_plan(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(ContentError) as caught:
        load_plan(tmp_path)
    assert [str(problem) for problem in caught.value.problems] == [f"{display_path(path)}:{expected}"]


def test_all_problems_are_collected(tmp_path: Path) -> None:
    text = VALID.replace("  en: Plan\n", "").replace("id: purpose", "id: Purpose")
    path = write_plan(tmp_path, text)
    with pytest.raises(ContentError) as caught:
        load_plan(tmp_path)
    name = display_path(path)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{name}:3: title.en: missing",
        f"{name}:6: sections[0].id: 'Purpose' is not a lowercase slug (a-z, 0-9 and single hyphens)",
    ]
    assert str(caught.value).startswith("2 problems in the content; nothing was published:")


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        load_plan(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"{display_path(tmp_path / 'plan.yaml')}:0: file: missing"
    ]


def test_non_utf8_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_bytes("title: Évaluation\n".encode("latin-1"))
    with pytest.raises(ContentError) as caught:
        load_plan(tmp_path)
    assert "file: not UTF-8 text" in str(caught.value.problems[0])


def section_text(plan: Plan, section_id: str, lang: str) -> str:
    """All the text of one section in one language, blocks and items joined by spaces."""
    section = next(section for section in plan.sections if section.id == section_id)
    parts: list[str] = []
    for block in section.blocks:
        text = block.get(lang)
        parts += text if isinstance(text, list) else [text]
    return " ".join(parts)


@pytest.fixture(scope="module")
def plan() -> Plan:
    """The real plan of the repository."""
    return load_plan(PLAN_DIR)


def test_real_plan_has_the_seed_sections(plan: Plan) -> None:
    assert [section.id for section in plan.sections] == [
        "purpose",
        "cso-overview",
        "csol",
        "contact",
        "notice",
    ]
    assert plan.plan_year == 2001  # the seed's © year; the plan has no version number
    assert plan.former_download_ids == ["2001.1"]  # the name published before stays reachable


def test_real_plan_lists_six_areas_five_topics_three_questions(plan: Plan) -> None:
    blocks = {section.id: section.blocks for section in plan.sections}
    lists = {
        (section_id, block.kind): len(block.fr)
        for section_id, section_blocks in blocks.items()
        for block in section_blocks
        if isinstance(block, ListBlock)
    }
    assert lists[("cso-overview", "questions")] == 3
    assert lists[("cso-overview", "list")] == 6
    assert lists[("csol", "list")] == 5


@pytest.mark.parametrize("lang", LANGS)
def test_real_plan_gives_the_contact_points(plan: Plan, lang: str) -> None:
    text = section_text(plan, "contact", lang)
    assert "http://www.ibm.com/support/operations" in text
    phone = {"fr": "1 866 880-CSOL (1 866 880-2765)", "en": "1-866-880-CSOL (1-866-880-2765)"}
    assert phone[lang] in text


def test_french_notes_read_remarque_with_french_spacing(plan: Plan) -> None:
    french = " ".join(section_text(plan, section.id, "fr") for section in plan.sections)
    assert "NOTE" not in french
    assert french.count("REMARQUE\u00a0:") == 2
    assert "«\u00a0Technical Support\u00a0»" in french


def test_header_comment_admits_every_change_from_the_seed() -> None:
    header = (PLAN_DIR / "plan.yaml").read_text("utf-8").split("\nplan_year:")[0]
    for change in ("inexactifudes", "two headings are added", "moved after", "REMARQUE",
                   "no version", "published"):
        assert change in header, change


def test_french_keeps_the_seed_text_with_the_typo_fixed(plan: Plan) -> None:
    french = section_text(plan, "notice", "fr")
    assert "inexactitudes techniques" in french
    assert "inexactifudes" not in french
    assert "© IBM Canada Ltée, 2001." in french


def test_english_uses_canadian_spelling(plan: Plan) -> None:
    english = " ".join(section_text(plan, section.id, "en") for section in plan.sections)
    assert "licences" in english
    assert "license" not in english
    assert "licences to use" not in english  # a calque of « permis d'utilisation »
