"""The header search box and the results page in a real browser (Debian chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.browser


def test_typing_in_header_shows_results_and_arrows_enter_open_topic(
        browser: Browser, live_server, output_dir: Path) -> None:
    page = browser.new_page()
    page.goto(live_server.url + "/en/")
    box = page.get_by_role("combobox", name="Search the Help Centre")
    expect(box).to_be_visible()
    box.press_sequentially("serial numb", delay=30)
    options = page.get_by_role("option")
    expect(options.first).to_contain_text("serial number")
    page.screenshot(path=str(output_dir / "header-suggestions.png"))
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    page.wait_for_url("**/en/inventory/serial-lookup/")
    page.close()


@pytest.mark.parametrize("path, label, typed, title", [
    ("/en/", "Search the Help Centre", "oder staus", "Check the status of an order"),
    ("/billing/", "Rechercher dans le centre d'aide", "livraisson", "Planifier et coordonner une livraison"),
])
def test_type_ahead_forgives_a_misspelled_query(browser: Browser, live_server, path: str, label: str,
                                                typed: str, title: str) -> None:
    page = browser.new_page()
    page.goto(live_server.url + path)
    box = page.get_by_role("combobox", name=label)
    box.press_sequentially(typed, delay=20)
    expect(page.get_by_role("option").first).to_contain_text(title)
    page.close()


def test_header_enter_without_choice_opens_results_page_and_escape_closes(
        browser: Browser, live_server) -> None:
    page = browser.new_page()
    page.goto(live_server.url + "/billing/")
    box = page.get_by_role("combobox", name="Rechercher dans le centre d'aide")
    box.fill("facture")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("Enter")
    page.wait_for_url("**/search/?q=facture")
    expect(page.locator(".csohelp-result").first).to_be_visible()
    page.close()


def test_results_page_works_without_javascript(browser: Browser, live_server, output_dir: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/en/search/")
    form = page.get_by_role("search", name="Refine the search")
    form.get_by_label("Search the Help Centre").fill("paymnet")
    form.get_by_role("button", name="Search").click()
    page.wait_for_url("**/en/search/?q=paymnet*")
    expect(page.get_by_text("Showing results for")).to_be_visible()
    instead = page.get_by_role("link", name="paymnet")
    expect(instead).to_have_attribute("href", "/en/search/?q=paymnet&exact=1")
    first = page.locator(".csohelp-result__title a").first
    expect(first).to_have_text("Payment methods and terms")
    expect(page.locator(".csohelp-result mark").first).to_be_visible()
    page.select_option("#csohelp-search-category", "accounts")
    page.locator(".csohelp-search-form button").click()
    page.wait_for_url("**category=accounts*")
    expect(page.locator(".csohelp-result__meta").first).to_contain_text("Your client account")
    page.screenshot(path=str(output_dir / "results-no-js.png"), full_page=True)
    first = page.locator(".csohelp-result__title a").first
    first.click()
    page.wait_for_url("**/en/accounts/**")
    context.close()
