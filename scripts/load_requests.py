"""Load and crash test of POST /api/requests against a real server process.

1. load: 2,000 submissions from 20 concurrent clients -> exactly 2,000 rows, unique references,
   no 5xx; prints requests/s and latency percentiles.
2. crash: the same load, `kill -9` of the server in the middle, restart on the same database;
   clients resend unanswered submissions with the same Idempotency-Key. Every reference that got
   a 201 must be in the database, and the database must still hold exactly one row per submission.

Usage: .venv/bin/python scripts/load_requests.py [--total 2000] [--clients 20] [--skip-crash]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BODY = {"request_type": "billing", "company": "Load Test Inc.", "contact_name": "Load Tester",
        "email": "load@example.ca", "language": "en", "subject": "Load test", "business": True,
        "description": "A load-test submission."}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`uvicorn csohelp.web:create_app` as a child process on a loopback port."""

    def __init__(self, root: Path, db: Path, port: int):
        self.root, self.db, self.port = root, db, port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CSOHELP_SMTP_")}
        env.update(CSOHELP_ROOT=str(self.root), CSOHELP_DB=str(self.db), CSOHELP_RATE_LIMIT="0")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "csohelp.web:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "error", "--no-proxy-headers", "--no-access-log"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("server did not start")

    def kill9(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@dataclass
class Results:
    """What the clients saw."""

    acked: dict[str, str] = field(default_factory=dict)  # idempotency key -> reference (201)
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(port: int, keys: list[str], results: Results, deadline: float) -> None:
    """One client: its submissions in order; unanswered ones are resent with the same key."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for key in keys:
        body = json.dumps({**BODY, "description": f"Submission {key}"}).encode()
        while True:
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/requests", body=body,
                             headers={"Content-Type": "application/json", "Idempotency-Key": key})
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException):
                # The server is gone (killed): reconnect and send the same submission again.
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with results.lock:
                    results.retries += 1
                if time.monotonic() > deadline:
                    raise SystemExit(f"gave up on {key}") from None
                time.sleep(0.05)
                continue
            elapsed = time.perf_counter() - started
            with results.lock:
                results.statuses[response.status] = results.statuses.get(response.status, 0) + 1
                results.latencies.append(elapsed)
                if response.status == 201:
                    results.acked[key] = json.loads(payload)["reference"]
            break
    conn.close()


def run_load(port: int, total: int, clients: int, run: str) -> tuple[Results, list[threading.Thread]]:
    """Start the clients (not waiting for them)."""
    results = Results()
    keys = [f"{run}-{i:05d}" for i in range(total)]
    threads = [threading.Thread(target=client, args=(port, keys[c::clients], results, time.monotonic() + 120))
               for c in range(clients)]
    for t in threads:
        t.start()
    return results, threads


def db_rows(db: Path) -> list[tuple[str, int, str]]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # Keys live in their own table since the database layer (issue 13), per client.
        return conn.execute("SELECT r.reference, r.seq, k.key FROM requests r LEFT JOIN idempotency_keys k"
                            " ON k.reference = r.reference ORDER BY r.seq").fetchall()


def check(db: Path, results: Results, total: int) -> list[str]:
    """The invariants; an empty list means all hold."""
    rows = db_rows(db)
    refs = [r[0] for r in rows]
    failures = []
    if len(rows) != total:
        failures.append(f"{len(rows)} rows, expected {total}")
    if len(set(refs)) != len(refs):
        failures.append("duplicate references")
    if [r[1] for r in rows] != list(range(1, len(rows) + 1)):
        failures.append("references are not consecutive")
    missing = set(results.acked.values()) - set(refs)
    if missing:
        failures.append(f"{len(missing)} acknowledged references missing from the database")
    stored = {r[2]: r[0] for r in rows}
    if any(stored.get(f"api:{k}") != ref for k, ref in results.acked.items()):
        failures.append("an acknowledged reference is stored under another submission")
    server_errors = sum(n for status, n in results.statuses.items() if status >= 500)
    if server_errors:
        failures.append(f"{server_errors} responses were 5xx")
    if len(results.acked) != total:
        failures.append(f"{len(results.acked)} of {total} submissions acknowledged")
    return failures


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--skip-crash", action="store_true")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="csohelp-load-") as tmp:
        root = Path(tmp)
        port = free_port()
        server = Server(root, root / "load.db", port)
        server.start()
        try:
            started = time.perf_counter()
            results, threads = run_load(port, args.total, args.clients, "load")
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
        finally:
            server.stop()
        failures = check(server.db, results, args.total)
        ms = [x * 1000 for x in results.latencies]
        print(f"load: {args.total} submissions, {args.clients} clients, {elapsed:.2f}s, "
              f"{args.total / elapsed:.0f} req/s, p50 {percentile(ms, 50):.1f} ms, "
              f"p99 {percentile(ms, 99):.1f} ms, "
              f"max {max(ms):.1f} ms; statuses {results.statuses}")
        print("load: " + ("OK: exactly one row per submission, unique consecutive references, no 5xx"
                          if not failures else "FAILED: " + "; ".join(failures)))
        ok &= not failures
        if args.skip_crash:
            return 0 if ok else 1

        server = Server(root, root / "crash.db", free_port())
        server.start()
        try:
            results, threads = run_load(server.port, args.total, args.clients, "crash")
            while len(results.acked) < args.total * 0.4:
                time.sleep(0.005)
            server.kill9()
            acked_at_kill = len(results.acked)
            rows_at_kill = len(db_rows(server.db))
            server.start()
            for t in threads:
                t.join()
        finally:
            server.stop()
        failures = check(server.db, results, args.total)
        print(f"crash: kill -9 after {acked_at_kill} acknowledged submissions ({rows_at_kill} rows on disk), "
              f"restarted; {results.retries} resends with the same Idempotency-Key; "
              f"statuses {results.statuses}")
        print("crash: " + ("OK: every 201'd reference is in the database, exactly one row per submission"
                           if not failures else "FAILED: " + "; ".join(failures)))
        ok &= not failures
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
