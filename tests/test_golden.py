"""Golden test: pages generated from the fixture corpus equal the committed tree (pelican style).

After an intended change to the templates, regenerate with `UPDATE_GOLDEN=1 pytest tests/test_golden.py`
and review the diff.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

from conftest import REPO

from csohelp.content import load_corpus
from csohelp.pages import render_pages

FIXTURE = REPO / "tests" / "fixtures" / "faq"
GOLDEN = REPO / "tests" / "golden" / "docs"


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_generated_pages_match_golden_tree(tmp_path: Path) -> None:
    corpus = load_corpus(FIXTURE, today=date(2026, 11, 26))
    render_pages(corpus, tmp_path / "docs")
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(tmp_path / "docs", GOLDEN)
    got, want = tree(tmp_path / "docs"), tree(GOLDEN)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name].decode() == want[name].decode(), name


def test_rendering_is_byte_identical(tmp_path: Path) -> None:
    corpus = load_corpus(FIXTURE, today=date(2026, 11, 26))
    render_pages(corpus, tmp_path / "a")
    render_pages(corpus, tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
