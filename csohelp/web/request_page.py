"""The request form and confirmation pages: interface words, and filling the site's shell page."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..content import CONTACT
from ..pages import STRINGS as PAGE_STRINGS
from ..requests_model import MAX, REQUEST_TYPE_LABELS

ASSETS = ('<link rel="stylesheet" href="/assets/csohelp-request.css">'
          '<script src="/assets/csohelp-request.js" defer></script>')

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "intro": ("Décrivez votre demande non technique : CSOL (Soutien des opérations clientèle en ligne) "
                  "la recevra avec un numéro de référence."),
        "required_note": "Les champs marqués « obligatoire » doivent être remplis.",
        "required": "obligatoire", "optional": "facultatif",
        "topic_note": "Votre demande porte sur le sujet :",
        "legend_request": "Votre demande", "legend_contact": "Vos coordonnées",
        "legend_refs": "Numéros de référence",
        "refs_help": "Facultatif : ils aident CSOL à retrouver votre dossier.",
        "request_type": "Type de demande", "choose": "Choisissez…",
        "company": "Nom de l'entreprise", "customer_number": "Numéro de client IBM",
        "customer_number_help": "Lettres, chiffres et tirets, s'il vous a été attribué.",
        "contact_name": "Votre nom", "email": "Courriel",
        "email_help": "CSOL vous répondra à cette adresse.",
        "phone": "Téléphone", "phone_help": "Numéro nord-américain, par exemple 613 555-0123, poste 45.",
        "language": "Langue de la réponse", "lang_fr": "Français", "lang_en": "Anglais",
        "references.invoice": "Numéro de facture", "references.order": "Numéro de commande",
        "references.machine": "Type, modèle et numéro de série de la machine",
        "subject": "Objet", "subject_help": "Une phrase qui résume votre demande.",
        "description": "Description",
        "description_help": "Ce qui s'est passé, ce que vous attendez de CSOL (5 000 caractères au plus).",
        "business": "Je représente une entreprise ou un partenaire commercial d'IBM.",
        "business_help": ("CSO sert les clients commerciaux et les partenaires commerciaux, "
                          "et non les particuliers."),
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
        "thanks_title": "Demande envoyée",
        "thanks_ref": "Votre numéro de référence :",
        "next_title": "La suite",
        "next_1": "Votre demande est transmise à CSOL (Soutien des opérations clientèle en ligne).",
        "next_2": "Notez ce numéro de référence et indiquez-le chaque fois que vous communiquez avec CSOL "
                  "au sujet de cette demande.",
        "another": "Envoyer une autre demande", "home": "Retour à l'accueil",
    },
    "en": {
        "intro": ("Describe your non-technical request: CSOL (Customer Support Operations Online) "
                  "will receive it with a reference number."),
        "required_note": "Fields marked “required” must be filled in.",
        "required": "required", "optional": "optional",
        "topic_note": "Your request is about the topic:",
        "legend_request": "Your request", "legend_contact": "Your contact information",
        "legend_refs": "Reference numbers",
        "refs_help": "Optional: they help CSOL find your file.",
        "request_type": "Request type", "choose": "Choose…",
        "company": "Company name", "customer_number": "IBM customer number",
        "customer_number_help": "Letters, digits and hyphens, if you have been given one.",
        "contact_name": "Your name", "email": "Email",
        "email_help": "CSOL will reply to this address.",
        "phone": "Phone", "phone_help": "North American number, for example 613-555-0123 ext. 45.",
        "language": "Reply language", "lang_fr": "French", "lang_en": "English",
        "references.invoice": "Invoice number", "references.order": "Order number",
        "references.machine": "Machine type, model and serial number",
        "subject": "Subject", "subject_help": "One sentence that sums up your request.",
        "description": "Description",
        "description_help": "What happened and what you expect from CSOL (5,000 characters at most).",
        "business": "I represent a business or an IBM business partner.",
        "business_help": "CSO serves commercial clients and business partners, not individuals.",
        "honeypot": "Leave this field empty",
        "submit": "Send the request",
        "suggest_title": "These may answer your question",
        "error_title": "Your request was not sent. Please correct the following:",
        "error_prefix": "Error:",
        "csrf": "Your session expired. Check your answers and send the request again.",
        "honeypot_error": "The request could not be sent. Please try again.",
        "rate": "Too many requests sent from your computer. Wait a minute, then try again.",
        "unavailable": ("Your request could not be saved right now. Try again in a few minutes "
                        f"or call CSOL at {CONTACT['phone']}."),
        "thanks_title": "Request sent",
        "thanks_ref": "Your reference number:",
        "next_title": "What happens next",
        "next_1": "Your request is forwarded to CSOL (Customer Support Operations Online).",
        "next_2": "Write down this reference number and quote it whenever you contact CSOL "
                  "about this request.",
        "another": "Send another request", "home": "Back to the home page",
    },
}
# The contact words are the pages' own ("Joindre CSOL"...), so both say the same thing.
WORDS = {lang: {**PAGE_STRINGS[lang], **words} for lang, words in STRINGS.items()}


def form_path(lang: str) -> str:
    """The form's URL in `lang`."""
    return "/request/" if lang == "fr" else "/en/request/"


_env = Environment(loader=PackageLoader("csohelp", "templates/request"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_fragment(template: str, lang: str, **context: Any) -> str:
    """One of templates/request/*.html, escaped, with the page's words."""
    types = [(k, REQUEST_TYPE_LABELS[k][lang]) for k in REQUEST_TYPE_LABELS]
    return _env.get_template(template).render(lang=lang, t=WORDS[lang], contact=CONTACT, max=MAX,
                                              request_types=types, action=form_path(lang), **context)
