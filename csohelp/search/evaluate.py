"""Relevance evaluation: recall@1, recall@3 and MRR of a query file against an index."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import CsohelpError
from .backend import SearchBackend


@dataclass
class Judged:
    """One query of the file and where its first expected topic ranked (0 = not in the top 10)."""

    lang: str
    q: str
    expect: list[str]
    rank: int
    got: list[str]


@dataclass
class Evaluation:
    """The scores of a query file."""

    judged: list[Judged] = field(default_factory=list)

    def recall(self, k: int) -> float:
        """Share of queries with an expected topic in the top k."""
        return sum(1 for j in self.judged if 0 < j.rank <= k) / max(1, len(self.judged))

    @property
    def mrr(self) -> float:
        """Mean reciprocal rank of the first expected topic (within the top 10)."""
        return sum(1 / j.rank for j in self.judged if j.rank) / max(1, len(self.judged))

    def misses(self, k: int = 3) -> list[Judged]:
        """Queries without an expected topic in the top k."""
        return [j for j in self.judged if not 0 < j.rank <= k]


def load_queries(path: Path, lang: str | None = None) -> list[dict]:
    """Queries of a file shaped like relevance-sample.yaml: {queries: [{lang, q, expect}]}."""
    try:
        data = yaml.safe_load(Path(path).read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CsohelpError(f"{path}: {exc}") from None
    queries = data.get("queries") if isinstance(data, dict) else None
    if not isinstance(queries, list):
        raise CsohelpError(f"{path}: expected a mapping with a `queries` list")
    for i, item in enumerate(queries):
        if not (isinstance(item, dict) and {"lang", "q", "expect"} <= item.keys()):
            raise CsohelpError(f"{path}: query {i + 1} needs lang, q and expect")
    return [q for q in queries if lang is None or q["lang"] == lang]


def evaluate(backend: SearchBackend, queries: list[dict], depth: int = 10) -> Evaluation:
    """Run every query and rank its expected topics."""
    result = Evaluation()
    for item in queries:
        hits = backend.search(str(item["q"]), item["lang"], limit=depth).hits
        ids = [h.id for h in hits]
        rank = next((i + 1 for i, hid in enumerate(ids) if hid in item["expect"]), 0)
        result.judged.append(Judged(item["lang"], str(item["q"]), list(item["expect"]), rank, ids[:3]))
    return result


def report(evaluation: Evaluation, name: str) -> str:
    """A few lines for people: the scores, then each miss."""
    lines = [f"{name}: {len(evaluation.judged)} queries  recall@1 {evaluation.recall(1):.3f}  "
             f"recall@3 {evaluation.recall(3):.3f}  MRR {evaluation.mrr:.3f}"]
    for j in evaluation.misses(3):
        lines.append(f"  miss [{j.lang}] {j.q!r}: expected {j.expect}, got {j.got} (rank {j.rank or '-'})")
    return "\n".join(lines)
