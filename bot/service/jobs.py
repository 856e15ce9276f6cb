"""From a webhook delivery to jobs: which issue (or repository) to look at again, or why none.

Pure routing over the payload, no I/O, so it runs inside the webhook request; the reconciler runs
the jobs.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bot.core.commands import body_digest, command_in
from bot.core.markers import read_marker
from bot.core.messages import PULL_KIND
from bot.core.repo_config import CONFIG_PATH
from bot.core.rules import Rules
from bot.core.webhook import Delivery
from bot.service.worker import Job

if TYPE_CHECKING:  # routing runs inside the webhook request: it imports nothing that reads GitHub
    from bot.service.observe import RepoSnapshot

ISSUE_ACTIONS = frozenset(
    {"opened", "edited", "reopened", "labeled", "unlabeled", "closed", "deleted", "transferred"}
)
PULL_ACTIONS = frozenset({"closed", "reopened", "synchronize", "edited"})
PUSH_COMMITS_LIMIT = 2048


@dataclass(frozen=True)
class IssueJob:
    """Converge one issue; `rebuild` discards listbot's branch and PR state and starts afresh.

    `issue_payload` is the issue as an `issues.opened`/`edited` delivery showed it, which the
    reconcile may use instead of reading the issue (`bot.service.fresh_issues` decides).
    """

    installation_id: int
    repository: str
    default_branch: str
    issue: int
    rebuild: bool = False
    delivery_id: str | None = None
    # What the repository scan that queued this job read (None: read it all now). A delivery's
    # job never has one, so a webhook always makes listbot look at GitHub as it is.
    seen: RepoSnapshot | None = field(default=None, repr=False, compare=False)
    command: int | None = None  # the command comment this job carries out (its status logs it)
    issue_payload: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> Hashable:
        return ("issue", self.installation_id, self.repository, self.issue)

    def merge(self, other: Job) -> Job:
        rebuild = self.rebuild or (isinstance(other, IssueJob) and other.rebuild)
        # A job that must read afresh stays so; of two scans' snapshots the later one is kept.
        seen = other.seen if isinstance(other, IssueJob) and self.seen is not None else None
        # Of two deliveries' issues the newer one is kept (FreshIssues still checks it is the newest).
        shown = [self.issue_payload, other.issue_payload if isinstance(other, IssueJob) else None]
        newest = max((p for p in shown if p), key=lambda p: str(p.get("updated_at")), default=None)
        return replace(self, rebuild=rebuild, seen=seen, issue_payload=newest)


@dataclass(frozen=True)
class RepoJob:
    """Find every submission of a repository worth a look and queue a job for each."""

    installation_id: int
    repository: str
    default_branch: str
    reason: str = "resync"

    @property
    def key(self) -> Hashable:
        return ("repo", self.installation_id, self.repository)

    def merge(self, other: Job) -> Job:
        # A delivery's reason (a push) wins over the resync's: the scan runs first and says why.
        return other if isinstance(other, RepoJob) and self.reason == "resync" else self


@dataclass(frozen=True)
class CommandJob:
    """A `/listbot` command from an issue comment: check who asked, then act or decline.

    `digest` is the hash of the comment's body as delivered (or as a resync read it): a comment
    edited since then is no longer the command that was asked for.
    """

    installation_id: int
    repository: str
    default_branch: str
    issue: int
    command: str
    comment_id: int
    author: str
    digest: str = ""

    @property
    def key(self) -> Hashable:
        return ("command", self.installation_id, self.repository, self.comment_id)

    def merge(self, other: Job) -> Job:
        return self


def _may_touch_the_list(payload: Mapping[str, Any]) -> bool:
    """Whether a push may have changed the list or listbot's config (True when it cannot tell).

    The list path is per repository (`.github/listbot.yml` may move it), so any Markdown file
    counts; the repository job then reads the configuration at the new head.
    """
    commits = payload.get("commits")
    if not isinstance(commits, list) or not commits or len(commits) >= PUSH_COMMITS_LIMIT:
        return True  # a push delivery lists at most 2048 commits: beyond that it cannot tell
    for commit in commits:
        if not isinstance(commit, dict):
            return True
        for kind in ("added", "modified", "removed"):
            for path in commit.get(kind) or []:
                if str(path).endswith(".md") or path == CONFIG_PATH:
                    return True
    return False


def _issue_of_pull(pull: Mapping[str, Any], rules: Rules, bot_login: str | None) -> int | None:
    """The submission issue behind a listbot PR: from its hidden marker, else its branch name.

    The marker works whatever branch prefix the repository's own configuration chose. With the
    bot's login unknown, any author is accepted: the reconcile re-checks the PR's author.
    """
    if bot_login is not None and (pull.get("user") or {}).get("login") != bot_login:
        return None
    marker = read_marker(PULL_KIND, str(pull.get("body") or ""))
    if marker and isinstance(marker.get("issue"), int):
        return int(marker["issue"])
    return rules.issue_of_branch(str((pull.get("head") or {}).get("ref", "")))


def jobs_for(delivery: Delivery, rules: Rules, bot_login: str | None) -> list[Job] | str:
    """The jobs a delivery asks for, or why it asks for nothing."""
    payload = delivery.payload
    repo = payload.get("repository") or {}
    installation, name = delivery.installation_id, delivery.repository
    if installation is None or not name:
        return "no installation or repository"
    if bot_login is not None and delivery.sender_login == bot_login:
        return "caused by listbot itself"
    branch = str(repo.get("default_branch") or "main")
    issue_number = delivery.issue_number

    if delivery.event == "issues" and delivery.action in ISSUE_ACTIONS and issue_number:
        shown = payload.get("issue") if delivery.action in ("opened", "edited") else None
        return [IssueJob(installation, name, branch, issue_number, delivery_id=delivery.delivery_id,
                         issue_payload=shown if isinstance(shown, Mapping) else None)]
    if delivery.event == "pull_request" and delivery.action in PULL_ACTIONS:
        issue = _issue_of_pull(payload.get("pull_request") or {}, rules, bot_login)
        return [IssueJob(installation, name, branch, issue, delivery_id=delivery.delivery_id)] if issue else (
            "not a listbot pull request"
        )
    if delivery.event == "issue_comment" and delivery.action == "created" and issue_number:
        comment = payload.get("comment") or {}
        body = str(comment.get("body") or "")
        command = command_in(body)
        if command is None:
            return "not a listbot command"
        author = str((comment.get("user") or {}).get("login") or "")
        return [CommandJob(
            installation, name, branch, issue_number, command, int(comment["id"]), author, body_digest(body),
        )]
    if delivery.event == "push":
        ref = str(payload.get("ref") or "")
        if ref == f"refs/heads/{branch}":
            if _may_touch_the_list(payload):
                return [RepoJob(installation, name, branch, reason="default branch moved")]
            return "push did not change the list"
        issue = rules.issue_of_branch(ref.removeprefix("refs/heads/"))
        if issue is not None:
            return [IssueJob(installation, name, branch, issue, delivery_id=delivery.delivery_id)]
    return f"nothing to do for {delivery.name}"
