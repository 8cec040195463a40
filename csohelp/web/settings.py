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

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.site_dir = Path(self.site_dir) if self.site_dir else self.root / "site"
        self.index_dir = Path(self.index_dir) if self.index_dir else self.root / "search_index"
        self.var_dir = Path(self.var_dir) if self.var_dir else self.root / "var"

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
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
