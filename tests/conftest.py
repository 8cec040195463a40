"""Shared fixtures: a real build of the real content, a real uvicorn server, a real browser."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from csohelp.build import Paths, build_site
from csohelp.web import create_app
from csohelp.web.settings import Settings

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "test-output"
# Flags that work on these machines: no sandbox as root, no GPU, no background connections
# (the closed network refuses them, many at a time).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


OWNERS_TOKEN = "shared-live-server-owners-token"  # the owners' page of the shared server (issue 12)


def project_paths(root: Path, faq: Path | None = None) -> Paths:
    """Paths for a build into `root`, reading the repository's content and configuration."""
    return Paths(root, faq=faq or REPO / "faq", plan=REPO / "plan", mkdocs_yml=REPO / "mkdocs.yml")


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder holding a full build (site, index, PDFs) of the real faq/."""
    root = tmp_path_factory.mktemp("project")
    build_site(project_paths(root))
    return root


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A real uvicorn server on 127.0.0.1 in a background thread."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="on", proxy_headers=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(built_project: Path) -> Iterator[LiveServer]:
    """The app serving the session's build; shared by the browser and end-to-end tests."""
    # No rate limit on the shared server: many tests submit the form; the limit has its own tests.
    settings = Settings.from_env(root=built_project, rate_limit=0, owners_token=OWNERS_TOKEN)
    with LiveServer(settings) as server:
        yield server


def chromium_path() -> str | None:
    """Debian's chromium, if installed."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by Playwright; a missing browser fails the run in CI."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: CI must run browser tests (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """A folder under test-output/ for this test's screenshots and reports."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    path = OUTPUT / name
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def pg_cluster():
    """A throw-away PostgreSQL cluster for the session; missing PostgreSQL fails the run in CI."""
    from pg_helpers import PgCluster, pg_bin

    if pg_bin() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed: CI must run the database tests (.ci/run installs it)")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with PgCluster() as cluster:
        yield cluster


# The forwarding tests' SMTP side: a free port for aiosmtpd, the configuration pointing at it,
# and a SQLite request store in the test's folder.
@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def config(port: int):
    from csohelp.requests.forward import SmtpConfig

    return SmtpConfig("127.0.0.1", port, "aide@cso.example.ca", "csol-intake@example.ca", timeout=5)


@pytest.fixture
def store(tmp_path: Path):
    from csohelp.db import open_store

    store = open_store(f"sqlite:///{tmp_path / 'requests.db'}")
    yield store
    store.close()
