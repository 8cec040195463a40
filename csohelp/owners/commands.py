"""`csohelp report` and `csohelp analytics prune`: the owners' figures from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import CsohelpError


def load_topics(root: Path) -> dict[str, dict[str, Any]]:
    """Topics as the web app sees them: the published catalogue, else faq/ read directly."""
    catalogue = root / "site" / "catalogue.json"
    if catalogue.exists():
        topics = json.loads(catalogue.read_text("utf-8"))["topics"]
        if all("reviewed" in t for t in topics):
            return {t["id"]: t for t in topics}
    from ..content import LANGS, load_corpus

    corpus = load_corpus(root / "faq")
    return {t.id: {"id": t.id, "reviewed": t.reviewed.isoformat(),
                   **{lang: {"title": t.text(lang).title, "summary": t.text(lang).summary,
                             "url": t.url(lang)} for lang in LANGS}} for t in corpus.topics}


def cmd_report(args: argparse.Namespace) -> int:
    """Print the report for the period and language asked, as text, JSON or CSV."""
    from ..db import StoreError
    from ..web.settings import Settings
    from .report import FORMATS, compute_report, parse_since
    from .store import open_analytics

    today = datetime.now(UTC).date()
    since = parse_since(args.since, today)
    root = Path(args.root)
    settings = Settings.from_env(root=root)
    analytics = open_analytics(settings.db_url)
    try:
        try:
            requests = [{"created_at": r.created_at, **r.data} for r in analytics.store.list()
                        if r.created_at[:10] >= since.isoformat()]
        except StoreError as exc:
            raise CsohelpError(f"the request store: {exc}") from None
        report = compute_report(analytics, load_topics(root), requests, since, today, args.lang,
                                stale_days=args.stale_days)
    finally:
        analytics.close()
    sys.stdout.write(FORMATS[args.format](report))
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    """Fold raw events older than CSOHELP_ANALYTICS_DAYS into daily figures (the server does it daily)."""
    from ..web.settings import Settings
    from .store import open_analytics

    settings = Settings.from_env(root=Path(args.root))
    days = args.days if args.days is not None else settings.analytics_days
    analytics = open_analytics(settings.db_url)
    try:
        counts = analytics.prune(datetime.now(UTC).date(), days)
    finally:
        analytics.close()
    print(f"kept {days} days of raw events; folded into daily figures: "
          + ", ".join(f"{n} {name}" for name, n in counts.items()))
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register `report` and `analytics prune`."""
    p = sub.add_parser("report", help="what clients searched, opened, found helpful and asked CSOL")
    p.add_argument("--root", default=".")
    p.add_argument("--since", default="30d", help="30d, 12w or a date YYYY-MM-DD (default: 30d)")
    p.add_argument("--lang", choices=("fr", "en"), help="one language (default: both)")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.add_argument("--stale-days", type=int, default=365, metavar="DAYS",
                   help="list topics reviewed more than DAYS ago (default: 365)")
    p.set_defaults(func=cmd_report)

    a = sub.add_parser("analytics", help="the owners' analytics tables")
    asub = a.add_subparsers(dest="analytics_command", required=True)
    q = asub.add_parser("prune", help="aggregate raw events older than CSOHELP_ANALYTICS_DAYS (default 180)")
    q.add_argument("--root", default=".")
    q.add_argument("--days", type=int, help="keep this many days instead")
    q.set_defaults(func=cmd_prune)
