"""Time the support plan PDFs: load + render both languages, median of N runs, and sizes."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from csohelp.pdf import LATEST, import_weasyprint, plan_downloads, render_plan  # noqa: E402
from csohelp.plan import load_plan  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_BYTES = 500 * 1024


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plan-dir", type=Path, default=ROOT / "plan", help="folder of plan.yaml")
    parser.add_argument("--runs", type=int, default=5, help="number of timed runs (default 5)")
    return parser.parse_args(argv)


def time_runs(plan_dir: Path, runs: int, site_dir: Path) -> list[float]:
    """Load and render the plan `runs` times into site_dir; return each run's seconds."""
    timings: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        render_plan(load_plan(plan_dir), site_dir)
        timings.append(time.perf_counter() - start)
    return timings


def main(argv: list[str] | None = None) -> int:
    """Print the timings and sizes; exit 1 when a target is missed."""
    args = parse_args(argv)
    start = time.perf_counter()
    import_weasyprint()
    print(f"import weasyprint: {time.perf_counter() - start:.2f} s (once per process)")
    with tempfile.TemporaryDirectory() as folder:
        site_dir = Path(folder)
        timings = time_runs(args.plan_dir, args.runs, site_dir)
        median = statistics.median(timings)
        runs = ", ".join(f"{t:.2f}" for t in timings)
        print(f"render fr+en: median {median:.2f} s over {args.runs} runs ({runs})")
        downloads = plan_downloads(load_plan(args.plan_dir), site_dir)
        ok = median < TARGET_SECONDS
        for lang, info in downloads.items():
            size = info["size_bytes"]
            ok = ok and size < TARGET_BYTES
            print(f"{LATEST[lang]}: {size} bytes ({info['size_label']}), {info['notice']}")
    print(f"targets: < {TARGET_SECONDS:.0f} s, < {TARGET_BYTES // 1024} KB each: ", end="")
    print("met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
