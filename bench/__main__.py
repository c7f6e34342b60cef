"""``make bench``: run every benchmark module in bench/ and write bench/results/latest.json.

A benchmark module defines ``run(quick: bool) -> list[Figure]``; ``--quick`` (or
BENCH_QUICK=1) shrinks the sizes for a smoke run. ``python -m bench NAME…`` runs only those
and prints their figures without writing latest.json, which holds one full run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import time
import traceback
from pathlib import Path

import bench
from bench._db import settle
from bench.figures import Figure, table

RESULTS = Path(__file__).parent / "results" / "latest.json"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="benchmark modules to run (default: all)")
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1")
    args = parser.parse_args()
    names = args.names or sorted(m.name for m in pkgutil.iter_modules(bench.__path__)
                                 if m.name not in ("figures", "__main__") and not m.name.startswith("_"))
    figures: list[Figure] = []
    failed: list[str] = []
    database = os.environ.get("GONGXIAO_TEST_DATABASE_URL")
    for name in names:
        if database:
            settle(database)
        started = time.perf_counter()
        try:
            produced = importlib.import_module(f"bench.{name}").run(quick=args.quick)
        except Exception:  # one benchmark's failure must not lose the others' figures
            traceback.print_exc()
            print(f"# {name}: FAILED after {time.perf_counter() - started:.1f} s", flush=True)
            failed.append(name)
            continue
        print(f"# {name}: {time.perf_counter() - started:.1f} s")
        print(table(produced), flush=True)
        figures += produced
    if args.names:  # latest.json is one full run's, never a mix of runs
        print("not written: " + str(RESULTS) + " (a run of some benchmarks)")
        return 1 if failed else 0
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"machine": platform.node(), "cpus": os.cpu_count(),
                                   "quick": args.quick, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                            time.gmtime()),
                                   "failed": failed,
                                   "figures": [f.as_dict() for f in figures]}, indent=2))
    print(f"wrote {RESULTS}" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
