"""Votes in a real browser: with JavaScript (no reload), without it (plain forms), and changed."""

from __future__ import annotations

import re
import sqlite3
import time

import pytest
from conftest import LiveServer

from csohelp.web.settings import Settings

pytestmark = pytest.mark.browser
TOPIC_FR = "/billing/invoice-dispute/"
TOPIC_EN = "/en/billing/invoice-dispute/"


@pytest.fixture(scope="module")
def vote_server(built_project, tmp_path_factory):
    db = tmp_path_factory.mktemp("votes-db") / "requests.db"
    settings = Settings.from_env(root=built_project, db_url=f"sqlite:///{db}", rate_limit=0,
                                 smtp_host=None, smtp_to=None)
    with LiveServer(settings) as live:
        yield live


def votes(server: LiveServer) -> list[tuple]:
    db = sqlite3.connect(server.settings.db_url[len("sqlite:///"):])
    try:
        return db.execute("SELECT vote_id, topic, lang, helpful, reason, comment FROM feedback_votes "
                          "ORDER BY vote_id").fetchall()
    finally:
        db.close()


def test_with_javascript_a_no_asks_why_without_a_reload_and_a_yes_changes_it(
        browser, vote_server, output_dir):
    context = browser.new_context(locale="en-CA")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    # Material's switcher fetches sitemap.xml at the configured site_url: not ours to judge here.
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "sitemap.xml" not in m.text else None)
    try:
        page.goto(vote_server.url + TOPIC_EN)
        page.evaluate("window.__sameDocument = true")  # gone if the page reloads
        box = page.locator(".csohelp-feedback")
        assert box.get_by_text("Was this article helpful?").is_visible()
        assert not page.locator("#csohelp-feedback-why").is_visible()
        box.get_by_role("button", name="No", exact=True).click()
        page.locator("#csohelp-feedback-why").wait_for(state="visible", timeout=5000)
        assert page.evaluate("document.activeElement.name") == "reason"
        page.get_by_label("Information is missing").check()
        page.get_by_label(re.compile("Tell us more")).fill("The deadline is not given.")
        page.locator("#csohelp-feedback-why").get_by_role("button", name="Send").click()
        page.locator("#csohelp-feedback-thanks").wait_for(state="visible", timeout=5000)
        page.screenshot(path=output_dir / "voted-no.png", full_page=True)
        assert page.evaluate("window.__sameDocument") is True
        assert page.evaluate("location.pathname") == TOPIC_EN
        rows = votes(vote_server)
        assert [(r[1], r[2], r[3], r[4], r[5]) for r in rows] == [
            ("invoice-dispute", "en", 0, "incomplete", "The deadline is not given.")]
        # The same browser changes its mind: still one vote, now "Yes".
        box.get_by_role("button", name="Yes", exact=True).click()
        page.wait_for_function("document.querySelector('.csohelp-feedback').classList"
                               ".contains('csohelp-feedback--thanks')")
        page.wait_for_timeout(200)
        after = votes(vote_server)
        assert len(after) == 1 and after[0][0] == rows[0][0] and after[0][3] == 1 and after[0][4] is None
        cookie = [c for c in context.cookies() if c["name"] == "csohelp_vote"]
        assert cookie and cookie[0]["httpOnly"] and cookie[0]["sameSite"] == "Strict"
        assert not problems, problems
    finally:
        context.close()


