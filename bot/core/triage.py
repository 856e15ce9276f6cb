"""Which issues are submissions, which a resync looks at, and what other open PRs propose."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from bot.core.document import ListDocument
from bot.core.duplicates import ListedEntry, listed_entries
from bot.core.facts import IssueView, PullView
from bot.core.forms import IssueForm
from bot.core.kind_forms import builtin_forms
from bot.core.kinds import Kind, choose_kind
from bot.core.markdown_blocks import read_blocks
from bot.core.rules import Rules

OPEN_PULL_SECTION = "Open pull request"
_DEFUSED = "\u200b"


def kind_forms_of(observed_forms: Mapping[str, IssueForm], form: IssueForm, rules: Rules) -> dict[str, IssueForm]:
    """Each kind's form: the repository's own as observed, else the built-in one (`form` for papers)."""
    return {**builtin_forms(rules.kinds), "paper": form, **observed_forms}


def issue_kind(issue: IssueView, forms: Mapping[str, IssueForm], rules: Rules) -> Kind | None:
    """The kind an issue submits: from its kind label, else from the form its body came from."""
    return choose_kind(rules.kinds, forms, issue.labels, issue.body)


def is_submission(
    issue: IssueView, form: IssueForm, rules: Rules, forms: Mapping[str, IssueForm] | None = None
) -> bool:
    """An issue carrying the submission label or a kind's label, or whose body came from a kind's form."""
    if issue.is_pull_request:
        return False
    if rules.submission_label in issue.labels:
        return True
    return issue_kind(issue, kind_forms_of(forms or {}, form, rules), rules) is not None


def proposed_entries(pulls: Iterable[PullView], rules: Rules, exclude_issue: int) -> list[ListedEntry]:
    """Entries other open listbot PRs propose (read back from their bodies), for duplicates."""
    found: list[ListedEntry] = []
    for pull in pulls:
        issue = rules.issue_of_branch(pull.head_ref)
        if pull.state != "open" or issue is None or issue == exclude_issue:
            continue
        found.extend(_entries_in_body(pull.number, pull.body))
    return found


@lru_cache(maxsize=4096)
def _entries_in_body(number: int, body: str) -> tuple[ListedEntry, ...]:
    """The entry a listbot PR body shows; memoised, as every reconcile reads every open PR."""
    lines = body.replace("\r\n", "\n").split("\n")
    fence = next((f for f in read_blocks(lines).fences if f.info == "markdown" and f.closed), None)
    if fence is None:
        return ()
    entry = "\n".join(lines[fence.start + 1:fence.end - 1]).replace(_DEFUSED, "")
    return tuple(listed_entries(ListDocument(f"## {OPEN_PULL_SECTION} #{number}\n\n{entry}\n")))


def submission_candidates(
    open_issues: Iterable[IssueView], listbot_pulls: Iterable[PullView], branches: Iterable[str],
    form: IssueForm, rules: Rules, forms: Mapping[str, IssueForm] | None = None,
) -> set[int]:
    """Issues a resync reconciles: open submissions, and issues behind listbot's open PRs or branches."""
    found = {issue.number for issue in open_issues if is_submission(issue, form, rules, forms)}
    for ref in [pull.head_ref for pull in listbot_pulls] + list(branches):
        if (number := rules.issue_of_branch(ref)) is not None:
            found.add(number)
    return found
