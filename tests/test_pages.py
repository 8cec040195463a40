"""The page generator's words and links (issue 11 and the generated strings of issue 15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO

from csohelp.content import PHONE, contact_for, load_corpus
from csohelp.formats import french_spacing
from csohelp.pages import STRINGS, count_label, link_mentions, render_pages
from csohelp.popular import popular_topics, render_popular

FIXTURE = REPO / "tests" / "fixtures" / "faq"


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real faq/ rendered to Markdown (no mkdocs: fast)."""
    root = tmp_path_factory.mktemp("docs")
    render_pages(load_corpus(REPO / "faq"), root)
    return root


@pytest.mark.parametrize(("text", "expected"), [
    ("Catégorie : x", "Catégorie\u00a0: x"),
    ("Vous ne trouvez pas ? Oui !", "Vous ne trouvez pas\u202f? Oui\u202f!"),
    ("la section « Technical Support »", "la section «\u00a0Technical Support\u00a0»"),
    ("déjà:collé", "déjà:collé"),
])
def test_french_spacing(text: str, expected: str) -> None:
    assert french_spacing(text) == expected


def test_no_ordinary_space_before_french_punctuation_in_interface_words() -> None:
    for key, value in STRINGS["fr"].items():
        assert not re.search(r" [:;!?»]|« ", value), key


def test_english_words_are_canadian_and_consistent() -> None:
    words = " ".join(STRINGS["en"].values())
    assert "Help Centre" in words and "Center" not in words and "center" not in words
    assert "Web site" not in words and "Website:" in words
    assert "most asked" not in words.lower() and STRINGS["en"]["common"] == "Common questions"
    assert STRINGS["fr"]["common"] == "Questions courantes"
    assert STRINGS["fr"]["contact_intro"].startswith("CSOL accueille vos questions")
    assert "’" not in " ".join(STRINGS["fr"].values())  # one apostrophe style: '


@pytest.mark.parametrize(("lang", "n", "expected"), [
    ("fr", 1, "1 sujet"), ("fr", 4, "4 sujets"), ("en", 1, "1 topic"), ("en", 3, "3 topics")])
def test_counts_agree_in_number(lang: str, n: int, expected: str) -> None:
    assert count_label(n, STRINGS[lang]) == expected


def test_phone_is_written_the_way_each_language_writes_it() -> None:
    assert contact_for("en")["phone"] == "1-866-880-CSOL (1-866-880-2765)" == PHONE["en"]
    assert contact_for("fr")["phone"] == "1 866 880-CSOL (1 866 880-2765)"


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("en", "its website, http://www.ibm.com/support/operations, by phone",
     "its website, <http://www.ibm.com/support/operations>, by phone"),
    ("en", "go to http://www.ibm.com/support/.", "go to <http://www.ibm.com/support/>."),
    ("fr", "au 1 866 880-CSOL (1 866 880-2765) ou",
     'au <a class="csohelp-phone" href="tel:+18668802765"><span class="csohelp-nowrap">1 866 880-CSOL</span> '
     '<span class="csohelp-nowrap">(1 866 880-2765)</span></a> ou'),
    ("en", "at 1 866 880-CSOL (1 866 880-2765),",
     'at <a class="csohelp-phone" href="tel:+18668802765"><span class="csohelp-nowrap">1-866-880-CSOL</span> '
     '<span class="csohelp-nowrap">(1-866-880-2765)</span></a>,'),
    ("fr", "au moyen du formulaire de demande de ce centre d'aide (type",
     "au moyen du [formulaire de demande de ce centre d'aide](../../request/?topic=x) (type"),
    ("en", "with the request form of this help center.",
     "with the [request form of this help center](../../request/?topic=x)."),
    # What is already a link stays as it is.
    ("en", "see <http://www.ibm.com/support/> or [the form](../request/) or `http://a.b/c`",
     "see <http://www.ibm.com/support/> or [the form](../request/) or `http://a.b/c`"),
    ("en", "[request form](x.md)", "[request form](x.md)"),
])
def test_mentions_become_links(lang: str, text: str, expected: str) -> None:
    assert link_mentions(text, lang, "../../request/?topic=x") == expected


def test_steps_link_the_form_web_address_and_phone(docs: Path) -> None:
    page = (docs / "fr" / "billing" / "invoice-dispute.md").read_text("utf-8")
    steps = page.split("## Étapes", 1)[1].split("!!!", 1)[0]
    assert "<http://www.ibm.com/support/operations>" in steps
    assert 'href="tel:+18668802765"' in steps
    assert "](../../request/?topic=invoice-dispute)" in steps


def test_procedures_have_a_request_button_near_the_top(docs: Path) -> None:
    for lang in ("fr", "en"):
        label = STRINGS[lang]["request_topic"]
        page = (docs / lang / "billing" / "invoice-dispute.md").read_text("utf-8")
        button = page.index(f"[{label}](../../request/?topic=invoice-dispute)")
        assert button < page.index("\n## ")  # before the first section
        faq = (docs / lang / "billing" / "billing-options.md").read_text("utf-8")
        assert label not in faq


def test_related_topics_do_not_repeat_links_of_the_text(docs: Path) -> None:
    corpus = load_corpus(REPO / "faq")
    for topic in corpus.topics:
        for lang in ("fr", "en"):
            page = (docs / lang / topic.category / f"{topic.id}.md").read_text("utf-8")
            head, _, related = page.partition("## " + STRINGS[lang]["related"])
            related = related.split("!!!", 1)[0]
            linked = set(re.findall(r"\]\(([^)]+\.md)\)", head))
            again = set(re.findall(r"\]\(([^)]+\.md)\)", related)) & linked
            assert not again, (topic.id, lang, again)


def test_home_has_cards_with_icon_and_count_and_common_questions(docs: Path) -> None:
    page = (docs / "fr" / "index.md").read_text("utf-8")
    assert page.count('class="csohelp-card"') == 7
    assert page.count('<span class="csohelp-card__icon"><svg aria-hidden="true"') == 7
    assert re.search(r'csohelp-card__count">\d+ sujets?<', page)
    assert "Questions courantes" in page and "les plus fréquentes" not in page
    assert 'href="request/">Envoyer une demande</a>' in page
    assert "http://www.ibm.com/support/" in page and "Technical Support" in page


def test_popular_block_lists_topics_in_order_and_the_categories() -> None:
    by_id = {i: {"id": i, "fr": {"title": f"T {i} <b>", "url": f"/x/{i}/"},
                 "en": {"title": i, "url": f"/en/x/{i}/"}} for i in ("a", "b", "c")}
    cats = [{"id": "x", "fr": {"title": "Cat", "url": "/x/"}, "en": {"title": "Cat", "url": "/en/x/"}}]
    topics = popular_topics(by_id, ["c", "gone", "a"])
    assert [t["id"] for t in topics] == ["c", "a"]
    html = render_popular("fr", topics, cats)
    assert "Questions courantes" in html and "Catégories" in html
    assert html.index("/x/c/") < html.index("/x/a/") and "T c &lt;b&gt;" in html
    assert 'href="/x/"' in html
    assert "Common questions" in render_popular("en", topics, cats)
