"""Relevance: recall@3 of the project's query set and of the shared sample; `csohelp eval`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from search_helpers import REPO, build_faq_index

from csohelp.cli import main
from csohelp.search.backend import WhooshBackend
from csohelp.search.evaluate import evaluate, load_queries, report

SAMPLE = REPO.parent / "shared" / "relevance-sample.yaml"
OWN = REPO / "tests" / "relevance" / "queries.yaml"
UNSEEN = REPO / "tests" / "relevance" / "unseen.yaml"  # never tuned against


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> WhooshBackend:
    return WhooshBackend(build_faq_index(tmp_path_factory.mktemp("relevance") / "index"))


def test_own_query_set_is_big_and_bilingual() -> None:
    queries = load_queries(OWN)
    assert len(queries) >= 150
    assert {q["lang"] for q in queries} == {"fr", "en"}
    assert min(sum(q["lang"] == lang for q in queries) for lang in ("fr", "en")) >= 60


@pytest.mark.parametrize("path", [OWN, UNSEEN, pytest.param(SAMPLE, id="sample")])
def test_recall_at_3(backend: WhooshBackend, path: Path) -> None:
    if not path.exists() and os.environ.get("CI") != "true":
        pytest.skip(f"{path} is not in this checkout (CI has ../shared beside the clone)")
    evaluation = evaluate(backend, load_queries(path))
    assert evaluation.recall(3) >= 0.95, report(evaluation, path.name)


def test_eval_command(built_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(OWN), "--root", str(built_project), "--min", "0.95"]) == 0
    out = capsys.readouterr().out
    assert "recall@1" in out and "recall@3" in out and "MRR" in out


def test_eval_rejects_a_malformed_file(built_project: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("queries:\n  - {q: facture}\n", "utf-8")
    assert main(["eval", str(bad), "--root", str(built_project)]) == 1
    assert "needs lang, q and expect" in capsys.readouterr().err


HELD_OUT = [REPO / "tests" / "relevance" / f"heldout-{part}.yaml" for part in ("tune", "untouched")]
SPELLING = [REPO / "tests" / "relevance" / f"spelling-{part}.yaml" for part in ("tune", "untouched")]


@pytest.mark.parametrize("path", HELD_OUT, ids=lambda p: p.stem)
def test_held_out_set_ranking_and_out_of_scope(backend: WhooshBackend, path: Path) -> None:
    """Issue 10's targets, as floors."""
    queries = load_queries(path)
    assert len(queries) >= 75 and sum(1 for q in queries if not q["expect"]) >= 15
    e = evaluate(backend, queries)
    assert e.recall(3) >= 0.98 and e.recall(1) >= 0.90 and e.mrr >= 0.93, report(e, path.name)
    assert e.no_confident_hit >= 0.90 and e.lost_to_bar <= 0.02, report(e, path.name)


@pytest.mark.parametrize("path", SPELLING, ids=lambda p: p.stem)
def test_spelling_set_suggests_only_to_help(backend: WhooshBackend, path: Path) -> None:
    e = evaluate(backend, load_queries(path))
    assert len(e.spelled_right) >= 22 and len(e.misspelled) >= 22
    assert not [j.q for j in e.spelled_right if j.suggestion is not None], report(e, path.name)
    assert sum(1 for j in e.shown if j.suggestion_ok) >= 0.9 * len(e.shown), report(e, path.name)
    assert sum(1 for j in e.misspelled if e.misspelled_ok(j)) >= 0.9 * len(e.misspelled)


def test_final_held_out_set_keeps_its_measured_levels(backend: WhooshBackend) -> None:
    """Written after the first tuning and measured once (recall@3 0.917, out of scope 90 %);
    tuned against since: it gives 1.0 and 1.0 now."""
    path = REPO / "tests" / "relevance" / "final-untouched.yaml"
    e = evaluate(backend, load_queries(path))
    assert e.recall(3) >= 0.97 and e.no_confident_hit >= 0.95, report(e, path.name)


