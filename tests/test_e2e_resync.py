"""End-to-end resync cost and order: requests per open submission, 304s, deliveries first.

listbot runs as a server against the GitHub API emulator; the emulator's request log is the
measure (what GitHub would count), and the PRs it holds are the outcome.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from bot.emulator import GitHubEmulator
from tests.deployment import MAINTAINER, REPO, Deployment, deployed

pytestmark = pytest.mark.e2e

OPEN = 12  # open submissions, each with its right PR


@pytest.fixture
def listbot(github_emulator: GitHubEmulator) -> Iterator[Deployment]:
    with deployed(github_emulator) as deployment:
        yield deployment


def paper(i: int) -> dict[str, Any]:
    return {
        "title": f"Resync Paper {i}: Grounded Reporting",
        "authors": "A. Author, B. Author, et al.",
        "venue": "arXiv",
        "date": f"2024-04-{1 + i % 28:02d}",
        "paper_url": f"https://arxiv.org/abs/2404.{30000 + i}",
        "code_url": f"https://github.com/example/resync-{i}",
    }


def resync(listbot: Deployment) -> None:
    """The periodic resync of every repository, run now, and everything it causes."""
    listbot.replicas[0].app.state.service.reconciler.resync_all()
    listbot.wait_idle()


def submissions_with_pulls(listbot: Deployment, count: int) -> list[int]:
    """`count` submissions filed while listbot heard nothing, then given their PRs by a resync."""
    with listbot.github.deliveries_paused(drop=True):
        numbers = [listbot.file_issue(wait=False, **paper(i)) for i in range(count)]
    resync(listbot)
    assert sorted(int(p.head.rsplit("-", 1)[1]) for p in listbot.open_pulls()) == numbers
    return numbers


def file_once_the_checks_began(listbot: Deployment, older: list[int]) -> tuple[float, list[float]]:
    """Once the first of `older` is being checked, file a new submission and let everything
    finish; when its PR was created, and when each of `older` was looked at."""
    github = listbot.github
    deadline = time.monotonic() + 30
    while not github.requests.count("GET", r"/issues/\d+$"):  # the scan is done: the checks began
        assert time.monotonic() < deadline
        time.sleep(0.01)
    new = listbot.file_issue(wait=False, **paper(OPEN))
    listbot.wait_idle()
    github.faults.clear()
    [created] = [r for r in github.requests if r.method == "POST" and r.path == f"/repos/{REPO}/pulls"]
    reads = github.requests.filter("GET", r"/issues/\d+$")
    assert listbot.pull_for(new).state == "open"
    return created.timestamp, [r.timestamp for r in reads if int(r.path.rsplit("/")[-1]) in older]


def test_a_resync_of_right_pulls_costs_at_most_three_requests_each_and_then_only_304s(listbot: Deployment) -> None:
    """With every PR right, a resync writes nothing and reads each submission a few times; the
    next one, nothing having changed, spends almost none of the rate limit (304s)."""
    github = listbot.github
    submissions_with_pulls(listbot, OPEN)

    github.reset_requests()
    resync(listbot)
    assert github.requests.count(write_only=True) == 0
    assert len(github.requests) <= 3 * OPEN

    github.reset_requests()
    resync(listbot)
    counted = [r for r in github.requests if r.status != 304]
    assert github.requests.count(write_only=True) == 0
    assert len(counted) <= 3, [(r.method, r.path) for r in counted]
    assert len(listbot.open_pulls()) == OPEN


def test_a_new_submission_does_not_wait_behind_a_resync(listbot: Deployment) -> None:
    """A submission filed while a resync works through many issues gets its PR before the resync
    has looked at them all."""
    github = listbot.github
    older = submissions_with_pulls(listbot, OPEN)
    github.faults.latency(0.1)  # every request slow: the resync takes a few seconds
    github.reset_requests()
    listbot.replicas[0].app.state.service.reconciler.resync_all()
    created, looked_at = file_once_the_checks_began(listbot, older)
    assert len(looked_at) == OPEN  # the resync did look at every older one
    assert created < max(looked_at)


def test_a_new_submission_does_not_wait_behind_the_checks_a_push_to_main_causes(listbot: Deployment) -> None:
    """A push that may touch the list (here a Markdown file beside it) has every open submission
    checked again; a submission filed meanwhile gets its PR before those checks are all done."""
    github = listbot.github
    older = submissions_with_pulls(listbot, OPEN)
    github.faults.latency(0.1)
    github.reset_requests()
    github.push_commit(REPO, "main", {"docs/notes.md": "Notes.\n"}, MAINTAINER, "Notes")
    created, looked_at = file_once_the_checks_began(listbot, older)
    assert len(looked_at) == OPEN  # the push did have every older one looked at
    assert created < max(looked_at)


UNREACHABLE = "http://127.0.0.1:9/hook"  # nothing listens there: the delivery fails to connect


def redeliveries_metric(listbot: Deployment) -> float:
    """`listbot_redeliveries_total` as `GET /metrics` shows it."""
    with urllib.request.urlopen(f"{listbot.url}/metrics", timeout=5) as response:
        text = response.read().decode()
    [line] = [line for line in text.splitlines() if line.startswith("listbot_redeliveries_total ")]
    return float(line.split()[1])


def test_a_failed_delivery_is_found_in_the_delivery_log_and_redelivered_once(listbot: Deployment) -> None:
    """A submission whose delivery failed (listbot's URL unreachable) gets its PR when listbot
    reads the delivery log; the event is asked for again exactly once."""
    github = listbot.github
    assert github.requests.count("GET", r"^/app/hook/deliveries$") == 1  # looked once at start-up
    hook = listbot.replicas[0].hook
    github.remove_hook(hook)
    github.add_hook(UNREACHABLE)
    number = listbot.file_issue(wait=False, **paper(1))
    github.wait_for_deliveries()
    github.remove_hook(UNREACHABLE)
    github.add_hook(hook, listbot.secret)
    listbot.wait_idle()
    assert listbot.all_pulls() == []

    recovery = listbot.replicas[0].app.state.service.reconciler.recovery
    before = redeliveries_metric(listbot)
    assert recovery.check() == 1
    listbot.wait_idle()
    assert listbot.pull_for(number).state == "open"
    assert len(listbot.status_comments(number)) == 1
    assert redeliveries_metric(listbot) == before + 1

    assert recovery.check() == 0
    listbot.wait_idle()
    assert github.requests.count("POST", r"^/app/hook/deliveries/\d+/attempts$") == 1



def test_a_redelivery_github_refuses_does_not_hold_up_the_others(listbot: Deployment) -> None:
    """GitHub refuses to redeliver some deliveries (older than three days, say): that one is given
    up, the others are still asked for, and the next look does not stumble on it again."""
    github = listbot.github
    hook = listbot.replicas[0].hook
    github.remove_hook(hook)
    github.add_hook(UNREACHABLE)
    refused = listbot.file_issue(wait=False, **paper(1))
    recovered = listbot.file_issue(wait=False, **paper(2))
    github.wait_for_deliveries()
    github.remove_hook(UNREACHABLE)
    github.add_hook(hook, listbot.secret)

    github.faults.fail("POST", r"^/app/hook/deliveries/\d+/attempts$", status=422, times=1)  # the oldest first
    recovery = listbot.replicas[0].app.state.service.reconciler.recovery
    assert recovery.check() == 1
    listbot.wait_idle()
    assert listbot.pull_for(recovered).state == "open"
    assert listbot.all_pulls() == [listbot.pull_for(recovered)]
    assert recovery.check() == 0
    assert github.requests.count("POST", r"^/app/hook/deliveries/\d+/attempts$") == 2
    assert refused < recovered


def test_a_delivery_whose_redelivery_failed_too_is_asked_again_once_listbot_is_reachable(
    listbot: Deployment,
) -> None:
    """The way in to listbot is down (the process up): the delivery and its redelivery fail.
    Once a later delivery gets through, the event is asked for again and the submission gets its PR."""
    github = listbot.github
    hook = listbot.replicas[0].hook
    recovery = listbot.replicas[0].app.state.service.reconciler.recovery
    github.remove_hook(hook)
    github.add_hook(UNREACHABLE)
    lost = listbot.file_issue(wait=False, **paper(1))
    github.wait_for_deliveries()
    assert recovery.check() == 1
    github.wait_for_deliveries()  # the redelivery fails as well
    assert recovery.check() == 0  # nothing got through since: asking now would fail again

    github.remove_hook(UNREACHABLE)
    github.add_hook(hook, listbot.secret)
    arrived = listbot.file_issue(**paper(2))  # delivered: the way in works again
    assert recovery.check() == 1
    listbot.wait_idle()
    assert listbot.pull_for(lost).state == "open"
    assert listbot.pull_for(arrived).state == "open"
    assert recovery.check() == 0
    assert github.requests.count("POST", r"^/app/hook/deliveries/\d+/attempts$") == 2
