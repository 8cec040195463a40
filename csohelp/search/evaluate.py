"""Relevance evaluation of a query file: ranking, out-of-scope queries, the confidence bar, spelling."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import CsohelpError
from .analysis import fold
from .backend import SearchBackend

UNSET = object()  # a query without a `fix` key: its suggestions are judged by where they lead


@dataclass
class Judged:
    """One query of the file and what came back (rank 0 = no expected topic among the hits)."""

    lang: str
    q: str
    expect: list[str]
    rank: int
    got: list[str]
    suggestion: str | None = None
    corrected: bool = False
    fix: Any = UNSET  # None: correctly spelled; a string: the right correction
    suggestion_ok: bool | None = None  # None when no suggestion was shown
    lost: bool = False  # an expected topic was ranked but fell below the confidence bar

    @property
    def answerable(self) -> bool:
        """Whether the help center has an answer (expect is not empty)."""
        return bool(self.expect)


@dataclass
class Evaluation:
    """The scores of a query file."""

    judged: list[Judged] = field(default_factory=list)

    @property
    def answerable(self) -> list[Judged]:
        """Queries with an expected topic."""
        return [j for j in self.judged if j.answerable]

    @property
    def out_of_scope(self) -> list[Judged]:
        """Queries the help center cannot answer (`expect: []`)."""
        return [j for j in self.judged if not j.answerable]

    def recall(self, k: int) -> float:
        """Share of answerable queries with an expected topic in the top k."""
        return sum(1 for j in self.answerable if 0 < j.rank <= k) / max(1, len(self.answerable))

    @property
    def mrr(self) -> float:
        """Mean reciprocal rank of the first expected topic over answerable queries."""
        return sum(1 / j.rank for j in self.answerable if j.rank) / max(1, len(self.answerable))

    @property
    def no_confident_hit(self) -> float:
        """Share of out-of-scope queries answered with no confident hit (1.0 when there are none)."""
        oos = self.out_of_scope
        return sum(1 for j in oos if not j.got) / len(oos) if oos else 1.0

    @property
    def lost_to_bar(self) -> float:
        """Share of answerable queries whose expected topic the confidence bar dropped."""
        return sum(1 for j in self.answerable if j.lost) / max(1, len(self.answerable))

    @property
    def shown(self) -> list[Judged]:
        """Queries that got a suggestion (a "did you mean" or "showing results for")."""
        return [j for j in self.judged if j.suggestion is not None]

    @property
    def spelled_right(self) -> list[Judged]:
        """Queries marked as correctly spelled (`fix: null`)."""
        return [j for j in self.judged if j.fix is None]

    @property
    def misspelled(self) -> list[Judged]:
        """Queries marked as misspelled (`fix: "..."`)."""
        return [j for j in self.judged if isinstance(j.fix, str)]

    def misspelled_ok(self, j: Judged) -> bool:
        """A misspelled query is helped: the right correction, or an expected topic first."""
        return bool(j.suggestion_ok) or (j.rank == 1 and j.answerable)

    def misses(self, k: int = 3) -> list[Judged]:
        """Answerable queries without an expected topic in the top k, out-of-scope ones with hits."""
        return [j for j in self.judged if (j.answerable and not 0 < j.rank <= k)
                or (not j.answerable and j.got)]


def load_queries(path: Path, lang: str | None = None) -> list[dict]:
    """Queries of a file shaped like relevance-sample.yaml: {queries: [{lang, q, expect[, fix]}]}."""
    try:
        data = yaml.safe_load(Path(path).read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CsohelpError(f"{path}: {exc}") from None
    queries = data.get("queries") if isinstance(data, dict) else None
    if not isinstance(queries, list):
        raise CsohelpError(f"{path}: expected a mapping with a `queries` list")
    problems = []
    for i, item in enumerate(queries):
        if not (isinstance(item, dict) and {"lang", "q", "expect"} <= item.keys()):
            problems.append(f"{path}: query {i + 1} needs lang, q and expect")
        elif not isinstance(item["expect"], list):
            problems.append(f"{path}: query {i + 1}: expect must be a list ([] for out of scope)")
    if problems:
        raise CsohelpError("\n".join(problems))
    return [q for q in queries if lang is None or q["lang"] == lang]


def _same(a: str, b: str) -> bool:
    """Two queries are the same correction when they match without case and accents."""
    return " ".join(fold(a).split()) == " ".join(fold(b).split())


def evaluate(backend: SearchBackend, queries: list[dict], depth: int = 10) -> Evaluation:
    """Run every query; rank its expected topics and judge its suggestion."""
    result = Evaluation()
    for item in queries:
        q, lang, expect = str(item["q"]), item["lang"], list(item["expect"])
        answer = backend.search(q, lang, limit=depth)
        ids = [h.id for h in answer.hits]
        rank = next((i + 1 for i, hid in enumerate(ids) if hid in expect), 0)
        judged = Judged(lang, q, expect, rank, ids[:3], answer.suggestion, answer.corrected,
                        item.get("fix", UNSET))
        if answer.suggestion is not None:
            if isinstance(judged.fix, str):
                judged.suggestion_ok = _same(answer.suggestion, judged.fix)
            elif judged.fix is None or not expect:
                judged.suggestion_ok = False
            else:  # no fix given: right when the suggestion leads to an expected topic first
                fixed = backend.search(answer.suggestion, lang, limit=1, exact=True).hits
                judged.suggestion_ok = bool(fixed) and fixed[0].id in expect
        if expect and not rank:
            judged.lost = any(t in expect for t in backend.ranked_ids(q, lang, depth))
        result.judged.append(judged)
    return result


def report(evaluation: Evaluation, name: str) -> str:
    """A few lines for people: the scores, then each miss."""
    e = evaluation
    lines = [f"{name}: {len(e.judged)} queries ({len(e.answerable)} answerable, "
             f"{len(e.out_of_scope)} out of scope)",
             f"  answerable: recall@1 {e.recall(1):.3f}  recall@3 {e.recall(3):.3f}  MRR {e.mrr:.3f}"
             f"  lost to the bar {e.lost_to_bar:.1%}"]
    if e.out_of_scope:
        lines.append(f"  out of scope: {e.no_confident_hit:.1%} with no confident hit")
    shown = e.shown
    right = sum(1 for j in shown if j.suggestion_ok)
    lines.append(f"  suggestions: {len(shown)} shown, {right} correct"
                 + (f" ({right / len(shown):.1%})" if shown else ""))
    if e.spelled_right or e.misspelled:
        wrong = sum(1 for j in e.spelled_right if j.suggestion is not None)
        helped = sum(1 for j in e.misspelled if e.misspelled_ok(j))
        lines.append(f"  spelling: {wrong} suggestion(s) on {len(e.spelled_right)} correctly spelled; "
                     f"{helped}/{len(e.misspelled)} misspelled helped (right fix or topic first)")
    for j in e.misses(3):
        lines.append(f"  miss [{j.lang}] {j.q!r}: expected {j.expect or 'nothing'}, got {j.got} "
                     f"(rank {j.rank or '-'}{', lost to the bar' if j.lost else ''})")
    for j in shown:
        if not j.suggestion_ok:
            lines.append(f"  wrong suggestion [{j.lang}] {j.q!r} -> {j.suggestion!r}")
    for j in e.misspelled:
        if not e.misspelled_ok(j):
            lines.append(f"  not helped [{j.lang}] {j.q!r}: fix {j.fix!r}, got {j.suggestion!r} {j.got}")
    return "\n".join(lines)
