"""Which things on GitHub are listbot's own: its status comment, its PRs, its commits.

Pure functions over the facts the gateway read; `bot_login` is `{slug}[bot]`, the login GitHub
shows for everything the app writes.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core import messages
from bot.core.facts import CommentView, CommitView, PullView
from bot.core.markers import read_marker
from bot.core.rules import Rules


def status_comments(comments: Iterable[CommentView], bot_login: str) -> list[CommentView]:
    """listbot's status comments on an issue, oldest first: the first is the status, any more
    are doubles (two replicas posted at once) to delete."""
    return [
        comment for comment in comments
        if comment.author == bot_login and read_marker(messages.STATUS_KIND, comment.body)
    ]


def listbot_pulls(pulls: Iterable[PullView], rules: Rules, bot_login: str) -> list[PullView]:
    """PRs listbot made: opened by the bot, from one of its issue branches."""
    return [pull for pull in pulls if pull.author == bot_login and rules.issue_of_branch(pull.head_ref) is not None]


def pull_of_issue(issue: int, pulls: Iterable[PullView], rules: Rules) -> PullView | None:
    """The open listbot PR for this issue's branch, among listbot's open PRs."""
    branch = rules.branch(issue)
    return next((pull for pull in pulls if pull.head_ref == branch), None)


def recorded_pull(status: CommentView | None) -> int | None:
    """The PR number the status comment's marker records (a closed PR is found this way)."""
    marker = read_marker(messages.STATUS_KIND, status.body) if status else None
    known = marker.get("pull") if marker else None
    return known if isinstance(known, int) and not isinstance(known, bool) else None


def is_issue_pull(pull: PullView, issue: int, rules: Rules, bot_login: str) -> bool:
    """Whether a PR read back by number is still listbot's PR for this issue."""
    return pull.head_ref == rules.branch(issue) and pull.author == bot_login


def head_is_recorded(pull: PullView) -> bool:
    """Whether the PR's head is the commit listbot recorded in its body when it last wrote it."""
    marker = read_marker(messages.PULL_KIND, pull.body)
    return bool(marker) and marker.get("head") == pull.head_sha  # type: ignore[union-attr]


def needs_head_commit(pull: PullView | None) -> bool:
    """Whether to read the PR's head commit to tell if the branch is foreign."""
    return pull is not None and pull.state == "open" and not head_is_recorded(pull)


def branch_foreign(pull: PullView | None, head: CommitView | None, bot_login: str) -> bool:
    """True when someone other than listbot made the head commit of the issue's open PR.

    A head listbot recorded in the PR body is its own without looking; otherwise the head
    commit's author or committer must be the bot.
    """
    if pull is None or pull.state != "open" or head_is_recorded(pull) or head is None:
        return False
    return bot_login not in {head.author, head.committer}
