"""WCAG 2.1 AA in the browser: axe-core on every page type, keyboard walks, focus, language, motion.

PAGE_TYPES is the one table of the site's page types. A feature's rows skip, with the reason, only
while the feature is absent from the server (its route answers 404, or its page is still the bare
shell that pages.py builds for the web app to fill); from then on they check it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from a11y_helpers import (
    BLOCKING,
    describe,
    focused,
    run_axe,
    tab_cycle,
    tab_until,
)
from conftest import OWNERS_TOKEN
from playwright.sync_api import Browser, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from csohelp.content import LANGS, load_corpus

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
LOCALE = {"fr": "fr-CA", "en": "en-CA"}
# The phone width stands for 200 % zoom of a 640-px window (WCAG 1.4.4 / 1.4.10 reflow).
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 320, "height": 640}}
HEADER_SEARCH = ("header input[type=search], header input[type=text], header [role=combobox], "
                 "header [role=searchbox]")
RESULT_OPTION = "[role=option], .md-search-result__item, [role=listbox] a"
SKIP_TEXT = {"fr": "Aller au contenu", "en": "Skip to content"}
SWITCHER_NAME = {"fr": "English", "en": "Français"}  # the other language, named in itself
SEARCH_NAME = {"fr": re.compile(r"recherch", re.I), "en": re.compile(r"search", re.I)}
QUERY = {"fr": "facture", "en": "invoice"}
REFERENCE = re.compile(r"CSOL-\d{4}-\d{6}")
REQUEST_FORM = ".md-content form:has([name=email])"


# --- setup functions: bring a page into the state a row checks -------------------------------

def header_search_box(page: Page):
    """The header search box, opened first where it hides behind a button (phone width)."""
    boxes = page.locator(HEADER_SEARCH)
    if boxes.count() and not boxes.first.is_visible():
        toggle = page.locator("header label[for=__search], header [aria-controls*=search]")
        if toggle.count():
            toggle.first.click()
    return boxes.first


def show_header_results(page: Page, lang: str) -> None:
    """Type a query in the header search box and wait for the results under it."""
    box = header_search_box(page)
    box.click()
    page.keyboard.type(QUERY[lang], delay=40)
    page.locator(RESULT_OPTION).first.wait_for(state="visible", timeout=5000)


def submit_empty_request(page: Page, lang: str) -> None:
    """Submit the request form untouched, so that every required field shows its error."""
    form = page.locator(REQUEST_FORM)
    form.locator("[type=submit]").first.click()
    errors = page.locator("[aria-invalid=true], [role=alert]")
    try:
        errors.first.wait_for(timeout=3000)
    except PlaywrightTimeoutError:  # the browser's own validation stopped it: ask the server instead
        page.locator(REQUEST_FORM).evaluate("f => { f.noValidate = true; }")
        page.locator(REQUEST_FORM).locator("[type=submit]").first.click()
        errors.first.wait_for(timeout=5000)


def expect_common_questions(page: Page, lang: str) -> None:
    """The no-result page offers the common questions and the categories (issue 11)."""
    page.locator(".csohelp-noresults").wait_for(timeout=3000)
    page.locator(".csohelp-popular a").first.wait_for(timeout=3000)


def open_agent_links(page: Page, lang: str) -> None:
    """The topic's short links unfolded, as agents see them with ?agent=1."""
    page.locator(".csohelp-copy__snippet").wait_for(state="visible", timeout=3000)


def submit_valid_request(page: Page, lang: str) -> None:
    """Fill the request form as a client would and submit it, up to the confirmation."""
    form = page.locator(REQUEST_FORM)
    texts = {
        "company": "Entreprise Exemple Ltée", "contact_name": "Marie Tremblay",
        "email": "marie.tremblay@example.com", "phone": "514 555-0199",
        "subject": "Facture reçue en double" if lang == "fr" else "Invoice received twice",
        "description": ("Nous avons reçu deux fois la même facture pour le mois de mars ; merci de vérifier."
                        if lang == "fr" else
                        "We received the same invoice twice for March; please check which one to pay."),
    }
    for name, value in texts.items():
        field = form.locator(f"[name={name}]")
        if field.count():
            field.first.fill(value)
    kind = form.locator("[name=request_type]")
    if kind.first.evaluate("e => e.tagName") == "SELECT":
        kind.first.select_option("billing")
    else:
        form.locator("[name=request_type][value=billing]").check()
    language = form.locator("[name=language]")
    if language.count():
        if language.first.evaluate("e => e.tagName") == "SELECT":
            language.first.select_option(lang)
        else:
            form.locator(f"[name=language][value={lang}]").check()
    form.locator("[name=business]").first.check()
    form.locator("[type=submit]").first.click()
    page.get_by_text(REFERENCE).first.wait_for(timeout=10000)


