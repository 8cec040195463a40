"""Settings of the web app, from the environment (CSOHELP_*) with defaults for one machine."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


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
    if env.get("CSOHELP_WORKERS"):
        values["workers"] = int(env["CSOHELP_WORKERS"])
    if env.get("CSOHELP_STORE_WAIT"):
        values["store_wait"] = float(env["CSOHELP_STORE_WAIT"])
    if env.get("CSOHELP_FORWARD_INTERVAL"):
        values["forward_interval"] = float(env["CSOHELP_FORWARD_INTERVAL"])
    return values
