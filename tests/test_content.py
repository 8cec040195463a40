"""Validation of faq/: every broken file gives its exact `file:line: field: message`."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO

from csohelp.cli import main
from csohelp.content import load_corpus
from csohelp.errors import ContentError

FIXTURE = REPO / "tests" / "fixtures" / "faq"
TODAY = date(2026, 11, 26)

# A valid topic; each case below rewrites it (or another file) and expects exact messages.
GOOD = """\
id: invoice-dispute
category: billing
kind: faq
reviewed: 2026-11-01
related: [order-status]
request_type: invoice-dispute
fr:
  title: Contester une facture
  summary: Que faire si une facture vous semble inexacte.
  keywords: [litige]
  body: |
    Premier paragraphe.

    Voir [l'état](topic:order-status).
en:
  title: Dispute an invoice
  summary: What to do when an invoice looks wrong.
  keywords: [dispute]
  body: |
    First paragraph.
"""
TOPIC = "faq/billing/invoice-dispute.yaml"

CASES = [
    ("missing English title", GOOD.replace("  title: Dispute an invoice\n", ""),
     [f"{TOPIC}:15: en.title: missing"]),
    ("empty French title", GOOD.replace("title: Contester une facture", 'title: "  "'),
     [f"{TOPIC}:8: fr.title: must not be empty"]),
    ("missing language block", GOOD.split("en:\n")[0],
     [f"{TOPIC}:1: en: missing"]),
    ("unknown field", GOOD.replace("kind: faq\n", "kind: faq\nauthor: me\n"),
     [f"{TOPIC}:4: author: unknown field"]),
    ("id not a slug", GOOD.replace("id: invoice-dispute", "id: Invoice_Dispute"),
     [f"{TOPIC}:1: id: 'Invoice_Dispute' is not a lowercase slug (a-z, 0-9 and single hyphens)"]),
    ("id differs from file name", GOOD.replace("id: invoice-dispute", "id: invoice-disputes"),
     [f"{TOPIC}:1: id: 'invoice-disputes' does not match the file name 'invoice-dispute.yaml'"]),
    ("unknown category", GOOD.replace("category: billing", "category: payments"),
     [f"{TOPIC}:2: category: unknown category 'payments'"]),
    ("unknown kind", GOOD.replace("kind: faq", "kind: howto"),
     [f"{TOPIC}:3: kind: 'howto' is not one of: 'faq' or 'procedure'"]),
    ("review date in the future", GOOD.replace("2026-11-01", "2027-01-01"),
     [f"{TOPIC}:4: reviewed: 2027-01-01 is in the future"]),
    ("review date not a date", GOOD.replace("2026-11-01", "2026-13-01"),
     [f"{TOPIC}:4: reviewed: '2026-13-01' is not a date (YYYY-MM-DD)"]),
    ("related topic missing", GOOD.replace("related: [order-status]", "related: [order-status, nope]"),
     [f"{TOPIC}:5: related[1]: unknown topic 'nope'"]),
    ("related to itself", GOOD.replace("related: [order-status]", "related: [invoice-dispute]"),
     [f"{TOPIC}:5: related[0]: a topic cannot be related to itself"]),
    ("link to a missing topic", GOOD.replace("topic:order-status", "topic:order-statut"),
     [f"{TOPIC}:14: fr.body: link to unknown topic 'order-statut'"]),
    ("duplicate alias", GOOD.replace("kind: faq\n", "kind: faq\naliases: [track-order]\n"),
     ["faq/orders/order-status.yaml:6: aliases[0]: duplicate alias 'track-order' "
      f"(also in {TOPIC})"]),
    ("alias equal to an id", GOOD.replace("kind: faq\n", "kind: faq\naliases: [payment-terms]\n"),
     [f"{TOPIC}:4: aliases[0]: duplicate alias 'payment-terms' (also in faq/billing/payment-terms.yaml)"]),
    ("procedure without steps", GOOD.replace("kind: faq", "kind: procedure"),
     [f"{TOPIC}:7: fr.steps: missing (a procedure needs steps)",
      f"{TOPIC}:15: en.steps: missing (a procedure needs steps)"]),
    ("steps on a faq", GOOD.replace("  keywords: [dispute]\n", "  keywords: [dispute]\n  steps: [One.]\n"),
     [f"{TOPIC}:19: en.steps: only procedures have steps"]),
    ("unknown request type", GOOD.replace("request_type: invoice-dispute", "request_type: refund"),
     [f"{TOPIC}:6: request_type: 'refund' is not one of: 'billing', 'invoice-dispute', 'order-status', "
      "'order-entry', 'delivery', 'serial-lookup', 'contracts', 'licensing', 'inventory', "
      "'accounts-receivable' or 'other'"]),
    ("YAML syntax error", GOOD.replace("kind: faq", "kind: [faq"),
     [f"{TOPIC}:4: yaml: did not find expected ',' or ']'"]),
    ("key written twice", GOOD.replace("kind: faq\n", "kind: faq\nkind: faq\n"),
     [f"{TOPIC}:4: kind: written twice"]),
    ("not a mapping", "- just\n- a list\n", [f"{TOPIC}:1: file: must be a mapping of fields"]),
]


def make_faq(tmp_path: Path, topic_text: str) -> Path:
    """A copy of the fixture corpus with invoice-dispute.yaml replaced."""
    faq = tmp_path / "faq"
    shutil.copytree(FIXTURE, faq)
    (faq / "billing" / "invoice-dispute.yaml").write_text(topic_text, encoding="utf-8")
    return faq


def test_fixture_corpus_is_valid() -> None:
    corpus = load_corpus(FIXTURE, today=TODAY)
    assert [t.id for t in corpus.topics] == ["order-status", "invoice-dispute", "payment-terms"]
    assert corpus.resolve("track-order").id == "order-status"


def test_good_topic_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    corpus = load_corpus(make_faq(tmp_path, GOOD).relative_to(tmp_path), today=TODAY)
    assert corpus.by_id["invoice-dispute"].en.title == "Dispute an invoice"


@pytest.mark.parametrize("name, text, expected", CASES, ids=[c[0] for c in CASES])
def test_broken_topic_reports_file_line_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str, expected: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    make_faq(tmp_path, text)
    with pytest.raises(ContentError) as caught:
        load_corpus(Path("faq"), today=TODAY)
    assert [str(p) for p in caught.value.problems] == expected


def test_every_problem_is_reported_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    faq = make_faq(tmp_path, GOOD.replace("  title: Dispute an invoice\n", ""))
    other = faq / "billing" / "payment-terms.yaml"
    other.write_text(other.read_text().replace("category: billing", "category: bill"))
    with pytest.raises(ContentError) as caught:
        load_corpus(Path("faq"), today=TODAY)
    assert [str(p) for p in caught.value.problems] == [
        "faq/billing/invoice-dispute.yaml:15: en.title: missing",
        "faq/billing/payment-terms.yaml:2: category: unknown category 'bill'",
    ]


@pytest.mark.parametrize("name, categories, expected", [
    ("most asked names no topic", "most_asked: [order-status, nope]\n",
     "faq/categories.yaml:8: most_asked[1]: unknown topic 'nope'"),
    ("category twice",
     "  - id: orders\n    fr: {title: A, description: B}\n    en: {title: A, description: B}\n",
     "faq/categories.yaml:8: categories[2].id: duplicate category 'orders'"),
])
def test_broken_categories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, categories: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    faq = make_faq(tmp_path, GOOD)
    path = faq / "categories.yaml"
    text = path.read_text()
    if categories.startswith("most_asked"):
        text = text.replace("most_asked: [order-status, invoice-dispute]\n", categories)
    else:
        text = text.replace("most_asked:", categories + "most_asked:")
    path.write_text(text)
    with pytest.raises(ContentError) as caught:
        load_corpus(Path("faq"), today=TODAY)
    assert [str(p) for p in caught.value.problems] == [expected]


def test_real_content_is_valid_and_complete() -> None:
    """The 20 topics of the design.md catalogue, each in its category."""
    corpus = load_corpus(REPO / "faq")
    catalogue = {
        "who-can-use-cso": "about", "cso-services-overview": "about", "csol-online-support": "about",
        "contact-csol": "about", "download-support-plan": "about", "submit-service-request": "about",
        "order-entry-management": "orders", "order-status": "orders", "software-orders": "orders",
        "delivery-scheduling": "delivery", "billing-options": "billing",
        "payment-methods-and-terms": "billing", "invoice-dispute": "billing",
        "invoice-reconciliation-customization": "billing", "maintenance-service-contracts": "contracts",
        "software-licensing": "contracts", "contract-renewals": "contracts", "serial-lookup": "inventory",
        "inventory-records": "inventory", "accounts-receivable": "accounts",
    }
    assert {t.id: t.category for t in corpus.topics} == catalogue
    assert [c.id for c in corpus.categories] == [
        "about", "orders", "delivery", "billing", "contracts", "inventory", "accounts"]
    assert corpus.by_id["submit-service-request"].kind == "procedure"


def test_check_command_prints_all_problems_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    make_faq(tmp_path, GOOD.replace("  title: Dispute an invoice\n", ""))
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "faq/billing/invoice-dispute.yaml:15: en.title: missing" in err
    assert "Traceback" not in err


def test_check_command_accepts_valid_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(FIXTURE)]) == 0
    assert "3 topics in 2 categories" in capsys.readouterr().out


def test_check_command_also_validates_the_plan_beside_faq(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    make_faq(tmp_path, GOOD.replace("  title: Dispute an invoice\n", ""))
    shutil.copytree(REPO / "plan", tmp_path / "plan")
    plan = tmp_path / "plan" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("\nplan_year:", "\nplan_years:", 1), "utf-8")
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "faq/billing/invoice-dispute.yaml:15: en.title: missing" in err
    assert "plan/plan.yaml:" in err and "plan_years: unknown field" in err


@pytest.mark.parametrize("no_topic, expected", [
    # A topic's keyword ("Litige" folded, "bills" in the singular) cannot be no topic's.
    ("[[pizza, litiges], [réparation, bills]]",
     ["faq/synonyms.yaml:3: no_topic[0][1]: 'litiges' is in the title or keywords of "
      "invoice-dispute: a topic is about it",
      "faq/synonyms.yaml:3: no_topic[1][1]: 'bills' is in the title or keywords of "
      "invoice-dispute: a topic is about it"]),
    # A phrase is compared as a phrase: "bill" alone is a keyword, "pay my bill" is not one.
    ("[[pay my phone bill, pizza]]", []),
    # Nor may it be a synonym too: which one a query meant would depend on the file's order.
    ("[[pizza], [Florists]]",
     ["faq/synonyms.yaml:3: no_topic[1][0]: 'Florists' is also in a group of synonyms: keep it "
      "in one of the two"]),
])
def test_a_phrase_no_topic_is_about_cannot_be_a_topics_keyword(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_topic: str, expected: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    faq = make_faq(tmp_path, (FIXTURE / "billing" / "invoice-dispute.yaml").read_text("utf-8"))
    (faq / "synonyms.yaml").write_text(
        f"synonyms: [[facture, invoice, bill], [fleuriste, florist]]\n# no topic\nno_topic: {no_topic}\n",
        encoding="utf-8")
    if not expected:
        assert load_corpus(Path("faq"), today=TODAY).no_topic[0][0] == "pay my phone bill"
        return
    with pytest.raises(ContentError) as caught:
        load_corpus(Path("faq"), today=TODAY)
    assert [str(p) for p in caught.value.problems] == expected
