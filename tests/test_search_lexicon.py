"""The lexicon: words of a client's context (context) and of other subjects (no answer)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from csohelp.errors import ContentError
from csohelp.search.analysis import fold, plain_words
from csohelp.search.lexicon import LEXICON, name_words, read_lexicon


def test_typed_words_are_found_folded_and_in_the_singular(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text("context:\n  fr: [marchandise, 'sous-traitant']\n  en: [letter]\n"
                    "neutral:\n  fr: [possède, pizza]\n  en: [mornings, letter]\n"
                    "elsewhere:\n  fr: [épicerie, toux]\n  en: [pizza, letter]\n", encoding="utf-8")
    words = read_lexicon(path)
    assert words.is_context("Marchandises") and words.is_context("letters")
    assert words.is_elsewhere("epiceries") and words.is_elsewhere("PIZZA")
    # A word in both lists is context; a listed word is not made singular ("toux", "tous").
    assert not words.is_elsewhere("letter")
    assert words.is_elsewhere("toux") and not words.is_elsewhere("tous")
    # Neutral words yield to both hand-made lists (pizza is elsewhere, letter is context).
    assert words.is_neutral("possede") and words.is_neutral("Mornings")
    assert not words.is_neutral("pizza") and not words.is_neutral("letter")


def test_place_names_of_several_words_are_read_as_queries_read_them(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text('place_names:\n  fr: ["Rivière-du-Loup", "Val-d\'Or"]\n'
                    '  en: ["Medicine Hat", "St. John\'s"]\n', encoding="utf-8")
    words = read_lexicon(path)
    # Folded, without stop words; a name that reads as one word ("val") is left out.
    assert words.place_names == {("riviere", "loup"), ("medicine", "hat"), ("st", "john")}
    assert words.kind("medicine") is None


def test_every_shipped_place_name_reads_as_several_words() -> None:
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    names = [str(n) for lang in ("fr", "en") for n in data["place_names"][lang]]
    # A name read as one word would be left out unseen ("La Prairie": prairie).
    assert names and all(len(name_words(n)) > 1 for n in names)
    assert len(read_lexicon().place_names) == len(set(names))


@pytest.mark.parametrize("text, where", [
    ("context:\n  fr: [a, b\n", ":3: yaml:"),  # a bracket left open
    ("- context\n- elsewhere\n", ":1: file:"),  # a list, not the lists by name
    ("", ":1: file:"),
    ("context: [lettre, letter]\n", ":1: context:"),  # no languages
    ("context:\n  de: [Brief]\n", ":1: context:"),  # a language the help center has not
    ("elsewhere:\n  fr: pizza\n", ":2: elsewhere.fr:"),  # a word, not a list
    ("places:\n  en:\n    - calgary\n    - {city: regina}\n", ":4: places.en[1]:"),
    ("place_names:\n  fr:\n    -\n", ":3: place_names.fr[0]:"),  # an empty entry
])
def test_a_broken_lexicon_is_refused_with_its_line_and_list(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        read_lexicon(path)
    assert where in str(caught.value), str(caught.value)


def test_a_lexicon_may_leave_a_list_or_a_language_out(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text("context:\n  fr: [lettre]\n  en:\nelsewhere:\n", encoding="utf-8")
    words = read_lexicon(path)
    assert words.is_context("lettre") and words.elsewhere == frozenset() and not words.place_names


def test_kinds_of_organisation_are_read_folded_and_in_the_singular(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text("elsewhere:\n  en: [dental]\norganisations:\n  fr: [clinique]\n  en: [firm]\n",
                    encoding="utf-8")
    words = read_lexicon(path)
    assert words.is_organisation("Cliniques") and words.is_organisation("firms")
    # Being beside one changes no list: "dental" is still elsewhere (a short query's subject).
    assert not words.is_organisation("dental") and words.is_elsewhere("dental")


def test_every_shipped_entry_is_one_word_as_queries_are_read() -> None:
    # "wi-fi", "driver's", "jusqu'à" are read as other words (or several): listed so, they
    # would match nothing, and nothing would say so.
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    lists = ("context", "neutral", "elsewhere", "situational", "organisations", "places")
    unread = [(name, w) for name in lists
              for lang in ("fr", "en") for w in data[name][lang]
              if plain_words(str(w)) != [fold(str(w))]]
    assert unread == []


def test_places_are_where_the_client_is_whatever_the_other_lists_say(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text("neutral:\n  en: [calgary]\nelsewhere:\n  en: [whitehorse]\n"
                    "places:\n  fr: [Montréal]\n  en: [calgary, whitehorse]\n", encoding="utf-8")
    words = read_lexicon(path)
    assert words.is_context("montreal") and words.is_context("Calgary")
    assert words.is_context("whitehorse") and not words.is_elsewhere("whitehorse")
    assert words.kind("toronto") is None  # only the places listed


def test_the_shipped_lexicon_lists_no_word_twice() -> None:
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    context, neutral, elsewhere, situational, places = (
        {fold(str(w)) for lang in ("fr", "en") for w in data[name][lang]}
        for name in ("context", "neutral", "elsewhere", "situational", "places"))
    assert context & elsewhere == set() and neutral & (context | elsewhere | situational) == set()
    assert situational & (context | elsewhere) == set()
    # A place is listed once, as a place: not also another subject, nor an everyday word.
    assert places & (elsewhere | situational | neutral | context) == set()
    assert all(" " not in w and w == w.strip() for w in context | neutral | elsewhere | situational)
    # Words every client uses about the help center's own subjects are never another subject.
    assert {"facture", "invoice", "commande", "order", "livraison", "delivery", "licence",
            "contrat", "contract", "compte", "account", "paiement", "payment"} & elsewhere == set()
    # The help center's own words are in no list: they are judged by the topics themselves.
    assert {"facture", "invoice", "livraison", "renewal"} & neutral == set()


def test_a_situational_word_yields_to_context_and_elsewhere_and_outranks_neutral(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text("context:\n  fr: [chantier]\n  en: []\n"
                    "neutral:\n  fr: [avocat]\n  en: [grape]\n"
                    "elsewhere:\n  fr: []\n  en: [grape, pizza]\n"
                    "situational:\n  fr: [avocat, chantier]\n  en: [Lawyer, grape]\n", encoding="utf-8")
    words = read_lexicon(path)
    assert words.is_situational("Avocats") and words.is_situational("lawyers")
    assert not words.is_neutral("avocat")  # situational before neutral
    assert not words.is_situational("chantier") and words.is_context("chantier")
    assert not words.is_situational("grape") and words.is_elsewhere("grape")
    # A lexicon file of an earlier version (no situational list) still reads.
    path.write_text("context:\n  fr: []\n  en: []\nneutral:\n  fr: []\n  en: []\n"
                    "elsewhere:\n  fr: []\n  en: [pizza]\n", encoding="utf-8")
    assert read_lexicon(path).is_elsewhere("pizza") and not read_lexicon(path).is_situational("pizza")


def test_a_word_as_typed_is_judged_before_its_singular(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text("context:\n  fr: [retraite]\n  en: []\nneutral:\n  fr: []\n  en: []\n"
                    "elsewhere:\n  fr: [retraités]\n  en: []\n", encoding="utf-8")
    words = read_lexicon(path)
    # "plan de retraite IBM pour les retraités": the listed plural is another subject.
    assert words.kind("Retraités") == "elsewhere" and words.kind("retraite") == "context"
    assert words.kind("retraites") == "elsewhere" and words.kind("pizza") is None
