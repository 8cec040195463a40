"""nginx benchmark (not a test): the generated config vs a minimal nginx vs `csohelp serve` alone.

Usage: .venv/bin/python scripts/bench_nginx.py [--root .] [--seconds 5] [--connections 32] [--runs 3]

Needs a build (`csohelp build`) and Debian's nginx; uses wrk when installed (apt-get install
wrk), else a Python keep-alive client. Prints requests/s for one topic page through
  A. nginx with the config of `csohelp deploy nginx` (headers, maps, caching, gzip),
  B. nginx with a minimal config (`root` only) serving the same file,
  C. `csohelp serve` alone,
median of --runs, interleaved, without and with Accept-Encoding: gzip; the ratios A/B and
A/C, by wall clock and by the server's CPU time per request (/proc: steadier than the wall
clock on a shared machine, and what capacity is made of); then the bytes on the wire of the
topic page and its assets for a first and a repeat visit (a browser-like cache: fresh by
Cache-Control, else a conditional request).
Both nginx run single-process (master_process off), as in the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from csohelp.deploy.nginx import NginxOptions, render_config  # noqa: E402
from csohelp.deploy.standalone import Nginx, wrapper_conf  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(root: Path, port: int) -> subprocess.Popen:
    app = subprocess.Popen([str(REPO / ".venv" / "bin" / "csohelp"), "serve", "--root", str(root),
                            "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return app
        except httpx.HTTPError:
            time.sleep(0.1)
    app.kill()
    raise SystemExit("csohelp serve did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, seconds: float, connections: int, gzip: bool) -> tuple[float, int]:
    """(requests/s, requests) measured by wrk (one thread: 2 cores for client and server)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", url]
    if gzip:
        command[1:1] = ["-H", "Accept-Encoding: gzip"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"errors from {url}:\n{out}")
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), total


