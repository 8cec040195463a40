"""The request form in a real browser: an error, fixed, sent, and the reference shown; files
accepted and refused at desktop and phone widths in both languages, the receipt delivered."""

from __future__ import annotations

import email
import email.policy
import re
import time

import pytest
from conftest import LiveServer, free_port
from test_requests_forward import SmtpServer

from csohelp.web.settings import Settings

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))
EXE = b"MZ\x90\x00\x03\x00\x00\x00 not a PDF at all"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
WORDS = {
    "fr": {"path": "/request/", "disputed": "Numéro de la facture contestée",
           "summary": "Ce que vous avez envoyé",
           "refused": "Ce fichier n'est pas un PDF, un PNG ou un JPEG\u00a0: facture.pdf.",
           "receipt": "Centre d'aide CSO Canada\u00a0: votre demande "},
    "en": {"path": "/en/request/", "disputed": "Number of the disputed invoice", "summary": "What you sent",
           "refused": "This file is not a PDF, PNG or JPEG: facture.pdf.",
           "receipt": "CSO Canada Help Centre: your request "},
}


@pytest.fixture(scope="module")
def smtp_port():
    return free_port()


@pytest.fixture(scope="module")
def inbox(smtp_port):
    with SmtpServer(smtp_port) as received:
        yield received


@pytest.fixture(scope="module")
def form_server(built_project, tmp_path_factory, inbox, smtp_port):
    tmp = tmp_path_factory.mktemp("browser-db")
    settings = Settings.from_env(root=built_project, db_url=f"sqlite:///{tmp / 'requests.db'}", rate_limit=0,
                                 var_dir=tmp / "var", smtp_host="127.0.0.1", smtp_port=smtp_port,
                                 smtp_to="csol-intake@example.ca", smtp_from="aide@cso.example.ca",
                                 forward_interval=0.2)
    with LiveServer(settings) as live:
        yield live


def order_of_fields(page) -> list[str]:
    return page.eval_on_selector_all("#req-form [data-field]", "els => els.map(e => e.dataset.field)")


def fill_contact(page, lang: str) -> None:
    page.fill("#req-subject", "Facture 42 contestée" if lang == "fr" else "Invoice 42 disputed")
    page.fill("#req-description", "Le montant est faux." if lang == "fr" else "The amount is wrong.")
    page.fill("#req-company", "Acme Ltée")
    page.fill("#req-contact_name", "Jo Tremblay")
    page.fill("#req-email", f"jo.{lang}@acme.ca")
    page.check("#req-business")


def test_fill_with_an_error_fix_it_submit_and_see_the_reference(browser, form_server, output_dir):
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{form_server.url}/en/request/?topic=invoice-dispute")
    assert page.locator("#req-request_type").input_value() == "invoice-dispute"
    assert page.locator(".csohelp-topic a").get_attribute("href") == "/en/billing/invoice-dispute/"

    page.fill("#req-subject", "Wrong amount on my invoice")
    # The search API is part of every build (and of CI): no suggestions is a regression.
    page.locator("#req-suggest li a").first.wait_for(timeout=5000)
    links = page.locator("#req-suggest li a")
    assert 1 <= links.count() <= 3
    assert page.locator("#req-suggest h2").inner_text() == "These may answer your question"
    assert all(href.startswith("/en/") for href in
               page.eval_on_selector_all("#req-suggest li a", "els => els.map(e => e.getAttribute('href'))"))
    page.fill("#req-description", "Invoice 42 came twice; please cancel one.")
    page.fill("#req-company", "Acme <b>Ltd</b>")
    page.fill("#req-contact_name", "Jo Tremblay")
    page.fill("#req-email", "jo@acme")  # the error
    page.fill("#req-phone", "(613) 555-0123 ext. 45")
    page.fill("#req-references-invoice", "INV-42")
    # Keyboard only: tick the statement with Space and send with Enter.
    page.focus("#req-business")
    page.keyboard.press("Space")
    page.focus("#req-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#req-errors")
    page.screenshot(path=str(output_dir / "error.png"), full_page=True)

    assert page.evaluate("document.activeElement.id") == "req-errors"
    assert page.locator("#req-errors a").all_inner_texts() == [
        "Email: Enter a valid email address, for example name@company.ca."]
    assert page.get_attribute("#req-email", "aria-invalid") == "true"
    assert "req-email-error" in page.get_attribute("#req-email", "aria-describedby")
    assert page.input_value("#req-company") == "Acme <b>Ltd</b>"
    assert page.input_value("#req-phone") == "(613) 555-0123 ext. 45"
    assert page.is_checked("#req-business")

    page.click("#req-errors a")  # the summary link takes the focus to the field
    assert page.evaluate("document.activeElement.id") == "req-email"
    page.fill("#req-email", "jo@acme.ca")
    page.click("#req-form button[type=submit]")
    page.wait_for_selector("#req-reference")
    page.screenshot(path=str(output_dir / "confirmation.png"), full_page=True)
    reference = page.inner_text("#req-reference")
    assert re.fullmatch(r"CSOL-\d{4}-\d{6}", reference)
    assert page.title().startswith("Request recorded")
    assert "1-866-880-CSOL (1-866-880-2765)" in page.inner_text("article")
    # Allowed: the form's own 422 (an error page is the point), and Material's language switcher
    # reaching for the sitemap at site_url (127.0.0.1:8000), another origin than this test server.
    unexpected = [p for p in problems if "status of 422" not in p
                  and not ("'http://127.0.0.1:8000/" in p and "sitemap.xml" in p)]
    assert unexpected == []  # no script error, no Content-Security-Policy violation
    page.close()


