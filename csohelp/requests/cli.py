"""`csohelp requests list|show|export|forward`: the request store for agents and cron."""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..db.base import STATUSES
from ..errors import CsohelpError
from .model import REFERENCE_FIELDS

if TYPE_CHECKING:
    from ..db import RequestStore
    from ..web.settings import Settings

EXPORT_COLUMNS = ("reference", "created_at", "status", "attempts", "sent_at", "request_type", "company",
                  "customer_number", "contact_name", "email", "phone", "language", "references.invoice",
                  "references.order", "references.machine", "contract_number", "topic", "subject",
                  "description", "attachments")


# A spreadsheet that splits on `,` `;` (French Excel) or tab starts a new cell after any of
# them, and quotes or spaces before = + - @ do not stop a formula: neutralise each such start.
FORMULA = re.compile(r'(^|[,;\t\r\n])([\s"]*)(?=[=+\-@])')
# Characters that would act on an agent's terminal instead of showing: controls (C0, C1), bidi
# and other format characters, line and paragraph separators.
UNPRINTABLE = {"Cc", "Cf", "Zl", "Zp"}


def neutralise(value: Any) -> Any:
    """A CSV cell no spreadsheet runs as a formula, whatever the separator: ' before each start."""
    if not isinstance(value, str):
        return value
    return FORMULA.sub(lambda m: m.group(1) + m.group(2) + "'", value)


def printable(text: str, keep: str = "") -> str:
    """`text` with every control or format character shown as \\uXXXX (valid inside JSON too)."""
    return "".join(f"\\u{ord(c):04x}" if c not in keep and unicodedata.category(c) in UNPRINTABLE
                   else c for c in text)


def _open(args: argparse.Namespace) -> tuple[Settings, RequestStore]:
    # Imported here so `csohelp --help` and the other subcommands do not load the web stack.
    from ..db import open_store
    from ..web.settings import Settings

    settings = Settings.from_env(root=Path(args.root))
    return settings, open_store(settings.db_url)


def cmd_list(args: argparse.Namespace) -> int:
    """One line per request: reference, date, status, type, company, subject."""
    _, store = _open(args)
    for r in store.list(status=args.status, limit=args.limit):
        company, subject = printable(r.data["company"]), printable(r.data["subject"])
        print(f"{r.reference}  {r.created_at}  {r.status:6}  {printable(r.data['request_type']):19}  "
              f"{company[:30]:30}  {subject[:60]}")
    counts = store.counts()
    print(f"{sum(counts.values())} requests: {counts['queued']} queued, {counts['sent']} sent, "
          f"{counts['failed']} failed", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Every field of one request, as JSON; attachments with the path of their stored file."""
    from .attachments import FileStore, files_dir

    settings, store = _open(args)
    record = store.get(args.reference)
    if record is None:
        raise CsohelpError(f"no request {args.reference}")
    shown = record.as_dict()
    files = FileStore(files_dir(settings.var_dir))
    if shown.get("attachments"):
        shown["attachments"] = [{**a, "path": str(files.path(a["sha256"])),
                                 "present": files.read(a["sha256"]) is not None}
                                for a in shown["attachments"]]
    # JSON escapes C0 controls itself; C1, bidi and separators would reach the terminal raw.
    print(printable(json.dumps(shown, ensure_ascii=False, indent=2), keep="\n"))
    return 0


def _row(data: dict[str, Any]) -> dict[str, Any]:
    refs = data.get("references") or {}
    row = {k: v for k, v in data.items() if k != "references"}
    row.update({f"references.{k}": refs.get(k) for k in REFERENCE_FIELDS})
    # One cell: the file names (the files themselves are under var/attachments, see `show`).
    row["attachments"] = "; ".join(a.get("name", "") for a in data.get("attachments") or ()) or None
    return row


def cmd_export(args: argparse.Namespace) -> int:
    """All requests as one JSON list, CSV (formulas neutralised) or XLSX (every cell text)."""
    _, store = _open(args)
    if args.format == "xlsx" and sys.stdout.isatty():
        raise CsohelpError("xlsx is a binary file: redirect it, e.g. `... --format xlsx > requests.xlsx`")
    records = [r.as_dict() for r in store.list(status=args.status)]
    if args.format == "json":
        print(printable(json.dumps(records, ensure_ascii=False, indent=1), keep="\n"))
        return 0
    if args.format == "xlsx":
        from .xlsx import write_xlsx

        sys.stdout.flush()
        write_xlsx(sys.stdout.buffer, EXPORT_COLUMNS, [_row(r) for r in records])
        return 0
    writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow({k: neutralise(v) for k, v in _row(record).items()})
    return 0


def cmd_prune_files(args: argparse.Namespace) -> int:
    """Delete attachments no request refers to (forms never completed), older than --days."""
    import time

    from .attachments import FileStore, files_dir

    settings, store = _open(args)
    # Only old files go: a request committed while this runs refers to a file its form has just
    # written (FileStore.put refreshes the time of a file uploaded again).
    files = FileStore(files_dir(settings.var_dir))
    now = time.time()
    referenced = {str(a.get("sha256")) for r in store.list() for a in r.data.get("attachments") or ()}
    removed = files.prune(referenced, args.days * 86400, now)
    print(f"removed {len(removed)} unreferenced file(s) from {files.root}")
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
    q.add_argument("--format", choices=("csv", "json", "xlsx"), default="json",
                   help="xlsx: every cell is text (no formula runs); csv: formula starts neutralised")
    q.add_argument("--status", choices=STATUSES)
    q.set_defaults(func=cmd_export)
    q = rsub.add_parser("prune-files", parents=[common],
                        help="delete attachments of forms never completed (for cron)")
    q.add_argument("--days", type=float, default=2.0, help="keep files younger than this (default 2)")
    q.set_defaults(func=cmd_prune_files)
    q = rsub.add_parser("forward", parents=[common], help="send queued requests to CSOL by SMTP (for cron)")
    q.set_defaults(func=cmd_forward)
