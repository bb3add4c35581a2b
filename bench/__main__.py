"""Runs the benchmarks and prints ratios against same-run baselines."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path

from bench.common import Result

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Run selected (default: all) benchmark modules."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="bench modules to run (e.g. ingest ledger)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    modules = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    if args.names:
        modules = [m for m in modules if m.removeprefix("bench_") in args.names]
    results: list[Result] = []
    for name in modules:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}", flush=True)
        for result in module.run(args.quick):
            results.append(result)
            ratio = f"{result.ratio:.3f}" if result.ratio is not None else "-"
            baseline = result.baseline if result.baseline is not None else "-"
            verdict = {True: "ok", False: "MISSED", None: ""}[result.passed]
            print(
                f"{result.name:<55} {result.value:>14.2f} {result.unit:<10} baseline {result.baseline_name}"
                f"={baseline} ratio {ratio} goal {result.goal} {verdict}",
                flush=True,
            )
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps([r.to_dict() for r in results], indent=2))
    return 0 if all(r.passed is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
