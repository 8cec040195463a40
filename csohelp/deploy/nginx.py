"""`csohelp deploy nginx`: an nginx server block that serves the build like the app does."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..content import DEFAULT_LANG, LANGS
from ..csp import read_hashes
from ..errors import CsohelpError
from ..files import write_atomically
from ..web.lang import COOKIE
from ..web.security import COMMON_HEADERS, OTHER_CSP, page_csp
from ..web.site import COOKIE_AGE
from . import policy
from .negotiation import SAME_ORIGIN_REFERER, browser_rules

# Everything else is a file of the build. "=" is an exact path, "^~" a prefix that wins over
# the regular expressions. The feedback and owners routes belong to the owners' loop.
DYNAMIC_ROUTES: tuple[tuple[str, str], ...] = (
    ("=", "/healthz"),
    ("^~", "/api/"),
    ("^~", "/search/"), ("^~", "/en/search/"),
    ("^~", "/request/"), ("^~", "/en/request/"),
    ("^~", "/a/"),
    ("=", "/feedback"), ("=", "/en/feedback"),  # votes without JavaScript (issue 12)
    ("^~", "/owners/"), ("^~", "/en/owners/"),  # the owners' page
)
# The form's POST carries up to 3 files of 5 MB (csohelp/requests/attachments.py): a larger body there only.
FORM_ROUTES = ("/request/", "/en/request/")
HSTS = "max-age=31536000; includeSubDomains"


@dataclass
class NginxOptions:
    """What the server block is generated for."""

    site_dir: Path
    upstream: str = "http://127.0.0.1:8000"
    server_name: str = "_"
    listen: list[str] = field(default_factory=lambda: ["80"])
    hsts: bool = False
    includes: list[str] = field(default_factory=list)  # e.g. the TLS certificate directives


def upstream_address(url: str) -> str:
    """`server` address of an upstream URL: http://host:port, or unix:/path/to.sock."""
    if url.startswith("unix:"):
        path = url.removeprefix("unix:")
        if not path.startswith("/"):
            raise CsohelpError(f"--upstream {url!r}: a unix socket needs an absolute path (unix:/run/x.sock)")
        return url
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or parts.path not in ("", "/") or parts.query:
        raise CsohelpError(f"--upstream {url!r}: expected http://HOST:PORT or unix:/PATH")
    try:
        port = parts.port or 80
    except ValueError:
        raise CsohelpError(f"--upstream {url!r}: the port is not a number from 1 to 65535") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{host}:{port}"


def _safe(name: str, value: str) -> str:
    """A value that nginx reads as one quoted word, unchanged."""
    bad = sorted(set(re.findall(r'["\'\\;{}#$\x00-\x1f\x7f]', value)))
    if bad or not value.strip():
        raise CsohelpError(f"{name} {value!r}: empty, or has characters nginx would read as syntax: {bad}")
    return value


def render_config(options: NginxOptions) -> str:
    """The server block (with its upstream and maps) for the build published at `site_dir`."""
    site_dir = Path(options.site_dir).absolute()  # the symlink itself, never what it points to
    if not (site_dir / "index.html").is_file():
        raise CsohelpError(f"no built site in {site_dir}: run `csohelp build` first")
    hashes = read_hashes(site_dir)
    if hashes is None:
        raise CsohelpError(f"{site_dir} has no csp-hashes.json: rebuild it with this version")
    for word in (options.server_name, *options.listen, *options.includes):
        _safe("--server-name/--listen/--include", word)
    env = Environment(loader=PackageLoader("csohelp.deploy", "templates"), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False)
    return env.get_template("nginx.conf.j2").render(
        site_dir=_safe("site", str(site_dir)),
        upstream=upstream_address(options.upstream), server_name=options.server_name,
        listen=options.listen, includes=options.includes, hsts=HSTS if options.hsts else "",
        langs=LANGS, default_lang=DEFAULT_LANG, cookie=COOKIE, cookie_age=COOKIE_AGE,
        referer_rule=SAME_ORIGIN_REFERER, browser_rules=browser_rules(),
        page_csp=page_csp(" ".join(sorted(hashes))), other_csp=OTHER_CSP,
        security_headers=[(k.decode(), v.decode()) for k, v in COMMON_HEADERS],
        fingerprinted=policy.FINGERPRINTED, immutable=policy.IMMUTABLE, revalidate=policy.REVALIDATE,
        gzip_types=policy.COMPRESSIBLE_TYPES, gzip_level=policy.GZIP_LEVEL,
        gzip_min_length=policy.GZIP_MIN_LENGTH, dynamic_routes=DYNAMIC_ROUTES, form_routes=FORM_ROUTES,
        vary_rule="^(?:" + "|".join(map(re.escape, ("text/html", *policy.COMPRESSIBLE_TYPES))) + ")(?:;|$)",
    )


def write_config(text: str, out: Path) -> bool:
    """Write `out` atomically (nginx may read it at any time); False when it was already so."""
    out = Path(out)
    if out.is_file() and out.read_text("utf-8") == text:
        return False
    write_atomically(out, text.encode("utf-8"))
    return True
