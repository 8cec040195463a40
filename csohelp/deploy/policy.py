"""What browsers may cache and what is worth compressing: one policy for the app and for nginx."""

from __future__ import annotations

import re

# Material fingerprints its own bundles (assets/javascripts/bundle.a5f9d56c.min.js,
# assets/stylesheets/main.57a0d79d.min.css, their .map files and the search worker): a new
# content means a new name, so they can be kept for a year. Our own assets/csohelp-*.css|js,
# the favicon, the PDFs and the pages keep their names from build to build: revalidate those.
FINGERPRINTED = r"^/assets/(?:[^/]+/)*[^/]+\.[0-9a-f]{8,}\.min\.(?:js|css)(?:\.map)?$"
IMMUTABLE = "public, max-age=31536000, immutable"
# Stored, but checked with the server (ETag / Last-Modified) before each use: a rebuilt page
# shows at once, and an unchanged one costs a 304 without a body.
REVALIDATE = "no-cache"

# Compressed by nginx (gzip_types) and by the app (anything not excluded); text/html is
# always compressed by nginx. PDFs, PNGs and .gz files are compressed already.
COMPRESSIBLE_TYPES = (
    "text/css", "text/plain", "text/xml", "text/javascript", "application/javascript",
    "application/json", "application/xml", "application/manifest+json", "image/svg+xml",
)
ALREADY_COMPRESSED = ("application/pdf", "image/x-icon", "image/vnd.microsoft.icon")
# Under this size gzip saves less than the header and the CPU it costs.
GZIP_MIN_LENGTH = 1024
GZIP_LEVEL = 5

_FINGERPRINTED = re.compile(FINGERPRINTED)


def cache_control(path: str) -> str:
    """The Cache-Control of a successful answer for `path` that did not set its own."""
    return IMMUTABLE if _FINGERPRINTED.match(path) else REVALIDATE
