"""Tests for planning: what must change on GitHub, given what is there now."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.core import messages
from bot.core.markers import fingerprint, read_marker
from bot.core.plan import BaseView, CommentView, IssueView, Observed, PullView, plan_issue, proposed_entries
from bot.core.proposal import propose
from bot.core.rules import Rules
from tests.factories import SEED, TODAY, issue_body, paper_form, paper_values

RULES = Rules()
BASE = BaseView("main", "a" * 40, SEED)


def observed(state: str = "open", pull: PullView | None = None, status: str | None = None, **values: Any) -> Observed:
    """Observed state for issue 7 carrying the submission label."""
    issue = IssueView(7, "[Paper]: x", issue_body(**values), state, frozenset({"submission"}))
    return Observed(issue, BASE, pull, CommentView(1, status) if status is not None else None)


def right_pull(**values: Any) -> PullView:
    """The PR listbot would have made for these values, with its marker matching its head."""
    plan = plan_issue(observed(**values), paper_form(), RULES, TODAY)
    assert plan.pull is not None
    assert plan.pull.list_hash == fingerprint(propose(paper_values(**values), SEED, today=TODAY).after)
    return PullView(9, "open", False, "listbot/issue-7", "b" * 40, plan.pull.title, plan.pull.body(7, "b" * 40))


def test_a_new_valid_submission_plans_branch_pull_and_status() -> None:
    """A valid issue with nothing on GitHub yet needs a branch, a PR and a status comment."""
    plan = plan_issue(observed(), paper_form(), RULES, TODAY)
    assert plan.branch is not None
    assert plan.branch.list_text == propose(paper_values(), SEED, today=TODAY).after
    assert plan.pull is not None
    assert plan.pull.title.startswith("Add paper: RadRotator")
    assert plan.status is not None
    assert "#12" in plan.status(12)


def test_an_up_to_date_submission_plans_nothing() -> None:
    """When the PR, its marker and the status comment are already right, the plan is empty."""
    pull = right_pull()
    status = messages.proposed_comment(7, 9, paper_values()["title"], "Papers › 2024")
    assert plan_issue(observed(pull=pull, status=status), paper_form(), RULES, TODAY).is_noop


def test_a_moved_main_that_changed_the_list_regenerates_the_branch() -> None:
    """A list change on main makes the branch stale, so it is rewritten on the new head."""
    pull = right_pull()
    moved = replace(observed(pull=pull), base=BaseView("main", "c" * 40, SEED + "\nNew line.\n"))
    plan = plan_issue(moved, paper_form(), RULES, TODAY)
    assert plan.branch is not None
    assert plan.branch.base_sha == "c" * 40


def test_a_foreign_commit_on_the_branch_is_left_alone() -> None:
    """When someone else committed to the branch, listbot writes nothing but its status."""
    foreign = replace(observed(pull=right_pull()), branch_foreign=True)
    plan = plan_issue(foreign, paper_form(), RULES, TODAY)
    assert plan.branch is None
    assert plan.pull is None
    assert plan.status is not None
    assert "recreate" in plan.status(9)


def test_recreate_rebuilds_over_a_foreign_commit() -> None:
    """A rebuild rewrites the branch even over someone else's commit."""
    foreign = replace(observed(pull=right_pull()), branch_foreign=True)
    assert plan_issue(foreign, paper_form(), RULES, TODAY, rebuild=True).branch is not None


def test_an_invalid_edit_closes_the_pull_and_labels_the_issue() -> None:
    """An issue made invalid closes its open PR with a reason and gets the needs-changes label."""
    plan = plan_issue(observed(pull=right_pull(), paper_url="nope"), paper_form(), RULES, TODAY)
    assert plan.close_pull is not None
    assert "#7" in plan.close_pull
    assert plan.labels_add == {"needs-changes"}
    assert plan.branch is None
    assert plan.status is not None
    assert read_marker("status", plan.status(None)) == {
        "issue": 7, "state": "needs-changes", "pull": 9, "listbot_closed": True,
    }


