"""What a client sent, as labelled rows: one list for CSOL's copy, the receipt and the confirmation.

`sent_rows` decides the order and how each value is shown (the request type's label, the
language's name, the files with their sizes); each place adds its own rows around them.
"""

from __future__ import annotations

from typing import Any

from ..formats import french_spacing
from .attachments import describe
from .model import REQUEST_TYPE_LABELS

LABELS: dict[str, dict[str, str]] = {
    "fr": {"request_type": "Type de demande", "subject": "Objet", "invoice": "Numéro de facture",
           "order": "Numéro de commande", "contract_number": "Numéro de contrat",
           "machine": "Type, modèle et numéro de série", "attachments": "Pièces jointes",
           "company": "Entreprise", "customer_number": "Numéro de client IBM", "contact_name": "Nom",
           "email": "Courriel", "phone": "Téléphone", "language": "Langue de préférence",
           "description": "Description", "none": "—", "colon": " :"},
    "en": {"request_type": "Request type", "subject": "Subject", "invoice": "Invoice number",
           "order": "Order number", "contract_number": "Contract number",
           "machine": "Machine type, model and serial number", "attachments": "Attachments",
           "company": "Company", "customer_number": "IBM customer number", "contact_name": "Name",
           "email": "Email", "phone": "Phone", "language": "Preferred language",
           "description": "Description", "none": "—", "colon": ":"},
}
LABELS["fr"] = {k: french_spacing(v) for k, v in LABELS["fr"].items()}
LANGUAGE_NAMES = {"fr": {"fr": "français", "en": "anglais"}, "en": {"fr": "French", "en": "English"}}


def sent_rows(data: dict[str, Any], lang: str) -> list[tuple[str, str | None]]:
    """(field, value shown) of what was sent, in one order; None where a field was left empty."""
    refs = data.get("references") or {}
    return [
        ("request_type", REQUEST_TYPE_LABELS.get(data.get("request_type", ""), {}).get(lang)),
        ("subject", data.get("subject")), ("invoice", refs.get("invoice")), ("order", refs.get("order")),
        ("contract_number", data.get("contract_number")), ("machine", refs.get("machine")),
        ("attachments", describe(data.get("attachments"), lang) or None),
        ("company", data.get("company")), ("customer_number", data.get("customer_number")),
        ("contact_name", data.get("contact_name")), ("email", data.get("email")),
        ("phone", data.get("phone")), ("language", LANGUAGE_NAMES[lang].get(str(data.get("language")))),
    ]


def text_lines(rows: list[tuple[str, str | None]], lang: str,
               labels: dict[str, str] | None = None) -> list[str]:
    """`Label : value` lines (a dash for what was left empty), labels from LABELS unless given."""
    t = {**LABELS[lang], **(labels or {})}
    return [f"{t[key]}{t['colon']} {value or t['none']}" for key, value in rows]
