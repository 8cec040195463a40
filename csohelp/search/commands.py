"""The `csohelp search` and `csohelp eval` subcommands (registered by csohelp/cli.py)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import CsohelpError, QueryError
from . import backend_for
from .evaluate import evaluate, load_queries, report

DEFAULT_QUERIES = Path("tests/relevance/queries.yaml")


def cmd_search(args: argparse.Namespace) -> int:
    """Search the published index and print the hits (or the API's JSON with --json)."""
    backend = backend_for(Path(args.root) / "search_index")
    try:
        result = backend.search(args.query, args.lang, args.limit, args.category, args.exact)
    except QueryError as exc:
        raise CsohelpError(exc.message_for(args.lang)) from None
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"{result.total} result(s) for {result.query!r} ({result.took_ms} ms)")
    if result.corrected:
        print(f"showing results for: {result.suggestion} (the query as typed finds nothing)")
    elif result.suggestion:
        print(f"did you mean: {result.suggestion}")
    for i, hit in enumerate(result.hits, 1):
        snippet = hit.snippet.replace("<mark>", "[").replace("</mark>", "]")
        print(f"{i:2}. {hit.title}  {hit.url}  ({hit.id}, {hit.score})\n    {snippet}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Print recall@1, recall@3 and MRR of a query file; exit 1 when recall@3 is below --min."""
    backend = backend_for(Path(args.root) / "search_index")
    if backend.handle.current() is None:
        raise CsohelpError(f"no search index in {args.root}/search_index: run `csohelp build` first")
    path = Path(args.file)
    evaluation = evaluate(backend, load_queries(path, args.lang))
    print(report(evaluation, str(path)))
    return 0 if evaluation.recall(3) >= args.min else 1


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register `search` and `eval`."""
    p = sub.add_parser("search", help="search the help center (as the API does)")
    p.add_argument("query")
    p.add_argument("--lang", choices=["fr", "en"], default="fr")
    p.add_argument("--limit", type=int, default=10, choices=range(1, 51), metavar="1..50")
    p.add_argument("--category", default=None)
    p.add_argument("--json", action="store_true", help="print the API's JSON")
    p.add_argument("--exact", action="store_true", help="no spelling correction")
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("eval", help="recall@1, recall@3, MRR, out-of-scope and suggestion scores "
                       "of a relevance query file")
    p.add_argument("file", nargs="?", default=str(DEFAULT_QUERIES))
    p.add_argument("--lang", choices=["fr", "en"], default=None, help="only queries of one language")
    p.add_argument("--min", type=float, default=0.0, help="fail (exit 1) below this recall@3")
    p.add_argument("--root", default=".")
    p.set_defaults(func=cmd_eval)
