"""When a delivery's issue stands in for reading it (bot.service.fresh_issues): only the newest,
fresh, comment-free snapshot of an open issue that this process has not written to; and, end to
end, a stale snapshot never brings an old body back."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from bot.core.webhook import Delivery
from bot.emulator import GitHubEmulator
from bot.service.fresh_issues import FRESH_SECONDS, FreshIssues
from tests.deployment import REPO, deployed

KEY = (7, "acme/list", 12)
NOW = dt.datetime(2026, 12, 6, 3, 0, 0, tzinfo=dt.UTC).timestamp()


def iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issue(at: float = NOW, **changes: Any) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "number": 12, "title": "[Paper]: x", "body": "### Title\n\nA", "state": "open", "comments": 0,
        "labels": [{"name": "submission"}], "updated_at": iso(at),
    }
    return shown | changes


def delivery(shown: dict[str, Any], event: str = "issues", action: str = "opened", sender: str = "octocat") -> Delivery:
    payload = {"action": action, "issue": shown, "repository": {"full_name": "acme/list"}, "installation": {"id": 7}}
    return Delivery("d", event, action, 7, "acme/list", 12, sender, "User", payload)


def fresh(started: float = NOW - 60, now: float = NOW) -> FreshIssues:
    return FreshIssues(clock=lambda: now, started=started)


def test_the_newest_fresh_snapshot_stands_in_for_the_issue() -> None:
    issues, shown = fresh(), issue()
    issues.note(delivery(shown))
    view = issues.usable(KEY, shown)
    assert view is not None
    assert (view.number, view.title, view.body, view.state, view.labels) == (
        12, "[Paper]: x", "### Title\n\nA", "open", frozenset({"submission"}),
    )


def test_a_snapshot_older_than_one_seen_is_read_instead() -> None:
    """Out of order: an `opened` processed after an `edited` (or listbot's own comment) was seen."""
    issues, older = fresh(), issue(NOW - 5)
    issues.note(delivery(older))
    issues.note(delivery(issue(NOW - 2, body="edited"), action="edited"))
    assert issues.usable(KEY, older) is None
    issues.note(delivery(issue(NOW - 1, comments=1), event="issue_comment", action="created", sender="listbot[bot]"))
    assert issues.usable(KEY, issue(NOW - 2, body="edited")) is None


def test_two_different_snapshots_in_one_second_are_both_read() -> None:
    issues, first, second = fresh(), issue(), issue(body="changed within the second")
    issues.note(delivery(first))
    issues.note(delivery(first, action="labeled"))  # the same snapshot again is no doubt
    assert issues.usable(KEY, first) is not None
    issues.note(delivery(second, action="edited"))
    assert issues.usable(KEY, first) is None
    assert issues.usable(KEY, second) is None


def test_a_late_or_pre_start_snapshot_is_read() -> None:
    """A delivery processed late (or redelivered) is older than FRESH_SECONDS; one from before
    this process started may predate writes of the previous process."""
    old = issue(NOW - FRESH_SECONDS - 1)
    issues = fresh(started=NOW - 3600)
    issues.note(delivery(old))
    assert issues.usable(KEY, old) is None
    before_start = issue(NOW - 5)
    issues = fresh(started=NOW - 2)
    issues.note(delivery(before_start))
    assert issues.usable(KEY, before_start) is None


def test_after_listbot_wrote_to_the_issue_it_is_read() -> None:
    issues, shown = fresh(), issue()
    issues.note(delivery(shown))
    issues.wrote(KEY)
    assert issues.usable(KEY, shown) is None


def test_comments_a_closed_issue_a_pull_request_or_another_issue_are_read() -> None:
    issues = fresh()
    for shown in (issue(comments=1), issue(state="closed"), issue(pull_request={"url": "x"}), issue(number=13)):
        issues.note(delivery(shown))
        assert issues.usable(KEY, shown) is None
    assert issues.usable(KEY, None) is None


def test_a_stale_delivery_never_brings_back_an_old_body(github_emulator: GitHubEmulator) -> None:
    """`issues.opened` as GitHub first sent it, delivered again after the submitter's edit: the PR
    keeps the edited entry (the stale snapshot is not the newest, and listbot's PR exists)."""
    with deployed(github_emulator) as listbot:
        time.sleep(1.1)  # snapshots from the second listbot started in are never used: be past it
        number = listbot.file_issue(wait=False, title="Old Name: Reports at Scale")
        _event, stale = github_emulator.webhook("issues", "opened", REPO, issue=number)
        listbot.wait_idle()
        listbot.edit_issue(number, title="New Name: Reports at Scale")
        commits = listbot.commits_on(f"listbot/issue-{number}")
        assert listbot.deliver("issues", stale) == 202
        listbot.wait_idle()
        listed = listbot.list_on(f"listbot/issue-{number}") or ""
        assert listbot.commits_on(f"listbot/issue-{number}") == commits  # not even for a moment
    assert "New Name: Reports at Scale" in listed
    assert "Old Name" not in listed