def python_client(url: str, seconds: float, connections: int, gzip: bool) -> tuple[float, int]:
    """(requests/s, requests) from `connections` keep-alive threads (when wrk is not installed)."""
    count, stop = [0] * connections, time.monotonic() + seconds
    headers = {"Accept-Encoding": "gzip" if gzip else "identity"}

    def run(i: int) -> None:
        with httpx.Client(timeout=10) as client:
            while time.monotonic() < stop:
                client.get(url, headers=headers).raise_for_status()
                count[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(count) / seconds, sum(count)


def wire_bytes(response: httpx.Response) -> int:
    """Status line, headers and the body as sent (compressed when it was)."""
    head = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n") + 2
    head += sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
    return head + response.num_bytes_downloaded


def assets_of(html: str, page: str) -> list[str]:
    found = re.findall(r'<(?:link|script|img)\b[^>]*?\b(?:href|src)="([^"]+)"', html)
    urls = []
    for ref in found:
        url = urllib.parse.urljoin(page, ref)
        if url.startswith("/") and re.search(r"\.(css|js|png|svg|ico|woff2?)$", url):
            urls.append(url)
    return sorted(set(urls))


def fresh(response: httpx.Response) -> bool:
    """Would a browser reuse this without asking? (max-age > 0, no no-cache/no-store)."""
    cc = response.headers.get("cache-control", "")
    age = re.search(r"max-age=(\d+)", cc)
    return bool(age and int(age.group(1)) > 0 and "no-cache" not in cc and "no-store" not in cc)


def visits(base: str, page: str) -> tuple[int, int, int, int]:
    """(resources, bytes of a first visit, bytes of a repeat visit, requests of a repeat visit)."""
    with httpx.Client(base_url=base, timeout=10, headers={"Accept-Encoding": "gzip"}) as client:
        first = client.get(page)
        urls = [page, *assets_of(first.text, page)]
        cache = {page: first}
        for url in urls[1:]:
            cache[url] = client.get(url)
        first_total = sum(wire_bytes(r) for r in cache.values())
        repeat_total = repeat_requests = 0
        for url, old in cache.items():
            if fresh(old):
                continue
            repeat_requests += 1
            conditional = {}
            if "etag" in old.headers:
                conditional["If-None-Match"] = old.headers["etag"]
            if "last-modified" in old.headers:
                conditional["If-Modified-Since"] = old.headers["last-modified"]
            repeat_total += wire_bytes(client.get(url, headers=conditional))
    return len(urls), first_total, repeat_total, repeat_requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=str(REPO))
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = Path(args.root).resolve()
    site = root / "site"
    catalogue = json.loads((site / "catalogue.json").read_text("utf-8"))
    page = catalogue["topics"][0]["fr"]["url"]
    measure = wrk if shutil.which("wrk") else python_client
    print(f"client: {'wrk' if measure is wrk else 'python (install wrk for real numbers)'}; page {page}; "
          f"{args.connections} connections, {args.seconds:g} s x {args.runs} runs each")

    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as tmp:
        tmp_path = Path(tmp)
        app_port, full_port, plain_port = free_port(), free_port(), free_port()
        app = start_app(root, app_port)
        full_block, plain_block = tmp_path / "full.conf", tmp_path / "plain.conf"
        full_block.write_text(render_config(NginxOptions(site_dir=site, upstream=f"http://127.0.0.1:{app_port}",
                                                         listen=[f"127.0.0.1:{full_port}"])))
        plain_block.write_text(f'server {{\n    listen 127.0.0.1:{plain_port};\n    root "{site}";\n}}\n')
        try:
            full_dir, plain_dir = tmp_path / "full", tmp_path / "plain"
            full_nginx = Nginx(full_dir, wrapper_conf(full_dir, [full_block]), full_port)
            plain_nginx = Nginx(plain_dir, wrapper_conf(plain_dir, [plain_block]), plain_port)
            with full_nginx as full, plain_nginx as plain:
                targets = {"A nginx, generated config": (full_port, full.process.pid),
                           "B nginx, minimal config": (plain_port, plain.process.pid),
                           "C csohelp serve alone": (app_port, app.pid)}
                for gzip in (False, True):
                    rates: dict[str, list[float]] = {name: [] for name in targets}
                    cpu: dict[str, list[float]] = {name: [] for name in targets}
                    for _ in range(args.runs):  # interleaved: drift in load hits all three alike
                        for name, (port, pid) in targets.items():
                            url = f"http://127.0.0.1:{port}{page}"
                            before = cpu_seconds(pid)
                            rate, total = measure(url, args.seconds, args.connections, gzip)
                            rates[name].append(rate)
                            cpu[name].append((cpu_seconds(pid) - before) / total * 1e6)
                    medians = {name: statistics.median(values) for name, values in rates.items()}
                    per_request = {name: statistics.median(values) for name, values in cpu.items()}
                    print(f"\nAccept-Encoding: {'gzip' if gzip else '(none)'}")
                    for name, value in medians.items():
                        runs = ", ".join(f"{v:.0f}" for v in rates[name])
                        print(f"  {name:28} {value:10.0f} req/s  {per_request[name]:7.1f} µs CPU/request"
                              f"  (runs: {runs})")
                    a, b, c = medians.values()
                    ca, cb, cc = per_request.values()
                    print(f"  wall clock: A/B = {a / b:.2f}x   A/C = {a / c:.1f}x")
                    print(f"  server CPU per request (capacity): A/B = {cb / ca:.2f}x   A/C = {cc / ca:.1f}x")
                print("\nBytes on the wire, topic page + its assets (gzip accepted):")
                for name, (port, _) in targets.items():
                    count, first, repeat, asked = visits(f"http://127.0.0.1:{port}", page)
                    print(f"  {name:28} {count} resources: first visit {first:9,d} B, "
                          f"repeat visit {repeat:7,d} B in {asked} requests (the others from cache)")
        finally:
            app.terminate()
            app.wait(timeout=10)


if __name__ == "__main__":
    main()
