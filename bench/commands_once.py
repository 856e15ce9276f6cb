"""A replayed and a lost `/listbot recreate`, each carried out exactly once, and what a command costs.

Usage: .venv/bin/python bench/commands_once.py [--replays 5] [--verbose]

listbot runs in-process against the GitHub API emulator. Replayed: a maintainer's recreate reopens
the PR they had closed; they close it again and the same delivery (same GUID, same bytes) is POSTed
`--replays` times, then as often again after a restart (the in-process memory of delivery ids is
gone). Lost: the command's delivery is acknowledged while GitHub fails its reads, the process stops
before carrying it out, and starts again. For each it prints how often listbot reopened the PR,
reacted and replied, and the REST calls of the command and of each replay. Asserts nothing.
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

from bot.core.markers import read_marker  # noqa: E402
from bot.emulator import GitHubEmulator, RecordedRequest  # noqa: E402
from tests.deployment import MAINTAINER, REPO, Deployment, deployed  # noqa: E402


def reopens(github: GitHubEmulator, pull: int, actor: str) -> int:
    """How often `actor` reopened PR `pull`, from the events GitHub announced."""
    return sum(
        1 for event, payload in github.events
        if event == "pull_request" and payload.get("action") == "reopened"
        and payload["pull_request"]["number"] == pull and payload["sender"]["login"] == actor
    )


def done_replies(listbot: Deployment, number: int) -> int:
    return sum(1 for c in listbot.bot_comments(number) if read_marker("done", c.body) is not None)


def close_pull(listbot: Deployment, number: int) -> int:
    pull = listbot.pull_for(number)
    listbot.github.close_issue(REPO, pull.number, actor=MAINTAINER)
    listbot.wait_idle()
    return int(pull.number)


def delivery_of(github: GitHubEmulator, comment: int) -> tuple[str, dict[str, Any], str]:
    with github.lock:
        made = next(
            d for d in github.state.hook_deliveries
            if d.event == "issue_comment" and d.payload["comment"]["id"] == comment
        )
    return made.event, made.payload, made.guid


def calls_of(github: GitHubEmulator) -> list[RecordedRequest]:
    """listbot's requests since the last reset (the harness's own inspection is not recorded)."""
    return [r for r in github.requests.snapshot() if r.auth in {"installation", "jwt"}]


def summary(calls: list[RecordedRequest]) -> str:
    writes = sum(1 for r in calls if r.is_write)
    return f"{len(calls)} calls ({len(calls) - writes} reads, {writes} writes)"


def replayed(replays: int, verbose: bool) -> None:
    with GitHubEmulator() as github, deployed(github) as listbot:
        number = listbot.file_issue()
        pull = close_pull(listbot, number)
        github.reset_requests()
        comment = listbot.comment(number, MAINTAINER, "/listbot recreate")
        command_calls = calls_of(github)
        event, payload, guid = delivery_of(github, comment)
        close_pull(listbot, number)
        github.reset_requests()
        for _ in range(replays):
            listbot.deliver(event, payload, guid)
        listbot.wait_idle()
        same_process = calls_of(github)
        listbot.restart()
        listbot.wait_idle()
        github.reset_requests()
        for _ in range(replays):
            listbot.deliver(event, payload, guid)
        listbot.wait_idle()
        after_restart = calls_of(github)
        print(f"replayed recreate ({replays} replays before and {replays} after a restart, PR closed again):")
        print(f"    PR reopened by listbot: {reopens(github, pull, listbot.bot)} time(s); "
              f"now {listbot.pull_for(number).state}")
        print(f"    👀 reactions: {github.reactions(REPO, comment).count((listbot.bot, 'eyes'))}; "
              f"done replies: {done_replies(listbot, number)}")
        print(f"    the command itself: {summary(command_calls)}")
        print(f"    {replays} replays, same process: {summary(same_process)} (delivery id remembered)")
        print(f"    {replays} replays after the restart: {summary(after_restart)} (comment logged in the status)")
        if verbose:
            for r in command_calls:
                print(f"      {'W' if r.is_write else 'R'} {r.method:6} {r.path} → {r.status}")


def lost(verbose: bool) -> None:
    with GitHubEmulator() as github, deployed(github, retry_base_delay=2.0) as listbot:
        number = listbot.file_issue()
        pull = close_pull(listbot, number)
        github.faults.fail("GET", rf"/issues/{number}$", status=502, times=None)
        comment = listbot.comment(number, MAINTAINER, "/listbot recreate", wait=False)
        deadline = time.monotonic() + 10
        while github.faults.injected == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        listbot.stop_service()
        github.faults.clear()
        before = reopens(github, pull, listbot.bot), len(github.reactions(REPO, comment)), done_replies(listbot, number)
        github.reset_requests()
        began = time.perf_counter()
        listbot.start_service()
        listbot.wait_idle()
        wall = time.perf_counter() - began
        start_up = calls_of(github)
        close_pull(listbot, number)
        listbot.restart()
        listbot.wait_idle()
        print("lost recreate (acknowledged, process stopped before it ran; then two restarts):")
        print(f"    before the restart: reopened {before[0]}, reactions {before[1]}, replies {before[2]}")
        print(f"    PR reopened by listbot: {reopens(github, pull, listbot.bot)} time(s); "
              f"👀 reactions: {github.reactions(REPO, comment).count((listbot.bot, 'eyes'))}; "
              f"done replies: {done_replies(listbot, number)}")
        print(f"    start-up resync that carried it out: {summary(start_up)}, {wall:.2f} s to idle")
        if verbose:
            for r in start_up:
                print(f"      {'W' if r.is_write else 'R'} {r.method:6} {r.path} → {r.status}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replays", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="list the calls")
    args = parser.parse_args(argv)
    replayed(args.replays, args.verbose)
    print()
    lost(args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
