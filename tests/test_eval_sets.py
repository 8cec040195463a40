"""scripts/eval_sets.py --novel: a query another set holds is no test of the search."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "eval_sets.py"
spec = importlib.util.spec_from_file_location("eval_sets", SCRIPT)
assert spec is not None and spec.loader is not None
eval_sets = importlib.util.module_from_spec(spec)
spec.loader.exec_module(eval_sets)


def test_the_same_query_is_its_words_whatever_the_case_and_punctuation() -> None:
    assert eval_sets.same_query({"lang": "fr", "q": "Contestation : facture IBM ?"}) == (
        "fr", "contestation facture ibm")
    assert eval_sets.same_query({"lang": "fr", "q": "x"}) != eval_sets.same_query({"lang": "en", "q": "x"})


def test_queries_held_by_sets_outside_the_run_are_left_out() -> None:
    # Two writers typed this one: fresh30 (tuned on) and fresh76.
    typed = eval_sets.same_query({"lang": "fr", "q": "contestation facture ibm"})
    assert typed in eval_sets.held_elsewhere(["fresh76-untouched"])
    everything = sorted(p.stem for p in eval_sets.SETS.glob("*.yaml"))
    assert eval_sets.held_elsewhere(everything) == set()
    # Left out of the run, a set that never typed it does not make it held elsewhere.
    assert typed not in eval_sets.held_elsewhere([n for n in everything if n != "fresh9-untouched"])
