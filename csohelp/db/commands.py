"""`csohelp db upgrade|copy|status`: the schema and the moves between stores, for operators."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import CsohelpError


def _url(args: argparse.Namespace) -> str:
    from ..web.settings import Settings

    return args.url or Settings.from_env(root=Path(args.root)).db_url


def cmd_upgrade(args: argparse.Namespace) -> int:
    """Apply pending migrations (opening a store does it; this says what was done)."""
    from . import open_store
    from .base import redact

    store = open_store(_url(args))
    try:
        print(f"{redact(_url(args))}: schema version {store.schema_version()}, up to date")
    finally:
        store.close()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """The schema version and the outbox counts of a store."""
    from . import open_store

    store = open_store(_url(args))
    try:
        counts = store.counts()
        print(f"{store.backend}, schema version {store.schema_version()}: "
              + ", ".join(f"{n} {status}" for status, n in counts.items()))
    finally:
        store.close()
    return 0


def cmd_copy(args: argparse.Namespace) -> int:
    """Copy every request and idempotency key from --from to --to, keeping every reference."""
    from . import open_store
    from .copy import copy_store

    if args.source == args.target:
        raise CsohelpError("--from and --to are the same store")
    source = open_store(args.source)
    try:
        target = open_store(args.target)
        try:
            report = copy_store(source, target)
            total_source, total_target = sum(source.counts().values()), sum(target.counts().values())
        finally:
            target.close()
    finally:
        source.close()
    print(f"copied {report.copied} request(s) and {report.keys} key(s); {report.already_there} were "
          f"already there; source {total_source}, target {total_target} request(s)")
    return 0


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    """`csohelp db ...` on the main parser."""
    p = sub.add_parser("db", help="the request database: upgrade the schema, copy between stores")
    dsub = p.add_subparsers(dest="db_command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=".", help="project folder (its var/requests.db; CSOHELP_DB wins)")
    common.add_argument("--url", help="database URL (default: CSOHELP_DB, else the project's SQLite file)")
    q = dsub.add_parser("upgrade", parents=[common], help="apply pending schema migrations (idempotent)")
    q.set_defaults(func=cmd_upgrade)
    q = dsub.add_parser("status", parents=[common], help="schema version and outbox counts")
    q.set_defaults(func=cmd_status)
    q = dsub.add_parser("copy", help="copy every request to another store, keeping its reference")
    q.add_argument("--from", dest="source", required=True, help="sqlite:///path or postgresql://...")
    q.add_argument("--to", dest="target", required=True, help="sqlite:///path or postgresql://...")
    q.set_defaults(func=cmd_copy)
