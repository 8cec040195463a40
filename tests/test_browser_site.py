"""In a real browser: the `/` negotiation, the language switcher, and screenshots of the homes."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def switch_language(page, lang: str) -> None:
    """Open Material's language menu and pick `lang`, as a reader would."""
    page.locator(".md-header .md-select").first.hover()
    page.locator(f'.md-header a.md-select__link[hreflang="{lang}"]').first.click()
    page.wait_for_load_state()


def test_english_browser_lands_on_english_home_and_french_choice_sticks(
    browser, live_server, output_dir: Path
) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.url == live_server.url + "/en/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text() == "CSO Canada Help Center"
    page.screenshot(path=str(output_dir / "home-en.png"), full_page=True)

    switch_language(page, "fr")
    assert page.url == live_server.url + "/"
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").first.inner_text() == "Centre d'aide CSO Canada"
    page.screenshot(path=str(output_dir / "home-fr.png"), full_page=True)

    # It stays French: a topic, then the home again, then a fresh visit to `/`.
    page.locator("main a", has_text="Vérifier l'état d'une commande").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    page.goto(live_server.url + "/")
    assert page.url == live_server.url + "/"
    assert page.locator("html").get_attribute("lang") == "fr"
    context.close()


def test_switcher_opens_the_same_topic_in_the_other_language(browser, live_server) -> None:
    context = browser.new_context(locale="fr-CA")
    page = context.new_page()
    page.goto(live_server.url + "/billing/invoice-dispute/")
    assert page.locator("h1").first.inner_text() == "Contester une facture"
    assert page.locator("nav.csohelp-breadcrumb").inner_text().startswith("Accueil")
    assert "Joindre CSOL" in page.locator("main").inner_text()
    switch_language(page, "en")
    assert page.url == live_server.url + "/en/billing/invoice-dispute/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text() == "Dispute an invoice"
    assert "Contact CSOL" in page.locator("main").inner_text()
    context.close()


@pytest.mark.parametrize("lang, path, name", [
    ("fr", "/", "Menu de navigation"), ("en", "/en/", "Navigation menu")])
def test_phone_menu_opens_with_the_keyboard(browser, live_server, lang, path, name) -> None:
    """Material's drawer button is a label the Tab key skips; ours is a real, named button."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale=f"{lang}-CA")
    page = context.new_page()
    page.goto(live_server.url + path)
    button = page.get_by_role("button", name=name)
    assert button.is_visible()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('csohelp-drawer-button')"):
            break
    else:
        pytest.fail("Tab never reached the menu button")
    assert button.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert page.evaluate("document.getElementById('__drawer').checked")
    assert button.get_attribute("aria-expanded") == "true"
    category = page.locator(".md-sidebar--primary a.md-nav__link").nth(1)
    category.wait_for(state="visible")
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('__drawer').checked")
    context.close()


def test_desktop_has_no_menu_button(browser, live_server) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert not page.locator(".csohelp-drawer-button").is_visible()
    context.close()
