"""nginx with the generated server block in front of a real `csohelp serve`: same answers as the app.

Debian's nginx runs as a child process on a free loopback port (csohelp/deploy/standalone.py);
these tests skip only outside CI when nginx is not installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import LiveServer, free_port, project_paths

from csohelp.build import build_site
from csohelp.cli import main
from csohelp.deploy.nginx import NginxOptions, render_config
from csohelp.deploy.policy import IMMUTABLE, REVALIDATE
from csohelp.deploy.standalone import Nginx, nginx_binary, wrapper_conf
from csohelp.web.settings import Settings

SECURITY = ("x-content-type-options", "referrer-policy", "x-frame-options", "cross-origin-opener-policy",
            "permissions-policy", "content-security-policy")
FORM = {"request_type": "billing", "company": "Acme Ltée", "contact_name": "Jo Tremblay",
        "email": "jo@acme.ca", "language": "en", "subject": "Invoice sent twice",
        "description": "Invoice 42 came twice.", "business": "on", "phone": "", "customer_number": "",
        "references.invoice": "INV-42", "references.order": "", "references.machine": ""}


def require_nginx() -> None:
    if nginx_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed: CI must run the nginx tests (.ci/run installs it)")
        pytest.skip("nginx is not installed (apt-get install nginx)")


def start_nginx(folder: Path, site: Path, upstream: str) -> Nginx:
    """nginx with the generated server block for `site`, proxying to `upstream`."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    block = folder / "csohelp.conf"
    block.write_text(render_config(NginxOptions(site_dir=site, upstream=upstream,
                                                listen=[f"127.0.0.1:{port}"])), "utf-8")
    return Nginx(folder, wrapper_conf(folder, [block]), port)


@pytest.fixture(scope="module")
def front(built_project, live_server, tmp_path_factory):
    """nginx in front of the session's app, serving the session's build."""
    require_nginx()
    with start_nginx(tmp_path_factory.mktemp("nginx"), built_project / "site", live_server.url) as nginx:
        nginx.url = f"http://127.0.0.1:{nginx.port}"
        yield nginx


def get(base: str, method: str, path: str, headers: dict[str, str] | None = None, **kw) -> httpx.Response:
    """One request with no cookie jar (cookies go in the Cookie header of the case)."""
    return httpx.request(method, base + path, headers=headers or {}, follow_redirects=False, timeout=20, **kw)


def catalogue(project: Path) -> dict:
    return json.loads((project / "site" / "catalogue.json").read_text("utf-8"))


def fingerprinted_asset(project: Path) -> str:
    bundle = next((project / "site" / "assets" / "javascripts").glob("bundle.*.min.js"))
    return "/" + bundle.relative_to(project / "site").as_posix()


