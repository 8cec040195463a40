"""Benchmark of the database layer and of server workers, against real `csohelp serve` processes.

1. Submissions: POST /api/requests, `--total` submissions (default 2,000) from `--clients`
   concurrent clients (default 20), each with its own Idempotency-Key, against SQLite (1 process),
   PostgreSQL (1 process) and PostgreSQL (`--workers 2`), side by side: submissions/s, p50, p99,
   and a check that the database holds exactly one row per submission with consecutive numbers.
2. Search: GET /api/search with distinct queries from 16 clients, `--workers 1` vs `--workers 2`
   (the ratio, and how the clients' connections spread over the worker processes). The load comes
   from `wrk` (Debian's package) when installed, else from Python threads, which then take CPU
   the workers need on a small machine.

PostgreSQL is a throw-away cluster (Debian's binaries, fsync on, as in production) in a temp folder.
Usage: .venv/bin/python scripts/bench_db.py [--root .] [--total 2000] [--clients 20]
                                             [--search-seconds 15] [--skip-search] [--skip-submissions]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from pg_helpers import PgCluster  # noqa: E402 - the tests' throw-away cluster

CSOHELP = str(Path(sys.executable).with_name("csohelp"))
BODY = {"request_type": "billing", "company": "Bench Inc.", "contact_name": "Bench Tester",
        "email": "bench@example.ca", "language": "en", "subject": "Benchmark", "business": True,
        "description": "A benchmark submission."}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listeners(port: int) -> int:
    """Listening sockets on `port` (one per worker)."""
    out = subprocess.run(["ss", "-Hltn", f"( sport = :{port} )"], capture_output=True, text=True).stdout
    return len(out.splitlines())


class Serve:
    """`csohelp serve` on a free port, in its own process group."""

    def __init__(self, root: Path, db: str, workers: int):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CSOHELP_SMTP_")}
        env.update(CSOHELP_DB=db, CSOHELP_RATE_LIMIT="0")
        self.proc = subprocess.Popen([CSOHELP, "serve", "--root", str(root), "--port", str(self.port),
                                      "--workers", str(workers)], env=env, start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    # Every worker must be up, not only the first: each binds its own socket.
                    while listeners(self.port) < workers and time.monotonic() < deadline:
                        time.sleep(0.2)
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("csohelp serve did not start")

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_clients(port: int, clients: int, jobs: list, send) -> tuple[float, list[float], list[int]]:
    """Run `jobs` (shared queue) over `clients` persistent connections; (seconds, latencies, statuses)."""
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    queue = list(reversed(jobs))

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                job = queue.pop()
            start = time.perf_counter()
            try:
                status = send(conn, job)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            with lock:
                latencies.append(time.perf_counter() - start)
                statuses.append(status)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies, statuses


def post(conn: http.client.HTTPConnection, n: int) -> int:
    body = json.dumps({**BODY, "subject": f"Benchmark {n}"})
    conn.request("POST", "/api/requests", body=body, headers={
        "Content-Type": "application/json", "Idempotency-Key": f"bench-{n}"})
    response = conn.getresponse()
    response.read()
    return response.status


def count_rows(db: str) -> tuple[int, bool]:
    """Rows in the store, and whether their numbers are 1..n."""
    if db.startswith("sqlite:///"):
        conn = sqlite3.connect(db[len("sqlite:///"):])
        seqs = [s for (s,) in conn.execute("SELECT seq FROM requests ORDER BY seq")]
        conn.close()
    else:
        import psycopg

        with psycopg.connect(db) as conn:
            seqs = [s for (s,) in conn.execute("SELECT seq FROM requests ORDER BY seq")]
    return len(seqs), seqs == list(range(1, len(seqs) + 1))


def bench_submissions(root: Path, label: str, db: str, workers: int, total: int, clients: int) -> dict:
    server = Serve(root, db, workers)
    try:
        seconds, latencies, statuses = run_clients(server.port, clients, list(range(total)), post)
    finally:
        server.stop()
    rows, consecutive = count_rows(db)
    if statuses.count(201) != total:
        print(f"warning: {label} x{workers}: statuses {sorted(set(statuses))}, not all 201", flush=True)
    return {"store": label, "workers": workers, "per_s": total / seconds,
            "p50_ms": 1000 * percentile(latencies, 50), "p99_ms": 1000 * percentile(latencies, 99),
            "ok": statuses.count(201), "rows": rows,
            "consecutive": consecutive}


def search_queries(root: Path, n: int) -> list[str]:
    """`n` distinct queries: pairs of words from the topics' titles."""
    catalogue = json.loads((root / "site" / "catalogue.json").read_text(encoding="utf-8"))
    text = json.dumps(catalogue, ensure_ascii=False)
    words = sorted({w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]{4,}", text)})
    pairs = [f"{a} {b}" for i, a in enumerate(words) for b in words[i + 1:i + 40]]
    return pairs[:n]


def connections_per_worker(port: int) -> list[int]:
    """Established connections to `port` per server process (from `ss`)."""
    out = subprocess.run(["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True).stdout
    pids: dict[str, int] = {}
    for pid in re.findall(r"pid=(\d+)", out):
        pids[pid] = pids.get(pid, 0) + 1
    return sorted(pids.values(), reverse=True)


WRK_SCRIPT = """
local queries = {}
for line in io.lines(os.getenv("CSOHELP_QUERIES")) do queries[#queries + 1] = line end
local counter = 1
local threads = 0
function setup(thread) thread:set("offset", threads * 100003); threads = threads + 1 end
function init(args) counter = offset or 0 end
function request()
  counter = counter + 1
  return wrk.format("GET", "/api/search?q=" .. queries[(counter % #queries) + 1])
end
"""


def wrk_search(port: int, clients: int, seconds: float, queries: list[str], tmp: Path) -> dict:
    """Load from wrk (C, a few % of a CPU): the clients do not take the CPUs the workers need."""
    (tmp / "queries.txt").write_text("\n".join(urllib.parse.quote_plus(q) for q in queries), encoding="utf-8")
    (tmp / "search.lua").write_text(WRK_SCRIPT, encoding="utf-8")
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--latency", "-s",
                          str(tmp / "search.lua"), f"http://127.0.0.1:{port}"], capture_output=True,
                         text=True, env={**os.environ, "CSOHELP_QUERIES": str(tmp / "queries.txt")}).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50_ms": ms("50%"),
            "p99_ms": ms("99%"), "errors": int(errors.group(1)) if errors else 0}


