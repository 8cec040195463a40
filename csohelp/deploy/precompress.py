"""Gzip the build's text files once, at build time, so nginx sends them without compressing.

nginx's `gzip_static on` serves `page.html.gz` to a browser that accepts gzip; compressing
on every request instead costs most of nginx's throughput (scripts/bench_nginx.py). The
copies are made in the new build before it is published, so they are never out of step.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

from .policy import GZIP_MIN_LENGTH

# Not .map: only developer tools fetch source maps, and they are the largest files.
SUFFIXES = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt"}


def precompress(site_dir: Path) -> int:
    """Write FILE.gz beside each text file of at least 1 KB that gzip shrinks; how many."""
    written = 0
    for path in sorted(Path(site_dir).rglob("*")):
        if path.suffix not in SUFFIXES or not path.is_file():
            continue
        data = path.read_bytes()
        if len(data) < GZIP_MIN_LENGTH:
            continue
        target = path.with_name(path.name + ".gz")
        if target.exists():  # mkdocs writes its own sitemap.xml.gz
            continue
        # Level 6: level 9 takes five times as long for 0.3 % fewer bytes on this site.
        packed = gzip.compress(data, compresslevel=6, mtime=0)  # mtime=0: same bytes every build
        if len(packed) > len(data) * 0.9:
            continue
        target.write_bytes(packed)
        stat = path.stat()
        # nginx dates the answer by the .gz file: the same Last-Modified either way.
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        written += 1
    return written


def precompress_stage(corpus: Any, paths: Any, new_site: Path, stamp: str) -> None:
    """The build stage: compress the new site before it is published."""
    precompress(new_site)
