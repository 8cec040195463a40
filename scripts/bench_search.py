"""Search benchmark (not a test): 10,000 synthetic topics, in-process and HTTP figures.

Usage: .venv/bin/python scripts/bench_search.py [--topics 10000] [--queries 1000] [--seconds 10]
Prints index build and open times, query p50/p99 with snippets, cached repeat latency, HTTP requests/s and
p99 with 16 concurrent clients against a real uvicorn on loopback, and the server's RSS. Every
HTTP request asks a query never asked before (no cache hits): the figure is the search's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from csohelp.build import publish_dir  # noqa: E402
from csohelp.content import LANGS, load_corpus  # noqa: E402
from csohelp.search.analysis import WORD_RE  # noqa: E402
from csohelp.search.backend import WhooshBackend  # noqa: E402
from csohelp.search.index import TopicDoc, build_index, corpus_categories, plain_text  # noqa: E402


def vocabulary(corpus) -> dict[str, list[str]]:
    """The words of the real topics, per language (with their real frequencies)."""
    words: dict[str, list[str]] = {}
    for lang in LANGS:
        text = " ".join(
            " ".join([t.text(lang).title, t.text(lang).summary, plain_text(t.text(lang).body),
                      *t.text(lang).keywords]) for t in corpus.topics)
        words[lang] = WORD_RE.findall(text)
    return words


def synthetic_docs(corpus, n: int, rng: random.Random) -> list[TopicDoc]:
    """n topics of about 150 words per language drawn from the real vocabulary."""
    vocab = vocabulary(corpus)
    categories = [c.id for c in corpus.categories]
    docs = []
    for i in range(n):
        texts = {}
        for lang in LANGS:
            w = vocab[lang]
            prefix = "" if lang == "fr" else "/en"
            cat = categories[i % len(categories)]
            texts[lang] = {
                "title": " ".join(rng.choices(w, k=6)).capitalize(),
                "summary": " ".join(rng.choices(w, k=20)) + ".",
                "keywords": [" ".join(rng.choices(w, k=2)) for _ in range(5)],
                "body": " ".join(rng.choices(w, k=120)) + ".",
                "url": f"{prefix}/{cat}/topic-{i}/",
            }
        docs.append(TopicDoc(f"topic-{i}", categories[i % len(categories)], [], texts))
    return docs


def queries(corpus, n: int, rng: random.Random) -> list[tuple[str, str]]:
    """n distinct mixed queries: 1-4 real words, some with a typo, both languages."""
    vocab = {lang: sorted({w.lower() for w in ws if len(w) > 2}) for lang, ws in vocabulary(corpus).items()}
    seen: set[tuple[str, str]] = set()
    while len(seen) < n:
        lang = rng.choice(LANGS)
        words = rng.sample(vocab[lang], rng.randint(1, 4))
        if rng.random() < 0.15:  # a typo: swap two letters of a long word
            long = [i for i, w in enumerate(words) if len(w) >= 6]
            if long:
                i = long[0]
                w = words[i]
                j = rng.randrange(1, len(w) - 2)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        seen.add((lang, " ".join(words)))
    return sorted(seen)


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_in_process(index: Path, qs: list[tuple[str, str]]) -> None:
    """Query latency with snippets, first time (no cache) and repeated (cache)."""
    backend = WhooshBackend(index, cache_size=100_000)
    t = time.perf_counter()
    backend.search("facture", "fr")  # opens the index: reads, verifies and warms it
    print(f"index open (read, verify, warm) and a first query: {time.perf_counter() - t:.2f} s")
    cold: list[float] = []
    cpu: list[float] = []  # CPU time of this process: steadier than wall time on a busy machine
    for lang, q in qs:
        t, c = time.perf_counter(), time.process_time()
        backend.search(q, lang, 10)
        cold.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    warm: list[float] = []
    for lang, q in qs:
        t = time.perf_counter()
        backend.search(q, lang, 10)
        warm.append((time.perf_counter() - t) * 1000)
    print(f"in-process, {len(qs)} distinct queries with snippets: p50 {pct(cold, 50):.2f} ms, "
          f"p99 {pct(cold, 99):.2f} ms, mean {statistics.mean(cold):.2f} ms, max {max(cold):.1f} ms")
    print(f"in-process, same queries, CPU time: p50 {pct(cpu, 50):.2f} ms, p99 {pct(cpu, 99):.2f} ms")
    print(f"in-process, same queries repeated (cache): p50 {pct(warm, 50) * 1000:.0f} µs, "
          f"p99 {pct(warm, 99) * 1000:.0f} µs")
    # The costliest input an attacker can type: the most meaningful words, each a typo with
    # equally near corrections (each trial ranks the whole query again).
    hostile = " ".join(["contarct"] * 16)
    worst: list[float] = []
    for i in range(5):
        t = time.perf_counter()
        backend.search(f"{hostile} {i}", "fr", 10)
        worst.append((time.perf_counter() - t) * 1000)
    print(f"in-process, worst typo query (16 ambiguous misspellings): "
          f"median {statistics.median(worst):.1f} ms")


SERVER = """
import sys, uvicorn
from pathlib import Path
from csohelp.web import create_app
from csohelp.web.settings import Settings
root = Path(sys.argv[1])
app = create_app(Settings(root=root, site_dir=root / "site", index_dir=root / "search_index"))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""


