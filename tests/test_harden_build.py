"""Issue 9, item 2: two builds at once leave a working published site."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

from csohelp.build import build_lock
from csohelp.search.opened import IndexHandle

FIXTURE = REPO / "tests" / "fixtures" / "faq"
CSOHELP = str(Path(sys.executable).with_name("csohelp"))


def project(root: Path) -> Path:
    """A project folder like a checkout: the fixture faq/, the repository's plan and theme."""
    root.mkdir(exist_ok=True)
    for name in ("plan", "mkdocs.yml", "overrides", "csohelp"):
        (root / name).symlink_to(REPO / name)
    (root / "faq").symlink_to(FIXTURE)
    return root


def start_build(root: Path, **env: str) -> subprocess.Popen:
    """`csohelp build` in its own process."""
    return subprocess.Popen([CSOHELP, "build", "--root", str(root)], env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(build: subprocess.Popen) -> tuple[int, str]:
    _, err = build.communicate(timeout=120)
    return build.returncode, err


def test_three_builds_at_once_all_succeed_and_leave_a_working_site(tmp_path):
    project(tmp_path)
    builds = [start_build(tmp_path) for _ in range(3)]
    results = [finish(b) for b in builds]
    assert [code for code, _ in results] == [0, 0, 0], results
    for name in ("site", "docs", "search_index"):
        link = tmp_path / name
        assert link.is_symlink() and link.resolve().is_dir(), name
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "en" / "index.html").is_file()
    assert IndexHandle(tmp_path / "search_index").current() is not None
    # Only what is published and the one just replaced remain.
    for prefix in ("site-", "docs-", "index-"):
        assert len(list((tmp_path / "build").glob(prefix + "*"))) <= 2


def test_a_build_that_cannot_get_the_lock_in_time_fails_clearly_and_publishes_nothing(tmp_path):
    project(tmp_path)
    with build_lock(tmp_path / "build"):
        started = time.monotonic()
        code, err = finish(start_build(tmp_path, CSOHELP_BUILD_WAIT="1"))
    assert code == 1 and time.monotonic() - started < 30
    assert f"another build (pid {os.getpid()}) is still running" in err and "Traceback" not in err
    assert not (tmp_path / "site").exists()


def test_a_waiting_build_runs_once_the_first_is_done(tmp_path):
    project(tmp_path)
    with build_lock(tmp_path / "build"):
        build = start_build(tmp_path)
        time.sleep(1.0)
        assert build.poll() is None  # waiting for the lock
    code, err = finish(build)
    assert code == 0, err
    assert (tmp_path / "site" / "index.html").is_file()


@pytest.mark.parametrize("wait", [0.0])
def test_the_lock_is_exclusive_in_one_process_too(tmp_path, wait):
    from csohelp.errors import BuildError

    with build_lock(tmp_path):
        with pytest.raises(BuildError, match="another build"):
            with build_lock(tmp_path, wait):
                pass
