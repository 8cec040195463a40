"""The one validation of service requests: every bad field has its exact message in fr and en."""

from __future__ import annotations

import hashlib

import pytest

from csohelp.requests.attachments import MAX_FILE_BYTES, Attachment, FileStore, check_files, safe_name, sniff
from csohelp.requests.model import FIELD_MESSAGES, GENERIC, InvalidRequest, form_to_data, validate_request

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
     "Le numéro de client IBM ne contient que des lettres, des chiffres, des tirets et des espaces.",
     "The IBM customer number contains only letters, digits, hyphens and spaces."),
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
    ({"language": "de"}, "language", "Choisissez votre langue de préférence\u00a0: français ou anglais.",
     "Choose your preferred language: French or English."),
    ({"references": {"invoice": "x" * 101}}, "references.invoice",
     "Ce champ ne doit pas dépasser 100 caractères.", "This field must be at most 100 characters."),
    ({"references": {"serial": "123"}}, "references.serial", "Champ inconnu.", "Unknown field."),
    ({"references": "INV-42"}, "references", "Valeur non valide.", "Invalid value."),
    ({"contract_number": "x" * 101}, "contract_number",
     "Ce champ ne doit pas dépasser 100 caractères.", "This field must be at most 100 characters."),
    ({"contract_number": "C-1\nBcc: x@y.z"}, "contract_number", "Ce champ doit tenir sur une seule ligne.",
     "This field must fit on one line."),
    ({"contract_number": 42}, "contract_number", "Valeur non valide.", "Invalid value."),
    # Files come only through the form (checked by their bytes): never as JSON metadata.
    ({"attachments": [{"name": "a.pdf", "sha256": "0" * 64}]}, "attachments", "Champ inconnu.",
     "Unknown field."),
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
     "Ce formulaire est réservé aux entreprises et aux partenaires commerciaux d'IBM.",
     "This form is for businesses and IBM business partners only."),
    ({"business": "maybe"}, "business",
     "Ce formulaire est réservé aux entreprises et aux partenaires commerciaux d'IBM.",
     "This form is for businesses and IBM business partners only."),
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
    assert caught.value.messages("fr") == {"request": "Valeur non valide."}


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


def test_the_contract_number_is_optional_and_kept():
    assert validate_request(GOOD).contract_number is None
    assert validate_request({**GOOD, "contract_number": "  CT-2001-77  "}).contract_number == "CT-2001-77"
    form = {k: v for k, v in GOOD.items() if k not in ("references", "business")}
    form.update({"contract_number": "CT-9", "business": "on"})
    assert validate_request(form_to_data(form)).contract_number == "CT-9"


def test_customer_numbers_with_inner_spaces_are_accepted_as_the_help_text_says():
    assert validate_request({**GOOD, "customer_number": "12 345-AB"}).customer_number == "12 345-AB"


def test_french_messages_say_non_valide_and_use_non_breaking_spaces():
    texts = [pair[0] for kinds in FIELD_MESSAGES.values() for pair in kinds.values()]
    texts += [pair[0] for pair in GENERIC.values()]
    problems = {name: ("invalid", {}) for name in ("references", "request")}
    for field, kinds in FIELD_MESSAGES.items():
        for kind in kinds:
            problems[f"{field}.{kind}"] = (kind, {"names": "a.pdf", "max_files": 3, "max": 5})
    shown = InvalidRequest(problems).messages("fr").values()
    assert not [t for t in texts if "invalide" in t]
    assert not [t for t in shown if " :" in t or " ?" in t or " ;" in t or " !" in t]


# --- attachments: checked by their bytes, never by their name ------------------------------

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


@pytest.mark.parametrize(("content", "mime"), [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"),
    (b"", None), (b"MZ\x90\x00", None), (b"<html><script>", None), (b"GIF89a", None),
    (b"PK\x03\x04", None), (b" %PDF-1.7", None), (b"\x89PNG", None),
])
def test_types_are_known_by_their_magic_numbers(content, mime):
    assert sniff(content) == mime


