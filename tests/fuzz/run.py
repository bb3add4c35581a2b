"""Long fuzz runs: `python -m tests.fuzz.run --minutes N [--only NAME]` rotates every registered target.

Each area adds its targets to a `TARGETS` dict in a module of this package (name → (function(examples),
examples per round)) and lists the module in MODULES. Exits 1 on the first failure.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time

MODULES = ["tests.fuzz.media"]


def main(argv: list[str] | None = None) -> int:
    """Run targets round after round until the time is up."""
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.run")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--only", action="append", default=[], help="run only targets with this name prefix")
    args = parser.parse_args(argv)
    targets = {}
    for module in MODULES:
        targets.update(importlib.import_module(module).TARGETS)
    if args.only:
        targets = {k: v for k, v in targets.items() if any(k.startswith(p) for p in args.only)}
    deadline = time.monotonic() + args.minutes * 60
    rounds: dict[str, int] = dict.fromkeys(targets, 0)
    start = time.monotonic()
    while time.monotonic() < deadline:
        for name, (target, examples) in targets.items():
            try:
                target(examples)
            except Exception as exc:
                print(f"FAIL {name}: {exc}", flush=True)
                raise
            rounds[name] += examples
            if time.monotonic() >= deadline:
                break
    elapsed = (time.monotonic() - start) / 60
    print(f"fuzzed for {elapsed:.1f} min: " + ", ".join(f"{k} {v} examples" for k, v in rounds.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