def test_a_paper_that_landed_on_main_closes_the_pull() -> None:
    """If the paper reached main another way, the open PR is closed with an explanation."""
    landed = replace(observed(pull=right_pull()), base=replace(BASE, list_text=propose(paper_values(), SEED).after))
    plan = plan_issue(landed, paper_form(), RULES, TODAY)
    assert plan.close_pull is not None
    assert "already on the list" in plan.close_pull
    assert plan.delete_branch


def test_closing_the_issue_closes_the_pull_and_deletes_the_branch() -> None:
    """A closed issue with an open PR plans closing it and deleting the branch."""
    plan = plan_issue(observed(state="closed", pull=right_pull()), paper_form(), RULES, TODAY)
    assert plan.close_pull == ""
    assert plan.delete_branch


def test_a_merged_pull_gets_a_thank_you() -> None:
    """A merged PR leads to a thank-you status and branch deletion."""
    merged = replace(right_pull(), state="closed", merged=True)
    plan = plan_issue(observed(state="closed", pull=merged), paper_form(), RULES, TODAY)
    assert plan.delete_branch
    assert plan.status is not None
    assert "Thank you" in plan.status(9)


def test_issues_that_are_not_submissions_are_ignored() -> None:
    """An issue without the label and without the form's fields plans nothing."""
    plain = replace(observed(), issue=IssueView(7, "Bug", "It broke.", "open"))
    assert plan_issue(plain, paper_form(), RULES, TODAY).reason == "not a submission"


def test_a_form_shaped_body_without_the_label_is_a_submission() -> None:
    """An issue whose body came from the form counts even without the label (created via API)."""
    unlabelled = replace(observed(), issue=IssueView(7, "x", issue_body(), "open"))
    assert plan_issue(unlabelled, paper_form(), RULES, TODAY).reason == "valid"


def test_entries_of_other_open_pulls_are_read_back_from_their_bodies() -> None:
    """Another open listbot PR's entry counts for duplicate detection; ours does not."""
    other = replace(right_pull(), number=3, head_ref="listbot/issue-5")
    ours = right_pull()
    entries = proposed_entries([other, ours], RULES, exclude_issue=7)
    assert [entry.title for entry in entries] == [paper_values()["title"]]
    plan = plan_issue(replace(observed(), others=tuple(entries)), paper_form(), RULES, TODAY)
    assert plan.status is not None
    assert "Open pull request #3" in plan.status(None)


def test_pull_bodies_cannot_ping_or_close_other_issues() -> None:
    """Text copied into a PR body cannot mention people or close other issues."""
    pull = plan_issue(observed(authors="Fixes #1 with @octocat"), paper_form(), RULES, TODAY).pull
    assert pull is not None
    body = pull.body(7, "b" * 40)
    assert "@octocat" not in body
    assert "Fixes #1" not in body
    assert "Closes #7" in body


def test_a_pull_closed_by_a_maintainer_is_not_reopened() -> None:
    """A PR a maintainer closed stays closed; the status says so and suggests recreate."""
    closed = replace(right_pull(), state="closed")
    status = messages.proposed_comment(7, 9, paper_values()["title"], "Papers › 2024")
    plan = plan_issue(observed(pull=closed, status=status), paper_form(), RULES, TODAY)
    assert not plan.reopen_pull
    assert plan.branch is None
    assert plan.status is not None
    assert "recreate" in plan.status(9)
    assert plan_issue(observed(pull=closed, status=status), paper_form(), RULES, TODAY, rebuild=True).reopen_pull


def test_a_pull_listbot_closed_is_reopened_with_a_fresh_branch() -> None:
    """When listbot closed the PR (invalid edit) and the issue is fixed, it reopens and rewrites it."""
    closed = replace(right_pull(), state="closed")
    status = messages.with_marker_fields(messages.invalid_comment(7, [], 9), {"listbot_closed": True})
    plan = plan_issue(observed(pull=closed, status=status), paper_form(), RULES, TODAY)
    assert plan.reopen_pull
    assert plan.branch is not None


