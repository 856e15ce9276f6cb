"""Tests for turning webhook deliveries (real payload shapes) into reconcile jobs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.core.facts import BaseView
from bot.core.rules import Rules
from bot.core.webhook import Delivery, parse_delivery
from bot.emulator import GitHubEmulator
from bot.service.jobs import CommandJob, IssueJob, RepoJob, jobs_for
from bot.service.observe import RepoSnapshot, RepoView
from bot.service.worker import Job
from tests.factories import issue_body

BOT = "listbot[bot]"
REPO = "acme/list"


@pytest.fixture
def repo(github_emulator: GitHubEmulator) -> GitHubEmulator:
    """An emulator with an installed app and one repository holding a list."""
    github_emulator.register_app(app_id=1, slug="listbot")
    github_emulator.create_repo("acme", "list", {"list/README.md": "## Papers\n"})
    github_emulator.install("acme", ["list"], app_id=1)
    github_emulator.add_user("mona", "write", repo=REPO)
    return github_emulator


def jobs(event: str, payload: dict[str, Any]) -> list[Job]:
    """The jobs a delivery schedules, failing the test if it schedules none."""
    found = jobs_for(delivery(event, payload), Rules(), BOT)
    assert not isinstance(found, str), found
    return found


def delivery(event: str, payload: dict[str, Any]) -> Delivery:
    """Parse a payload exactly as the webhook endpoint does."""
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": "d-1"}
    return parse_delivery(headers, json.dumps(payload).encode())


def test_issue_events_schedule_the_issue(repo: GitHubEmulator) -> None:
    """An issues.opened delivery becomes one job for that issue."""
    number = repo.create_issue(REPO, "octocat", "Paper", issue_body(), ["submission"])
    event, payload = repo.webhook("issues", "opened", REPO, issue=number)
    [job] = jobs(event, payload)
    assert job == IssueJob(payload["installation"]["id"], REPO, "main", number, delivery_id="d-1")


def test_listbots_own_events_are_ignored(repo: GitHubEmulator) -> None:
    """Events whose sender is listbot's bot user schedule nothing."""
    number = repo.create_issue(REPO, "octocat", "Paper", issue_body(), ["submission"])
    event, payload = repo.webhook("issues", "edited", REPO, issue=number, sender=BOT, changes={})
    assert jobs_for(delivery(event, payload), Rules(), BOT) == "caused by listbot itself"


def test_a_push_to_main_that_touches_the_list_schedules_the_repository(repo: GitHubEmulator) -> None:
    """A push changing Markdown rechecks the whole repository; a push of code does nothing."""
    repo.push_commit(REPO, "main", {"list/README.md": "## Papers\n\n### 2024\n"}, "mona", "edit list")
    event, payload = repo.webhook("push", None, REPO, ref="refs/heads/main")
    assert jobs_for(delivery(event, payload), Rules(), BOT) == [
        RepoJob(payload["installation"]["id"], REPO, "main", reason="default branch moved")
    ]
    repo.push_commit(REPO, "main", {"src/tool.py": "x = 1\n"}, "mona", "code")
    event, payload = repo.webhook("push", None, REPO, ref="refs/heads/main")
    assert jobs_for(delivery(event, payload), Rules(), BOT) == "push did not change the list"


def test_a_push_to_a_listbot_branch_schedules_its_issue(repo: GitHubEmulator) -> None:
    """A maintainer's push to `listbot/issue-5` makes listbot look at issue 5 again."""
    repo.create_branch(REPO, "listbot/issue-5")
    repo.push_commit(REPO, "listbot/issue-5", {"list/README.md": "changed\n"}, "mona", "tweak")
    event, payload = repo.webhook("push", None, REPO, ref="refs/heads/listbot/issue-5")
    [job] = jobs(event, payload)
    assert isinstance(job, IssueJob)
    assert job.issue == 5


def test_a_listbot_command_in_a_comment_becomes_a_command_job(repo: GitHubEmulator) -> None:
    """`/listbot recreate` in a comment schedules a command job naming its author."""
    number = repo.create_issue(REPO, "octocat", "Paper", issue_body(), ["submission"])
    comment = repo.add_comment(REPO, number, "mona", "/listbot recreate please")
    event, payload = repo.webhook("issue_comment", "created", REPO, issue=number, comment=comment)
    [job] = jobs(event, payload)
    assert isinstance(job, CommandJob)
    assert (job.command, job.author, job.comment_id) == ("recreate", "mona", comment)


def test_ordinary_comments_schedule_nothing(repo: GitHubEmulator) -> None:
    """A comment that is not a command is ignored."""
    number = repo.create_issue(REPO, "octocat", "Paper", issue_body(), ["submission"])
    comment = repo.add_comment(REPO, number, "octocat", "Thanks! /listbot is great")
    event, payload = repo.webhook("issue_comment", "created", REPO, issue=number, comment=comment)
    assert jobs_for(delivery(event, payload), Rules(), BOT) == "not a listbot command"


def test_a_delivery_without_a_sender_is_not_mistaken_for_listbots_own(repo: GitHubEmulator) -> None:
    """With the bot's login still unknown, a delivery lacking a sender is still scheduled."""
    number = repo.create_issue(REPO, "octocat", "Paper", issue_body(), ["submission"])
    event, payload = repo.webhook("issues", "opened", REPO, issue=number)
    del payload["sender"]
    found = jobs_for(delivery(event, payload), Rules(), None)
    assert not isinstance(found, str)


def test_a_scan_reading_rides_on_its_jobs_but_never_on_a_delivery_job() -> None:
    """A job a delivery asked for reads GitHub afresh even when merged with a resync's job; of two
    scans' readings the later one is kept; the reading stays out of log lines."""
    def reading(sha: str) -> RepoSnapshot:
        return RepoSnapshot(RepoView(BaseView("main", sha, None, "tree"), Rules()), ())

    older, newer = reading("a" * 40), reading("b" * 40)
    scanned = IssueJob(1, REPO, "main", 7, seen=older)
    delivered = IssueJob(1, REPO, "main", 7, delivery_id="d-1")
    assert isinstance(merged := scanned.merge(delivered), IssueJob)
    assert merged.seen is None
    assert isinstance(merged := delivered.merge(scanned), IssueJob)
    assert merged.seen is None
    assert isinstance(merged := scanned.merge(IssueJob(1, REPO, "main", 7, seen=newer)), IssueJob)
    assert merged.seen is newer
    assert "seen" not in repr(scanned)
