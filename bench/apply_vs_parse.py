"""How long one `listbot apply` takes on a 10,000- and 20,000-entry list, beside one mistune parse.

Run: python -m bench.apply_vs_parse [--runs N]. Prints figures; asserts nothing.
Goal (issue 2): apply at most 1.5x a parse, and linear growth from 10,000 to 20,000 entries.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import mistune

from bench.synthetic import make_list
from bot.cli.main import main as listbot
from tests.factories import issue_body


def _median_seconds(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measure(entries: int, runs: int) -> tuple[float, float]:
    """Median seconds of one mistune parse and of one `listbot apply`, on a fresh copy each run."""
    text = make_list(entries)
    parse = mistune.create_markdown(renderer=None)
    parse_s = _median_seconds(lambda: parse(text), runs)
    with tempfile.TemporaryDirectory() as folder:
        body = Path(folder) / "body.md"
        body.write_text(issue_body(), encoding="utf-8")
        target = Path(folder) / "list.md"

        def apply_once() -> None:
            target.write_text(text, encoding="utf-8")
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                code = listbot(["apply", str(body), "--list", str(target)])
            timings.append(time.perf_counter() - start)
            assert code == 0, "apply failed"

        timings: list[float] = []
        for _ in range(runs):
            apply_once()
    return parse_s, statistics.median(timings)


def run() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--runs", type=int, default=5)
    args = options.parse_args()
    print(f"{'entries':>8} {'list KB':>8} {'parse s':>9} {'apply s':>9} {'apply/parse':>12}")
    results = {}
    for entries in (10_000, 20_000):
        parse_s, apply_s = measure(entries, args.runs)
        results[entries] = apply_s
        size_kb = len(make_list(entries).encode()) / 1024
        print(f"{entries:>8} {size_kb:>8.0f} {parse_s:>9.3f} {apply_s:>9.3f} {apply_s / parse_s:>12.2f}x")
    print(f"growth 10k -> 20k entries: apply time x{results[20_000] / results[10_000]:.2f} (linear = x2.00)")


if __name__ == "__main__":
    run()
