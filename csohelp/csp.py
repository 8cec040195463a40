"""The inline scripts of the built site, hashed for the Content-Security-Policy.

The build records them (csohelp/mkdocs_hooks.py, while the pages are rendered); the server
reads that one file instead of scanning every page after each build.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

HASHES_FILE = "csp-hashes.json"
SOURCE = re.compile(r"^'sha256-[A-Za-z0-9+/]{43}='$")  # nothing else may enter the policy header
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>(.*?)</script>",
                           re.S)


def inline_script_hashes(html: bytes) -> set[str]:
    """CSP sources ('sha256-...') of the inline scripts of one page."""
    return {f"'sha256-{base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode()}'"
            for m in INLINE_SCRIPT.finditer(html)}


def write_hashes(site_dir: Path, hashes: set[str]) -> None:
    """Record the site's inline-script hashes next to its pages."""
    (Path(site_dir) / HASHES_FILE).write_text(json.dumps(sorted(hashes), indent=0), "utf-8")


def read_hashes(site_dir: Path) -> set[str] | None:
    """The recorded hashes of a built site, or None when the build did not record them (or the file
    is damaged: the pages are scanned instead, rather than every page failing)."""
    try:
        hashes = json.loads((Path(site_dir) / HASHES_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(hashes, list) or not all(isinstance(h, str) and SOURCE.match(h) for h in hashes):
        return None
    return set(hashes)
