"""The request form and confirmation pages: interface words, field order, and filling the shell page."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..content import CONTACT, contact_for
from ..formats import french_spacing
from ..pages import STRINGS as PAGE_STRINGS
from ..requests.attachments import MAX_FILE_BYTES, MAX_FILES, human_size
from ..requests.model import MAX, REQUEST_TYPE_LABELS, InvalidRequest
from ..requests.summary import sent_rows

ASSETS = ('<link rel="stylesheet" href="/assets/csohelp-request.css">'
          '<script src="/assets/csohelp-request.js" defer></script>')

# What this help centre does, and nothing CSOL has not promised (content review C3-C5, C9):
# it records the request under its own reference and forwards it to CSOL's intake address
# when forwarding is configured. No reply time, no reply channel, no reply language.
STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "intro": ("Décrivez votre demande non technique. Le centre d'aide l'enregistre avec un numéro "
                  "de référence et la transmet à l'adresse de réception de CSOL (Soutien des opérations "
                  "clientèle en ligne)."),
        "intro_unforwarded": ("Décrivez votre demande non technique. Le centre d'aide l'enregistre avec un "
                              "numéro de référence."),
        "required_note": "Les champs marqués « obligatoire » doivent être remplis.",
        "required": "obligatoire", "optional": "facultatif",
        "topic_note": "Votre demande porte sur le sujet :",
        "legend_request": "Votre demande", "legend_contact": "Vos coordonnées",
        "legend_refs": "Numéros de référence",
        "refs_help": "Facultatifs : ils aident à retrouver votre dossier.",
        "legend_files": "Pièces jointes",
        "request_type": "Type de demande", "choose": "Choisissez…",
        "company": "Nom de l'entreprise", "customer_number": "Numéro de client IBM",
        "customer_number_help": "Lettres, chiffres, tirets et espaces, s'il vous a été attribué.",
        "contact_name": "Votre nom", "email": "Courriel",
        "email_help": "Une copie de votre demande sera envoyée à cette adresse.",
        "email_help_unforwarded": "Une adresse où l'on peut vous écrire.",
        "phone": "Téléphone", "phone_help": "Numéro nord-américain, par exemple 613 555-0123, poste 45.",
        "language": "Langue de préférence", "lang_fr": "Français", "lang_en": "Anglais",
        "references.invoice": "Numéro de facture", "references.order": "Numéro de commande",
        "references.machine": "Type, modèle et numéro de série de la machine",
        "contract_number": "Numéro de contrat",
        "key_help": "Indiquez-le si vous l'avez.",
        "key_label.invoice-dispute": "Numéro de la facture contestée",
        "attachments": "Fichiers",
        "attachments_help": (f"Jusqu'à {MAX_FILES} fichiers PDF, PNG ou JPEG, "
                             f"{MAX_FILE_BYTES // (1024 * 1024)} Mo chacun (par exemple, la facture)."),
        "kept_files": "Fichiers déjà reçus (décochez pour les retirer) :",
        "subject": "Objet", "subject_help": "Une phrase qui résume votre demande.",
        "description": "Description",
        "description_help": "Ce qui s'est passé et ce que vous demandez (5 000 caractères au plus).",
        "business": "Je représente une entreprise ou un partenaire commercial d'IBM.",
        "business_short": "Entreprise ou partenaire commercial",
        "business_help": ("Le plan d'assistance s'adresse aux clients commerciaux et aux partenaires "
                          "commerciaux d'IBM, et non aux particuliers."),
        "honeypot": "Laissez ce champ vide",
        "submit": "Envoyer la demande",
        "suggest_title": "Ces articles pourraient répondre à votre question",
        "error_title": "Votre demande n'a pas été envoyée. Corrigez ce qui suit :",
        "error_prefix": "Erreur :",
        "csrf": "Votre session a expiré. Vérifiez vos réponses et envoyez de nouveau la demande.",
        "honeypot_error": "La demande n'a pas pu être envoyée. Réessayez.",
        "rate": "Trop de demandes envoyées depuis votre poste. Attendez une minute, puis réessayez.",
        "unavailable": ("Votre demande n'a pas pu être enregistrée pour le moment. Réessayez dans quelques "
                        f"minutes ou téléphonez à CSOL au {CONTACT['phone']}."),
        "thanks_title": "Demande enregistrée",
        "thanks_ref": "Référence du centre d'aide :",
        "next_title": "La suite",
        "next_1": ("Le centre d'aide a enregistré votre demande ; elle sera transmise à l'adresse de "
                   "réception de CSOL (Soutien des opérations clientèle en ligne)."),
        "next_1_unforwarded": ("Le centre d'aide a enregistré votre demande. Elle n'a pas encore été "
                               "transmise à CSOL."),
        "next_2": ("Ce numéro est la référence du centre d'aide ; il figure dans le message transmis à CSOL. "
                   "Notez-le pour retrouver votre demande."),
        "next_2_unforwarded": ("Ce numéro est la référence du centre d'aide. "
                               "Notez-le pour retrouver votre demande."),
        "receipt_note": "Une copie de votre demande sera envoyée à {email}.",
        "summary_title": "Ce que vous avez envoyé",
        "none": "—",
        "another": "Envoyer une autre demande", "home": "Retour à l'accueil",
    },
    "en": {
        "intro": ("Describe your non-technical request. The Help Centre records it with a reference "
                  "number and forwards it to the intake address of CSOL (Customer Support Operations "
                  "Online)."),
        "intro_unforwarded": ("Describe your non-technical request. The Help Centre records it with a "
                              "reference number."),
        "required_note": "Fields marked “required” must be filled in.",
        "required": "required", "optional": "optional",
        "topic_note": "Your request is about the topic:",
        "legend_request": "Your request", "legend_contact": "Your contact information",
        "legend_refs": "Reference numbers",
        "refs_help": "Optional: they help find your file.",
        "legend_files": "Attachments",
        "request_type": "Request type", "choose": "Choose…",
        "company": "Company name", "customer_number": "IBM customer number",
        "customer_number_help": "Letters, digits, hyphens and spaces, if you have been given one.",
        "contact_name": "Your name", "email": "Email",
        "email_help": "A copy of your request will be sent to this address.",
        "email_help_unforwarded": "An address where you can be reached.",
        "phone": "Phone", "phone_help": "North American number, for example 613-555-0123 ext. 45.",
        "language": "Preferred language", "lang_fr": "French", "lang_en": "English",
        "references.invoice": "Invoice number", "references.order": "Order number",
        "references.machine": "Machine type, model and serial number",
        "contract_number": "Contract number",
        "key_help": "Give it if you have it.",
        "key_label.invoice-dispute": "Number of the disputed invoice",
        "attachments": "Files",
        "attachments_help": (f"Up to {MAX_FILES} PDF, PNG or JPEG files, "
                             f"{MAX_FILE_BYTES // (1024 * 1024)} MB each (for example, the invoice)."),
        "kept_files": "Files already received (untick to remove them):",
        "subject": "Subject", "subject_help": "One sentence that sums up your request.",
        "description": "Description",
        "description_help": "What happened and what you are asking for (5,000 characters at most).",
        "business": "I represent a business or an IBM business partner.",
        "business_short": "Business or business partner",
        "business_help": ("The support plan is for IBM's commercial clients and business partners, "
                          "not for individuals."),
        "honeypot": "Leave this field empty",
        "submit": "Send the request",
        "suggest_title": "These may answer your question",
        "error_title": "Your request was not sent. Please correct the following:",
        "error_prefix": "Error:",
        "csrf": "Your session expired. Check your answers and send the request again.",
        "honeypot_error": "The request could not be sent. Please try again.",
        "rate": "Too many requests sent from your computer. Wait a minute, then try again.",
        "unavailable": ("Your request could not be saved right now. Try again in a few minutes "
                        f"or call CSOL at {contact_for('en')['phone']}."),
        "thanks_title": "Request recorded",
        "thanks_ref": "Help Centre reference:",
        "next_title": "What happens next",
        "next_1": ("The Help Centre has recorded your request; it will be forwarded to the intake address "
                   "of CSOL (Customer Support Operations Online)."),
        "next_1_unforwarded": ("The Help Centre has recorded your request. "
                               "It has not been forwarded to CSOL yet."),
        "next_2": ("This number is the Help Centre's reference; it appears in the message forwarded to CSOL. "
                   "Write it down to find your request."),
        "next_2_unforwarded": ("This number is the Help Centre's reference. "
                               "Write it down to find your request."),
        "receipt_note": "A copy of your request will be sent to {email}.",
        "summary_title": "What you sent",
        "none": "—",
        "another": "Send another request", "home": "Back to the home page",
    },
}
STRINGS["fr"] = {k: french_spacing(v) for k, v in STRINGS["fr"].items()}
# The contact words are the pages' own ("Joindre CSOL"...), so both say the same thing.
WORDS = {lang: {**PAGE_STRINGS[lang], **words} for lang, words in STRINGS.items()}

# The number that matters most for a type moves up under the type (still optional: the plan
# requires none). Without JavaScript the server orders the form by the type it knows (from the
# topic, or the last post); csohelp-request.js moves the field when the type changes.
KEY_FIELD = {"invoice-dispute": "references.invoice", "billing": "references.invoice",
             "order-status": "references.order", "delivery": "references.order",
             "contracts": "contract_number", "licensing": "contract_number",
             "serial-lookup": "references.machine"}
REFERENCE_NAMES = ("references.invoice", "references.order", "contract_number", "references.machine")
CONTACT_NAMES = ("company", "customer_number", "contact_name", "email", "phone", "language")


def layout(request_type: str | None) -> list[tuple[str | None, list[str]]]:
    """The form's sections (legend key, field names) in the order they are shown."""
    key = KEY_FIELD.get(request_type or "")
    return [
        ("legend_request", ["request_type", *([key] if key else []), "subject", "description"]),
        ("legend_refs", [name for name in REFERENCE_NAMES if name != key]),
        ("legend_files", ["attachments"]),
        ("legend_contact", list(CONTACT_NAMES)),
        (None, ["business"]),
    ]


