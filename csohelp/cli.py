"""The `csohelp` command: a thin layer over the stages; clean messages, exit 1 on errors."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .errors import CsohelpError


def cmd_check(args: argparse.Namespace) -> int:
    """Validate faq/ (and plan/ beside it, when there is one) and print every problem at once."""
    from .build import load_content

    plan_dir = Path(args.dir).resolve().parent / "plan"
    corpus, plan = load_content(Path(args.dir), plan_dir if plan_dir.is_dir() else None)
    print(f"{args.dir}: {len(corpus.topics)} topics in {len(corpus.categories)} categories, all valid")
    from .owners.checks import content_warnings

    for warning in content_warnings(corpus, Path(args.dir), reviewed_age=args.reviewed_age):
        print(f"warning: {warning}")  # owners' warnings (issue 12): never an error
    if plan is not None:
        print(f"{plan_dir.name}/: support plan of {plan.plan_year}, published {plan.published}, valid")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Validate, render, build the site (and the stages registered with it), then publish."""
    from .build import Paths, build_site

    result = build_site(Paths(Path(args.root)))
    times = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    print(f"built {len(result.corpus.topics)} topics into {args.root}/site ({times})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the built site and the API with uvicorn, in `--workers` processes sharing the port."""
    import uvicorn

    from .db import open_store
    from .db.base import redact
    from .web import create_app
    from .web.settings import Settings
    from .web.workers import dump_stacks_on_sigusr1

    if args.watch:  # rebuild on changes and reload open pages (issue 12)
        from .owners.watch import serve_watching

        serve_watching(Path(args.root).resolve(), args.host, args.port)
        return 0
    if args.workers < 1:
        raise CsohelpError("--workers must be at least 1")
    settings = Settings.from_env(root=Path(args.root), workers=args.workers)
    dump_stacks_on_sigusr1()
    if not (settings.site_dir / "index.html").exists():
        raise CsohelpError(f"no built site in {settings.site_dir}: run `csohelp build` first")
    # The database first: unreachable is a clear error and exit 1, not a server that 503s every
    # submission; and the migrations run once here, not in each worker.
    open_store(settings.db_url).close()
    print(f"serving {settings.site_dir} on http://{args.host}:{args.port}/ with {args.workers} "
          f"worker(s), requests in {redact(settings.db_url)}", flush=True)
    # proxy_headers off: X-Forwarded-For is trusted only from CSOHELP_TRUSTED_PROXIES (the app's
    # rate limiter decides), not from any local client as uvicorn would by default.
    if args.workers == 1:
        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning",
                    proxy_headers=False)
        return 0
    from .web.workers import run_workers

    # Worker processes build their app from the environment: pass them what the command line said.
    # With SQLite too: the rate limit and idempotency keys then live in the file, shared by all.
    os.environ["CSOHELP_ROOT"] = str(settings.root)
    os.environ["CSOHELP_WORKERS"] = str(args.workers)
    run_workers(args.host, args.port, args.workers)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="csohelp", description="CSO Canada help center")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="validate the topics in DIR (default: faq/)")
    p.add_argument("dir", nargs="?", default="faq")
    p.add_argument("--reviewed-age", type=int, default=365, metavar="DAYS",
                   help="warn about topics reviewed more than DAYS ago (default: 365)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("build", help="validate, generate pages, build site, index and PDFs")
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("serve", help="serve the site and the API")
    p.add_argument("--root", default=".")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=int(os.environ.get("CSOHELP_WORKERS", "1")),
                   help="server processes sharing the port (default 1, or CSOHELP_WORKERS)")
    p.add_argument("--watch", action="store_true",
                   help="rebuild when faq/, plan/, overrides/ or mkdocs.yml change, and reload open pages")
    p.set_defaults(func=cmd_serve)

    # Feature subcommands: requests (issue 4), search and eval (3), link (5). Imported here so
    # that the stages load only when the command line is parsed.
    from .db.commands import add_subcommands as add_db_commands
    from .deploy.cli import add_commands as add_deploy_commands
    from .links import add_parser as add_link_parser
    from .owners.commands import add_commands as add_owners_commands
    from .requests.cli import add_subcommands as add_requests_commands
    from .search.commands import add_commands as add_search_commands

    for add in (add_requests_commands, add_search_commands, add_link_parser, add_db_commands,
                add_deploy_commands, add_owners_commands):
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: run one subcommand; errors print as one clean message (traceback with --debug)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except CsohelpError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`csohelp search ... | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
