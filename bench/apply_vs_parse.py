"""`listbot apply` as a whole process beside a linear scan that writes the same bytes, as the list grows.

Run: python -m bench.apply_vs_parse [--sizes 1000,5000,20000] [--runs 5]

For each size it writes `bench/synthetic.py`'s list to a temporary file, runs
`python -m bot.cli.main apply BODY --list LIST --no-fetch` (a fresh copy each run: process start,
imports, reading, checking, placing and writing; no source is asked, as `bench/sources_cost.py`
measures those) and `python -m bench.floor write LIST AFTER` (a process
that reads the list, looks at every line once and writes the bytes apply wrote), alternating
the two, and prints the medians, their ratio and each size's growth over the smallest. Both
run with their bytecode cached, as an installed listbot's is (`bench/bytecode.py`).
Goal (issue 16): apply at most 5x the scan at 20,000 entries. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bytecode import cached_bytecode_env
from bench.synthetic import make_list
from tests.factories import issue_body

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 5.0  # issue 16: `listbot apply` at most 5x a linear scan that writes the same bytes


def _timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def measure(entries: int, runs: int) -> tuple[float, float, int]:
    """Median seconds of `listbot apply` and of the floor, and the list's size in bytes."""
    text = make_list(entries)
    with tempfile.TemporaryDirectory() as folder:
        body, target, after = Path(folder) / "body.md", Path(folder) / "list.md", Path(folder) / "after.md"
        body.write_text(issue_body(), encoding="utf-8")
        apply = [sys.executable, "-m", "bot.cli.main", "apply", str(body), "--list", str(target), "--no-fetch"]
        floor = [sys.executable, "-m", "bench.floor", "write", str(target), str(after)]
        env = cached_bytecode_env(Path(folder))
        target.write_text(text, encoding="utf-8")
        subprocess.run(apply, cwd=ROOT, env=env, check=True, capture_output=True)  # untimed: fills the cache
        after.write_bytes(target.read_bytes())  # what apply writes: the floor writes the same bytes
        subprocess.run(floor, cwd=ROOT, env=env, check=True, capture_output=True)
        listbot_s, floor_s = [], []
        for _ in range(runs):
            target.write_text(text, encoding="utf-8")
            listbot_s.append(_timed(apply, env))
            target.write_text(text, encoding="utf-8")
            floor_s.append(_timed(floor, env))
    return statistics.median(listbot_s), statistics.median(floor_s), len(text.encode())


def run() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--sizes", default="1000,5000,20000", help="entry counts, comma-separated")
    options.add_argument("--runs", type=int, default=5)
    args = options.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"listbot apply vs a linear scan writing the same bytes (whole processes, median of {args.runs})")
    print(f"{'entries':>8} {'list':>8} {'apply s':>9} {'scan s':>9} {'apply/scan':>11} {'growth':>7}")
    rows = {entries: measure(entries, args.runs) for entries in sizes}
    first = rows[sizes[0]][0]
    for entries, (apply_s, floor_s, size) in rows.items():
        print(f"{entries:>8,} {size / 1e6:>6.2f}MB {apply_s:>9.3f} {floor_s:>9.3f} {apply_s / floor_s:>10.1f}x "
              f"{apply_s / first:>6.1f}x")
    apply_s, floor_s, _ = rows[sizes[-1]]
    ratio = apply_s / floor_s
    print(f"target ({sizes[-1]:,} entries): apply <= {TARGET_RATIO:g}x the scan: "
          f"{'met' if ratio <= TARGET_RATIO else 'NOT met'} ({ratio:.1f}x)")


if __name__ == "__main__":
    run()
