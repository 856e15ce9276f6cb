"""Parse time of the 65 KB hostile corpus, per parser, and its growth when the input doubles.

    .venv/bin/python -m bench.parse_hostile            # 64 KB and 128 KB, best of 3
    .venv/bin/python -m bench.parse_hostile --runs 5

Prints, for every parser that reads user text, the total time over all shapes at 65,536
characters, the slowest shape, and the worst ratio time(2n) / time(n) over the shapes (about 2
when linear, 4 when quadratic). Asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from bench.adversarial import MAX_BODY, SHAPES, TARGETS


def best_time(parse: Callable[[str], object], text: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        parse(text)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'parser':22} {'total, 65 KB':>13} {'slowest shape':>36} {'worst x2 ratio':>15}")
    grand = 0.0
    for name, parse in TARGETS.items():
        times = {shape: best_time(parse, make(MAX_BODY), args.runs) for shape, make in SHAPES.items()}
        doubled = {shape: best_time(parse, make(2 * MAX_BODY), args.runs) for shape, make in SHAPES.items()}
        ratios = {shape: doubled[shape] / max(times[shape], 1e-6) for shape in SHAPES if doubled[shape] > 1e-3}
        slowest = max(times, key=lambda shape: times[shape])
        worst = max(ratios.values(), default=2.0)
        total = sum(times.values())
        grand += total
        print(f"{name:22} {total * 1000:10.1f} ms {slowest:>26} {times[slowest] * 1000:6.1f} ms {worst:14.1f}x")
    print(f"all parsers, all {len(SHAPES)} shapes at {MAX_BODY:,} characters: {grand * 1000:.0f} ms")


if __name__ == "__main__":
    main()
