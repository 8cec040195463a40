"""Analytics benchmark (not a test): what recording costs a search, and whether it loses anything.

Usage: .venv/bin/python scripts/bench_analytics.py [--rate 500] [--seconds 10] [--clients 4]

Builds the real faq/ into a temporary folder, then:
1. in process: the search route's work (backend.search, then record_search) with recording on and
   off, alternated at --rate searches/s; prints the p50/p99 of each and the p50 difference;
2. over HTTP: a real uvicorn on loopback, GET /api/search at --rate requests/s from --clients
   keep-alive clients, recording off then on; prints p50/p99 and, once the server stopped, how many
   searches the SQLite store holds against how many were answered (nothing may be lost).
"""

from __future__ import annotations

import argparse
import http.client
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from csohelp.build import Paths, build_site  # noqa: E402
from csohelp.web import create_app  # noqa: E402
from csohelp.web.owners_recording import record_search  # noqa: E402
from csohelp.web.settings import Settings  # noqa: E402

QUERIES = {"fr": ["facture", "commande", "numéro de série", "contrat", "paiement", "livraison",
                  "facture 123456789", "xqzwvk", "renouvellement", "permis d'utilisation"],
           "en": ["invoice", "order status", "serial number", "contract", "payment", "delivery",
                  "invoice 123456789", "xqzwvk", "renewal", "licence"]}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def paced(rate: float, seconds: float, work) -> None:
    """Call work(i) at `rate` per second for `seconds` (catching up without bursts beyond the plan)."""
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        work(i)


def in_process(app, rate: float, seconds: float, rng: random.Random) -> None:
    backend = app.state.search
    owners = app.state.owners
    owners.start()
    times: dict[bool, list[float]] = {True: [], False: []}

    def one(i: int) -> None:
        lang = "fr" if i % 4 < 2 else "en"
        query = rng.choice(QUERIES[lang])
        on = i % 2 == 0  # alternate, so drift of the machine hits both the same
        t0 = time.perf_counter()
        result = backend.search(query, lang, 10, None)
        if on:
            record_search(app, query, lang, result, "api")
        times[on].append((time.perf_counter() - t0) * 1000)

    paced(rate, seconds, one)
    owners.stop()
    off50, on50 = statistics.median(times[False]), statistics.median(times[True])
    print(f"in process, {rate:.0f} searches/s for {seconds:.0f} s ({len(times[True])} recorded):")
    print(f"  recording off: p50 {off50:.3f} ms, p99 {pct(times[False], 0.99):.3f} ms")
    print(f"  recording on:  p50 {on50:.3f} ms, p99 {pct(times[True], 0.99):.3f} ms")
    print(f"  added to p50: {on50 - off50:+.3f} ms; recorder {owners.recorder.stats()}")


def over_http(settings: Settings, record: bool, rate: float, seconds: float,
              clients: int) -> tuple[list, int]:
    import uvicorn

    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           proxy_headers=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    if not record:
        app.state.owners.recorder = None  # record_search does nothing without a recorder
    latencies: list[float] = []
    answered = 0
    lock = threading.Lock()

    def client(n: int) -> None:
        nonlocal answered
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

        def one(i: int) -> None:
            nonlocal answered
            lang = rng.choice(("fr", "en"))
            q = urllib.parse.quote(rng.choice(QUERIES[lang]))
            t0 = time.perf_counter()
            conn.request("GET", f"/api/search?q={q}&lang={lang}")
            response = conn.getresponse()
            response.read()
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(ms)
                answered += response.status == 200

        paced(rate / clients, seconds, one)
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.should_exit = True
    thread.join(timeout=30)  # the lifespan's shutdown writes what is queued
    return latencies, answered


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(12)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = Paths(root, faq=REPO / "faq", plan=REPO / "plan", mkdocs_yml=REPO / "mkdocs.yml")
        build_site(paths)
        db = root / "var" / "requests.db"
        settings = Settings.from_env(root=root, db_url=f"sqlite:///{db}", rate_limit=0, smtp_host=None,
                                     smtp_to=None)
        in_process(create_app(settings), args.rate, args.seconds, rng)

        def stored() -> int:
            con = sqlite3.connect(db)
            try:
                sql = "SELECT COUNT(*) FROM analytics_searches WHERE source = 'api'"
                return con.execute(sql).fetchone()[0]
            finally:
                con.close()

        base = stored()
        results = {}
        for record in (False, True):
            latencies, answered = over_http(settings, record, args.rate, args.seconds, args.clients)
            results[record] = latencies
            label = "on " if record else "off"
            print(f"HTTP, recording {label}: {len(latencies)} searches in {args.seconds:.0f} s at "
                  f"{args.rate:.0f}/s, p50 {statistics.median(latencies):.3f} ms, "
                  f"p99 {pct(latencies, 0.99):.3f} ms")
            if record:
                written = stored() - base
                print(f"  stored {written} of {answered} answered searches: "
                      f"{'nothing lost' if written == answered else f'{answered - written} LOST'}")
        delta = statistics.median(results[True]) - statistics.median(results[False])
        print(f"HTTP: recording adds {delta:+.3f} ms to the search p50")
    return 0


if __name__ == "__main__":
    sys.exit(main())