def submit_request_with_files(page: Page, lang: str) -> None:
    """The request form sent with a PDF and a PNG: the confirmation then lists them."""
    page.set_input_files("[name=attachments]", files=[
        {"name": "facture.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"},
        {"name": "capture.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(32)}])
    submit_valid_request(page, lang)
    page.get_by_text("facture.pdf").first.wait_for(timeout=5000)


def open_feedback_reason(page: Page, lang: str) -> None:
    """Answer "No" to "Was this article helpful?" so that the optional reason form shows (issue 12)."""
    page.locator(".csohelp-feedback__vote button[value=false]").click()
    page.locator("#csohelp-feedback-why").wait_for(state="visible", timeout=5000)


def sign_in_owners(page: Page, lang: str) -> None:
    """Sign in to the owners' page with the shared server's token, up to the report."""
    page.locator("input[name=token]").fill(OWNERS_TOKEN)
    page.locator("main form [type=submit]").click()
    page.locator("svg.csohelp-chart").first.wait_for(timeout=10000)


# --- the table -----------------------------------------------------------------------------

@dataclass(frozen=True)
class PageType:
    """One kind of page: where it is in each language and how to bring it into its state."""

    name: str
    fr: str
    en: str
    status: int = 200
    setup: Callable[[Page, str], None] | None = None

    def path(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


PAGE_TYPES = [
    PageType("home", "/", "/en/"),
    PageType("category", "/billing/", "/en/billing/"),
    PageType("topic", "/billing/invoice-dispute/", "/en/billing/invoice-dispute/"),
    PageType("not found", "/no-such-page/", "/en/no-such-page/", status=404),
    PageType("short link, unknown id", "/a/no-such-topic?lang=fr", "/a/no-such-topic?lang=en", status=404),
    PageType("search results", "/search/?q=facture", "/en/search/?q=invoice"),
    PageType("search, nothing found, common questions", "/search/?q=xqzwvk", "/en/search/?q=xqzwvk",
             setup=expect_common_questions),
    PageType("short link, near miss", "/a/invoice-disput?lang=fr", "/a/invoice-disput?lang=en", status=404),
    PageType("topic, agent view", "/billing/invoice-dispute/?agent=1", "/en/billing/invoice-dispute/?agent=1",
             setup=open_agent_links),
    PageType("header search results", "/", "/en/", setup=show_header_results),
    PageType("request form", "/request/", "/en/request/"),
    PageType("request form for a topic", "/request/?topic=invoice-dispute",
             "/en/request/?topic=invoice-dispute"),
    PageType("request form with errors", "/request/", "/en/request/", setup=submit_empty_request),
    PageType("request confirmation", "/request/", "/en/request/", setup=submit_valid_request),
    PageType("confirmation with attachments", "/request/", "/en/request/", setup=submit_request_with_files),
    PageType("topic, feedback reason form", "/billing/invoice-dispute/", "/en/billing/invoice-dispute/",
             setup=open_feedback_reason),
    PageType("owners sign-in", "/owners/", "/en/owners/", status=401),
    PageType("owners report", "/owners/", "/en/owners/", status=401, setup=sign_in_owners),
]


def open_page(browser: Browser, url: str, lang: str, **context_options: object) -> Page:
    """A fresh page (own cookies) with a browser that prefers `lang`, at desktop width."""
    context = browser.new_context(locale=LOCALE[lang], viewport=VIEWPORTS["desktop"], **context_options)
    page = context.new_page()
    page.goto(url)
    return page


def settle(page: Page) -> None:
    """Let a resize or a script finish its layout before measuring."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def language_problems(page: Page, lang: str) -> list[str]:
    """`lang` of the page, and of every link to a page in the other language (its text is in it)."""
    problems = []
    page_lang = page.evaluate("document.documentElement.lang")
    if page_lang != lang:
        problems.append(f"<html lang={page_lang!r}>, expected {lang!r}")
    for link in page.evaluate("""() => [...document.querySelectorAll('a[hreflang]')]
            .filter(a => a.textContent.trim())
            .map(a => ({href: a.getAttribute('href'), hreflang: a.getAttribute('hreflang'),
                        lang: (a.closest('[lang]') || document.documentElement).lang,
                        text: a.textContent.trim().slice(0, 40)}))"""):
        if link["lang"] != link["hreflang"]:
            problems.append(f"link {link['text']!r} to {link['href']} (hreflang={link['hreflang']}) "
                            f"is read as lang={link['lang']!r}")
    return problems


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("row", PAGE_TYPES, ids=[row.name.replace(" ", "-") for row in PAGE_TYPES])
def test_page_type_has_no_serious_violation(row: PageType, lang: str, browser, live_server, output_dir):
    """axe-core at desktop and phone widths; right `lang`; nothing cut off at 320 px; screenshots."""
    url = live_server.url + row.path(lang)
    page = open_page(browser, url, lang)
    try:
        status = page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus")
        assert status == row.status, f"{url} answered {status}, expected {row.status}"
        if row.setup:
            row.setup(page, lang)
        failures, report = language_problems(page, lang), []
        for width_name, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            settle(page)
            page.screenshot(path=output_dir / f"{width_name}.png", full_page=True)
            violations = run_axe(page)
            blocking = [v for v in violations if v["impact"] in BLOCKING]
            if violations:
                report.append(f"{row.name} [{lang}, {width_name}] {url}:\n{describe(violations)}")
            if blocking:
                failures.append(f"{width_name}: serious/critical axe violations:\n{describe(blocking)}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                failures.append(f"{width_name}: {overflow}px wider than the window (sideways scrolling)")
        print("\n".join(report) or f"{row.name} [{lang}]: no axe violation at either width")
        assert not failures, f"{row.name} [{lang}] {url}:\n" + "\n".join(failures)
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", ["/", "/billing/invoice-dispute/", "/no-such-page/", "/request/"])
def test_skip_link_is_first_translated_and_works(path: str, lang: str, browser, live_server):
    """The first Tab shows "skip to content" in the page's language; Enter jumps past the header."""
    url = live_server.url + ("/en" + path if lang == "en" else path)
    page = open_page(browser, url, lang)
    try:
        page.keyboard.press("Tab")
        first = focused(page)
        assert first is not None and "md-skip" in first["desc"], f"first Tab stop is {first}"
        assert page.evaluate("document.activeElement.textContent.trim()") == SKIP_TEXT[lang]
        assert first["visible"], f"the focused skip link cannot be seen: {first}"
        page.keyboard.press("Enter")
        target = first["href"]
        assert page.evaluate("location.hash") == target
        stop = tab_until(page, "e => true", limit=1)[-1]
        assert stop["inContent"], f"after the skip link, Tab went to {stop['desc']}, not the content"
    finally:
        page.context.close()


@pytest.mark.parametrize("width", list(VIEWPORTS))
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", ["/", "/billing/invoice-dispute/", "/no-such-page/", "/request/"])
def test_focus_is_visible_on_every_tab_stop(path: str, lang: str, width: str, browser, live_server):
    """Every Tab stop is on screen and drawn with an outline or ring."""
    url = live_server.url + ("/en" + path if lang == "en" else path)
    page = open_page(browser, url, lang)
    try:
        page.set_viewport_size(VIEWPORTS[width])
        settle(page)
        stops = tab_cycle(page)
        assert len(stops) >= 5, f"only {len(stops)} Tab stops on {url}"
        hidden = [s for s in stops if not s["visible"]]
        assert not hidden, "focus cannot be seen on:\n" + "\n".join(
            f"  {s['desc']} (indicator: {s['outline'] or s['ring']}, shown: {s['shown']}, "
            f"in view: {s['inView']})" for s in hidden)
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_reduced_motion_is_respected(lang: str, browser, live_server):
    """With prefers-reduced-motion, nothing on the page transitions, animates or scrolls smoothly."""
    longest = """() => {
      let worst = [0, ''];
      for (const el of document.querySelectorAll('*')) {
        for (const pseudo of [null, '::before', '::after']) {
          const s = getComputedStyle(el, pseudo);
          const t = Math.max(...(s.transitionDuration + ',' + s.animationDuration)
                                .split(',').map(parseFloat));
          if (t > worst[0]) worst = [t, el.tagName + '.' + el.className + (pseudo || '')];
        }
      }
      return {seconds: worst[0], where: worst[1],
              scroll: getComputedStyle(document.documentElement).scrollBehavior};
    }"""
    url = live_server.url + ("/en/billing/invoice-dispute/" if lang == "en" else "/billing/invoice-dispute/")
    normal = open_page(browser, url, lang)
    try:  # the measure must see Material's motion when nobody asks for less, or it proves nothing
        assert normal.evaluate(longest)["seconds"] > 0
    finally:
        normal.context.close()
    page = open_page(browser, url, lang, reduced_motion="reduce")
    try:
        motion = page.evaluate(longest)
        assert motion["seconds"] == 0, f"still moves with reduced motion: {motion}"
        assert motion["scroll"] == "auto"
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_switcher_and_search_boxes_are_named_in_the_page_language(lang: str, browser, live_server):
    """The language link (named in the other language, with its lang) and the 404 search box."""
    page = open_page(browser, live_server.url + ("/en/nope/" if lang == "en" else "/nope/"), lang)
    try:
        link = page.locator("header").get_by_role("link", name=SWITCHER_NAME[lang], exact=True)
        assert link.count() == 1 and link.get_attribute("lang") == ("fr" if lang == "en" else "en")
        assert page.locator(".md-content").get_by_role("searchbox", name=SEARCH_NAME[lang]).count() == 1
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_header_search_box_is_named_in_the_page_language(lang: str, browser, live_server):
    """The header search box (issue 3) has an accessible name in the page's language."""
    page = open_page(browser, live_server.url + ("/en/" if lang == "en" else "/"), lang)
    try:
        box = page.locator(HEADER_SEARCH).first
        name = box.evaluate("""e => e.getAttribute('aria-label')
            || (e.getAttribute('aria-labelledby') || '').split(' ')
                 .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim()
            || [...(e.labels || [])].map(l => l.textContent).join(' ').trim()""")
        assert SEARCH_NAME[lang].search(name or ""), f"header search box is named {name!r}"
    finally:
        page.context.close()


def topic_urls(lang: str) -> set[str]:
    """The path of every topic page in `lang`."""
    return {topic.url(lang) for topic in load_corpus(REPO / "faq").topics}


@pytest.mark.parametrize("lang", LANGS)
def test_keyboard_walk_search_to_topic(lang: str, browser, live_server):
    """Home -> Tab to the header search box, type, arrow down, Enter -> a topic page."""
    page = open_page(browser, live_server.url + ("/en/" if lang == "en" else "/"), lang)
    try:
        stops = tab_until(page, f"e => e.matches({HEADER_SEARCH!r})")
        page.keyboard.type(QUERY[lang], delay=40)
        page.locator(RESULT_OPTION).first.wait_for(state="visible", timeout=5000)
        # Suggestions for the whole word, not for a prefix typed on a slow machine (the last option,
        # "All results for …", names the query the list answers).
        page.wait_for_function("""q => {
            const all = document.querySelector('header .csohelp-search__option--all');
            return all && all.textContent.includes(q)
                && document.querySelectorAll('header [role=option]').length > 1; }""",
                               arg=QUERY[lang], timeout=5000)
        page.keyboard.press("ArrowDown")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        path = page.evaluate("location.pathname")
        assert path in topic_urls(lang), f"Enter on the first result opened {path}, not a topic"
        assert all(s["visible"] for s in stops), [s["desc"] for s in stops if not s["visible"]]
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_keyboard_walk_home_to_request_form(lang: str, browser, live_server):
    """Home -> a most-asked topic -> its "send CSOL a request" link -> every control of the form."""
    page = open_page(browser, live_server.url + ("/en/" if lang == "en" else "/"), lang)
    topics = topic_urls(lang)
    try:
        stops = tab_until(page, f"e => e.closest('.md-content') && e.matches('a[href]') "
                                f"&& {json.dumps(sorted(topics))}.includes(e.pathname)")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.evaluate("location.pathname") in topics
        stops += tab_until(page, "e => e.matches('.md-content a[href*=\"request/\"]')")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.evaluate("location.pathname") == ("/en/request/" if lang == "en" else "/request/")
        invisible = [s["desc"] for s in stops if not s["visible"]]
        assert not invisible, f"focus not visible on: {invisible}"
        form = page.locator(REQUEST_FORM)
        if form.count():  # issue 4: every control of the form is a Tab stop, in order
            controls = form.evaluate("""f => [...f.elements].filter(e => !e.disabled && e.type !== 'hidden'
                && getComputedStyle(e).display !== 'none' && e.getClientRects().length
                && e.tabIndex >= 0).length""")
            reached = tab_cycle(page)
            in_form = [s for s in reached if s["inContent"]]
            assert len(in_form) >= controls, f"{controls} form controls, {len(in_form)} reached by Tab"
            assert all(s["visible"] for s in in_form), [s["desc"] for s in in_form if not s["visible"]]
    finally:
        page.context.close()
