"""`listbot lint` as a whole process beside a linear scan of the same bytes and beside `awesome-lint`.

Run: python -m bench.lint_vs_awesome_lint [--sizes 1000,5000,20000] [--runs 3] [--node-dir DIR]
     [--no-awesome-lint] [--varied-venues]

For each size it writes `bench/synthetic.py`'s list to a temporary file and times, as commands
(process start-up included), `listbot lint` (`python -m bot.cli.main lint`), the floor
(`python -m bench.floor read`: a process that reads the list and looks at every line once) and
`awesome-lint`, alternating them, and prints the medians, the ratios and each size's growth.
The Python processes run with their bytecode cached, as an installed listbot's is
(`bench/bytecode.py`). awesome-lint is installed with npm into DIR (default /tmp/listbot-awesome-lint, outside the
repository) on first use; if npm or node is missing or the install fails, the bench says so and
still prints listbot's figures. It also counts both linters' findings on the committed list.
With `--varied-venues` each synthetic entry names one of a dozen venues and a day (`make_list`'s
`varied`), so thousands of distinct venue lines are vouched for, not a few hundred.
Goals (issue 16): lint at most 5x the scan at 20,000 entries, and at least 5x faster than
awesome-lint. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.bytecode import cached_bytecode_env
from bench.synthetic import make_list

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "list" / "README.md"
AWESOME_LINT_VERSION = "2.3.0"
_AWESOME_FINDING = re.compile(r"^\s*[✖⚠]\s+\d+:\d+\s+.*?\s(\S+)$")
TARGET_SCAN_RATIO = 5.0  # issue 16: lint at most 5x a linear scan
TARGET_SPEED_UP = 5.0  # issue 6: at least 5x faster than awesome-lint


def _timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=1800)
    return time.perf_counter() - start, done.stdout + done.stderr


def _listbot(path: Path) -> list[str]:
    return [sys.executable, "-m", "bot.cli.main", "lint", str(path)]


def _floor(path: Path) -> list[str]:
    return [sys.executable, "-m", "bench.floor", "read", str(path)]


def _listbot_findings(output: str) -> Counter[str]:
    return Counter(m[1] for line in output.splitlines() if (m := re.search(r":\d+:\d+: (LB\d{3}) ", line)))


def _awesome_findings(output: str) -> Counter[str]:
    return Counter(m[1] for line in output.splitlines() if (m := _AWESOME_FINDING.match(line)))


def install_awesome_lint(node_dir: Path) -> Path | None:
    """The awesome-lint executable, installed with npm into `node_dir` if needed; None on failure."""
    binary = node_dir / "node_modules" / ".bin" / "awesome-lint"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        print("awesome-lint: npm/node not found; reporting listbot's figures only.")
        return None
    node_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(node_dir), f"awesome-lint@{AWESOME_LINT_VERSION}"],
        capture_output=True, text=True, check=False, timeout=900,
    )
    if done.returncode != 0 or not binary.exists():
        print(f"awesome-lint: npm install failed ({done.returncode}); reporting listbot's figures only.")
        print("\n".join((done.stderr or done.stdout).splitlines()[-5:]))
        return None
    return binary


def _breakdown(counts: Counter[str]) -> str:
    return ", ".join(f"{rule} {n}" for rule, n in counts.most_common()) or "none"


def measure(
    entries: int, runs: int, awesome: Path | None, *, varied: bool = False
) -> tuple[float, float, float | None, int, int]:
    """Medians of listbot lint, the floor and awesome-lint; listbot's findings; the list's bytes."""
    with tempfile.TemporaryDirectory() as folder:
        synthetic = Path(folder) / "readme.md"
        synthetic.write_text(make_list(entries, varied=varied), encoding="utf-8")
        env = cached_bytecode_env(Path(folder))
        _timed(_listbot(synthetic), ROOT, env)  # untimed: fills the bytecode cache
        _timed(_floor(synthetic), ROOT, env)
        listbot_s, floor_s, awesome_s, output = [], [], [], ""
        for _ in range(runs):
            seconds, output = _timed(_listbot(synthetic), ROOT, env)
            listbot_s.append(seconds)
            floor_s.append(_timed(_floor(synthetic), ROOT, env)[0])
            if awesome is not None:
                awesome_s.append(_timed([str(awesome), str(synthetic)], Path(folder))[0])
        findings = sum(_listbot_findings(output).values())
        return (
            statistics.median(listbot_s), statistics.median(floor_s),
            statistics.median(awesome_s) if awesome_s else None, findings, synthetic.stat().st_size,
        )


def run() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--sizes", default="1000,5000,20000", help="entry counts, comma-separated")
    options.add_argument("--runs", type=int, default=3)
    options.add_argument("--node-dir", type=Path, default=Path(tempfile.gettempdir()) / "listbot-awesome-lint")
    options.add_argument("--no-awesome-lint", action="store_true", help="time listbot and the floor only")
    options.add_argument("--varied-venues", action="store_true", help="a venue and a day per entry (`varied` lists)")
    args = options.parse_args()
    awesome = None if args.no_awesome_lint else install_awesome_lint(args.node_dir)
    sizes = [int(size) for size in args.sizes.split(",")]

    shape = ", a venue and a day per entry" if args.varied_venues else ""
    print(f"listbot lint vs a linear scan and awesome-lint (whole processes, median of {args.runs}{shape})")
    print(f"{'entries':>8} {'list':>8} {'lint s':>8} {'scan s':>8} {'lint/scan':>10} {'growth':>7} "
          f"{'awesome s':>10} {'speed-up':>9} {'findings':>9}")
    rows = {entries: measure(entries, args.runs, awesome, varied=args.varied_venues) for entries in sizes}
    first = rows[sizes[0]][0]
    for entries, (lint_s, floor_s, awesome_s, findings, size) in rows.items():
        peer = f"{awesome_s:>10.2f} {awesome_s / lint_s:>8.1f}x" if awesome_s is not None else f"{'-':>10} {'-':>9}"
        print(f"{entries:>8,} {size / 1e6:>6.2f}MB {lint_s:>8.3f} {floor_s:>8.3f} {lint_s / floor_s:>9.1f}x "
              f"{lint_s / first:>6.1f}x {peer} {findings:>9}")
    lint_s, floor_s, awesome_s, _, _ = rows[sizes[-1]]
    ratio = lint_s / floor_s
    print(f"target ({sizes[-1]:,} entries): lint <= {TARGET_SCAN_RATIO:g}x the scan: "
          f"{'met' if ratio <= TARGET_SCAN_RATIO else 'NOT met'} ({ratio:.1f}x)")
    if awesome_s is not None:
        speed_up = awesome_s / lint_s
        print(f"target ({sizes[-1]:,} entries): >= {TARGET_SPEED_UP:g}x faster than awesome-lint: "
              f"{'met' if speed_up >= TARGET_SPEED_UP else 'NOT met'} ({speed_up:.1f}x)")

    print(f"committed list ({COMMITTED.relative_to(ROOT)}):")
    _, output = _timed(_listbot(COMMITTED), ROOT)
    ours = _listbot_findings(output)
    print(f"  listbot lint   findings: {sum(ours.values())} ({_breakdown(ours)})")
    if awesome is not None:
        _, output = _timed([str(awesome), str(COMMITTED.relative_to(ROOT))], ROOT)
        theirs = _awesome_findings(output)
        print(f"  awesome-lint   findings: {sum(theirs.values())} ({_breakdown(theirs)})")


if __name__ == "__main__":
    run()
