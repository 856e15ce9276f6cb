"""GitHub requests of one resync of a repository with N open, up-to-date submissions.

    .venv/bin/python -m bench.resync_scale                  # N = 50, 200, 500
    .venv/bin/python -m bench.resync_scale --sizes 50 200

For each N: a fresh emulator and listbot, N submissions filed while deliveries are dropped (as
if listbot had been down), one resync that opens their PRs, then the measured resync of the
repository, all PRs already right, and the resync after it, nothing having changed. Prints the
requests listbot made (writes, 304s, and those counted against the rate limit), per open
submission, and the most frequent request paths. Goal (issue 14): about 3 per submission.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import re
import time
from typing import Any

from bench.rest_calls import resync
from bot.emulator import GitHubEmulator
from tests.deployment import deployed

_NUMBER = re.compile(r"/\d+(?=/|$)")
SETUP_RATE_LIMIT = 100_000


def paper(i: int) -> dict[str, Any]:
    """Distinct valid form values for paper `i`."""
    return {
        "title": f"Scale Paper {i}: Report Generation at Scale",
        "authors": "J. Doe, K. Lee, et al.",
        "venue": "arXiv",
        "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "paper_url": f"https://arxiv.org/abs/2405.{40000 + i}",
        "code_url": f"https://github.com/example/scale-{i}",
    }


def measure(size: int) -> None:
    # Setting up 500 PRs alone takes more than the 5,000 requests of one hour's window.
    with GitHubEmulator(rate_limit=SETUP_RATE_LIMIT) as github, deployed(github) as listbot:
        with github.deliveries_paused(drop=True):
            for i in range(size):
                listbot.file_issue(wait=False, **paper(i))
        resync(listbot)
        listbot.wait_idle(timeout=1800)
        opened = len(listbot.open_pulls())
        for label in ("first resync, all PRs right", "next resync, nothing changed"):
            github.reset_requests()
            began = time.perf_counter()
            resync(listbot)
            listbot.wait_idle(timeout=1800)
            report(f"N = {size} ({opened} open PRs), {label}", github, size, time.perf_counter() - began)


def report(title: str, github: GitHubEmulator, size: int, wall: float) -> None:
    calls = [r for r in github.requests.snapshot() if r.auth in {"installation", "jwt"}]
    writes = sum(1 for r in calls if r.is_write)
    not_modified = sum(1 for r in calls if r.status == 304)
    paths = collections.Counter(f"{r.method} {_NUMBER.sub('/N', r.path)}" for r in calls)
    top = ", ".join(f"{path} × {n}" for path, n in paths.most_common(3))
    print(f"{title}: {len(calls)} requests ({writes} writes, {not_modified} × 304, "
          f"{len(calls) - not_modified} counted), {len(calls) / max(size, 1):.1f} per submission, {wall:.1f} s; "
          f"most: {top}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500])
    args = parser.parse_args()
    for size in args.sizes:
        measure(size)


if __name__ == "__main__":
    main()
