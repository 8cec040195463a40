"""Benchmark the build on a synthetic corpus: time per stage (median of N runs) and peak memory.

    .venv/bin/python scripts/bench_build.py --topics 1000 --runs 3

Each run is a fresh process (as `csohelp build` is), so peak RSS is that of one build.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
RUN_ONE = """
import json, resource, sys
from pathlib import Path
from csohelp.build import Paths, build_site
root = Path(sys.argv[1])
result = build_site(Paths(root, faq=root / "faq", plan=Path(sys.argv[2]) / "plan",
                          mkdocs_yml=Path(sys.argv[2]) / "mkdocs.yml"))
print(json.dumps({"timings": result.timings,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_corpus(faq: Path, count: int) -> None:
    """Write `count` topics spread over the real categories, reusing the real topics' text."""
    real = sorted((REPO / "faq").glob("*/*.yaml"))
    templates = [yaml.safe_load(p.read_text("utf-8")) for p in real]
    faq.mkdir(parents=True)
    (faq / "categories.yaml").write_text((REPO / "faq" / "categories.yaml").read_text("utf-8"))
    (faq / "synonyms.yaml").write_text((REPO / "faq" / "synonyms.yaml").read_text("utf-8"))
    for i in range(count):
        base = templates[i % len(templates)]
        topic_id = f"{base['id']}-{i:05d}" if i >= len(templates) else base["id"]
        topic = dict(base, id=topic_id, related=[], aliases=[])
        for lang in ("fr", "en"):
            text = dict(base[lang])
            text["title"] = f"{text['title']} ({i})"
            # Links to other topics stay valid: they point at the real ids, which exist.
            topic[lang] = text
        folder = faq / topic["category"]
        folder.mkdir(exist_ok=True)
        (folder / f"{topic_id}.yaml").write_text(yaml.safe_dump(topic, allow_unicode=True), "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="write the synthetic corpus to this folder and stop")
    args = parser.parse_args()
    if args.keep:
        make_corpus(Path(args.keep) / "faq", args.topics)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        root = Path(tmp)
        make_corpus(root / "faq", args.topics)
        runs = []
        for n in range(args.runs):
            out = subprocess.run([sys.executable, "-c", RUN_ONE, str(root), str(REPO)],
                                 check=True, capture_output=True, text=True, cwd=REPO)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"run {n + 1}: " + ", ".join(f"{k} {v:.2f}s" for k, v in runs[-1]["timings"].items())
                  + f", peak RSS {runs[-1]['rss_mb']:.0f} MB", flush=True)
        pages = len(list((root / "site").resolve().rglob("*.html")))
    stages = runs[0]["timings"].keys()
    median = {k: statistics.median(r["timings"][k] for r in runs) for k in stages}
    print(f"\n{args.topics} topics, {pages} HTML pages, median of {args.runs} runs:")
    for k, v in median.items():
        print(f"  {k:>10}: {v:6.2f} s")
    print(f"  peak RSS (max over runs): {max(r['rss_mb'] for r in runs):.0f} MB")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  peak RSS of any child process: {children:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
