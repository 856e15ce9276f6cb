"""Count the GitHub REST calls listbot makes: one new submission, its redelivery, a repository resync.

Usage: .venv/bin/python bench/rest_calls.py [--verbose]

listbot runs in-process (uvicorn in a thread) against the GitHub API emulator, which counts every
request. The installation token is minted first (by the start-up resync of the empty repository),
so the figures are for a warm token. It prints figures beside the goals and asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.emulator import GitHubEmulator, RecordedRequest  # noqa: E402
from tests.deployment import REPO, Deployment, deployed  # noqa: E402

NEW_SUBMISSION_GOAL = 6  # issue 16: at most 6 REST calls for a new valid submission (issue 3 asked for 7)
OTHER_SUBMISSIONS = 3  # open listbot PRs already in the repository, so the resync has work to look at


def paper(i: int) -> dict[str, Any]:
    """Distinct valid form values for paper `i`."""
    return {
        "title": f"Bench Paper {i}: Report Generation with Rotating Experts",
        "authors": "J. Doe, K. Lee, et al.",
        "venue": "arXiv",
        "date": f"2024-04-{10 + i:02d}",
        "paper_url": f"https://arxiv.org/abs/2404.{30000 + i}",
        "code_url": f"https://github.com/example/bench-{i}",
    }


def describe(calls: list[RecordedRequest]) -> str:
    return "\n".join(
        f"    {'W' if r.is_write else 'R'} {r.method:6} {r.path}{'?' + _query(r) if r.query else ''} → {r.status}"
        for r in calls
    )


def _query(r: RecordedRequest) -> str:
    return "&".join(f"{k}={v[0]}" for k, v in sorted(r.query.items()))


def report(name: str, calls: list[RecordedRequest], goal: str, verbose: bool = True) -> None:
    writes = sum(1 for r in calls if r.is_write)
    print(f"{name}: {len(calls)} calls ({len(calls) - writes} reads, {writes} writes)   goal: {goal}")
    if verbose:
        print(describe(calls))


def measure(github: GitHubEmulator, deployment: Deployment, action: Any) -> tuple[list[RecordedRequest], float]:
    """Run `action`, wait until listbot is idle; the requests it caused and the wall time."""
    github.reset_requests()
    began = time.perf_counter()
    action()
    deployment.wait_idle()
    # wait_idle ends after a short quiet period; the requests are those before it.
    return github.requests.snapshot(), time.perf_counter() - began


def resync(deployment: Deployment) -> None:
    """A resync of every installation by the running service (the periodic one), else a restart."""
    dispatcher = deployment.replicas[0].app.state.service.reconciler
    run = getattr(dispatcher, "resync_all", None)
    if callable(run):
        run()
    else:
        deployment.restart()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="figures only, not the list of calls")
    args = parser.parse_args(argv)
    verbose = not args.quiet

    with GitHubEmulator() as github, deployed(github) as listbot:
        for i in range(1, OTHER_SUBMISSIONS + 1):  # warm token and some other open PRs
            listbot.file_issue(**paper(i))

        new = paper(OTHER_SUBMISSIONS + 1)
        number = 0

        def file() -> None:
            nonlocal number
            number = listbot.file_issue(wait=False, **new)

        calls, wall = measure(github, listbot, file)
        bot_calls = [r for r in calls if r.auth in {"installation", "jwt"}]
        report(
            "new valid submission", bot_calls,
            f"≤ {NEW_SUBMISSION_GOAL} calls  ({'met' if len(bot_calls) <= NEW_SUBMISSION_GOAL else 'NOT met'})",
            verbose,
        )
        print(f"    wall time to PR: {wall:.2f} s (includes the harness's 0.15 s quiet period)\n")

        event, payload = github.webhook("issues", "opened", REPO, issue=number)
        calls, _ = measure(github, listbot, lambda: listbot.deliver(event, payload))
        writes = sum(1 for r in calls if r.is_write)
        report("redelivery, PR already right", calls, f"0 writes  ({'met' if writes == 0 else 'NOT met'})", verbose)
        print()

        calls, wall = measure(github, listbot, lambda: resync(listbot))
        writes = sum(1 for r in calls if r.is_write)
        report(
            f"resync of the repository ({OTHER_SUBMISSIONS + 1} open submissions, all up to date)", calls,
            f"0 writes  ({'met' if writes == 0 else 'NOT met'})", verbose,
        )
        print(f"    wall time: {wall:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
