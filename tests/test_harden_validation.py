"""Issue 9, items 1 and 3 and the control/bidi item: what the mail layer cannot carry is refused."""

from __future__ import annotations

import pytest

from csohelp.requests.model import InvalidRequest, validate_request

GOOD = {"request_type": "billing", "company": "Acme Ltée", "contact_name": "Jo Tremblay",
        "email": "jo@acme.ca", "language": "fr", "subject": "Facture en double",
        "description": "La facture 42 est arrivée deux fois.", "business": True}


@pytest.mark.parametrize("email", ["jean..dupont@acme.ca", ".jean@acme.ca", "jean.@acme.ca",
                                   "jo@acme..ca", "jo@-acme.ca", "=?utf-8?q?jo?=@acme.ca"])
def test_addresses_no_mail_server_takes_are_refused_in_both_languages(email):
    with pytest.raises(InvalidRequest) as caught:
        validate_request({**GOOD, "email": email})
    assert caught.value.messages("fr")["email"].startswith("Entrez une adresse courriel valide")
    assert caught.value.messages("en")["email"].startswith("Enter a valid email address")


@pytest.mark.parametrize("field", ["company", "contact_name", "subject", "customer_number", "phone"])
def test_encoded_words_are_refused_in_single_line_fields(field):
    with pytest.raises(InvalidRequest) as caught:
        validate_request({**GOOD, field: "=?utf-8?q?Invoice=0D=0AReply-To:=20a@evil.example?="})
    assert field in caught.value.messages("fr")


def test_encoded_words_stay_text_in_the_description():
    text = "Le client a écrit =?utf-8?q?x?= dans son courriel."
    assert validate_request({**GOOD, "description": text}).description == text


@pytest.mark.parametrize("char", ["\x85", "\x9b", "\x80", "\x9f"])
@pytest.mark.parametrize("field", ["company", "subject", "description"])
def test_c1_controls_are_refused(field, char):
    with pytest.raises(InvalidRequest) as caught:
        validate_request({**GOOD, field: f"Acme{char}31m"})
    assert field in caught.value.messages("en")


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"])
def test_bidi_controls_are_removed(char):
    valid = validate_request({**GOOD, "company": f"Acme{char} Ltée", "subject": f"{char}CSOL-2026-000001"})
    assert valid.company == "Acme Ltée" and valid.subject == "CSOL-2026-000001"
