"""Benchmarks: `make bench` (or `python -m bench [NAME...] [--quick]`).

Each `bench/bench_<area>.py` defines `run(quick: bool) -> list[Result]`. Every result is a ratio
against a baseline measured in the same run (these machines are shared and noisy), with the goal
the issue sets. Results are printed and written to `bench/results/latest.json`.
"""