def bench_http(root: Path, qs: list[tuple[str, str]], clients: int, seconds: float) -> None:
    """Requests/s and latency of GET /api/search with concurrent keep-alive clients, each request
    a query not asked before (the server's answer cache never helps)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (root / "site").mkdir(exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(root), str(port)], cwd=REPO)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/search?q=facture&lang=fr")
                conn.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        paths = [f"/api/search?{urllib.parse.urlencode({'q': q, 'lang': lang})}" for lang, q in qs
                 if (lang, q) != ("fr", "facture")]
        pending = iter(paths)  # shared: each path is requested once, by one client
        latencies: list[float] = []
        errors = [0]
        stop = time.monotonic() + seconds
        lock = threading.Lock()

        def client(offset: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine: list[float] = []
            while time.monotonic() < stop:
                with lock:
                    path = next(pending, None)
                if path is None:
                    break
                t = time.perf_counter()
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                mine.append((time.perf_counter() - t) * 1000)
                if response.status != 200 or not json.loads(body)["query"]:
                    errors[0] += 1
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        rss = 0
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) // 1024
        print(f"HTTP GET /api/search, {clients} concurrent clients, {seconds:.0f} s on loopback: "
              f"{len(latencies) / elapsed:.0f} req/s, p50 {pct(latencies, 50):.1f} ms, "
              f"p99 {pct(latencies, 99):.1f} ms, errors {errors[0]} "
              f"({len(latencies)} requests, each a distinct query: no cache hits)")
        print(f"server resident memory after the run: {rss} MB")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--http-queries", type=int, default=6000,
                        help="distinct queries for the HTTP run (each asked once)")
    args = parser.parse_args()
    rng = random.Random(3)
    corpus = load_corpus(REPO / "faq")
    docs = synthetic_docs(corpus, args.topics, rng)
    qs = queries(corpus, args.queries, rng)
    http_qs = sorted(set(queries(corpus, args.http_queries + len(qs), rng)) - set(qs))
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        build_index(docs, root / "index-1", corpus_categories(corpus), corpus.synonyms)
        took = time.perf_counter() - t
        print(f"index build: {args.topics} topics ({2 * args.topics} language documents): {took:.1f} s")
        publish_dir(root / "index-1", root / "search_index")
        bench_in_process(root / "search_index", qs)
        bench_http(root, http_qs, args.clients, args.seconds)
    print(f"cpu count: {os.cpu_count()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
