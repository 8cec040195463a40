"""`csohelp requests list|show|export|forward`: the request store for agents and cron."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .db.base import STATUSES
from .errors import CsohelpError
from .requests_model import REFERENCE_FIELDS

if TYPE_CHECKING:
    from .db import RequestStore
    from .web.settings import Settings

EXPORT_COLUMNS = ("reference", "created_at", "status", "attempts", "sent_at", "request_type", "company",
                  "customer_number", "contact_name", "email", "phone", "language", "references.invoice",
                  "references.order", "references.machine", "topic", "subject", "description")


def _open(args: argparse.Namespace) -> tuple[Settings, RequestStore]:
    # Imported here so `csohelp --help` and the other subcommands do not load the web stack.
    from .db import open_store
    from .web.settings import Settings

    settings = Settings.from_env(root=Path(args.root))
    return settings, open_store(settings.db_url)


def cmd_list(args: argparse.Namespace) -> int:
    """One line per request: reference, date, status, type, company, subject."""
    _, store = _open(args)
    for r in store.list(status=args.status, limit=args.limit):
        print(f"{r.reference}  {r.created_at}  {r.status:6}  {r.data['request_type']:19}  "
              f"{r.data['company'][:30]:30}  {r.data['subject'][:60]}")
    counts = store.counts()
    print(f"{sum(counts.values())} requests: {counts['queued']} queued, {counts['sent']} sent, "
          f"{counts['failed']} failed", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Every field of one request, as JSON."""
    _, store = _open(args)
    record = store.get(args.reference)
    if record is None:
        raise CsohelpError(f"no request {args.reference}")
    print(json.dumps(record.as_dict(), ensure_ascii=False, indent=2))
    return 0


def _row(data: dict[str, Any]) -> dict[str, Any]:
    refs = data.get("references") or {}
    row = {k: v for k, v in data.items() if k != "references"}
    row.update({f"references.{k}": refs.get(k) for k in REFERENCE_FIELDS})
    return row


def cmd_export(args: argparse.Namespace) -> int:
    """All requests as one JSON list or as CSV (spreadsheet formulas neutralized)."""
    _, store = _open(args)
    records = [r.as_dict() for r in store.list(status=args.status)]
    if args.format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        row = _row(record)
        # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
        writer.writerow({k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@\t\r" else v)
                         for k, v in row.items()})
    return 0


def cmd_forward(args: argparse.Namespace) -> int:
    """Send every due request to CSOL (for cron); exit 1 if some failed, queued ones stay queued."""
    from .forward import SmtpConfig, forward_all

    settings, store = _open(args)
    config = SmtpConfig.from_settings(settings)
    queued = store.counts()["queued"]
    if config is None:
        print(f"SMTP is not configured (set CSOHELP_SMTP_HOST and CSOHELP_SMTP_TO): "
              f"{queued} request(s) stay queued")
        return 0
    report = forward_all(store, config)
    left = store.counts()["queued"]
    print(f"sent {len(report.sent)}, failed {len(report.failed)} (will retry), {left} still queued"
          + (f", {len(report.set_aside)} set aside (see --status failed)" if report.set_aside else ""))
    for reference in report.failed + report.set_aside:
        print(f"failed: {reference}", file=sys.stderr)
    return 1 if report.failed or report.set_aside else 0


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    """`csohelp requests ...` on the main parser."""
    p = sub.add_parser("requests", help="service requests to CSOL: list, show, export, forward")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=".",
                        help="project folder, its var/requests.db is the store (CSOHELP_DB wins)")
    rsub = p.add_subparsers(dest="requests_command", required=True)
    q = rsub.add_parser("list", help="one line per request", parents=[common])
    q.add_argument("--status", choices=STATUSES)
    q.add_argument("--limit", type=int)
    q.set_defaults(func=cmd_list)
    q = rsub.add_parser("show", parents=[common], help="one request, every field, as JSON")
    q.add_argument("reference")
    q.set_defaults(func=cmd_show)
    q = rsub.add_parser("export", parents=[common], help="all requests as JSON or CSV on stdout")
    q.add_argument("--format", choices=("csv", "json"), default="json")
    q.add_argument("--status", choices=STATUSES)
    q.set_defaults(func=cmd_export)
    q = rsub.add_parser("forward", parents=[common], help="send queued requests to CSOL by SMTP (for cron)")
    q.set_defaults(func=cmd_forward)
