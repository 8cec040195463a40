"""The one validation of service requests: every bad field has its exact message in fr and en."""

from __future__ import annotations

import pytest

from csohelp.requests_model import InvalidRequest, form_to_data, validate_request

GOOD = {
    "request_type": "invoice-dispute", "company": "Acme Ltée", "customer_number": "1234567",
    "contact_name": "Jo Tremblay", "email": "jo@acme.ca", "phone": "613-555-0123",
    "language": "fr", "references": {"invoice": "INV-42", "order": None, "machine": "9406-520 10-ABCDE"},
    "subject": "Facture en double", "description": "La facture 42 a été envoyée deux fois.\nMerci.",
    "business": True,
}

BAD = [
    # (changes, field, French message, English message)
    ({"request_type": "plumbing"}, "request_type",
     "Choisissez le type de demande.", "Choose the type of request."),
    ({"request_type": None}, "request_type", "Choisissez le type de demande.", "Choose the type of request."),
    ({"company": "  "}, "company", "Entrez le nom de l'entreprise.", "Enter the company name."),
    ({"company": "x" * 201}, "company", "Ce champ ne doit pas dépasser 200 caractères.",
     "This field must be at most 200 characters."),
    ({"company": "Acme\nBcc: x@y.z"}, "company", "Ce champ doit tenir sur une seule ligne.",
     "This field must fit on one line."),
    ({"customer_number": "12#45"}, "customer_number",
     "Le numéro de client IBM ne contient que des lettres, des chiffres et des tirets.",
     "The IBM customer number contains only letters, digits and hyphens."),
    ({"customer_number": "1" * 21}, "customer_number", "Ce champ ne doit pas dépasser 20 caractères.",
     "This field must be at most 20 characters."),
    ({"contact_name": ""}, "contact_name", "Entrez votre nom.", "Enter your name."),
    ({"email": ""}, "email", "Entrez votre adresse courriel.", "Enter your email address."),
    ({"email": "jo@acme"}, "email", "Entrez une adresse courriel valide, par exemple nom@entreprise.ca.",
     "Enter a valid email address, for example name@company.ca."),
    # Non-ASCII would be acknowledged but could never be forwarded (plain SMTP, no SMTPUTF8).
    ({"email": "jö@acme.ca"}, "email", "Entrez une adresse courriel valide, par exemple nom@entreprise.ca.",
     "Enter a valid email address, for example name@company.ca."),
    ({"email": "jo acme.ca"}, "email", "Entrez une adresse courriel valide, par exemple nom@entreprise.ca.",
     "Enter a valid email address, for example name@company.ca."),
    ({"phone": "555-0123"}, "phone",
     "Entrez un numéro de téléphone nord-américain à 10 chiffres, par exemple 613 555-0123, poste 45.",
     "Enter a 10-digit North American phone number, for example 613-555-0123 ext. 45."),
    ({"phone": "113-555-0123"}, "phone",
     "Entrez un numéro de téléphone nord-américain à 10 chiffres, par exemple 613 555-0123, poste 45.",
     "Enter a 10-digit North American phone number, for example 613-555-0123 ext. 45."),
    ({"language": "de"}, "language", "Choisissez la langue de la réponse : français ou anglais.",
     "Choose the language of the reply: French or English."),
    ({"references": {"invoice": "x" * 101}}, "references.invoice",
     "Ce champ ne doit pas dépasser 100 caractères.", "This field must be at most 100 characters."),
    ({"references": {"serial": "123"}}, "references.serial", "Champ inconnu.", "Unknown field."),
    ({"references": "INV-42"}, "references", "Valeur invalide.", "Invalid value."),
    ({"subject": ""}, "subject", "Entrez l'objet de votre demande.", "Enter the subject of your request."),
    ({"subject": "a\r\nb"}, "subject", "Ce champ doit tenir sur une seule ligne.",
     "This field must fit on one line."),
    # NEL: the email package refuses it in the Subject header, so it must not be stored.
    ({"subject": "a\x85b"}, "subject", "Ce champ doit tenir sur une seule ligne.",
     "This field must fit on one line."),
    ({"description": " \n "}, "description", "Décrivez votre demande.", "Describe your request."),
    ({"description": "x" * 5001}, "description", "Ce champ ne doit pas dépasser 5000 caractères.",
     "This field must be at most 5000 characters."),
    ({"description": "bell\x07"}, "description", "Ce champ contient des caractères de contrôle.",
     "This field contains control characters."),
    ({"business": False}, "business",
     "Cochez cette case : CSO sert les entreprises et les partenaires commerciaux.",
     "Check this box: CSO serves businesses and business partners."),
    ({"business": "maybe"}, "business",
     "Cochez cette case : CSO sert les entreprises et les partenaires commerciaux.",
     "Check this box: CSO serves businesses and business partners."),
    ({"topic": "../etc"}, "topic", "Sujet inconnu.", "Unknown topic."),
    ({"admin": True}, "admin", "Champ inconnu.", "Unknown field."),
]


@pytest.mark.parametrize(("changes", "field", "fr", "en"), BAD,
                         ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_each_bad_field_has_its_message_in_both_languages(changes, field, fr, en):
    with pytest.raises(InvalidRequest) as caught:
        validate_request({**GOOD, **changes})
    assert caught.value.messages("fr") == {field: fr}
    assert caught.value.messages("en") == {field: en}


def test_missing_fields_are_all_reported_in_form_order():
    with pytest.raises(InvalidRequest) as caught:
        validate_request({})
    assert list(caught.value.messages("en")) == [
        "request_type", "company", "contact_name", "email", "language", "subject", "description", "business"]


@pytest.mark.parametrize("body", [None, [], "text", 42])
def test_a_body_that_is_not_an_object_is_one_error(body):
    with pytest.raises(InvalidRequest) as caught:
        validate_request(body)
    assert caught.value.messages("fr") == {"request": "Valeur invalide."}


@pytest.mark.parametrize(("phone", "stored"), [
    ("6135550123", "613-555-0123"),
    ("(613) 555-0123", "613-555-0123"),
    ("613.555.0123", "613-555-0123"),
    ("+1 613 555 0123", "613-555-0123"),
    ("1-866-880-2765", "866-880-2765"),
    ("613-555-0123 ext. 45", "613-555-0123 x45"),
    ("613 555-0123, poste 4512", "613-555-0123 x4512"),
    ("613-555-0123x7", "613-555-0123 x7"),
])
def test_north_american_phone_numbers_are_accepted_and_normalized(phone, stored):
    assert validate_request({**GOOD, "phone": phone}).phone == stored


def test_blank_optional_fields_are_absent_and_text_is_trimmed():
    request = validate_request({**GOOD, "customer_number": " ", "phone": "", "references": None,
                                "company": "  Acme  "})
    assert (request.customer_number, request.phone, request.references) == (None, None, None)
    assert request.company == "Acme"


def test_the_form_and_the_api_give_the_same_request():
    form = {k: v for k, v in GOOD.items() if k not in ("references", "business")}
    form.update({"references.invoice": "INV-42", "references.order": "",
                 "references.machine": "9406-520 10-ABCDE", "business": "on"})
    assert validate_request(form_to_data(form)) == validate_request(GOOD)


def test_an_unchecked_box_is_the_business_error():
    form = {k: v for k, v in GOOD.items() if k not in ("references", "business")}
    with pytest.raises(InvalidRequest) as caught:
        validate_request(form_to_data(form))
    assert list(caught.value.messages("en")) == ["business"]
