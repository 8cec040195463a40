"""Settings of the web app, from the environment (CSOHELP_*) with defaults for one machine."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import CsohelpError


@dataclass
class Settings:
    """Where the app finds the built site and index, and how it behaves."""

    root: Path = field(default_factory=Path.cwd)
    site_dir: Path | None = None
    index_dir: Path | None = None
    var_dir: Path | None = None
    # Service requests (issue 4): the store, SMTP forwarding, the submission rate limit.
    db_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str | None = None
    smtp_to: str | None = None
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    rate_limit: int = 5
    trusted_proxies: tuple[str, ...] = ()
    forward_interval: float = 30.0
    # The address visitors use (https://aide.example.ca) behind a TLS proxy: redirects, the CSRF
    # Origin check and Secure cookies follow it, never the Host header (CSOHELP_SITE_URL).
    public_url: str | None = None
    # Signs the CSRF tokens (CSOHELP_SECRET); generated once into var/secret when not given.
    secret: str | None = field(default=None, repr=False)
    # The database layer (issue 13): server processes sharing the store, and how long a
    # submission waits for a busy store before answering 503.
    workers: int = 1
    store_wait: float = 3.0
    # The owners' loop (issue 12): the owners' page token (None: the page is off), raw-event retention.
    owners_token: str | None = field(default=None, repr=False)
    analytics_days: int = 180

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.site_dir = Path(self.site_dir) if self.site_dir else self.root / "site"
        self.index_dir = Path(self.index_dir) if self.index_dir else self.root / "search_index"
        self.var_dir = Path(self.var_dir) if self.var_dir else self.root / "var"
        self.db_url = self.db_url or f"sqlite:///{self.var_dir / 'requests.db'}"
        if self.public_url:
            self.public_url = public_origin(self.public_url)

    def secret_key(self) -> bytes:
        """The server secret: CSOHELP_SECRET, or var/secret (created once, readable by us only)."""
        if self.secret:
            return self.secret.encode()
        self.secret = load_secret(Path(self.var_dir) / "secret")  # type: ignore[arg-type]
        return self.secret.encode()

    @classmethod
    def from_env(cls, root: Path | None = None, **overrides: object) -> Settings:
        """Settings from CSOHELP_* variables; keyword arguments win."""
        env = os.environ
        values: dict[str, object] = {
            "root": root or Path(env.get("CSOHELP_ROOT", ".")),
            "site_dir": env.get("CSOHELP_SITE_DIR"),
            "index_dir": env.get("CSOHELP_INDEX_DIR"),
            "var_dir": env.get("CSOHELP_VAR_DIR"),
        }
        values.update(_request_env(env))
        if env.get("CSOHELP_OWNERS_TOKEN"):
            values["owners_token"] = env["CSOHELP_OWNERS_TOKEN"]
        if env.get("CSOHELP_ANALYTICS_DAYS"):
            values["analytics_days"] = int(env["CSOHELP_ANALYTICS_DAYS"])
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def _request_env(env: os._Environ[str] | dict[str, str]) -> dict[str, object]:
    """The service-request settings given in the environment (CSOHELP_DB, _SMTP_*, _RATE_LIMIT...)."""
    values: dict[str, object] = {}
    db = env.get("CSOHELP_DB")
    if db:
        # A bare path is a SQLite file; anything with a scheme is a database URL.
        values["db_url"] = db if "://" in db else f"sqlite:///{Path(db).resolve()}"
    for name in ("host", "from", "to", "user", "password"):
        if env.get(f"CSOHELP_SMTP_{name.upper()}"):
            values[f"smtp_{name}"] = env[f"CSOHELP_SMTP_{name.upper()}"]
    if env.get("CSOHELP_SMTP_PORT"):
        values["smtp_port"] = int(env["CSOHELP_SMTP_PORT"])
    if env.get("CSOHELP_SMTP_STARTTLS"):
        values["smtp_starttls"] = env["CSOHELP_SMTP_STARTTLS"].lower() in ("1", "true", "yes", "on")
    if env.get("CSOHELP_RATE_LIMIT"):
        values["rate_limit"] = int(env["CSOHELP_RATE_LIMIT"])
    if env.get("CSOHELP_TRUSTED_PROXIES"):
        values["trusted_proxies"] = tuple(p.strip() for p in env["CSOHELP_TRUSTED_PROXIES"].split(",")
                                          if p.strip())
    public = env.get("CSOHELP_PUBLIC_URL") or env.get("CSOHELP_SITE_URL")
    if public:
        values["public_url"] = public
    if env.get("CSOHELP_SECRET"):
        values["secret"] = env["CSOHELP_SECRET"]
    if env.get("CSOHELP_WORKERS"):
        values["workers"] = int(env["CSOHELP_WORKERS"])
    if env.get("CSOHELP_STORE_WAIT"):
        values["store_wait"] = float(env["CSOHELP_STORE_WAIT"])
    if env.get("CSOHELP_FORWARD_INTERVAL"):
        values["forward_interval"] = float(env["CSOHELP_FORWARD_INTERVAL"])
    return values


def public_origin(url: str) -> str:
    """`scheme://host[:port]` of a public URL, lower-cased, default port dropped."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CsohelpError(f"CSOHELP_SITE_URL: {url!r} is not an http(s) address")
    default = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}{port}"


def load_secret(path: Path) -> str:
    """The secret in `path`, created (0600, atomically: two workers agree) when missing or damaged."""
    try:
        found = path.read_text("ascii", errors="replace").strip()
        if re.fullmatch(r"[A-Za-z0-9_-]{32,}", found):
            return found
        path.unlink()  # emptied or overwritten: a new secret only costs open forms a resubmission
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".secret.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(32))
    try:
        os.link(tmp, path)  # fails if another process made it first: theirs wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text("ascii").strip()
