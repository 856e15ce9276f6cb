"""Tests for telling listbot's own comments, PRs and commits from everyone else's."""

from __future__ import annotations

from bot.core import messages
from bot.core.facts import CommentView, CommitView, PullView
from bot.core.markers import write_marker
from bot.core.ownership import (
    branch_foreign,
    is_issue_pull,
    listbot_pulls,
    needs_head_commit,
    pull_of_issue,
    recorded_pull,
    status_comments,
)
from bot.core.rules import Rules

BOT = "listbot[bot]"
RULES = Rules()
STATUS = messages.proposed_comment(7, 9, "A paper", "Papers › 2024")


def pull(
    number: int = 9, ref: str = "listbot/issue-7", author: str = BOT, head: str = "h1", body: str = ""
) -> PullView:
    """An open PR with the given branch, author, head and body."""
    return PullView(number, "open", False, ref, head, "Add paper: A paper", body, author)


def test_the_status_is_the_bots_oldest_comment_with_a_status_marker() -> None:
    """Only the bot's comments carrying a status marker count; the first is the status, the rest doubles."""
    comments = [
        CommentView(1, "Nice paper!", "octocat"),
        CommentView(2, STATUS, "mallory"),  # a copy of the marker by someone else
        CommentView(3, "Sorry, no.", BOT),
        CommentView(4, STATUS, BOT),
        CommentView(5, STATUS, BOT),
    ]
    assert [comment.id for comment in status_comments(comments, BOT)] == [4, 5]


def test_listbots_pulls_come_from_the_bot_on_its_branches() -> None:
    """A PR counts as listbot's only when the bot opened it from a `listbot/issue-N` branch."""
    mine, human, elsewhere = pull(), pull(2, author="octocat"), pull(3, ref="feature/x")
    assert listbot_pulls([mine, human, elsewhere], RULES, BOT) == [mine]


def test_the_issue_pull_is_the_one_on_its_branch() -> None:
    """Issue 7's PR is the open PR from `listbot/issue-7`."""
    assert pull_of_issue(7, [pull(3, ref="listbot/issue-5"), pull()], RULES) == pull()
    assert pull_of_issue(8, [pull()], RULES) is None


def test_a_closed_pull_is_found_through_the_number_the_status_records() -> None:
    """The status marker's `pull` names the PR; a PR read back must still be the bot's for that issue."""
    assert recorded_pull(CommentView(4, STATUS, BOT)) == 9
    assert recorded_pull(CommentView(4, "no marker", BOT)) is None
    assert recorded_pull(None) is None
    assert is_issue_pull(pull(), 7, RULES, BOT)
    assert not is_issue_pull(pull(author="octocat"), 7, RULES, BOT)
    assert not is_issue_pull(pull(), 8, RULES, BOT)


def test_a_branch_is_foreign_when_someone_else_made_its_head_commit() -> None:
    """A head commit neither authored nor committed by the bot makes the branch foreign."""
    maintainer = CommitView("h2", "mona", "mona")
    assert branch_foreign(pull(head="h2"), maintainer, BOT)
    assert not branch_foreign(pull(head="h2"), CommitView("h2", "mona", BOT), BOT)
    assert branch_foreign(pull(head="h2"), CommitView("h2", None, None), BOT)  # not linked to any user


def test_a_head_listbot_recorded_is_its_own_without_reading_the_commit() -> None:
    """When the PR body's marker records the current head, no commit needs reading and it is not foreign."""
    recorded = pull(head="h1", body=write_marker(messages.PULL_KIND, {"issue": 7, "list": "x", "head": "h1"}))
    assert not needs_head_commit(recorded)
    assert not branch_foreign(recorded, CommitView("h1", "mona", "mona"), BOT)
    moved = pull(head="h2", body=recorded.body)
    assert needs_head_commit(moved)


def test_closed_pulls_are_never_foreign() -> None:
    """Only an open PR's branch can be foreign: a closed one is not looked at."""
    closed = PullView(9, "closed", False, "listbot/issue-7", "h2", "t", "", BOT)
    assert not needs_head_commit(closed)
    assert not branch_foreign(closed, CommitView("h2", "mona", "mona"), BOT)
    assert not branch_foreign(None, None, BOT)
