"""What attachments cost a form submission, against a real server process (sequential, one client).

Posts the request form (multipart, CSRF token and cookie as a browser sends them) N times each
with no file, one 100 KB PDF, and three 5 MB files, each with new bytes (so every file is
checked, hashed and fsync'd), and prints the median and p90 latency of each case up to the 303.

Usage: .venv/bin/python scripts/bench_upload.py [--runs 15]   (needs a build: `csohelp build`)
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_requests import Server, free_port  # noqa: E402 - the same child-process server

ROOT = Path(__file__).resolve().parents[1]
FORM = {"request_type": "invoice-dispute", "company": "Bench Inc.", "contact_name": "Bench",
        "email": "bench@example.ca", "language": "en", "subject": "Upload bench",
        "description": "Timing a submission.", "business": "on"}


def pdf(size: int) -> bytes:
    """A file that starts like a PDF, `size` bytes, never seen before."""
    return (b"%PDF-1.7\n" + secrets.token_bytes(size))[:size]


def submit(client: httpx.Client, files: list[tuple[str, bytes]]) -> float:
    page = client.get("/en/request/").text
    hidden = {name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
              for name in ("csrf_token", "idempotency_key")}
    parts = [("attachments", (name, content, "application/pdf")) for name, content in files]
    start = time.perf_counter()
    answer = client.post("/en/request/", data={**FORM, **hidden}, files=parts or None)
    elapsed = time.perf_counter() - start
    if answer.status_code != 303:
        raise SystemExit(f"expected 303, got {answer.status_code}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    cases = {"no file": lambda: [], "1 x 100 KB": lambda: [("a.pdf", pdf(100 * 1024))],
             "3 x 5 MB": lambda: [(f"{i}.pdf", pdf(5 * 1024 * 1024)) for i in range(3)]}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CSOHELP_VAR_DIR"] = tmp
        server = Server(ROOT, Path(tmp) / "requests.db", free_port())
        server.start()
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=60) as client:
                for name, make in cases.items():
                    submit(client, make())  # warm up
                    times = sorted(submit(client, make()) for _ in range(args.runs))
                    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
                    print(f"{name:12} median {statistics.median(times) * 1000:7.1f} ms   "
                          f"p90 {p90 * 1000:7.1f} ms   ({args.runs} runs)")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