def ordered_errors(errors: dict[str, str], request_type: str | None) -> dict[str, str]:
    """The errors in the order of the fields on the page (the summary reads top to bottom)."""
    order = [name for _, names in layout(request_type) for name in names]
    rank = {name: i for i, name in enumerate(order)}
    return dict(sorted(errors.items(), key=lambda kv: rank.get(kv[0].split(".")[0] if kv[0].startswith(
        "attachments") else kv[0], len(order))))


def field_anchor(name: str) -> str:
    """The id of the control an error is about."""
    return "req-attachments" if name.startswith("attachments") else "req-" + name.replace(".", "-")


def summary_label(name: str, lang: str) -> str:
    """The field's name as the error summary shows it before the message (no sentence-long label)."""
    words = WORDS[lang]
    if name.startswith("attachments"):
        return words["attachments"]
    return words.get(f"{name}_short") or words.get(name, name)


def form_path(lang: str) -> str:
    """The form's URL in `lang`."""
    return "/request/" if lang == "fr" else "/en/request/"


# Where the page's labels differ in name from the rows of csohelp/requests/summary.py.
PAGE_LABEL = {"invoice": "references.invoice", "order": "references.order", "machine": "references.machine"}


def summary_rows(data: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """(label, value) of what the client sent (fields left empty omitted), for the confirmation page."""
    t, rows = WORDS[lang], []
    for key, value in sent_rows(data, lang):
        if key == "language":
            value = t.get("lang_" + str(data.get("language")), "")
        if value:  # what was left empty is not news
            rows.append((t[PAGE_LABEL.get(key, key)], value))
        if key == "subject":
            rows.append((t["description"], data.get("description")))
    return rows


# The confirmation shows what was sent only to the browser that sent it: a cookie carries an
# HMAC of the reference (references are sequential; the summary holds personal data).
SENT_COOKIE = "csohelp_sent"


def sent_token(reference: str, key: bytes) -> str:
    """The cookie value that lets one browser see the summary of `reference`."""
    return hmac.new(key, reference.encode(), hashlib.sha256).hexdigest()


def may_see(reference: str, cookie: str | None, key: bytes) -> bool:
    """Whether the browser's cookie proves it sent `reference`."""
    return bool(cookie) and any(hmac.compare_digest(sent_token(reference, key), value)
                                for value in (cookie or "").split(".")[-5:])


_env = Environment(loader=PackageLoader("csohelp", "templates/request"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_fragment(template: str, lang: str, **context: Any) -> str:
    """One of templates/request/*.html, escaped, with the page's words."""
    types = [(k, REQUEST_TYPE_LABELS[k][lang]) for k in REQUEST_TYPE_LABELS]
    values = context.get("values") or {}
    context.setdefault("forwarding", True)
    context.setdefault("kept", [])
    context.setdefault("summary", None)
    errors = context.get("errors") or {}
    context["file_errors"] = [message for name, message in errors.items() if name.startswith("attachments")]
    # The same words for the browser's own check of the files (csohelp-request.js).
    context["file_messages"] = InvalidRequest({
        "attachments.size": ("too_large", {"names": "{names}"}),
        "attachments.type": ("file_type", {"names": "{names}"}),
        "attachments.count": ("too_many", {"max_files": MAX_FILES})}).messages(lang)
    return _env.get_template(template).render(
        lang=lang, t=WORDS[lang], contact=contact_for(lang), max=MAX, request_types=types,
        action=form_path(lang),
        sections=layout(values.get("request_type")), key_field=KEY_FIELD, anchor=field_anchor,
        summary_label=summary_label, human_size=human_size, max_files=MAX_FILES,
        max_file_bytes=MAX_FILE_BYTES, **context)
