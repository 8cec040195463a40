"""A service request to CSOL: the one validation shared by the JSON API and the HTML form."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from ..content import REQUEST_TYPES
from ..errors import CsohelpError
from ..formats import french_spacing

# Strict limits per field (characters); the body limit (32 KB) bounds the whole request.
MAX = {
    "company": 200, "customer_number": 20, "contact_name": 200, "email": 254, "phone": 40,
    "subject": 200, "description": 5000, "reference": 100, "topic": 100, "contract_number": 100,
}
# Labels of the request types, in the words of the seed's CSOL areas.
REQUEST_TYPE_LABELS: dict[str, dict[str, str]] = {
    "billing": {"fr": "Facturation et paiements", "en": "Billing and payments"},
    "invoice-dispute": {"fr": "Contestation de facture", "en": "Invoice dispute"},
    "order-status": {"fr": "État d'une commande", "en": "Order status"},
    "order-entry": {"fr": "Saisie et gestion de commandes", "en": "Order entry and management"},
    "delivery": {"fr": "Livraison", "en": "Delivery"},
    "serial-lookup": {"fr": "Recherche de type, modèle ou numéro de série",
                      "en": "Type, model or serial number research"},
    "contracts": {"fr": "Contrats et renouvellements", "en": "Contracts and renewals"},
    "licensing": {"fr": "Permis d'utilisation (licences)", "en": "Licences"},
    "inventory": {"fr": "Registres de stocks", "en": "Inventory records"},
    "accounts-receivable": {"fr": "Comptes clients", "en": "Accounts receivable"},
    "other": {"fr": "Autre", "en": "Other"},
}
# One message per field and kind of problem, in both languages; GENERIC covers the rest.
FIELD_MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "request_type": {"required": ("Choisissez le type de demande.", "Choose the type of request.")},
    "company": {"required": ("Entrez le nom de l'entreprise.", "Enter the company name.")},
    "customer_number": {"invalid": (
        "Le numéro de client IBM ne contient que des lettres, des chiffres, des tirets et des espaces.",
        "The IBM customer number contains only letters, digits, hyphens and spaces.")},
    "contact_name": {"required": ("Entrez votre nom.", "Enter your name.")},
    "email": {
        "required": ("Entrez votre adresse courriel.", "Enter your email address."),
        "invalid": ("Entrez une adresse courriel valide, par exemple nom@entreprise.ca.",
                    "Enter a valid email address, for example name@company.ca."),
    },
    "phone": {"invalid": (
        "Entrez un numéro de téléphone nord-américain à 10 chiffres, par exemple 613 555-0123, poste 45.",
        "Enter a 10-digit North American phone number, for example 613-555-0123 ext. 45.")},
    "language": {"required": ("Choisissez votre langue de préférence : français ou anglais.",
                              "Choose your preferred language: French or English.")},
    "subject": {"required": ("Entrez l'objet de votre demande.", "Enter the subject of your request.")},
    "description": {"required": ("Décrivez votre demande.", "Describe your request.")},
    # Content review G4: the plan does not cover individuals; do not invite them to tick the box.
    "business": {"required": (
        "Ce formulaire est réservé aux entreprises et aux partenaires commerciaux d'IBM.",
        "This form is for businesses and IBM business partners only.")},
    "topic": {"invalid": ("Sujet inconnu.", "Unknown topic.")},
    # Attachments are checked by csohelp/requests/attachments.py; {names} are the client's file names.
    "attachments": {
        "too_many": ("Joignez au plus {max_files} fichiers.", "Attach at most {max_files} files."),
        "too_large": ("Fichier trop volumineux (5 Mo au plus par fichier) : {names}.",
                      "File too large (5 MB at most per file): {names}."),
        "file_type": ("Ce fichier n'est pas un PDF, un PNG ou un JPEG : {names}.",
                      "This file is not a PDF, PNG or JPEG: {names}."),
    },
}
GENERIC: dict[str, tuple[str, str]] = {
    "required": ("Ce champ est obligatoire.", "This field is required."),
    "invalid": ("Valeur non valide.", "Invalid value."),
    "too_long": ("Ce champ ne doit pas dépasser {max} caractères.",
                 "This field must be at most {max} characters."),
    "one_line": ("Ce champ doit tenir sur une seule ligne.", "This field must fit on one line."),
    "control": ("Ce champ contient des caractères de contrôle.", "This field contains control characters."),
    "encoded": ("Ce champ ne peut pas contenir la suite de caractères «\u00a0=?\u00a0».",
                'This field cannot contain the characters "=?".'),
    "unknown": ("Champ inconnu.", "Unknown field."),
}
# Fields whose every problem reads as the "required" message (a choice or a statement).
CHOICE_FIELDS = {"request_type", "language", "business"}

PHONE = re.compile(
    r"^(?:\+?1[\s.-]*)?\(?([2-9]\d{2})\)?[\s.-]*([2-9]\d{2})[\s.-]*(\d{4})"
    r"(?:[\s,;]*(?:ext\.?|extension|x|poste|p\.)\s*(\d{1,6}))?$",
    re.IGNORECASE,
)
# ASCII only: CSOL's intake is reached by plain SMTP (no SMTPUTF8), and a non-ASCII address
# would be stored and acknowledged but could never be forwarded.
EMAIL = re.compile(r"^[!#-'*+\-./0-9=?A-Z^-~]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
CUSTOMER_NUMBER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?$")
# C0 and C1 controls (C1 can drive a terminal: \x9b is CSI), except tab/newline handled below.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidi embeddings, overrides, isolates and marks: they reorder what an agent reads (a reference,
# an address); removed, since a client may paste them without knowing.
BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# An RFC 2047 encoded word starts with "=?": a single-line field never needs one, and a mail
# reader could decode it into header text (issue 9). mail.py encodes headers anyway.
ENCODED_WORD = "=?"
# Every break str.splitlines() knows (\x85 too): the email package refuses them in headers.
LINE_BREAK = re.compile(r"[\r\n\x85\u2028\u2029]")


def _line(max_length: int, min_length: int = 0) -> Any:
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,
                                            max_length=max_length)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any, info: Any) -> Any:
        # An empty optional field is "not given", whatever the client sends for it.
        optional = not cls.model_fields[info.field_name].is_required()
        if isinstance(value, str):
            value = BIDI.sub("", value)
            if not value.strip() and optional:
                return None
        return value

    @field_validator("*")
    @classmethod
    def _no_control(cls, value: Any, info: Any) -> Any:
        if isinstance(value, str):
            multiline = info.field_name == "description"
            if not multiline and LINE_BREAK.search(value):
                raise PydanticCustomError("one_line", "one line")
            if CONTROL.search(value) or (not multiline and "\t" in value):
                raise PydanticCustomError("control", "control characters")
            if not multiline and info.field_name != "email" and ENCODED_WORD in value:
                raise PydanticCustomError("encoded", "encoded word")
        return value


class References(_Model):
    """Numbers that help CSOL find the file: invoice, order, machine type/model/serial."""

    invoice: _line(MAX["reference"]) | None = None  # type: ignore[valid-type]
    order: _line(MAX["reference"]) | None = None  # type: ignore[valid-type]
    machine: _line(MAX["reference"]) | None = None  # type: ignore[valid-type]


class ServiceRequest(_Model):
    """A client's request to CSOL, as stored and forwarded."""

    request_type: Literal[REQUEST_TYPES]  # type: ignore[valid-type]
    company: _line(MAX["company"], 1)  # type: ignore[valid-type]
    customer_number: _line(MAX["customer_number"]) | None = None  # type: ignore[valid-type]
    contact_name: _line(MAX["contact_name"], 1)  # type: ignore[valid-type]
    email: _line(MAX["email"], 1)  # type: ignore[valid-type]
    phone: _line(MAX["phone"]) | None = None  # type: ignore[valid-type]
    language: Literal["fr", "en"]
    references: References | None = None
    contract_number: _line(MAX["contract_number"]) | None = None  # type: ignore[valid-type]
    subject: _line(MAX["subject"], 1)  # type: ignore[valid-type]
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=MAX["description"])]
    business: Literal[True]
    topic: Annotated[str, StringConstraints(max_length=MAX["topic"],
                                            pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")] | None = Field(
        default=None, description="the help-center topic the client came from")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if ENCODED_WORD in value or not EMAIL.match(value):
            raise PydanticCustomError("invalid", "invalid email")
        try:
            # What a mail server accepts (no "..", no leading dot, sane labels); no DNS lookup.
            validate_email(value, check_deliverability=False, allow_smtputf8=False)
        except EmailNotValidError:
            raise PydanticCustomError("invalid", "invalid email") from None
        return value

    @field_validator("customer_number")
    @classmethod
    def _customer_number(cls, value: str | None) -> str | None:
        if value is not None and not CUSTOMER_NUMBER.match(value):
            raise PydanticCustomError("invalid", "invalid customer number")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else normalize_phone(value)


def normalize_phone(value: str) -> str:
    """A North American number as 613-555-0123 (x45); raises a pydantic 'invalid' error."""
    match = PHONE.match(value.strip())
    if not match:
        raise PydanticCustomError("invalid", "invalid phone")
    area, exchange, line, ext = match.groups()
    return f"{area}-{exchange}-{line}" + (f" x{ext}" if ext else "")


class InvalidRequest(CsohelpError):
    """A submission with field errors; `messages(lang)` gives one message per field."""

    def __init__(self, problems: dict[str, tuple[str, dict[str, Any]]]):
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" for f, m in self.messages("en").items()))

    def messages(self, lang: str) -> dict[str, str]:
        """{field: message} in `lang` (fr or en), fields in form order."""
        index = 0 if lang == "fr" else 1
        out = {}
        for name, (kind, ctx) in self.problems.items():
            base = name.split(".")[0]
            if base in CHOICE_FIELDS:
                kind = "required"
            text = FIELD_MESSAGES.get(base, {}).get(kind) or GENERIC.get(kind) or GENERIC["invalid"]
            template = french_spacing(text[0]) if index == 0 else text[1]
            out[name] = template.format(**ctx)
        return out


def _kind(error: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    kind = error["type"]
    if kind in ("missing", "string_too_short"):
        return "required", {}
    if kind == "string_too_long":
        return "too_long", {"max": error.get("ctx", {}).get("max_length", "")}
    if kind == "extra_forbidden":
        return "unknown", {}
    if kind in ("one_line", "control", "invalid", "encoded"):
        return kind, {}
    return "invalid", {}


def validate_request(data: Any) -> ServiceRequest:
    """The request, or InvalidRequest with every field problem at once."""
    if not isinstance(data, Mapping):
        raise InvalidRequest({"request": ("invalid", {})})
    try:
        return ServiceRequest.model_validate(dict(data))
    except ValidationError as exc:
        problems: dict[str, tuple[str, dict[str, Any]]] = {}
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]) or "request"
            if name.startswith("topic"):
                name = "topic"
            problems.setdefault(name, _kind(error))
        order = list(ServiceRequest.model_fields)
        rank = {f: i for i, f in enumerate(order)}
        raise InvalidRequest(dict(sorted(problems.items(),
                                         key=lambda kv: rank.get(kv[0].split(".")[0], len(order))))) from None


FORM_FIELDS = ("request_type", "company", "customer_number", "contact_name", "email", "phone",
               "language", "contract_number", "subject", "description", "topic")
REFERENCE_FIELDS = ("invoice", "order", "machine")


def form_to_data(form: Mapping[str, str]) -> dict[str, Any]:
    """The HTML form's flat fields as the API's JSON shape (references nested, checkbox as bool)."""
    data: dict[str, Any] = {name: form.get(name, "") for name in FORM_FIELDS}
    data["references"] = {name: form.get(f"references.{name}", "") for name in REFERENCE_FIELDS}
    data["business"] = form.get("business") in ("on", "true", "1", "yes")
    return data
