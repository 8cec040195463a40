"""The deployment pieces without nginx: the generator, the `/` rules, the app's caching, rollback."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from csohelp.build import Paths
from csohelp.cli import main
from csohelp.csp import HASHES_FILE
from csohelp.deploy.negotiation import SAME_ORIGIN_REFERER, browser_choice
from csohelp.deploy.nginx import DYNAMIC_ROUTES, NginxOptions, render_config, upstream_address
from csohelp.deploy.policy import IMMUTABLE, REVALIDATE, cache_control
from csohelp.deploy.precompress import precompress
from csohelp.deploy.rollback import kept_builds, rollback
from csohelp.errors import CsohelpError
from csohelp.web.lang import negotiate

# --- the `/` rules: nginx answers only what it can prove, and then as the app does ---------------

BROWSERS = [
    ("", "fr"), ("en", "en"), ("fr", "fr"), ("en-US,en;q=0.9", "en"), ("en-CA,en;q=0.9,fr-CA;q=0.8", "en"),
    ("fr-CA,fr;q=0.9,en-US;q=0.8,en;q=0.7", "fr"), ("de-DE,de;q=0.9,en;q=0.8,fr;q=0.7", "en"),
    ("es-MX,es;q=0.9,fr;q=0.5", "fr"), ("zh-CN,zh;q=0.9", "fr"), ("*", "fr"), ("en;q=0, fr", "fr"),
    ("EN-gb", "en"), ("de,en;q=0.5,fr;q=0.5", "en"), ("en-US,en;q=0.9,*;q=0.5", "en"),
]


@pytest.mark.parametrize("header,lang", BROWSERS)
def test_nginx_decides_what_browsers_send_like_the_app(header, lang):
    assert negotiate(header) == lang
    assert browser_choice(header) == lang


@pytest.mark.parametrize("header", [
    "de,fr;q=0.3,en;q=0.7",  # a later tag with a higher q
    "fr;q=0.5, en;q=0.55", "en;q=2, fr", "en;q=inf,fr", "en;Q=0.5,fr;q=0.9", "en;level=1",
    "en,,fr", "fr_CA", "en;q= 0.5", "français", "en;q=0.123,fr;q=0.124",
])
def test_headers_nginx_cannot_prove_go_to_the_app(header):
    assert browser_choice(header) is None


TAGS = st.sampled_from(["fr", "en", "FR", "en-US", "fr-CA", "de", "es-MX", "*", "fra", "eng", "x",
                        "zh-Hant-TW"])
QS = st.sampled_from(["", ";q=1", ";q=0", ";q=0.0", ";q=0.9", ";q=0.5", ";q=0.50", ";q=0.8", ";q=0.123",
                      ";q=1.000", ";q=0.", ";q=2", " ; q=0.3", ";q=0.05", ";q=abc", ";q=0.1"])
HEADERS = st.lists(st.tuples(TAGS, QS, st.sampled_from(["", " ", "\t"])), max_size=6).map(
    lambda parts: ",".join(f"{ws}{tag}{q}" for tag, q, ws in parts))


@settings(max_examples=400, deadline=None)
@given(st.one_of(HEADERS, st.text(max_size=30)))
@example("en;q=0.5,fr;q=0.50")
@example("fr;q=0.9,en;q=0.9000")
def test_whenever_nginx_decides_the_app_agrees(header):
    decided = browser_choice(header)
    assert decided is None or decided == negotiate(header)


@pytest.mark.parametrize("host,referer,same", [
    ("help.example.ca", "https://help.example.ca/en/", True),
    ("help.example.ca", "http://help.example.ca", True),
    ("127.0.0.1:8080", "http://127.0.0.1:8080/billing/", True),
    ("help.example.ca", "https://help.example.ca.evil.example/", False),
    ("help.example.ca", "https://evil.example/help.example.ca/", False),
    ("help.example.ca", "", False),
    ("", "https:///", False),
])
def test_the_referer_rule_is_the_apps_comparison(host, referer, same):
    app_says = bool(host) and referer.split("/")[2:3] == [host]
    assert app_says == same
    assert bool(re.match(SAME_ORIGIN_REFERER, f"{host}|{referer}")) == same


# --- the generator ------------------------------------------------------------------------------


def test_the_config_carries_the_builds_csp_hashes_and_the_symlinked_root(built_project):
    site = built_project / "site"
    text = render_config(NginxOptions(site_dir=site, upstream="http://127.0.0.1:8123"))
    hashes = json.loads((site / HASHES_FILE).read_text("utf-8"))
    assert hashes and all(h in text for h in hashes)
    assert f'root "{site}";' in text and str(site.resolve()) not in text  # the symlink, not its target
    directives = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert "server 127.0.0.1:8123;" in text and not any("open_file_cache" in d for d in directives)
    for match, path in DYNAMIC_ROUTES:
        assert f"location {match} {path} {{\n        proxy_pass http://csohelp_app;" in text


def test_hsts_listen_and_server_name(built_project):
    text = render_config(NginxOptions(site_dir=built_project / "site", listen=["443 ssl", "[::]:443 ssl"],
                                      server_name="aide.example.ca", hsts=True,
                                      includes=["/etc/nginx/snippets/aide-tls.conf"]))
    assert ("listen 443 ssl;\n    listen [::]:443 ssl;\n    server_name aide.example.ca;\n"
            "    include /etc/nginx/snippets/aide-tls.conf;") in text
    assert "proxy_cookie_flags ~ secure;" in text
    assert text.count("Strict-Transport-Security") >= 3  # static, home and proxied answers
    assert "Strict-Transport-Security" not in render_config(NginxOptions(site_dir=built_project / "site"))


@pytest.mark.parametrize("url,server", [
    ("http://127.0.0.1:8000", "127.0.0.1:8000"), ("http://localhost", "localhost:80"),
    ("http://[::1]:9000/", "[::1]:9000"), ("unix:/run/csohelp.sock", "unix:/run/csohelp.sock"),
])
def test_upstreams(url, server):
    assert upstream_address(url) == server


@pytest.mark.parametrize("url", ["https://127.0.0.1:8000", "ftp://x", "127.0.0.1:8000", "http://h:99999",
                                 "http://h:8000/app", "unix:relative.sock", "http://h:80?x=1"])
def test_bad_upstreams_are_refused(url):
    with pytest.raises(CsohelpError, match="--upstream"):
        upstream_address(url)


@pytest.mark.parametrize("name", ["a;b", "x { }", "evil\nserver", "$host", "", "a#b", 'a"b'])
def test_server_names_that_would_inject_nginx_syntax_are_refused(built_project, name):
    with pytest.raises(CsohelpError, match="server-name"):
        render_config(NginxOptions(site_dir=built_project / "site", server_name=name))


def test_no_build_or_no_recorded_hashes_is_a_clear_error(tmp_path):
    with pytest.raises(CsohelpError, match="no built site"):
        render_config(NginxOptions(site_dir=tmp_path / "site"))
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>old</p>")
    with pytest.raises(CsohelpError, match="csp-hashes.json"):
        render_config(NginxOptions(site_dir=tmp_path / "site"))


def fake_build(root: Path, stamp: str, hashes: list[str]) -> None:
    """A build folder of each kind, as `csohelp build` leaves them (small, real files)."""
    for kind in ("site", "index", "docs"):
        folder = root / "build" / f"{kind}-{stamp}"
        folder.mkdir(parents=True)
        (folder / "stamp.txt").write_text(stamp)
    site = root / "build" / f"site-{stamp}"
    (site / "index.html").write_text(f"<p>{stamp}</p>")
    (site / "catalogue.json").write_text("{}")
    (site / HASHES_FILE).write_text(json.dumps(hashes))


def publish(root: Path, stamp: str) -> None:
    for kind, name in (("site", "site"), ("index", "search_index"), ("docs", "docs")):
        link = root / name
        if link.is_symlink():
            link.unlink()
        link.symlink_to(f"build/{kind}-{stamp}")


def test_cli_writes_once_and_check_tells_when_a_reload_is_needed(tmp_path, capsys):
    one, other = "'sha256-" + "A" * 43 + "='", "'sha256-" + "B" * 43 + "='"
    fake_build(tmp_path, "20260101T000000-1-1", [one])
    publish(tmp_path, "20260101T000000-1-1")
    out = tmp_path / "etc" / "csohelp.conf"
    args = ["deploy", "nginx", "--root", str(tmp_path), "--out", str(out), "--upstream", "http://127.0.0.1:9"]
    assert main(args) == 0 and "wrote" in capsys.readouterr().out
    assert one in out.read_text()
    assert main(args) == 0 and "unchanged" in capsys.readouterr().out
    assert main([*args, "--check"]) == 0
    fake_build(tmp_path, "20260102T000000-1-1", [one])  # a new build, same inline scripts
    publish(tmp_path, "20260102T000000-1-1")
    assert main([*args, "--check"]) == 0 and "up to date" in capsys.readouterr().out
    fake_build(tmp_path, "20260103T000000-1-1", [other])  # a build with other inline scripts
    publish(tmp_path, "20260103T000000-1-1")
    assert main([*args, "--check"]) == 1 and "out of date" in capsys.readouterr().out
    assert main(["deploy", "nginx", "--root", str(tmp_path), "--server-name", "a;b"]) == 1
    assert "server-name" in capsys.readouterr().err


# --- rollback -----------------------------------------------------------------------------------


def test_rollback_publishes_the_previous_build_and_keeps_the_newer(tmp_path, capsys):
    old, new = "20260101T000000-1-1", "20260102T000000-2-2"
    fake_build(tmp_path, old, [])
    fake_build(tmp_path, new, [])
    publish(tmp_path, new)
    paths = Paths(tmp_path)
    assert [(b.stamp, b.current) for b in kept_builds(paths)] == [(old, False), (new, True)]
    assert main(["rollback", "--root", str(tmp_path)]) == 0 and old in capsys.readouterr().out
    for name in ("site", "search_index", "docs"):
        assert (tmp_path / name / "stamp.txt").read_text() == old
        assert (tmp_path / name).is_symlink()
    assert (tmp_path / "build" / f"site-{new}").is_dir()  # kept: roll forward by hand if needed
    with pytest.raises(CsohelpError, match="no previous build"):
        rollback(paths)
    assert main(["rollback", "--root", str(tmp_path), "--list"]) == 0
    assert f"{old}  (published)" in capsys.readouterr().out


def test_rollback_refuses_an_incomplete_previous_build_and_changes_nothing(tmp_path):
    old, new = "20260101T000000-1-1", "20260102T000000-2-2"
    fake_build(tmp_path, old, [])
    fake_build(tmp_path, new, [])
    publish(tmp_path, new)
    (tmp_path / "build" / f"index-{old}" / "stamp.txt").unlink()
    (tmp_path / "build" / f"index-{old}").rmdir()
    with pytest.raises(CsohelpError, match="incomplete"):
        rollback(Paths(tmp_path))
    assert (tmp_path / "site" / "stamp.txt").read_text() == new


def test_rollback_without_a_published_build(tmp_path):
    with pytest.raises(CsohelpError, match="not a published build"):
        rollback(Paths(tmp_path))


# --- the app's own gzip and cache headers (no nginx needed) -------------------------------------


@pytest.mark.parametrize("path,expected", [
    ("/assets/javascripts/bundle.a5f9d56c.min.js", IMMUTABLE),
    ("/assets/javascripts/bundle.a5f9d56c.min.js.map", IMMUTABLE),
    ("/assets/stylesheets/palette.fb2fffe2.min.css", IMMUTABLE),
    ("/assets/javascripts/workers/search.a7633da7.min.js", IMMUTABLE),
    ("/assets/csohelp.css", REVALIDATE), ("/assets/images/favicon.png", REVALIDATE),
    ("/billing/", REVALIDATE), ("/plan-assistance.pdf", REVALIDATE),
    ("/en/assets/x.a5f9d56c.min.js", REVALIDATE), ("/assets/bundle.min.js", REVALIDATE),
])
def test_only_fingerprinted_assets_are_immutable(path, expected):
    assert cache_control(path) == expected


def test_every_fingerprinted_file_of_the_build_matches_the_rule(built_project):
    site = built_project / "site"
    fingerprinted = [p for p in site.rglob("*")
                     if re.search(r"\.[0-9a-f]{8}\.min\.", p.name) and p.suffix != ".gz"]
    assert fingerprinted
    for path in fingerprinted:
        assert cache_control("/" + path.relative_to(site).as_posix()) == IMMUTABLE, path


def test_the_app_compresses_text_not_pdfs_and_sends_cache_headers(live_server, built_project):
    topic = json.loads((built_project / "site" / "catalogue.json").read_text())["topics"][0]["fr"]["url"]
    with httpx.Client(base_url=live_server.url, timeout=20) as client:
        page = client.get(topic, headers={"Accept-Encoding": "gzip"})
        assert page.headers["content-encoding"] == "gzip" and page.headers["etag"].startswith("W/")
        assert page.headers["cache-control"] == REVALIDATE
        assert "accept-encoding" in page.headers["vary"].lower()
        assert page.num_bytes_downloaded < len(page.content) / 2
        plain = client.get(topic, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and not plain.headers["etag"].startswith("W/")
        assert client.get(topic, headers={"If-None-Match": page.headers["etag"]}).status_code == 304
        pdf = client.get("/plan-assistance.pdf", headers={"Accept-Encoding": "gzip"})
        assert "content-encoding" not in pdf.headers and pdf.content.startswith(b"%PDF")
        small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})  # under 1 KB: not worth it
        assert "content-encoding" not in small.headers and small.headers["cache-control"] == "no-store"
        missing = client.get("/no-such-page/")
        assert missing.status_code == 404 and "cache-control" not in missing.headers
        form = client.get("/request/")
        assert form.headers["cache-control"] == "no-store"  # the app's own choice is kept


# --- precompressed copies for nginx's gzip_static ------------------------------------------------


def test_the_build_writes_a_gzip_copy_of_each_text_file(built_project):
    site = built_project / "site"
    copies = sorted(site.rglob("*.html.gz"))
    assert len(copies) == len(sorted(site.rglob("*.html")))  # every page is over 1 KB
    for copy in copies + sorted(site.rglob("*.css.gz")):
        original = copy.with_name(copy.name[:-3])
        assert gzip.decompress(copy.read_bytes()) == original.read_bytes(), copy
        assert copy.stat().st_mtime_ns == original.stat().st_mtime_ns  # the same Last-Modified
    assert not list(site.rglob("*.pdf.gz")) and not list(site.rglob("*.map.gz"))


def test_precompress_skips_small_files_and_keeps_existing_copies(tmp_path):
    (tmp_path / "small.css").write_text("a{}")
    (tmp_path / "page.html").write_text("<p>bonjour</p>" * 200)
    (tmp_path / "sitemap.xml").write_text("<url/>" * 500)
    (tmp_path / "sitemap.xml.gz").write_bytes(b"mkdocs's own")
    (tmp_path / "random.js").write_bytes(os.urandom(2048))  # gzip would not shrink it
    assert precompress(tmp_path) == 1
    assert not (tmp_path / "small.css.gz").exists() and not (tmp_path / "random.js.gz").exists()
    assert (tmp_path / "sitemap.xml.gz").read_bytes() == b"mkdocs's own"
    assert gzip.decompress((tmp_path / "page.html.gz").read_bytes()) == (tmp_path / "page.html").read_bytes()


def test_every_route_of_the_app_is_proxied_by_nginx(built_project, tmp_path):
    """A route added to the app but not to DYNAMIC_ROUTES would be a 404 from nginx: caught here."""
    from starlette.routing import Route

    from csohelp.web import create_app
    from csohelp.web.settings import Settings

    app = create_app(Settings.from_env(root=built_project, db_url=f"sqlite:///{tmp_path / 'r.db'}"))
    exact = {path for match, path in DYNAMIC_ROUTES if match == "="}
    prefixes = [path for match, path in DYNAMIC_ROUTES if match == "^~"]

    def paths(routes: list) -> list[str]:
        found = []
        for route in routes:
            if isinstance(route, Route):
                found.append(route.path)
            elif hasattr(route, "original_router"):  # FastAPI's included routers (no prefix here)
                found += paths(route.original_router.routes)
        return found

    routes = paths(app.routes)
    assert "/api/search" in routes and "/healthz" in routes
    for path in routes:
        if path == "/":  # decided by nginx's maps, or passed to the app (see test_deploy_nginx)
            continue
        assert path in exact or any(path.startswith(p) for p in prefixes), f"{path}: add it to DYNAMIC_ROUTES"
