"""`listbot lint` beside `awesome-lint`: wall time on a synthetic list, findings on the committed one.

Run: python -m bench.lint_vs_awesome_lint [--entries 20000] [--runs 3] [--node-dir DIR].
awesome-lint is installed with npm into DIR (default /tmp/listbot-awesome-lint, outside the
repository) on first use; if npm or node is missing or the install fails, the bench says so and
still prints listbot's figures. Both linters run as commands (process start-up included).
Goal (issue 6): listbot at least 5x faster on the 20,000-entry list. Prints figures; asserts nothing.
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

from bench.synthetic import make_list

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "list" / "README.md"
AWESOME_LINT_VERSION = "2.3.0"
_AWESOME_FINDING = re.compile(r"^\s*[✖⚠]\s+\d+:\d+\s+.*?\s(\S+)$")


def _timed(command: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, timeout=1800)
    return time.perf_counter() - start, done.stdout + done.stderr


def _median(command: list[str], cwd: Path, runs: int) -> tuple[float, str]:
    samples, output = [], ""
    for _ in range(runs):
        seconds, output = _timed(command, cwd)
        samples.append(seconds)
    return statistics.median(samples), output


def _listbot(path: Path) -> list[str]:
    return [sys.executable, "-m", "bot.cli.main", "lint", str(path)]


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


def run() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--entries", type=int, default=20_000)
    options.add_argument("--runs", type=int, default=3)
    options.add_argument("--node-dir", type=Path, default=Path(tempfile.gettempdir()) / "listbot-awesome-lint")
    args = options.parse_args()
    awesome = install_awesome_lint(args.node_dir)

    with tempfile.TemporaryDirectory() as folder:
        synthetic = Path(folder) / "readme.md"
        synthetic.write_text(make_list(args.entries), encoding="utf-8")
        size_kb = synthetic.stat().st_size / 1024
        print(f"synthetic list: {args.entries} entries, {size_kb:.0f} KB; median of {args.runs} runs")
        listbot_s, output = _median(_listbot(synthetic), ROOT, args.runs)
        print(f"  listbot lint   {listbot_s:8.2f} s  findings: {sum(_listbot_findings(output).values())}")
        if awesome is not None:
            awesome_s, output = _median([str(awesome), str(synthetic)], Path(folder), args.runs)
            findings = _awesome_findings(output)
            print(f"  awesome-lint   {awesome_s:8.2f} s  findings: {sum(findings.values())}")
            print(f"  speed-up       {awesome_s / listbot_s:8.1f}x  (goal: at least 5x)")

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