# Fresh sets written on 2026-11-28 by helpers who never saw the search code (issue 10's
# second and third rounds): each measured once before it was tuned against (the first two in
# halves: A tuned at once, B measured first; see the closing note).
# Floors a little below what each gives today, so that no change makes them worse unseen.
FRESH = {
    "fresh-tune": (0.97, 0.95), "fresh-untouched": (0.97, 0.95), "fresh2-tune": (0.97, 0.95),
    "fresh2-untouched": (0.97, 0.95), "fresh3-untouched": (0.95, 0.90),
    "fresh4-untouched": (0.97, 0.90), "fresh5-untouched": (0.97, 0.95),
    "fresh6-untouched": (0.97, 0.90), "fresh7-untouched": (0.97, 0.90),
    "fresh8-untouched": (0.96, 0.85), "fresh9-untouched": (0.92, 0.93),
    "fresh10-untouched": (0.92, 0.93), "fresh11-untouched": (0.96, 0.78),
    "fresh12-untouched": (0.97, 0.75), "fresh13-untouched": (0.90, 0.70),
    "fresh14-untouched": (0.97, 0.90), "fresh15-untouched": (0.95, 0.88),
    "fresh16-untouched": (0.95, 0.93), "fresh17-untouched": (0.95, 0.93),
    "fresh18-untouched": (0.94, 0.86),
    "fresh19-untouched": (0.93, 0.93),  # measured once at e07ad54, tuned on in round five
    "fresh20-untouched": (0.97, 0.93), "fresh21-untouched": (0.96, 0.93),  # once at 873268f
    # Measured once at 6526285, untouched until then (round five's final measure), then tuned on.
    "fresh22-untouched": (0.95, 0.90), "fresh23-untouched": (0.94, 0.83),
    "fresh24-untouched": (0.96, 0.88),
    # Measured at ff0d9f4 and ea34fd9, their misses not read (round five's second measure).
    "fresh25-untouched": (0.96, 0.88), "fresh26-untouched": (0.95, 0.86),
    # Measured once at fc7c9c1, untouched until then (round six's measure), then tuned on.
    "fresh27-untouched": (0.97, 0.93), "fresh28-untouched": (0.97, 0.91),
    "fresh29-untouched": (0.97, 0.91), "fresh30-untouched": (0.96, 0.91),
    # Measured once at af82418, untouched until then; then ERP field names were read as words.
    "fresh31-untouched": (0.96, 0.90), "fresh32-untouched": (0.95, 0.83),
    # Measured once at aa63399 (round six's final code), untouched until then.
    "fresh33-untouched": (0.96, 0.85), "fresh34-untouched": (0.97, 0.88),
    "fresh35-untouched": (0.95, 0.85), "fresh36-untouched": (0.95, 0.90),
    "fresh37-untouched": (0.965, 0.91), "fresh38-untouched": (0.94, 0.90),
    # Round seven: measured once after its first changes (tuned on fresh33-38), untouched until then.
    "fresh39-untouched": (0.955, 0.93), "fresh40-untouched": (0.975, 0.90),
    "fresh41-untouched": (0.975, 0.83), "fresh42-untouched": (0.97, 0.90),
    "fresh43-untouched": (0.955, 0.91), "fresh44-untouched": (0.975, 0.86),
    # Measured once at d5d6124 (after tuning on fresh39-44), untouched until then.
    "fresh45-untouched": (0.955, 0.91), "fresh46-untouched": (0.96, 0.91),
    "fresh47-untouched": (0.965, 0.91), "fresh48-untouched": (0.96, 0.86),
    "fresh49-untouched": (0.97, 0.90), "fresh50-untouched": (0.975, 0.85),
    # Measured once at 56848a9 (after tuning on fresh45-50), untouched until then.
    "fresh51-untouched": (0.95, 0.90), "fresh52-untouched": (0.96, 0.91),
    "fresh53-untouched": (0.965, 0.90), "fresh54-untouched": (0.955, 0.93),
    "fresh55-untouched": (0.98, 0.93), "fresh56-untouched": (0.975, 0.95),
    # Measured once at aa3440d, untouched until then; then tuned on.
    "fresh57-untouched": (0.955, 0.91), "fresh58-untouched": (0.96, 0.95),
    "fresh59-untouched": (0.97, 0.90), "fresh60-untouched": (0.96, 0.93),
    "fresh61-untouched": (0.975, 0.93), "fresh62-untouched": (0.97, 0.90),
    # Measured once at ac96579 (after tuning on fresh57-62), untouched until then; then tuned on.
    "fresh63-untouched": (0.97, 0.91), "fresh64-untouched": (0.965, 0.95),
    "fresh65-untouched": (0.965, 0.91), "fresh66-untouched": (0.955, 0.90),
    "fresh67-untouched": (0.94, 0.81), "fresh68-untouched": (0.93, 0.93),
    # Measured once at 011ecb5 (after tuning on fresh63-68), untouched until then; then tuned on.
    "fresh69-untouched": (0.975, 0.96), "fresh70-untouched": (0.975, 0.88),
    "fresh71-untouched": (0.97, 0.96), "fresh72-untouched": (0.965, 0.93),
    "fresh73-untouched": (0.98, 0.95), "fresh74-untouched": (0.985, 0.96),
    # Measured once at c3d9f2d (after tuning on fresh69-74), untouched until then; then tuned on.
    "fresh75-untouched": (0.98, 0.96), "fresh76-untouched": (0.975, 0.96),
    "fresh77-untouched": (0.99, 0.93), "fresh78-untouched": (0.985, 0.93),
    "fresh79-untouched": (0.99, 0.93), "fresh80-untouched": (0.975, 0.93),
    # Measured once at c3d9f2d too, untouched until then; then tuned on.
    "fresh81-untouched": (0.98, 0.88), "fresh82-untouched": (0.965, 0.90),
    "fresh83-untouched": (0.99, 0.91), "fresh84-untouched": (0.985, 0.91),
    "fresh85-untouched": (0.985, 0.98), "fresh86-untouched": (0.97, 0.95),
    # Measured once at 5217ce7 (after tuning on fresh75-86), untouched until then; then tuned on.
    "fresh87-untouched": (0.985, 0.91), "fresh88-untouched": (0.99, 0.91),
    "fresh89-untouched": (0.975, 0.85), "fresh90-untouched": (0.99, 0.96),
    "fresh91-untouched": (0.975, 0.91), "fresh92-untouched": (0.98, 0.91),
    # Measured once at 987a28b (after tuning on fresh87-92), untouched until then; then tuned on
    # (fresh93's out of scope went from 58 to 57 of 60 when a hatchery became an organisation:
    # "maintenance contract for the hatchery water pumps" now finds our contracts).
    "fresh93-untouched": (0.985, 0.95), "fresh94-untouched": (0.975, 0.91),
    "fresh95-untouched": (0.97, 0.95), "fresh96-untouched": (0.985, 0.86),
    "fresh97-untouched": (0.965, 0.99), "fresh98-untouched": (0.965, 0.93),
    # Measured once at f61effe (this round's final search), untouched: their misses unread.
    "fresh99-untouched": (0.98, 0.93), "fresh100-untouched": (0.995, 0.93),
    "fresh101-untouched": (0.985, 0.96), "fresh102-untouched": (0.975, 0.95),
    "fresh103-untouched": (0.985, 0.90), "fresh104-untouched": (0.96, 0.88),
}
# The share of answerable queries lost to the bar allowed: 5 % unless listed.
LOST = {"fresh10-untouched": 0.06, "fresh13-untouched": 0.07}


@pytest.mark.parametrize("name", FRESH)
def test_fresh_sets_keep_their_levels(backend: WhooshBackend, name: str) -> None:
    recall3, oos = FRESH[name]
    queries = load_queries(REPO / "tests" / "relevance" / f"{name}.yaml")
    assert len(queries) >= 130 and sum(1 for q in queries if not q["expect"]) >= 22, name
    e = evaluate(backend, queries)
    assert e.recall(3) >= recall3 and e.no_confident_hit >= oos, report(e, name)
    right = sum(1 for j in e.shown if j.suggestion_ok)
    assert e.lost_to_bar <= LOST.get(name, 0.05) and right >= 0.9 * len(e.shown), report(e, name)
