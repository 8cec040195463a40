"""`csohelp rollback`: publish the build kept before the current one again, atomically.

`csohelp build` writes build/site-STAMP, build/index-STAMP and build/docs-STAMP, points the
`site`, `search_index` and `docs` symlinks at them, and keeps the build it replaced (a
running server may still read it). Rolling back points the symlinks at that previous build
with the same atomic swap; the build rolled back from is kept, so a second rollback is not
possible but a rebuild replaces it as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..build import CATALOGUE, Paths, publish_dir
from ..errors import CsohelpError

# (folder prefix in build/, published name): the site first, then what goes with it.
KINDS = (("site", "site"), ("index", "index"), ("docs", "docs"))


@dataclass(frozen=True)
class Build:
    """One kept build: its stamp and whether it is the published one."""

    stamp: str
    current: bool


def stamp_of(folder: Path) -> str:
    """The stamp of a build folder (site-20261128T004902-19142-943469 → 20261128T…)."""
    return folder.name.split("-", 1)[1]


def kept_builds(paths: Paths) -> list[Build]:
    """The complete builds in build/, oldest first (a stamp starts with the date and time)."""
    current = stamp_of(paths.site.resolve()) if paths.site.is_symlink() else None
    builds = []
    for site in sorted(Path(paths.work).glob("site-*")):
        if (site / "index.html").is_file() and (site / CATALOGUE).is_file():
            builds.append(Build(stamp_of(site), stamp_of(site) == current))
    return builds


def rollback(paths: Paths) -> str:
    """Publish the newest kept build older than the current one; its stamp."""
    if not paths.site.is_symlink():
        raise CsohelpError(f"{paths.site} is not a published build (no symlink): nothing to roll back")
    builds = kept_builds(paths)
    current = next((b for b in builds if b.current), None)
    older = [b for b in builds if current and b.stamp < current.stamp]
    if current is None or not older:
        listed = ", ".join(b.stamp for b in builds) or "none"
        raise CsohelpError(f"no previous build to roll back to in {paths.work} (kept: {listed})")
    target = older[-1].stamp
    folders = {kind: Path(paths.work) / f"{kind}-{target}" for kind, _ in KINDS}
    published = {"site": paths.site, "index": paths.index, "docs": paths.docs}
    missing = [str(f) for kind, f in folders.items() if kind != "docs" and not f.is_dir()]
    if missing:
        raise CsohelpError("the previous build is incomplete, not rolled back: missing " + ", ".join(missing))
    # In the order the build publishes: each swap is atomic, the set of three is not (as in a build).
    for kind in ("docs", "site", "index"):
        if folders[kind].is_dir():
            publish_dir(folders[kind], published[kind])
    return target