def test_without_javascript_the_plain_forms_vote_and_come_back_to_the_topic(browser, vote_server, output_dir):
    before = {r[0] for r in votes(vote_server)}
    context = browser.new_context(locale="fr-CA", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(vote_server.url + TOPIC_FR)
        assert not page.locator("#csohelp-feedback-why").is_visible()
        page.locator(".csohelp-feedback").get_by_role("button", name="Non", exact=True).click()
        page.wait_for_url(re.compile(r"#csohelp-feedback-why$"))
        assert page.url.endswith(TOPIC_FR + "#csohelp-feedback-why")
        why = page.locator("#csohelp-feedback-why")
        assert why.is_visible()
        page.get_by_label("Ce n’est pas clair").check()
        why.get_by_role("button", name="Envoyer").click()
        page.wait_for_url(re.compile(r"#csohelp-feedback-thanks$"))
        assert page.locator("#csohelp-feedback-thanks").is_visible()
        assert "Merci de votre avis" in page.locator("#csohelp-feedback-thanks").inner_text()
        page.screenshot(path=output_dir / "no-js-thanks.png", full_page=True)
        mine = [r for r in votes(vote_server) if r[0] not in before]
        assert [(r[1], r[2], r[3], r[4]) for r in mine] == [("invoice-dispute", "fr", 0, "unclear")]
        # Changed without JavaScript too: "Oui" replaces the "Non".
        page.locator(".csohelp-feedback").get_by_role("button", name="Oui", exact=True).click()
        page.wait_for_url(re.compile(r"#csohelp-feedback-thanks$"))
        mine = [r for r in votes(vote_server) if r[0] not in before]
        assert [(r[1], r[3], r[4]) for r in mine] == [("invoice-dispute", 1, None)]
    finally:
        context.close()


def test_popular_topics_follow_real_views_on_the_home_and_404_pages(browser, vote_server):
    app = vote_server.server.config.app
    for _ in range(60):
        app.state.owners.recorder.viewed("contact-csol", "en")
    app.state.owners.recorder.flush()
    title = app.state.catalogue.get("contact-csol")["en"]["title"]
    context = browser.new_context(locale="en-CA")
    page = context.new_page()
    try:
        page.goto(vote_server.url + "/en/")
        # The home page's common questions: the build's list, replaced from /api/popular by script.
        first = page.locator("[data-csohelp-popular] ul li a").first
        page.wait_for_function("t => document.querySelector('[data-csohelp-popular] ul a')"
                               ".textContent === t", arg=title, timeout=5000)
        assert first.get_attribute("href") == "/en/about/contact-csol/"
        # The 404 page: filled by the server, no script needed.
        page.goto(vote_server.url + "/en/no-such-page/")
        box = page.locator(".csohelp-popular")
        box.wait_for(state="visible", timeout=5000)
        assert box.get_by_role("heading", name="Common questions").is_visible()
        assert box.locator("li a").first.inner_text() == title
    finally:
        context.close()


def opens(server: LiveServer) -> list[tuple]:
    db = sqlite3.connect(server.settings.db_url[len("sqlite:///"):])
    try:
        return db.execute("SELECT lang, query, pos, topic FROM analytics_opens ORDER BY id").fetchall()
    finally:
        db.close()


def last_open(server: LiveServer, count: int) -> tuple:
    """The newest opened result once `count` are stored (a beacon may land after the next page)."""
    recorder = server.server.config.app.state.owners.recorder
    deadline = time.monotonic() + 5
    while True:
        recorder.flush()
        rows = opens(server)
        if len(rows) >= count or time.monotonic() > deadline:
            return rows[-1] if rows else ()
        time.sleep(0.05)


def test_opening_a_result_from_the_page_and_the_type_ahead_is_recorded(browser, vote_server):
    before = len(opens(vote_server))
    context = browser.new_context(locale="en-CA")
    page = context.new_page()
    try:
        page.goto(vote_server.url + "/en/search/?q=invoice")
        second = page.locator(".csohelp-results > li").nth(1).locator("a").first
        href = second.get_attribute("href")
        second.click()
        page.wait_for_url("**" + href)
        assert last_open(vote_server, before + 1) == ("en", "invoice", 2, href.strip("/").split("/")[-1])

        page.goto(vote_server.url + "/en/")
        box = page.locator(".csohelp-search__input").first
        box.click()
        page.keyboard.type("order", delay=30)
        page.locator(".csohelp-search__list [role=option]").first.wait_for(state="visible", timeout=5000)
        page.keyboard.press("ArrowDown")
        target = page.locator(".csohelp-search__option--active").get_attribute("data-href")
        page.keyboard.press("Enter")
        page.wait_for_url("**" + target)
        assert last_open(vote_server, before + 2) == ("en", "order", 1, target.strip("/").split("/")[-1])
    finally:
        context.close()