def cases(project: Path) -> list[tuple[str, str, dict[str, str]]]:
    topic = catalogue(project)["topics"][0]
    host = "HOST"  # replaced by the server's own host:port
    same_origin = {"Referer": f"http://{host}/en/", "Accept-Language": "en"}
    return [
        ("GET", "/", {}),
        ("GET", "/", {"Accept-Language": "en"}),
        ("GET", "/", {"Accept-Language": "en-US,en;q=0.9,fr;q=0.8"}),
        ("GET", "/", {"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.8"}),
        ("GET", "/", {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8,fr;q=0.7"}),
        ("GET", "/", {"Accept-Language": "de,fr;q=0.3,en;q=0.7"}),  # the app decides this one
        ("GET", "/", {"Accept-Language": "es"}),
        ("GET", "/", {"Accept-Language": "en;q=0, fr"}),
        ("GET", "/", {"Cookie": "csohelp_lang=en"}),
        ("GET", "/", {"Cookie": "csohelp_lang=fr", "Accept-Language": "en"}),
        ("GET", "/", {"Cookie": "csohelp_lang=xx", "Accept-Language": "en"}),
        ("GET", "/?lang=en", {}),
        ("GET", "/?lang=fr", {"Accept-Language": "en", "Cookie": "csohelp_lang=en"}),
        ("GET", "/?lang=xx", {"Accept-Language": "en"}),
        ("GET", "/", same_origin),
        ("GET", "/", {"Referer": "http://elsewhere.example/", "Accept-Language": "en"}),
        ("GET", "/en/", {}),
        ("GET", topic["fr"]["url"], {}),
        ("GET", topic["en"]["url"], {"Cookie": "csohelp_lang=fr"}),
        ("GET", topic["en"]["url"], {"Cookie": "csohelp_lang=en"}),
        ("GET", "/" + topic["category"] + "/", {}),
        ("GET", "/assets/csohelp.css", {}),
        ("GET", fingerprinted_asset(project), {}),
        ("GET", "/plan-assistance.pdf", {}),
        ("GET", "/en/support-plan.pdf", {}),
        ("GET", "/no-such-page/", {}),
        ("GET", "/en/no-such-page/", {}),
        ("GET", "/search/?q=facture", {}),
        ("GET", "/en/search/?q=invoice", {}),
        ("GET", "/api/search?q=invoice&lang=en", {}),
        ("GET", "/api/search?q=%22unbalanced", {}),
        ("GET", f"/api/articles/{topic['id']}", {}),
        ("GET", "/api/articles/no-such-topic", {}),
        ("GET", "/healthz", {}),
        ("GET", f"/a/{topic['id']}", {"Accept-Language": "en"}),
        ("GET", "/a/no-such-topic", {}),
        ("HEAD", topic["fr"]["url"], {}),
    ]


def vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in ",".join(response.headers.get_list("vary")).split(",") if v.strip()}


def lang_cookie(response: httpx.Response) -> str | None:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith("csohelp_lang=")]
    return found[0] if found else None


# JSON keys read from a clock: they change from one answer to the next (the search's time, the
# health check's age of the oldest queued request, which ticks over between the two requests).
VOLATILE = frozenset({"took_ms", "oldest_queued_age_seconds"})


