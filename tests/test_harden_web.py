"""Issue 9, low items: 500s, /healthz, a TLS proxy in front, CSRF, HEAD, the shell files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute
from test_requests_web import FORM, live_server_for, rows, settings_for

from csohelp.csp import read_hashes
from csohelp.web.csrf import valid_token

PUBLIC = "https://aide.example.ca"


def get_form(client: httpx.Client, path: str = "/request/") -> tuple[str, str, httpx.Response]:
    page = client.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    return token, key, page


@pytest.fixture(scope="module")
def proxied(built_project, tmp_path_factory):
    """A server behind a TLS proxy: visitors use https://aide.example.ca; the proxy talks http."""
    tmp = tmp_path_factory.mktemp("proxied")
    with live_server_for(settings_for(built_project, tmp, public_url=PUBLIC)) as live:
        yield live


def test_an_unhandled_error_is_the_json_shape_with_the_security_headers(built_project, tmp_path):
    live = live_server_for(settings_for(built_project, tmp_path))

    def boom() -> None:
        raise RuntimeError("a bug")

    # Before the site mount at "/", like every feature route.
    live.server.config.app.router.routes.insert(0, APIRoute("/api/boom", boom, methods=["GET"]))
    with live, httpx.Client(base_url=live.url, timeout=10) as client:
        answer = client.get("/api/boom")
        assert answer.status_code == 500
        assert answer.json() == {"status": 500, "errors": {},
                                 "error": "Erreur interne du serveur : réessayez dans un moment."}
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert client.get("/healthz").status_code == 200  # and the server goes on


