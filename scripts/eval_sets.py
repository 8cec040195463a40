"""Score the relevance sets together, optionally with search constants changed (experiments).

    .venv/bin/python scripts/eval_sets.py                      # every tests/relevance/*.yaml
    .venv/bin/python scripts/eval_sets.py fresh11-untouched --misses
    .venv/bin/python scripts/eval_sets.py --try confidence.NEUTRAL=2.1 --try spelling.LONG_WORD=8
    .venv/bin/python scripts/eval_sets.py fresh81-untouched fresh82-untouched --novel

One line per set (as `csohelp eval` scores it) and the pooled figures: answerable queries
weighted by their number, out-of-scope ones likewise. `--try` sets a module constant of
`csohelp.search` for this run only, to measure a change before making it. `--novel` scores only
the queries no set left out of the run holds (the same words, case and punctuation aside):
writers of different sets often type the same common query, and one the search was tuned on
is no test of it.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

from csohelp.search.backend import WhooshBackend
from csohelp.search.evaluate import evaluate, load_queries, report

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "tests" / "relevance"


def main(argv: list[str] | None = None) -> int:
    """Print each set's scores and the pooled ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="set names (default: all in tests/relevance)")
    parser.add_argument("--index", type=Path, default=ROOT / "search_index")
    parser.add_argument("--try", dest="tries", action="append", default=[], metavar="MODULE.NAME=VALUE")
    parser.add_argument("--misses", action="store_true", help="print each set's full report (its misses)")
    parser.add_argument("--novel", action="store_true",
                        help="only the queries that no set outside the run holds")
    args = parser.parse_args(argv)
    for change in args.tries:
        name, _, value = change.partition("=")
        module, _, constant = name.rpartition(".")
        target = importlib.import_module(f"csohelp.search.{module}")
        if not hasattr(target, constant):
            parser.error(f"csohelp.search.{module} has no {constant}")
        setattr(target, constant, type(getattr(target, constant))(float(value)))
    backend = WhooshBackend(args.index, cache_size=0)
    names = args.sets or sorted(p.stem for p in SETS.glob("*.yaml"))
    seen = held_elsewhere(names) if args.novel else set()
    totals = dict.fromkeys(("answerable", "r1", "r3", "mrr", "lost", "oos_n", "oos", "shown", "right"), 0.0)
    for name in names:
        queries = [q for q in load_queries(SETS / f"{name}.yaml") if same_query(q) not in seen]
        e = evaluate(backend, queries)
        n, m = len(e.answerable), len(e.out_of_scope)
        right = sum(1 for j in e.shown if j.suggestion_ok)
        oos = f"{e.no_confident_hit:.3f}" if m else "-"
        print(f"{name:20} r1 {e.recall(1):.3f} r3 {e.recall(3):.3f} mrr {e.mrr:.3f} "
              f"lost {e.lost_to_bar:.3f} oos {oos} suggestions {right}/{len(e.shown)}")
        if args.misses:
            print(report(e, name))  # `csohelp eval`'s report: the misses, the wrong suggestions
        totals["answerable"] += n
        totals["r1"] += e.recall(1) * n
        totals["r3"] += e.recall(3) * n
        totals["mrr"] += e.mrr * n
        totals["lost"] += e.lost_to_bar * n
        totals["oos_n"] += m
        totals["oos"] += e.no_confident_hit * m
        totals["shown"] += len(e.shown)
        totals["right"] += right
    n, m = totals["answerable"] or 1, totals["oos_n"] or 1
    # Four places and the counts behind them: a target such as 0.98 is met or missed by a query.
    print(f"{'pooled':20} {totals['answerable']:.0f} answerable: r1 {totals['r1'] / n:.4f} "
          f"r3 {totals['r3'] / n:.4f} ({round(totals['r3'])}) mrr {totals['mrr'] / n:.4f} "
          f"lost {totals['lost'] / n:.4f} ({round(totals['lost'])}); {totals['oos_n']:.0f} out of "
          f"scope: {totals['oos'] / m:.4f} ({round(totals['oos'])}); "
          f"suggestions {totals['right']:.0f}/{totals['shown']:.0f}")
    return 0


def same_query(query: dict) -> tuple[str, str]:
    """A query as another set would hold it: its language and words, case and punctuation aside."""
    return query["lang"], " ".join(re.findall(r"\w+", str(query["q"]).lower()))


def held_elsewhere(names: list[str]) -> set[tuple[str, str]]:
    """The queries of every set not in the run (those the search may have been tuned on)."""
    others = [p for p in SETS.glob("*.yaml") if p.stem not in names]
    return {same_query(q) for p in others for q in load_queries(p)}


if __name__ == "__main__":
    sys.exit(main())