def test_the_french_form_works_without_javascript(browser, form_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{form_server.url}/request/")
    page.select_option("#req-request_type", "order-status")
    answers = {"#req-subject": "État de la commande 7", "#req-description": "Où en est-elle ?",
               "#req-company": "Acme", "#req-contact_name": "Jo", "#req-email": "jo@acme.ca"}
    for field, value in answers.items():
        page.fill(field, value)
    page.check("#req-business")
    page.click("#req-form button[type=submit]")
    page.wait_for_selector("#req-reference")
    assert "Référence du centre d'aide" in page.inner_text("article")
    context.close()


@pytest.mark.parametrize("width", list(VIEWPORTS))
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_files_refused_then_accepted_and_the_receipt_delivered(browser, form_server, inbox, output_dir,
                                                              lang, width):
    w = WORDS[lang]
    context = browser.new_context(viewport=VIEWPORTS[width])
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{form_server.url}{w['path']}?topic=invoice-dispute")
    # The invoice number comes first for a dispute, named for it; the contract number for contracts.
    order = order_of_fields(page)
    assert order[:3] == ["request_type", "references.invoice", "subject"] and "contract_number" in order
    assert page.inner_text("label[for=req-references-invoice]").startswith(w["disputed"])
    page.select_option("#req-request_type", "contracts")
    assert order_of_fields(page)[:3] == ["request_type", "contract_number", "subject"]
    assert not page.inner_text("label[for=req-references-invoice]").startswith(w["disputed"])
    page.select_option("#req-request_type", "invoice-dispute")
    assert order_of_fields(page)[:2] == ["request_type", "references.invoice"]
    page.fill("#req-references-invoice", "INV-42")
    page.fill("#req-contract_number", "CT-2001-7")
    fill_contact(page, lang)

    # Refused: an executable named facture.pdf (its bytes, not its name, decide).
    page.set_input_files("#req-attachments", files=[
        {"name": "facture.pdf", "mimeType": "application/pdf", "buffer": EXE},
        {"name": "photo.png", "mimeType": "image/png", "buffer": PNG}])
    page.locator("#req-attachments-error").wait_for(state="visible", timeout=5000)
    page.click("#req-form button[type=submit]")
    page.screenshot(path=str(output_dir / f"refused-{lang}-{width}.png"), full_page=True)
    assert w["refused"] in page.inner_text("#req-attachments-error")
    assert page.evaluate("document.activeElement.id") == "req-attachments"
    assert page.get_attribute("#req-attachments", "aria-invalid") == "true"
    assert page.input_value("#req-references-invoice") == "INV-42"  # nothing sent, nothing lost
    border = page.eval_on_selector("#req-attachments", "e => getComputedStyle(e).borderTopColor")
    assert border == "rgb(165, 14, 14)"

    # Accepted: a real PDF and a PNG.
    page.set_input_files("#req-attachments", files=[
        {"name": "facture.pdf", "mimeType": "application/pdf", "buffer": PDF},
        {"name": "photo.png", "mimeType": "image/png", "buffer": PNG}])
    page.locator("#req-attachments-error").wait_for(state="hidden", timeout=5000)
    page.click("#req-form button[type=submit]")
    page.wait_for_selector("#req-reference")
    page.screenshot(path=str(output_dir / f"confirmation-{lang}-{width}.png"), full_page=True)
    reference = page.inner_text("#req-reference")
    assert re.fullmatch(r"CSOL-\d{4}-\d{6}", reference)
    summary = page.inner_text("#req-summary")
    assert w["summary"] in page.inner_text("article")
    for value in ("facture.pdf", "photo.png", "INV-42", "CT-2001-7", "Acme Ltée", f"jo.{lang}@acme.ca"):
        assert value in summary
    # The reference is on one line, inside the screen, at any width.
    lines = page.evaluate("""() => { const r = document.createRange();
        r.selectNodeContents(document.getElementById('req-reference'));
        return [...r.getClientRects()].map(b => [Math.round(b.top), Math.round(b.right)]); }""")
    assert len({top for top, _ in lines}) == 1
    assert max(right for _, right in lines) <= VIEWPORTS[width]["width"]
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert problems == []
    context.close()

    # The receipt reaches the requester in the page's language, after CSOL's copy with the files.
    def mine() -> list:
        return [email.message_from_bytes(m.as_bytes(), policy=email.policy.default)
                for m in list(inbox.messages) if reference in (m["Subject"] or "")]

    deadline = time.monotonic() + 10
    while len(mine()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    to_csol, receipt = mine()
    assert [p.get_filename() for p in to_csol.iter_attachments()] == ["facture.pdf", "photo.png"]
    assert receipt["Subject"] == w["receipt"] + reference and receipt["To"] == f"jo.{lang}@acme.ca"


def test_a_refused_file_without_javascript_keeps_every_value(browser, form_server, output_dir):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS["phone"])
    page = context.new_page()
    page.goto(f"{form_server.url}/request/?topic=invoice-dispute")
    assert order_of_fields(page)[:2] == ["request_type", "references.invoice"]
    fill_contact(page, "fr")
    page.fill("#req-references-invoice", "INV-9")
    page.set_input_files("#req-attachments", files=[
        {"name": "facture.pdf", "mimeType": "application/pdf", "buffer": EXE},
        {"name": "photo.png", "mimeType": "image/png", "buffer": PNG}])
    page.click("#req-form button[type=submit]")
    page.wait_for_selector("#req-errors")
    page.screenshot(path=str(output_dir / "refused-nojs-fr-phone.png"), full_page=True)
    assert page.title().startswith("Erreur\u00a0: ")
    assert page.locator("#req-errors a").all_inner_texts() == [
        "Fichiers\u00a0: " + WORDS["fr"]["refused"]]
    assert page.input_value("#req-references-invoice") == "INV-9" and page.is_checked("#req-business")
    assert page.is_checked("#req-kept-1") and "photo.png" in page.inner_text("label[for=req-kept-1]")
    page.click("#req-form button[type=submit]")  # the good file was kept: send without choosing it again
    page.wait_for_selector("#req-reference")
    assert "photo.png" in page.inner_text("#req-summary")
    context.close()


def test_typed_values_follow_the_client_to_the_other_language(browser, form_server):
    """What `front`'s language link relies on: the draft in sessionStorage, the topic in the URL."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{form_server.url}/request/?topic=invoice-dispute")
    page.fill("#req-subject", "Facture 42")
    page.fill("#req-company", "Acme Ltée")
    page.fill("#req-references-invoice", "INV-42")
    page.goto(f"{form_server.url}/en/request/?topic=invoice-dispute")
    assert page.input_value("#req-subject") == "Facture 42"
    assert page.input_value("#req-company") == "Acme Ltée"
    assert page.input_value("#req-references-invoice") == "INV-42"
    assert page.input_value("#req-language") == "en"  # the server's choice for this page wins
    context.close()


def test_every_field_in_error_has_the_red_border_and_the_summary_follows_the_page(browser, form_server,
                                                                                   output_dir):
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.goto(f"{form_server.url}/en/request/?topic=invoice-dispute")
    page.fill("#req-references-invoice", "x" * 0)
    page.fill("#req-email", "nope")
    page.fill("#req-references-order", "x")
    page.evaluate("document.getElementById('req-references-order').removeAttribute('maxlength')")
    page.fill("#req-references-order", "x" * 101)
    page.click("#req-form button[type=submit]")
    page.wait_for_selector("#req-errors")
    page.screenshot(path=str(output_dir / "errors-en-desktop.png"), full_page=True)
    assert page.title().startswith("Error: Send")
    links = page.eval_on_selector_all("#req-errors a", "els => els.map(e => e.getAttribute('href'))")
    fields = page.eval_on_selector_all("#req-form [aria-invalid=true]", "els => els.map(e => '#' + e.id)")
    assert links == fields  # the summary reads in the order of the page
    texts = page.locator("#req-errors a").all_inner_texts()
    assert texts[-1] == ("Business or business partner: "
                         "This form is for businesses and IBM business partners only.")
    assert not [t for t in texts if ".:" in t]
    colours = page.eval_on_selector_all("#req-form [aria-invalid=true]:not([type=checkbox])",
                                        "els => els.map(e => getComputedStyle(e).borderTopColor)")
    assert set(colours) == {"rgb(165, 14, 14)"} and len(colours) >= 6
    context.close()