def test_healthz_reports_each_part_and_503_when_one_is_down(built_project, tmp_path):
    site = tmp_path / "site"
    shutil.copytree((built_project / "site").resolve(), site)
    settings = settings_for(built_project, tmp_path, site_dir=site, index_dir=tmp_path / "no-index")
    with live_server_for(settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        health = client.get("/healthz")
        body = health.json()
        assert health.status_code == 503 and body["status"] == "down"
        assert body["search"]["status"] == "down" and body["site"]["status"] == "ok"
        assert body["store"] == {"status": "ok"} and body["forwarding"] == "not configured"
        assert body["outbox"] == {"queued": 0, "failed": 0, "oldest_queued_age_seconds": None}
        shutil.rmtree(site)
        assert client.get("/healthz").json()["site"]["status"] == "down"


def test_healthz_sees_a_store_that_cannot_be_written(built_project, tmp_path):
    with live_server_for(settings_for(built_project, tmp_path)) as live, \
            httpx.Client(base_url=live.url, timeout=10) as client:
        assert client.post("/api/requests", json={k: v for k, v in FORM.items() if "." not in k} | {
            "business": True}).status_code == 201
        body = client.get("/healthz").json()
        assert body["status"] == "ok" and body["outbox"]["queued"] == 1
        assert 0 <= body["outbox"]["oldest_queued_age_seconds"] < 60
        db = Path(live.settings.db_url[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm"):  # replaced by something that is no database
            db.with_name(db.name + suffix).unlink(missing_ok=True)
        db.write_bytes(b"not a database" * 100)
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["store"]["status"] == "down"


def test_redirects_use_the_public_url_not_the_host_header(proxied):
    with httpx.Client(base_url=proxied.url, timeout=10) as client:
        answer = client.get("/orders/order-status", headers={"Host": "internal:8000"})
        assert answer.status_code in (301, 307, 308)
        assert answer.headers["location"] == f"{PUBLIC}/orders/order-status/"


def test_without_a_public_url_redirects_are_paths(built_project, tmp_path):
    with live_server_for(settings_for(built_project, tmp_path)) as live, \
            httpx.Client(base_url=live.url, timeout=10) as client:
        answer = client.get("/orders/order-status", headers={"Host": "evil.example"})
        assert answer.headers["location"] == "/orders/order-status/"


def test_behind_tls_the_csrf_cookie_is_secure_and_host_prefixed_and_the_public_origin_posts(proxied):
    with httpx.Client(base_url=proxied.url, timeout=10) as client:
        token, key, page = get_form(client)
        cookie = page.headers["set-cookie"]
        assert cookie.startswith("__Host-csohelp_csrf=") and "Secure" in cookie and "Path=/" in cookie
        headers = {"Cookie": f"__Host-csohelp_csrf={token}", "Origin": PUBLIC, "Host": "10.0.0.8:8000"}
        data = {**FORM, "csrf_token": token, "idempotency_key": key}
        before = len(rows(proxied))
        assert client.post("/request/", data=data, headers=headers).status_code == 303
        assert len(rows(proxied)) == before + 1
        for origin in ("http://aide.example.ca", "https://aide.example.ca:8443", "https://evil.example"):
            data["idempotency_key"] = key + origin[-3:]
            page = client.post("/request/", data=data, headers={**headers, "Origin": origin})
            assert page.status_code == 403, origin
        assert len(rows(proxied)) == before + 1


def test_a_token_the_attacker_made_up_is_refused(built_project, tmp_path):
    with live_server_for(settings_for(built_project, tmp_path)) as live, \
            httpx.Client(base_url=live.url, timeout=10) as client:
        _, key, _ = get_form(client)
        forged = "A" * 32 + "." + "B" * 43
        client.cookies.set("csohelp_csrf", forged)
        page = client.post("/request/", data={**FORM, "csrf_token": forged, "idempotency_key": key})
        assert page.status_code == 403 and rows(live) == []
        token, key, page = get_form(client)
        assert token != forged and valid_token(live.settings.secret_key(), token)
        assert (Path(live.settings.var_dir) / "secret").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("path", ["/api/search?q=facture", "/api/suggest?q=fac", "/healthz",
                                  "/api/articles/invoice-dispute", "/en/request/", "/search/?q=facture"])
def test_head_answers_like_get_without_the_body(proxied, path):
    with httpx.Client(base_url=proxied.url, timeout=10) as client:
        got, head = client.get(path), client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"] and head.content == b""


@pytest.mark.parametrize("path, target", [
    ("/request/index.html", "/request/"), ("/en/request/index.html", "/en/request/"),
    ("/search/index.html?q=facture", "/search/?q=facture"), ("/en/search/index.html", "/en/search/")])
def test_the_unfilled_shell_files_are_never_served(proxied, path, target):
    with httpx.Client(base_url=proxied.url, timeout=10) as client:
        answer = client.get(path)
        assert answer.status_code == 301 and answer.headers["location"] == target
        assert 'data-slot="' not in client.get(path, follow_redirects=True).text.split("csohelp-slot")[0]


def test_a_link_from_our_public_pages_keeps_the_language_behind_a_proxy(proxied):
    with httpx.Client(base_url=proxied.url, timeout=10) as client:
        answer = client.get("/", headers={"Host": "10.0.0.8:8000", "Accept-Language": "en",
                                          "Referer": f"{PUBLIC}/en/"})
        assert answer.status_code == 200  # the switcher's choice (French) wins over the browser's


def test_a_damaged_csp_hash_file_costs_a_scan_not_every_page(built_project, tmp_path):
    site = tmp_path / "site"
    shutil.copytree((built_project / "site").resolve(), site)
    (site / "csp-hashes.json").write_text('["x\\r\\nSet-Cookie: a=b"', "utf-8")
    with live_server_for(settings_for(built_project, tmp_path, site_dir=site)) as live, \
            httpx.Client(base_url=live.url, timeout=10) as client:
        page = client.get("/en/")
        assert page.status_code == 200
        assert "script-src 'self' 'sha256-" in page.headers["content-security-policy"]
    # A file that would widen the policy is not read either.
    (site / "csp-hashes.json").write_text('["\'sha256-x\'; script-src *"]', "utf-8")
    assert read_hashes(site) is None


@pytest.mark.parametrize("bad", [{"smtp_to": "a@b.ca>, c@evil.example"}, {"smtp_from": "CSO <a@b.ca>"},
                                 {"smtp_to": "=?utf-8?q?x?=@b.ca"}])
def test_smtp_addresses_that_mail_would_refuse_fail_at_startup(tmp_path, bad):
    from csohelp.errors import CsohelpError
    from csohelp.requests.forward import SmtpConfig
    from csohelp.web.settings import Settings

    settings = Settings(root=tmp_path, **{"smtp_host": "127.0.0.1", "smtp_to": "csol@example.ca", **bad})
    with pytest.raises(CsohelpError, match="CSOHELP_SMTP_"):
        SmtpConfig.from_settings(settings)


@pytest.mark.parametrize("content", ["", "short", "\x00" * 40])
def test_a_damaged_secret_file_is_replaced(tmp_path, content):
    from csohelp.web.settings import load_secret

    path = tmp_path / "var" / "secret"
    path.parent.mkdir()
    path.write_text(content, "latin-1")
    secret = load_secret(path)
    assert len(secret) >= 32 and path.read_text("ascii") == secret and load_secret(path) == secret
    assert path.stat().st_mode & 0o077 == 0
