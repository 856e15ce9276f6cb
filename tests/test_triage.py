"""Tests for which issues are submissions and which a resync looks at."""

from __future__ import annotations

from bot.core.facts import IssueView, PullView
from bot.core.rules import Rules
from bot.core.triage import is_submission, submission_candidates
from tests.factories import issue_body, paper_form

RULES = Rules()


def test_the_submission_label_or_the_forms_fields_make_a_submission() -> None:
    """An issue is a submission when labelled, or when its body has the form's title and paper link."""
    assert is_submission(IssueView(1, "x", "anything", "open", frozenset({"submission"})), paper_form(), RULES)
    assert is_submission(IssueView(2, "x", issue_body(), "open"), paper_form(), RULES)
    assert not is_submission(IssueView(3, "Bug", "It broke.", "open"), paper_form(), RULES)


def test_pull_requests_are_never_submissions() -> None:
    """A pull request is not a submission even with the label and the form's body."""
    pull = IssueView(4, "x", issue_body(), "open", frozenset({"submission"}), is_pull_request=True)
    assert not is_submission(pull, paper_form(), RULES)


def test_a_configured_label_replaces_the_default() -> None:
    """With `labels.submission: paper`, that label marks submissions."""
    rules = Rules(submission_label="paper")
    assert is_submission(IssueView(5, "x", "anything", "open", frozenset({"paper"})), paper_form(), rules)
    assert not is_submission(IssueView(5, "x", "anything", "open", frozenset({"submission"})), paper_form(), rules)


def test_a_resync_looks_at_submissions_and_issues_behind_listbot_pulls_and_branches() -> None:
    """Open submissions, issues of listbot's open PRs and of its leftover branches are candidates."""
    issues = [IssueView(1, "x", issue_body(), "open"), IssueView(2, "Bug", "It broke.", "open")]
    pulls = [PullView(10, "open", False, "listbot/issue-3", "h", "t", "b", "listbot[bot]")]
    branches = ["listbot/issue-4", "listbot/issue-x", "feature/5"]
    assert submission_candidates(issues, pulls, branches, paper_form(), RULES) == {1, 3, 4}
