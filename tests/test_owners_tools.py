"""Tools for content owners: `csohelp check` warnings, `csohelp report`, `csohelp serve --watch`."""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
import uvicorn
from conftest import REPO, free_port

from csohelp.cli import main
from csohelp.content import load_corpus
from csohelp.db import open_store
from csohelp.owners.checks import content_warnings, url_problem
from csohelp.owners.store import Analytics, Event, Vote
from csohelp.owners.watch import BuildState, WatchMode, rebuild, watch_and_rebuild
from csohelp.web import create_app
from csohelp.web.settings import Settings


def copy_faq(tmp_path: Path) -> Path:
    faq = tmp_path / "faq"
    shutil.copytree(REPO / "faq", faq)
    return faq


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


# --- csohelp check ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "problem"), [
    ("http://www.ibm.com/support/operations", None), ("https://ibm.com/a?b=c", None),
    ("mailto:csol@example.com", None),
    ("http:/www.ibm.com", "two slashes"), ("htp://www.ibm.com", "unknown scheme"),
    ("https://www.ibm.com:80a/", "does not parse"), ("http://[::1/", "does not parse"),
    ("https://ibm", "not a host name"), ("https://ibm..com/", "not a host name"),
    ("www.ibm.com/support", "no scheme"),
])
def test_external_links_that_do_not_parse(url: str, problem: str | None):
    found = url_problem(url)
    assert (found is None) if problem is None else (problem in found)


def test_check_warns_about_links_twin_titles_and_old_reviews_with_file_line_field(tmp_path, capsys):
    faq = copy_faq(tmp_path)
    dispute = faq / "billing" / "invoice-dispute.yaml"
    reviewed = re.search(r"^reviewed: \S+$", dispute.read_text("utf-8"), re.M).group(0)
    edit(dispute, reviewed, "reviewed: 2025-01-15")
    twin = load_corpus(faq).by_id["billing-options"].text("fr").title
    own = load_corpus(faq).by_id["invoice-dispute"].text("fr").title
    edit(dispute, f"  title: {json.dumps(own, ensure_ascii=False)}", f"  title: {json.dumps(twin.upper())}")
    body_line = dispute.read_text("utf-8").splitlines().index("  body: |") + 2
    edit(dispute, "  body: |\n", "  body: |\n    Voir htp://www.ibm.com/support/operations pour la suite.\n")

    warnings = [str(w) for w in content_warnings(load_corpus(faq), faq, today=date(2026, 11, 28))]
    name = "billing/invoice-dispute.yaml"
    assert any(name in w and ":4: reviewed: last reviewed 682 days ago" in w for w in warnings), warnings
    link = f":{body_line}: fr.body: external link 'htp://www.ibm.com/support/operations'"
    assert any(name in w and link in w for w in warnings), warnings
    twins = [w for w in warnings if "fr.title: the same fr title" in w]
    assert len(twins) == 2 and all("billing-options, invoice-dispute" in w for w in twins)
    assert len(warnings) == 4

    assert main(["check", str(faq)]) == 0  # warnings never fail the check
    out = capsys.readouterr().out
    assert "all valid" in out and out.count("warning: ") >= 3


def test_the_age_of_a_review_is_configurable(tmp_path, capsys):
    faq = copy_faq(tmp_path)
    assert main(["check", str(faq), "--reviewed-age", "100000"]) == 0
    assert "warning" not in capsys.readouterr().out
    assert main(["check", str(faq), "--reviewed-age", "0"]) == 0
    older = sum(t.reviewed < date.today() for t in load_corpus(faq).topics)
    assert capsys.readouterr().out.count("last reviewed") == older


# --- csohelp report --------------------------------------------------------------------------------

def test_the_report_command_prints_each_format(tmp_path, monkeypatch, capsys):
    db = tmp_path / "var" / "requests.db"
    monkeypatch.setenv("CSOHELP_DB", str(db))
    analytics = Analytics(open_store(f"sqlite:///{db}"), owned=True)
    today = date.today().isoformat()
    analytics.record([Event("search", f"{today}T10", "fr", "facture", 2, source="page")] * 3
                     + [Event("search", f"{today}T10", "en", "xqzwvk", 0, source="api")])
    analytics.vote(Vote("v1", "invoice-dispute", "en", False, "unclear", None, today))
    analytics.close()
    shutil.copytree(REPO / "faq", tmp_path / "faq")

    assert main(["report", "--root", str(tmp_path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["totals"]["searches"] == 4 and report["totals"]["votes_no"] == 1
    assert report["no_result_queries"][0]["query"] == "xqzwvk"
    assert main(["report", "--root", str(tmp_path), "--lang", "en", "--since", "7d"]) == 0
    text = capsys.readouterr().out
    assert "1 searches (1 with no confident result" in text and "invoice-dispute" in text
    assert main(["report", "--root", str(tmp_path), "--format", "csv"]) == 0
    assert "top_queries,facture,fr,searches,3" in capsys.readouterr().out
    assert main(["report", "--root", str(tmp_path), "--since", "soon"]) == 1
    assert "--since 'soon'" in capsys.readouterr().err
    assert main(["analytics", "prune", "--root", str(tmp_path), "--days", "0"]) == 0
    assert "0 searches" in capsys.readouterr().out  # today's events are younger than 0 full days


# --- csohelp serve --watch --------------------------------------------------------------------------

def test_watch_mode_shows_the_error_in_the_page_then_rebuilds_and_reloads(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    for name in ("faq", "plan", "overrides"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "csohelp").symlink_to(REPO / "csohelp")  # mkdocs.yml names csohelp/mkdocs_hooks.py
    topic = root / "faq" / "billing" / "invoice-dispute.yaml"
    edit(topic, "kind: procedure", "kind: recipe")  # invalid: the first build stops at validation

    state = BuildState()
    rebuild(root, state)
    assert state.build == 1 and state.message
    app = create_app(Settings.from_env(root=root, db_url=f"sqlite:///{tmp_path / 'db.sqlite'}"))
    app.add_middleware(WatchMode, state=state)
    stop = threading.Event()
    watcher = watch_and_rebuild(root, state, stop)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.02)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            page = client.get("/billing/invoice-dispute/")
            assert page.status_code == 500
            assert "faq/billing/invoice-dispute.yaml:3: kind:" in page.text.replace("&#x27;", "'")
            assert '<script src="/__csohelp/watch.js"' in page.text
            assert client.get("/__csohelp/watch.js").headers["content-type"].startswith("text/javascript")

            time.sleep(0.5)  # let the watcher start before the edit
            edit(topic, "kind: recipe", "kind: procedure")
            answer = client.get("/__csohelp/build", params={"since": "1"}, timeout=30)
            deadline = time.monotonic() + 60
            while answer.json()["build"] == 1 and time.monotonic() < deadline:
                answer = client.get("/__csohelp/build", params={"since": "1"}, timeout=30)
            assert answer.json()["build"] >= 2 and state.message is None
            fixed = client.get("/billing/invoice-dispute/")
            assert fixed.status_code == 200
            assert 'data-csohelp-build="' in fixed.text and fixed.text.count("/__csohelp/watch.js") == 1
            assert int(fixed.headers["content-length"]) == len(fixed.content)
            assert client.get("/api/popular").status_code == 200  # the API is untouched
    finally:
        stop.set()
        server.should_exit = True
        thread.join(timeout=10)
        watcher.join(timeout=5)