def python_search(port: int, clients: int, seconds: float, queries: list[str]) -> dict:
    """Load from Python threads (when wrk is not installed): they share the CPUs with the server."""
    deadline = time.monotonic() + seconds

    def send(conn: http.client.HTTPConnection, q: str) -> int:
        if time.monotonic() > deadline:
            return -1
        conn.request("GET", "/api/search?q=" + urllib.parse.quote_plus(q))
        response = conn.getresponse()
        response.read()
        return response.status

    elapsed, latencies, statuses = run_clients(port, clients, queries, send)
    done = [lat for lat, st in zip(latencies, statuses, strict=True) if st != -1]
    return {"per_s": len(done) / min(elapsed, seconds), "p50_ms": 1000 * percentile(done, 50),
            "p99_ms": 1000 * percentile(done, 99), "errors": sum(1 for s in statuses if s not in (200, -1))}


def bench_search(root: Path, db: str, workers: int, clients: int, seconds: float, tmp: Path) -> dict:
    server = Serve(root, db, workers)
    spread: list[int] = []
    queries = search_queries(root, 200_000)

    def sample() -> None:
        time.sleep(min(3.0, seconds / 2))
        spread.extend(connections_per_worker(server.port))

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        if shutil.which("wrk"):
            result = {"client": "wrk", **wrk_search(server.port, clients, seconds, queries, tmp)}
        else:
            result = {"client": "python", **python_search(server.port, clients, seconds, queries)}
    finally:
        sampler.join()
        server.stop()
    return {"workers": workers, **result, "connections_per_worker": spread}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=str(REPO), help="a project with a built site")
    parser.add_argument("--total", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--search-clients", type=int, default=16)
    parser.add_argument("--search-seconds", type=float, default=15.0)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-submissions", action="store_true")
    args = parser.parse_args()
    root = Path(args.root).resolve()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory() as tmp, PgCluster(fsync=True) as cluster:
        results = [] if args.skip_submissions else [
            bench_submissions(root, "sqlite", f"sqlite:///{tmp}/bench.db", 1, args.total, args.clients),
            *(bench_submissions(root, "postgresql", cluster.create_database(), workers, args.total,
                                args.clients) for workers in (1, 2))]
        print(f"\nPOST /api/requests: {args.total} submissions, {args.clients} clients")
        print(f"{'store':<11} {'procs':>5} {'subm/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'201s':>6} "
              f"{'rows':>6} consecutive")
        for r in results:
            print(f"{r['store']:<11} {r['workers']:>5} {r['per_s']:>8.1f} {r['p50_ms']:>8.1f} "
                  f"{r['p99_ms']:>8.1f} {r['ok']:>6} {r['rows']:>6} {r['consecutive']}")
        if not args.skip_search:
            db = cluster.create_database()
            one = bench_search(root, db, 1, args.search_clients, args.search_seconds, Path(tmp))
            two = bench_search(root, db, 2, args.search_clients, args.search_seconds, Path(tmp))
            print(f"\nGET /api/search, distinct queries, {args.search_clients} clients, "
                  f"{args.search_seconds:.0f} s each, load from {one['client']}")
            print(f"{'workers':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
                  "connections per worker")
            for r in (one, two):
                print(f"{r['workers']:>7} {r['per_s']:>8.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
                      f"{r['errors']:>6} {r['connections_per_worker']}")
            print(f"2 workers / 1 worker: {two['per_s'] / one['per_s']:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