def body(response: httpx.Response) -> object:
    """The body, without what changes from one answer to the next (VOLATILE keys, any depth)."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return steady(response.json())
    return response.content


def steady(data: object) -> object:
    """JSON data without its VOLATILE keys."""
    if isinstance(data, dict):
        return {k: steady(v) for k, v in data.items() if k not in VOLATILE}
    if isinstance(data, list):
        return [steady(v) for v in data]
    return data


def assert_same(app: httpx.Response, proxied: httpx.Response, label: str) -> None:
    assert proxied.status_code == app.status_code, label
    for name in SECURITY + ("location", "cache-control"):
        assert proxied.headers.get(name) == app.headers.get(name), f"{label}: {name}"
    assert lang_cookie(proxied) == lang_cookie(app), label
    # Both add Accept-Encoding for compressible answers; nothing else may differ.
    assert vary(proxied) - {"accept-encoding"} == vary(app) - {"accept-encoding"}, label
    if app.status_code not in (301, 302, 303, 307, 308):  # nginx writes a small body of its own
        assert body(proxied) == body(app), label
        app_type = app.headers.get("content-type", "").split(";")[0]
        proxied_type = proxied.headers.get("content-type", "").split(";")[0]
        if not app_type.endswith("javascript"):  # text/ vs application/javascript: both right
            assert proxied_type == app_type, label


def test_the_generated_config_passes_nginx_t(front):
    assert "test is successful" in front.test()


def test_nginx_answers_like_the_app_for_each_path(front, live_server, built_project):
    for method, path, headers in cases(built_project):
        app_headers = {k: v.replace("HOST", live_server.url.split("//")[1]) for k, v in headers.items()}
        nginx_headers = {k: v.replace("HOST", front.url.split("//")[1]) for k, v in headers.items()}
        app = get(live_server.url, method, path, app_headers)
        proxied = get(front.url, method, path, nginx_headers)
        assert_same(app, proxied, f"{method} {path} {headers}")
    assert "[crit]" not in front.errors() and "[emerg]" not in front.errors()


def test_the_home_page_is_answered_by_nginx_itself_when_it_can(front):
    # Who answered shows: the app's ETag is an MD5, nginx's is "mtime-size"; the app's 302 has
    # an empty body, nginx's a small page.
    own = get(front.url, "GET", "/", {"Accept-Language": "en-US,en;q=0.9"})
    assert own.status_code == 302 and own.headers["location"] == "/en/" and own.content
    french = get(front.url, "GET", "/", {"Accept-Language": "fr-CA"})
    assert re.fullmatch(r'(W/)?"[0-9a-f]+-[0-9a-f]+"', french.headers["etag"])
    decided_by_app = get(front.url, "GET", "/", {"Accept-Language": "de,fr;q=0.3,en;q=0.7"})
    assert decided_by_app.status_code == 302 and decided_by_app.content == b""


def test_the_form_works_through_nginx_with_its_csrf_check(front, live_server):
    for base in (live_server.url, front.url):
        with httpx.Client(base_url=base, follow_redirects=False, timeout=20) as client:
            page = client.get("/en/request/")
            assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
            sent = client.post("/en/request/", data={**FORM, "csrf_token": token, "idempotency_key": key},
                               headers={"Origin": base})
            assert sent.status_code == 303, (base, sent.text[:300])
            assert re.fullmatch(r"/en/request/\?sent=[A-Z0-9-]+", sent.headers["location"])
            assert client.get(sent.headers["location"]).status_code == 200
            forged = client.post("/en/request/", data={**FORM, "csrf_token": "x" * 43},
                                 headers={"Origin": base})
            assert forged.status_code == 403


def test_gzip_for_text_when_asked_and_never_for_pdfs(front, live_server, built_project):
    topic = catalogue(built_project)["topics"][0]["en"]["url"]
    for base in (live_server.url, front.url):
        page = get(base, "GET", topic, {"Accept-Encoding": "gzip"})
        assert page.headers["content-encoding"] == "gzip", base
        assert page.num_bytes_downloaded < len(page.content) / 2  # bytes on the wire
        assert "accept-encoding" in vary(page)
        if base == front.url:  # nginx sends the build's own copy, compressed once at build time
            copy = built_project / "site" / topic.strip("/") / "index.html.gz"
            assert int(page.headers["content-length"]) == copy.stat().st_size
        plain = get(base, "GET", topic, {"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == page.content
        script = get(base, "GET", fingerprinted_asset(built_project), {"Accept-Encoding": "gzip"})
        assert script.headers["content-encoding"] == "gzip"
        pdf = get(base, "GET", "/plan-assistance.pdf", {"Accept-Encoding": "gzip"})
        assert pdf.status_code == 200 and "content-encoding" not in pdf.headers, base
        assert "accept-encoding" not in vary(pdf)
        api = get(base, "GET", "/api/search?q=invoice&lang=en", {"Accept-Encoding": "gzip"})
        assert api.headers.get("content-encoding") == "gzip", base


def test_cache_headers_as_designed_and_revalidation(front, live_server, built_project):
    topic = catalogue(built_project)["topics"][0]["fr"]["url"]
    for base in (live_server.url, front.url):
        asset = get(base, "GET", fingerprinted_asset(built_project))
        assert asset.headers["cache-control"] == IMMUTABLE
        for path in (topic, "/assets/csohelp.css", "/plan-assistance.pdf"):
            first = get(base, "GET", path)
            assert first.headers["cache-control"] == REVALIDATE, (base, path)
            assert first.headers["etag"] and first.headers["last-modified"]
            again = get(base, "GET", path, {"If-None-Match": first.headers["etag"]})
            assert again.status_code == 304 and again.content == b"", (base, path)
            since = get(base, "GET", path, {"If-Modified-Since": first.headers["last-modified"]})
            assert since.status_code == 304, (base, path)
        missing = get(base, "GET", "/no-such-page/")
        assert missing.status_code == 404 and "cache-control" not in missing.headers


def test_spoofed_forwarded_for_through_nginx_does_not_escape_the_rate_limit(built_project, tmp_path):
    """The app trusts nginx's X-Forwarded-For (CSOHELP_TRUSTED_PROXIES=127.0.0.1), not the client's."""
    require_nginx()
    settings = Settings.from_env(root=built_project, rate_limit=2, trusted_proxies=("127.0.0.1",),
                                 db_url=f"sqlite:///{tmp_path / 'requests.db'}", smtp_host=None)
    site = built_project / "site"
    with LiveServer(settings) as app, start_nginx(tmp_path / "nginx", site, app.url) as nginx:
        # The browser is 127.0.0.2 (all of 127/8 is loopback): not a trusted proxy.
        transport = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(transport=transport, timeout=20) as client:
            # Only accepted submissions count: three good ones, each claiming another address.
            good = {"request_type": "billing", "company": "Acme Ltée", "contact_name": "Jo Tremblay",
                    "email": "jo@acme.ca", "language": "en", "subject": "Invoice sent twice",
                    "description": "Invoice 42 came twice.", "business": True}
            statuses = [client.post(f"http://127.0.0.1:{nginx.port}/api/requests", json=good,
                                    headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
                        for n in range(3)]
    assert statuses == [201, 201, 429]


def test_a_build_swapped_while_nginx_serves_causes_no_error(built_project, tmp_path):
    """A real rebuild while requests run: every answer whole and right, the new build without reload."""
    require_nginx()
    project = tmp_path / "project"
    shutil.copytree(built_project, project, symlinks=True, ignore=shutil.ignore_patterns("var"))
    topic = catalogue(project)["topics"][0]
    paths = ["/", topic["fr"]["url"], topic["en"]["url"], "/assets/csohelp.css", fingerprinted_asset(project),
             "/no-such-page/", "/catalogue.json"]
    expected = {"/no-such-page/": 404}
    settings = Settings.from_env(root=project, rate_limit=0, db_url=f"sqlite:///{tmp_path / 'r.db'}")
    with LiveServer(settings) as app, start_nginx(tmp_path / "nginx", project / "site", app.url) as nginx:
        base = f"http://127.0.0.1:{nginx.port}"
        before = get(base, "GET", "/catalogue.json").headers["last-modified"]
        sizes = {p: len(get(base, "GET", p).content) for p in paths}
        failures: list[str] = []
        answers: list[tuple[str, int, int]] = []
        done = threading.Event()
        count = 0

        def hammer() -> None:
            nonlocal count
            with httpx.Client(base_url=base, timeout=20) as client:
                while not done.is_set():
                    for path in paths:
                        client.cookies.clear()  # the language cookie of the last page would move `/`
                        try:
                            answer = client.get(path, headers={"Accept-Language": "fr"})
                        except httpx.HTTPError as exc:
                            failures.append(f"{path}: {exc!r}")
                            continue
                        count += 1
                        answers.append((path, answer.status_code, len(answer.content)))

        threads = [threading.Thread(target=hammer) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(0.3)
            build_site(project_paths(project))
            time.sleep(0.3)
        finally:
            done.set()
            for thread in threads:
                thread.join(timeout=30)
        after = get(base, "GET", "/catalogue.json").headers["last-modified"]
        # Each answer whole, from the old build or the new one (a date in a footer may change).
        sizes_after = {p: len(get(base, "GET", p).content) for p in paths}
        for path, status, size in answers:
            if status != expected.get(path, 200) or size not in (sizes[path], sizes_after[path]):
                failures.append(f"{path}: {status} {size} bytes")
        errors = [line for line in nginx.errors().splitlines() if "[crit]" in line or "[alert]" in line]
        assert not failures, failures[:10]
        assert count > 50 and not errors
        assert after != before  # the new build, served without a reload

        # Rolled back (the build kept the previous one): nginx serves the old build again.
        assert main(["rollback", "--root", str(project)]) == 0
        assert get(base, "GET", "/catalogue.json").headers["last-modified"] == before
        assert get(base, "GET", topic["fr"]["url"]).status_code == 200
        assert get(base, "GET", "/api/search?q=facture&lang=fr").status_code == 200
    assert (project / "search_index").resolve().name.split("-", 1)[1] == (
        (project / "site").resolve().name.split("-", 1)[1])


def test_the_https_variant_passes_nginx_t(built_project, tmp_path):
    require_nginx()
    block = tmp_path / "csohelp.conf"
    options = NginxOptions(site_dir=built_project / "site", listen=[f"127.0.0.1:{free_port()}"],
                           server_name="aide.example.ca", hsts=True)
    block.write_text(render_config(options), "utf-8")
    Nginx(tmp_path, wrapper_conf(tmp_path, [block]), 0).test()

