"""The `deploy` and `rollback` subcommands (thin: the work is in nginx.py and rollback.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import CsohelpError


def cmd_nginx(args: argparse.Namespace) -> int:
    """Print or write the nginx server block for the published build."""
    from ..build import Paths
    from .nginx import NginxOptions, render_config, write_config

    site = Path(args.site) if args.site else Paths(Path(args.root)).site
    text = render_config(NginxOptions(site_dir=site, upstream=args.upstream, server_name=args.server_name,
                                      listen=args.listen or ["80"], hsts=args.hsts,
                                      includes=args.include or []))
    if args.check:
        if not args.out:
            raise CsohelpError("--check needs --out FILE (the config nginx runs with)")
        current = Path(args.out).read_text("utf-8") if Path(args.out).is_file() else None
        if current != text:
            print(f"{args.out} is out of date for this build: regenerate it and reload nginx")
            return 1
        print(f"{args.out} is up to date")
        return 0
    if not args.out:
        sys.stdout.write(text)
        return 0
    changed = write_config(text, Path(args.out))
    print(f"wrote {args.out}: test it with `nginx -t`, then reload nginx" if changed
          else f"{args.out} unchanged: no reload needed")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Publish the previous build again."""
    from ..build import Paths
    from .rollback import kept_builds, rollback

    paths = Paths(Path(args.root))
    if args.list:
        for build in kept_builds(paths):
            print(f"{build.stamp}{'  (published)' if build.current else ''}")
        return 0
    stamp = rollback(paths)
    print(f"published the build {stamp} again; run `csohelp deploy nginx --check --out FILE` "
          "if nginx serves it (its inline scripts may differ)")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add `deploy nginx` and `rollback` to the CLI."""
    p = sub.add_parser("deploy", help="generate deployment configuration")
    dsub = p.add_subparsers(dest="deploy_command", required=True)
    q = dsub.add_parser("nginx", help="an nginx server block for the published build")
    q.add_argument("--root", default=".", help="project folder (default: current folder)")
    q.add_argument("--site", help="the published site (default: ROOT/site, the symlink)")
    q.add_argument("--out", help="write here (atomically) instead of printing")
    q.add_argument("--upstream", default="http://127.0.0.1:8000",
                   help="where `csohelp serve` listens: http://HOST:PORT or unix:/PATH")
    q.add_argument("--server-name", default="_", help="nginx server_name (default: _)")
    q.add_argument("--listen", action="append", metavar="ADDRESS",
                   help="nginx listen value, repeatable (default: 80); e.g. '443 ssl'")
    q.add_argument("--include", action="append", metavar="FILE",
                   help="include FILE in the server block, repeatable (ssl_certificate..., logs)")
    q.add_argument("--hsts", action="store_true",
                   help="HTTPS: send Strict-Transport-Security and mark the app's cookies Secure")
    q.add_argument("--check", action="store_true",
                   help="exit 1 if --out differs from what this build needs (reload needed)")
    q.set_defaults(func=cmd_nginx)

    p = sub.add_parser("rollback", help="publish the previous build again (atomic symlink swap)")
    p.add_argument("--root", default=".", help="project folder (default: current folder)")
    p.add_argument("--list", action="store_true", help="list the kept builds")
    p.set_defaults(func=cmd_rollback)
