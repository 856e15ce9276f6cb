"""Observing one issue: the facts the gateway reads, turned by the core's policies into what the
plan needs (which comment is the status, which PR is the issue's, whether its branch is foreign)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.core.commands import posted_commands
from bot.core.facts import BaseView, IssueView, PullView
from bot.core.forms import IssueForm
from bot.core.kind_forms import kind_forms
from bot.core.logfields import fields
from bot.core.ownership import (
    branch_foreign,
    is_issue_pull,
    listbot_pulls,
    needs_head_commit,
    pull_of_issue,
    recorded_pull,
    status_comments,
)
from bot.core.plan import Observed
from bot.core.repo_config import CONFIG_PATH, parse_repo_config
from bot.core.rules import Rules
from bot.core.shown import code_span
from bot.core.triage import proposed_entries
from bot.gateway.reading import RepoReader

log = logging.getLogger("listbot.reconcile")


@dataclass(frozen=True)
class RepoView:
    """A repository's default-branch head, the rules its `.github/listbot.yml` there gives, and
    each kind's issue form there."""

    head: BaseView
    rules: Rules
    config_problems: tuple[str, ...] = ()
    forms: Mapping[str, IssueForm] = field(default_factory=dict)


def observe_repo(reader: RepoReader, default_branch: str, defaults: Rules) -> RepoView:
    """The default branch's head and the repository's own configuration and forms at it."""
    head = reader.head(default_branch)
    config = reader.file_at(CONFIG_PATH, head.sha)
    result = parse_repo_config(config.text if config else None, defaults)
    rules = result.rules
    committed = {kind.form_path: _text(reader, kind.form_path, head.sha) for kind in rules.kinds}
    forms, form_problems = kind_forms(rules.kinds, committed, f"on {code_span(default_branch)}")
    problems = (*result.problems, *form_problems)
    if problems:
        log.warning("repository configuration problems", extra=fields(
            repository=reader.full_name, commit=head.sha, problems=list(problems),
        ))
    return RepoView(head, rules, problems, forms)


@dataclass(frozen=True)
class RepoSnapshot:
    """What one repository scan read: the default branch's head (with its rules and forms) and
    every open PR. The issue jobs the scan queues share it instead of reading both again; it may
    be stale by the time a job runs, so it only ever confirms that nothing needs writing."""

    repo: RepoView
    open_pulls: tuple[PullView, ...]


def _text(reader: RepoReader, path: str, sha: str) -> str | None:
    found = reader.file_at(path, sha)
    return found.text if found else None


def observe_issue(
    reader: RepoReader,
    number: int,
    repo: RepoView,
    bot_login: str,
    rebuild: bool = False,
    open_pulls: Sequence[PullView] | None = None,
    shown: IssueView | None = None,
) -> Observed:
    """Everything the plan needs about one issue, including doubled status comments to remove.

    With `rebuild` the branch's head commit is not read: a rebuild overrides a foreign branch.
    `open_pulls` (a scan's listing) saves listing them again; None lists them now.
    `shown` is the issue, without comments, as a delivery showed it when that is current
    (`bot.service.fresh_issues`): it is used instead of a read while listbot has no PR for it.
    """
    rules = repo.rules
    pulls = listbot_pulls(reader.open_pulls() if open_pulls is None else open_pulls, rules, bot_login)
    pull = pull_of_issue(number, pulls, rules)
    issue, comments = (shown, []) if shown is not None and pull is None else reader.issue(number)
    statuses = status_comments(comments, bot_login)
    status = statuses[0] if statuses else None
    if pull is None and (known := recorded_pull(status)) is not None:
        found = reader.pull(known)  # a closed PR is found through the number the status records
        pull = found if found is not None and is_issue_pull(found, number, rules, bot_login) else None
    base = repo.head
    if issue.state == "open":
        listed = reader.file_at(rules.list_path, base.sha)
        if listed is not None:
            base = replace(base, list_text=listed.text, list_blob_sha=listed.sha)
    foreign = False
    if not rebuild and pull is not None and needs_head_commit(pull):
        foreign = branch_foreign(pull, reader.commit(pull.head_sha), bot_login)
    return Observed(
        issue=issue,
        base=base,
        pull=pull,
        status=status,
        branch_foreign=foreign,
        others=tuple(proposed_entries(pulls, rules, exclude_issue=number)),
        config_problems=repo.config_problems,
        forms=repo.forms,
        surplus=tuple(comment.id for comment in statuses[1:]),
        commands=posted_commands(comments, bot_login),
    )
