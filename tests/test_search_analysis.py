"""The analyzers: what words become in the index, in both languages."""

from __future__ import annotations

import pytest

from csohelp.search.analysis import fold, plain_words, spell_analyzer, stems


@pytest.mark.parametrize("text, expected", [
    ("factures", ("factur",)),
    ("facture", ("factur",)),
    ("Facturé", ("factur",)),
    ("commandes", ("command",)),
    ("livraisons", ("livraison",)),
    ("livraison", ("livraison",)),
    ("numéro", ("numero",)),
    ("numero", ("numero",)),
    ("NUMÉROS", ("numero",)),
    ("électricité", ("electricit",)),
    ("electricite", ("electricit",)),  # accents folded before stemming: one stem for both
    ("échéance", ("echeanc",)),
    ("echeance", ("echeanc",)),
    ("l'état", ("etat",)),
    ("l’état", ("etat",)),  # typographic apostrophe
    ("d'entretien", ("entretien",)),
    ("qu'il", ()),
    ("renouvellements", ("renouvel",)),
    ("renouvellement", ("renouvel",)),
    ("le la les de des du et", ()),  # stop words
    ("était", ()),
    ("etait", ()),  # folded stop words too
    ("numéro de série", ("numero", "ser")),
    # Feminine participles typed without accents stem like the verb and the noun.
    ("personnalisée", ("personnali",)),
    ("personnalisee", ("personnali",)),
    ("personnalisation", ("personnali",)),
    ("livrées", ("livr",)),
    ("livrees", ("livr",)),
    ("livrer", ("livr",)),
    ("arrivée", ("arriv",)),
    ("commandée", ("command",)),
    # A printer is not printing (the support plan's PDF).
    ("imprimante", ("imprimante",)),
    ("imprimer", ("imprim",)),
])
def test_french_analyzer(text: str, expected: tuple[str, ...]) -> None:
    assert stems("fr", text) == expected


@pytest.mark.parametrize("text, expected", [
    ("invoices", ("invoic",)),
    ("invoice", ("invoic",)),
    ("billing", ("bill",)),
    ("bills", ("bill",)),
    ("orders", ("order",)),
    ("the status of my order", ("status", "order")),
    ("customer's account", ("custom", "account")),
    ("Deliveries", ("deliveri",)),
    ("delivery", ("deliveri",)),
    ("serial numbers", ("serial", "number")),
    ("a an the of to", ()),
    ("my order hasn't shipped", ("order", "ship")),  # contractions say as little as stop words
    ("we didn't get it, where's it", ("get",)),
])
def test_english_analyzer(text: str, expected: tuple[str, ...]) -> None:
    assert stems("en", text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Numéro de série", ["numero", "serie"]),  # unstemmed, folded, stop words of both dropped
    ("the invoices", ["invoices"]),
    ("l'échéance", ["echeance"]),
])
def test_spell_analyzer_keeps_whole_words(text: str, expected: list[str]) -> None:
    assert [t.text for t in spell_analyzer()(text)] == expected


@pytest.mark.parametrize("text, expected", [
    ("L'état des Numéros", ["etat", "des", "numeros"]),
    ('*x* field:value "unbalanced', ["x", "field", "value", "unbalanced"]),
    ("AND OR NOT", ["and", "or", "not"]),
    ("?!*", []),
    # A field name pasted from an ERP screen is its words (the underscore joins none).
    ("PO_STATUS: OPEN", ["po", "status", "open"]), ("DATE_FIN_CONTRAT", ["date", "fin", "contrat"]),
    ("__x__", ["x"]),
])
def test_plain_words_drop_all_syntax(text: str, expected: list[str]) -> None:
    assert plain_words(text) == expected


def test_fold_keeps_length_so_offsets_match() -> None:
    text = "Numéro de série, échéance, Ça, œuvre"
    assert len(fold(text)) == len(text)
    assert fold(text) == "numero de serie, echeance, ca, œuvre"


class _Reader:
    """The one method of a Whoosh reader that Vocabulary uses, over a fixed word list."""

    def __init__(self, frequencies: dict[str, int]):
        self.frequencies = frequencies

    def iter_field(self, fieldname: str):
        for word, freq in sorted(self.frequencies.items()):
            yield word.encode("utf-8"), type("Info", (), {"doc_frequency": lambda self, f=freq: f})()


@pytest.mark.parametrize("word, maxdist, expected", [
    ("paymnet", 1, ["payment"]),          # a swap of neighbouring letters is one edit
    ("paiement", 1, ["paiements"]),
    ("facture", 1, ["factures", "facturer"]),  # same distance: the more frequent first
    ("facture", 2, ["factures", "facturer", "fractures"]),  # nearer first
    ("invoice", 1, []),                   # other first letter only: not a candidate
    ("xyz", 2, []),
])
def test_vocabulary_closest(word: str, maxdist: int, expected: list[str]) -> None:
    from csohelp.search.spelling import Vocabulary

    vocabulary = Vocabulary(_Reader({"payment": 9, "paiements": 4, "factures": 8, "facturer": 3,
                                     "fractures": 1, "finvoice": 2, "facture": 5}))
    assert vocabulary.closest(word, maxdist) == expected


@pytest.mark.parametrize("word, expected", [
    ("eronnee", ["erronee"]),   # a double typed single and a single typed double: one slip
    ("adress", ["adresse", "address"]),  # a missing doubled letter (and a missing e): nearest
    ("paiment", ["paiement"]),  # a plain missing letter still found as before
    ("erronee", []),            # a known word is never corrected
    ("errrone", ["errone"]),    # one letter too many: the plain edit is nearer
])
def test_a_doubled_letter_slip_is_one_edit(word: str, expected: list[str]) -> None:
    from csohelp.search.spelling import Vocabulary

    vocabulary = Vocabulary(_Reader({"erronee": 3, "adresse": 9, "address": 5, "paiement": 8,
                                     "errone": 1}))
    assert vocabulary.corrections(word) == expected


def test_french_stop_words_added_are_no_common_english_word() -> None:
    # Both stop lists apply to every query: a French "car" (because) would drop an English car.
    from wordfreq import zipf_frequency

    from csohelp.search.analysis import EXTRA_STOPWORDS

    english = [w for w in EXTRA_STOPWORDS["fr"] if zipf_frequency(w, "en") >= 4.5]
    assert english == ["dont"]  # "don't" typed without its apostrophe: a stop word in English too