@pytest.mark.parametrize(("name", "content", "shown"), [
    ("facture.pdf", PDF, "facture.pdf"),
    ("Scan 01.JPEG", JPEG, "Scan 01.jpeg"),
    ("invoice.pdf", PNG, "invoice.pdf.png"),  # a PNG named .pdf: the name follows the bytes
    ("C:\\Users\\jo\\facture.pdf", PDF, "facture.pdf"),
    ("../../etc/passwd", PDF, "passwd.pdf"),
    ("=?utf-8?q?x=0D=0ABcc:_a@evil.example?=.pdf", PDF, "utf-8_q_x_0D_0ABcc__a_evil.example__.pdf"),
    ("a\u202egnp.exe", PNG, "a_gnp.exe.png"),  # a bidi override cannot disguise the type
    ("reçu \"mars\";.png", PNG, "reçu _mars__.png"),
    ("", PDF, "file.pdf"),
    ("x" * 300 + ".pdf", PDF, "x" * 96 + ".pdf"),
])
def test_file_names_are_made_safe_and_end_in_the_real_type(name, content, shown):
    accepted, problems = check_files([(name, content)])
    assert problems == {}
    assert [a.name for a, _ in accepted] == [shown]
    assert accepted[0][0].sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(("files", "kept", "fr", "en"), [
    ([("virus.pdf", b"MZ\x90\x00 not a pdf")], 0,
     {"attachments.type": "Ce fichier n'est pas un PDF, un PNG ou un JPEG\u00a0: virus.pdf."},
     {"attachments.type": "This file is not a PDF, PNG or JPEG: virus.pdf."}),
    ([("empty.pdf", b"")], 0,
     {"attachments.type": "Ce fichier n'est pas un PDF, un PNG ou un JPEG\u00a0: empty.pdf."},
     {"attachments.type": "This file is not a PDF, PNG or JPEG: empty.pdf."}),
    ([("big.pdf", PDF + b"0" * MAX_FILE_BYTES)], 0,
     {"attachments.size": "Fichier trop volumineux (5 Mo au plus par fichier)\u00a0: big.pdf."},
     {"attachments.size": "File too large (5 MB at most per file): big.pdf."}),
    ([(f"{i}.png", PNG + bytes([i])) for i in range(4)], 0,
     {"attachments.count": "Joignez au plus 3 fichiers."}, {"attachments.count": "Attach at most 3 files."}),
    ([("a.png", PNG + b"a"), ("b.png", PNG + b"b")], 2,
     {"attachments.count": "Joignez au plus 3 fichiers."}, {"attachments.count": "Attach at most 3 files."}),
    # Every problem at once, each file named.
    ([("big.jpg", JPEG + b"0" * MAX_FILE_BYTES), ("x.png", b"GIF89a"), ("y.pdf", b"<html>")], 0,
     {"attachments.size": "Fichier trop volumineux (5 Mo au plus par fichier)\u00a0: big.jpg.",
      "attachments.type": "Ce fichier n'est pas un PDF, un PNG ou un JPEG\u00a0: x.png, y.pdf."},
     {"attachments.size": "File too large (5 MB at most per file): big.jpg.",
      "attachments.type": "This file is not a PDF, PNG or JPEG: x.png, y.pdf."}),
])
def test_bad_files_have_their_message_in_both_languages(files, kept, fr, en):
    earlier = [Attachment(f"k{i}.pdf", "application/pdf", 10, f"{i:064x}") for i in range(kept)]
    accepted, problems = check_files(files, earlier)
    assert InvalidRequest(problems).messages("fr") == fr
    assert InvalidRequest(problems).messages("en") == en
    assert len(accepted) + kept <= 3


def test_exactly_5_mb_is_accepted_and_the_same_file_twice_is_one():
    accepted, problems = check_files([("a.pdf", PDF + b"0" * (MAX_FILE_BYTES - len(PDF))), ("b.png", PNG),
                                      ("b-again.png", PNG)])
    assert problems == {} and [a.name for a, _ in accepted] == ["a.pdf", "b.png"]
    assert accepted[0][0].size == MAX_FILE_BYTES


def test_the_file_store_is_content_addressed_durable_and_checks_what_it_reads(tmp_path):
    store = FileStore(tmp_path / "files")
    digest = store.put(PDF)
    assert digest == hashlib.sha256(PDF).hexdigest()
    assert store.path(digest) == tmp_path / "files" / digest[:2] / digest
    assert store.put(PDF) == digest and store.read(digest) == PDF
    assert [p.name for p in store.path(digest).parent.iterdir()] == [digest]  # no temp file left
    store.path(digest).write_bytes(PDF + b"tampered")
    assert store.read(digest) is None  # corrupt on disk: treated as missing, never sent
    assert store.read("0" * 64) is None
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


def test_kept_files_are_rechecked_on_disk(tmp_path):
    store = FileStore(tmp_path)
    digest = store.put(PNG)
    kept = store.kept([f"{digest}:scan.pdf", "0" * 64 + ":gone.pdf", "../x:evil.pdf", f"{digest}:dup.png"])
    assert kept == [Attachment("scan.pdf.png", "image/png", len(PNG), digest)]
    assert safe_name("scan.pdf", "image/png") == "scan.pdf.png"