def test_landed_meanwhile_settles_in_one_pass() -> None:
    """After closing a PR whose paper reached main, planning again changes nothing."""
    on_main = replace(BASE, list_text=propose(paper_values(), SEED).after)
    first = plan_issue(replace(observed(pull=right_pull()), base=on_main), paper_form(), RULES, TODAY)
    assert first.status is not None
    after = replace(observed(pull=replace(right_pull(), state="closed"), status=first.status(9)), base=on_main)
    assert plan_issue(after, paper_form(), RULES, TODAY).is_noop


def test_a_deleted_issue_takes_its_pull_and_branch_with_it() -> None:
    """An issue that answers 404/410 gets its open PR closed and branch deleted, and no comment."""
    gone = replace(observed(pull=right_pull()), issue=IssueView(7, "", "", "closed", gone=True))
    plan = plan_issue(gone, paper_form(), RULES, TODAY)
    assert plan.close_pull == ""
    assert plan.delete_branch
    assert plan.status is None


def test_closing_keywords_never_reach_the_commit_or_title() -> None:
    """A title with `Fixes #1` is defused in the commit message and PR title."""
    plan = plan_issue(observed(title="Fixes #1 and closes #2 a study"), paper_form(), RULES, TODAY)
    assert plan.branch is not None
    assert plan.pull is not None
    assert "Fixes #1" not in plan.branch.message
    assert "closes #2" not in plan.pull.title


def test_a_pull_whose_list_would_fail_lint_is_not_opened() -> None:
    """If the edited list would gain a lint finding, no branch or PR is written; the status says why."""
    no_papers_in_toc = SEED.replace("  - [Papers](#papers)\n", "")
    unlinted = replace(observed(date="2021-06"), base=replace(BASE, list_text=no_papers_in_toc))
    plan = plan_issue(unlinted, paper_form(), RULES, TODAY)
    assert plan.branch is None
    assert plan.pull is None
    assert plan.status is not None
    assert "listbot lint" in plan.status(None)
    assert "2021" in plan.status(None)


def test_a_maintainers_edit_of_the_pull_body_is_left_alone() -> None:
    """When the PR's marker matches the list, an edited title or body is not rewritten."""
    edited = replace(right_pull(), title="Add paper: RadRotator (tweaked)", body=right_pull().body + "\n\nLGTM")
    status = messages.proposed_comment(7, 9, paper_values()["title"], "Papers › 2024")
    assert plan_issue(observed(pull=edited, status=status), paper_form(), RULES, TODAY).is_noop


def test_a_maintainers_close_survives_an_invalid_edit_and_a_fix() -> None:
    """After a maintainer closes the PR, breaking and fixing the issue does not bring it back."""
    closed = replace(right_pull(), state="closed")
    proposed = messages.proposed_comment(7, 9, paper_values()["title"], "Papers › 2024")
    first = plan_issue(observed(pull=closed, status=proposed), paper_form(), RULES, TODAY)
    assert first.status is not None
    broken = plan_issue(observed(pull=closed, status=first.status(9), paper_url="nope"), paper_form(), RULES, TODAY)
    assert broken.status is not None
    fixed = plan_issue(observed(pull=closed, status=broken.status(9)), paper_form(), RULES, TODAY)
    assert not fixed.reopen_pull
    assert fixed.branch is None
    assert fixed.pull is None


def test_a_pull_listbot_closed_stays_revivable_after_a_failed_run() -> None:
    """A retry notice keeps the record that listbot closed the PR, so a fix still reopens it."""
    closed = replace(right_pull(), state="closed")
    retrying = messages.with_marker_fields(messages.retrying_comment(7, "HTTP 502", 9), {"listbot_closed": True})
    assert plan_issue(observed(pull=closed, status=retrying), paper_form(), RULES, TODAY).reopen_pull


def test_a_deleted_issue_with_a_closed_pull_still_loses_its_branch() -> None:
    """An issue that is gone gets its branch deleted even when its PR was already closed."""
    gone = replace(observed(), issue=IssueView(7, "", "", "closed", gone=True))
    assert plan_issue(gone, paper_form(), RULES, TODAY).delete_branch
