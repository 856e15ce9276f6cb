"""Tests for planning: what must change on GitHub, given what is there now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import messages
from bot.core.commands import PostedCommand
from bot.core.forms import form_from_yaml, render_issue_body
from bot.core.markers import fingerprint, read_marker, write_marker
from bot.core.plan import (
    BaseView,
    CommentView,
    IssueView,
    Observed,
    Plan,
    PullView,
    after,
    plan_issue,
    plan_retry_notice,
    proposed_entries,
)
from bot.core.proposal import propose
from bot.core.repo_config import parse_repo_config
from bot.core.rules import Rules
from bot.core.writes import (
    AddLabels,
    BranchWritten,
    ClosePull,
    CommentPosted,
    CreatePull,
    DeleteBranch,
    Done,
    EditComment,
    EditPull,
    PostComment,
    PostStatus,
    PullOpened,
    Reopened,
    ReopenPull,
    Result,
    Write,
    WriteBranch,
)
from tests.factories import ROOT, SEED, TODAY, issue_body, paper_form, paper_values

RULES = Rules()
BASE = BaseView("main", "a" * 40, SEED)
HEAD = "b" * 40
NO_COMMANDS = {"upto": 0, "ran": []}  # the command log of a status no command was run on
W = TypeVar("W", bound=Write)


def observed(state: str = "open", pull: PullView | None = None, status: str | None = None, **values: Any) -> Observed:
    """Observed state for issue 7 carrying the submission label."""
    issue = IssueView(7, "[Paper]: x", issue_body(**values), state, frozenset({"submission"}))
    return Observed(issue, BASE, pull, CommentView(1, status) if status is not None else None)


def results(writes: Sequence[Write], pull_number: int = 9, reopens: bool = True) -> list[Result]:
    """What GitHub answers to each write: the new head is HEAD, a new PR gets `pull_number`."""
    answers: dict[type, Result] = {
        WriteBranch: BranchWritten(HEAD), CreatePull: PullOpened(pull_number), PostStatus: CommentPosted(1),
        ReopenPull: Reopened(reopens),
    }
    return [answers.get(type(write), Done()) for write in writes]


def settle(start: Observed, pull_number: int = 9, rebuild: bool = False) -> tuple[list[Write], Observed]:
    """Plan, execute (on paper) and plan again until nothing is left: every write, and the end state."""
    writes: list[Write] = []
    state = start
    for _ in range(8):
        plan = plan_issue(state, paper_form(), RULES, TODAY, rebuild=rebuild)
        if plan.is_noop:
            return writes, state
        writes += plan.writes
        state = after(state, plan.writes, results(plan.writes, pull_number))
    raise AssertionError("the plan did not settle")


def first(writes: Sequence[Write] | Plan, kind: type[W]) -> W | None:
    """The first write of one kind."""
    found = writes.writes if isinstance(writes, Plan) else writes
    return next((write for write in found if isinstance(write, kind)), None)


def status_text(writes: Sequence[Write] | Plan) -> str | None:
    """The status comment text the writes post or edit, if any."""
    found = writes.writes if isinstance(writes, Plan) else writes
    return next((write.body for write in found if isinstance(write, PostStatus | EditComment)), None)


def refused(plan: Plan) -> str:
    """The status text of a plan that writes no branch and opens no PR."""
    assert first(plan, WriteBranch) is None
    assert first(plan, CreatePull) is None
    status = status_text(plan)
    assert status is not None
    return status


def right_pull(**values: Any) -> PullView:
    """The PR listbot would have made for these values, with its marker matching its head."""
    _, settled = settle(observed(**values))
    assert settled.pull is not None
    marker = read_marker("pull", settled.pull.body)
    assert marker is not None
    assert marker["list"] == fingerprint(propose(paper_values(**values), SEED, today=TODAY).after)
    return replace(settled.pull, number=9)


def test_a_new_valid_submission_plans_branch_pull_and_status() -> None:
    """A valid issue with nothing on GitHub yet needs a branch, a PR and a status comment."""
    writes, _ = settle(observed(), pull_number=12)
    branch, pull, status = first(writes, WriteBranch), first(writes, CreatePull), status_text(writes)
    assert branch is not None
    assert branch.text == propose(paper_values(), SEED, today=TODAY).after
    assert pull is not None
    assert pull.title.startswith("Add paper: RadRotator")
    assert status is not None
    assert "#12" in status


def test_an_up_to_date_submission_plans_nothing() -> None:
    """When the PR, its marker and the status comment are already right, the plan is empty."""
    pull = right_pull()
    status = messages.proposed_comment(7, 9, paper_values()["title"], "Papers › 2024")
    assert plan_issue(observed(pull=pull, status=status), paper_form(), RULES, TODAY).is_noop


def test_a_moved_main_that_changed_the_list_regenerates_the_branch() -> None:
    """A list change on main makes the branch stale, so it is rewritten on the new head."""
    pull = right_pull()
    moved = replace(observed(pull=pull), base=BaseView("main", "c" * 40, SEED + "\nNew line.\n"))
    branch = first(plan_issue(moved, paper_form(), RULES, TODAY), WriteBranch)
    assert branch is not None
    assert branch.base_sha == "c" * 40


def test_a_foreign_commit_on_the_branch_is_left_alone() -> None:
    """When someone else committed to the branch, listbot writes nothing but its status."""
    foreign = replace(observed(pull=right_pull()), branch_foreign=True)
    writes, _ = settle(foreign)
    assert first(writes, WriteBranch) is None
    assert first(writes, EditPull) is None
    status = status_text(writes)
    assert status is not None
    assert "recreate" in status


def test_recreate_rebuilds_over_a_foreign_commit() -> None:
    """A rebuild rewrites the branch even over someone else's commit."""
    foreign = replace(observed(pull=right_pull()), branch_foreign=True)
    assert first(plan_issue(foreign, paper_form(), RULES, TODAY, rebuild=True), WriteBranch) is not None


def test_an_invalid_edit_closes_the_pull_and_labels_the_issue() -> None:
    """An issue made invalid closes its open PR with a reason and gets the needs-changes label."""
    plan = plan_issue(observed(pull=right_pull(), paper_url="nope"), paper_form(), RULES, TODAY)
    assert first(plan, ClosePull) == ClosePull(9)
    reason = first(plan, PostComment)
    assert reason is not None
    assert "#7" in reason.body
    assert first(plan, AddLabels) == AddLabels(7, ("needs-changes",))
    assert first(plan, WriteBranch) is None
    assert read_marker("status", status_text(plan)) == {
        "issue": 7, "state": "needs-changes", "pull": 9, "listbot_closed": True, "commands": NO_COMMANDS,
    }


def test_a_paper_that_landed_on_main_closes_the_pull() -> None:
    """If the paper reached main another way, the open PR is closed with an explanation."""
    landed = replace(observed(pull=right_pull()), base=replace(BASE, list_text=propose(paper_values(), SEED).after))
    plan = plan_issue(landed, paper_form(), RULES, TODAY)
    assert first(plan, ClosePull) is not None
    reason = first(plan, PostComment)
    assert reason is not None
    assert "already on the list" in reason.body
    assert first(plan, DeleteBranch) is not None


def test_closing_the_issue_closes_the_pull_and_deletes_the_branch() -> None:
    """A closed issue with an open PR plans closing it and deleting the branch."""
    plan = plan_issue(observed(state="closed", pull=right_pull()), paper_form(), RULES, TODAY)
    assert first(plan, ClosePull) == ClosePull(9)
    assert first(plan, PostComment) is None
    assert first(plan, DeleteBranch) == DeleteBranch("listbot/issue-7")


def test_a_merged_pull_gets_a_thank_you() -> None:
    """A merged PR leads to a thank-you status and branch deletion."""
    merged = replace(right_pull(), state="closed", merged=True)
    plan = plan_issue(observed(state="closed", pull=merged), paper_form(), RULES, TODAY)
    assert first(plan, DeleteBranch) is not None
    status = status_text(plan)
    assert status is not None
    assert "Thank you" in status


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
    status = status_text(plan_issue(replace(observed(), others=tuple(entries)), paper_form(), RULES, TODAY))
    assert status is not None
    assert "Open pull request #3" in status


def test_pull_bodies_cannot_ping_or_close_other_issues() -> None:
    """Text copied into a PR body cannot mention people or close other issues."""
    pull = first(settle(observed(authors="Fixes #1 with @octocat"))[0], CreatePull)
    assert pull is not None
    body = pull.body
    assert "@octocat" not in body
    assert "Fixes #1" not in body
    assert "Closes #7" in body


def test_a_pull_closed_by_a_maintainer_is_not_reopened() -> None:
    """A PR a maintainer closed stays closed; the status says so and suggests recreate."""
    closed = replace(right_pull(), state="closed")
    status = messages.proposed_comment(7, 9, paper_values()["title"], "Papers › 2024")
    plan = plan_issue(observed(pull=closed, status=status), paper_form(), RULES, TODAY)
    assert first(plan, ReopenPull) is None
    assert first(plan, WriteBranch) is None
    status_now = status_text(plan)
    assert status_now is not None
    assert "recreate" in status_now
    rebuilt = plan_issue(observed(pull=closed, status=status), paper_form(), RULES, TODAY, rebuild=True)
    assert first(rebuilt, ReopenPull) is not None


def test_a_pull_listbot_closed_is_reopened_with_a_fresh_branch() -> None:
    """When listbot closed the PR (invalid edit) and the issue is fixed, it reopens and rewrites it."""
    closed = replace(right_pull(), state="closed")
    status = messages.with_marker_fields(messages.invalid_comment(7, [], 9), {"listbot_closed": True})
    writes, _ = settle(observed(pull=closed, status=status))
    assert first(writes, ReopenPull) is not None
    assert first(writes, WriteBranch) is not None


def test_landed_meanwhile_settles_in_one_pass() -> None:
    """After closing a PR whose paper reached main, planning again changes nothing."""
    on_main = replace(BASE, list_text=propose(paper_values(), SEED).after)
    status = status_text(plan_issue(replace(observed(pull=right_pull()), base=on_main), paper_form(), RULES, TODAY))
    assert status is not None
    closed = replace(observed(pull=replace(right_pull(), state="closed"), status=status), base=on_main)
    assert plan_issue(closed, paper_form(), RULES, TODAY).is_noop


def test_a_deleted_issue_takes_its_pull_and_branch_with_it() -> None:
    """An issue that answers 404/410 gets its open PR closed and branch deleted, and no comment."""
    gone = replace(observed(pull=right_pull()), issue=IssueView(7, "", "", "closed", gone=True))
    plan = plan_issue(gone, paper_form(), RULES, TODAY)
    assert first(plan, ClosePull) == ClosePull(9)
    assert first(plan, PostComment) is None
    assert first(plan, DeleteBranch) is not None
    assert status_text(plan) is None


def test_closing_keywords_never_reach_the_commit_or_title() -> None:
    """A title with `Fixes #1` is defused in the commit message and PR title."""
    writes, _ = settle(observed(title="Fixes #1 and closes #2 a study"))
    branch, pull = first(writes, WriteBranch), first(writes, CreatePull)
    assert branch is not None
    assert pull is not None
    assert "Fixes #1" not in branch.message
    assert "closes #2" not in pull.title


def test_a_pull_whose_list_would_fail_lint_is_not_opened() -> None:
    """If the edited list would gain a lint finding, no branch or PR is written; the status says why."""
    no_papers_in_toc = SEED.replace("  - [Papers](#papers)\n", "")
    unlinted = replace(observed(date="2021-06"), base=replace(BASE, list_text=no_papers_in_toc))
    status = refused(plan_issue(unlinted, paper_form(), RULES, TODAY))
    assert "listbot lint" in status
    assert "2021" in status


_RADFM = SEED[SEED.index("**RadFM:"):SEED.index("**VLCI:")]
# A 2023 entry listed twice, below where a 2024 submission goes: the base already fails LB009,
# and the finding's message names the earlier entry's line, which the submission moves down.
_DUPLICATE_PAIR_BELOW = SEED.replace("## Datasets", f"{_RADFM}## Datasets")


def test_a_duplicate_pair_below_the_place_does_not_refuse_a_valid_submission() -> None:
    """The base's LB009 finding is still the base's once the entry above it moves its lines."""
    base = replace(BASE, list_text=_DUPLICATE_PAIR_BELOW)
    writes, _ = settle(replace(observed(), base=base), pull_number=12)
    branch = first(writes, WriteBranch)
    assert branch is not None
    assert branch.text.index("RadRotator") < branch.text.index("**RadFM:")
    assert first(writes, CreatePull) is not None
    status = status_text(writes)
    assert status is not None
    assert "#12" in status
    assert "listbot lint" not in status


def test_a_submission_duplicating_an_entry_of_a_listed_pair_is_refused() -> None:
    """The base's own duplicate is excused; a third copy of the entry is not."""
    base = replace(BASE, list_text=_DUPLICATE_PAIR_BELOW)
    radfm = paper_values(
        title="RadFM: Towards Generalist Foundation Model for Radiology", date="2023-08-01",
        paper_url="https://arxiv.org/abs/2308.02463", code_url="https://github.com/chaoyi-wu/RadFM",
    )
    status = refused(plan_issue(replace(observed(**radfm), base=base), paper_form(), RULES, TODAY))
    assert "already listed" in status
    assert "RadFM" in status


_AWESOME = ROOT / "examples" / "awesome-list" / ".github"
# The awesome-list example's tool kind, its template's dash saved through a cp1252 editor: every
# entry it writes carries the mis-decoded `â€“` (LB013), as the two listed tools below already do.
# `kinds:` in listbot.yml refuses such a template, so the kind is changed in code.
_MOJIBAKE_TEMPLATE = ("- [{name}]({url}) â€“ {description}",)
_TWO_TOOLS = """# Awesome Static Sites

## Generators

- [Hugo](https://github.com/gohugoio/hugo) â€“ Fast static site generator written in Go.
- [Jekyll](https://github.com/jekyll/jekyll) â€“ Blog-aware static site generator in Ruby.
"""


def test_a_third_copy_of_a_listed_problem_is_shown_on_the_submitted_entrys_line() -> None:
    """When the entry adds a third copy of a finding the list has twice, the status names the entry's line."""
    config = parse_repo_config((_AWESOME / "listbot.yml").read_text(encoding="utf-8"), Rules())
    assert config.problems == []
    [tool] = config.rules.kinds
    rules = config.rules.model_copy(update={"kinds": (replace(tool, template=_MOJIBAKE_TEMPLATE),)})
    form = form_from_yaml((_AWESOME / "ISSUE_TEMPLATE" / "tool.yml").read_text(encoding="utf-8"))
    values = {"name": "Eleventy", "url": "https://www.11ty.dev", "description": "A simpler generator.",
              "category": "Generators"}
    issue = IssueView(7, "[Tool]: Eleventy", render_issue_body(values, form), "open", frozenset({"submission", "tool"}))
    seen = Observed(issue, BaseView("main", "a" * 40, _TWO_TOOLS), forms={"tool": form})
    status = refused(plan_issue(seen, paper_form(), rules, TODAY))
    # Eleventy goes first (tools are alphabetical): line 5 is its line, Hugo's and Jekyll's move to 6 and 7.
    assert [line for line in status.splitlines() if line.startswith("- ")] == [
        "- in your entry (line 5 of the list once it is added): LB013 mis-decoded text `â€“` (UTF-8 read as cp1252);"
        " it should read `–`"
    ]

def test_a_maintainers_edit_of_the_pull_body_is_left_alone() -> None:
    """When the PR's marker matches the list, an edited title or body is not rewritten."""
    edited = replace(right_pull(), title="Add paper: RadRotator (tweaked)", body=right_pull().body + "\n\nLGTM")
    status = messages.proposed_comment(7, 9, paper_values()["title"], "Papers › 2024")
    assert plan_issue(observed(pull=edited, status=status), paper_form(), RULES, TODAY).is_noop


def test_a_maintainers_close_survives_an_invalid_edit_and_a_fix() -> None:
    """After a maintainer closes the PR, breaking and fixing the issue does not bring it back."""
    closed = replace(right_pull(), state="closed")
    proposed = messages.proposed_comment(7, 9, paper_values()["title"], "Papers › 2024")
    told = status_text(plan_issue(observed(pull=closed, status=proposed), paper_form(), RULES, TODAY))
    assert told is not None
    broken = status_text(plan_issue(observed(pull=closed, status=told, paper_url="nope"), paper_form(), RULES, TODAY))
    assert broken is not None
    fixed, _ = settle(observed(pull=closed, status=broken))
    assert first(fixed, ReopenPull) is None
    assert first(fixed, WriteBranch) is None
    assert first(fixed, CreatePull) is None


def test_a_pull_listbot_closed_stays_revivable_after_a_failed_run() -> None:
    """A retry notice keeps the record that listbot closed the PR, so a fix still reopens it."""
    closed = replace(right_pull(), state="closed")
    retrying = messages.with_marker_fields(messages.retrying_comment(7, "HTTP 502", 9), {"listbot_closed": True})
    assert first(plan_issue(observed(pull=closed, status=retrying), paper_form(), RULES, TODAY), ReopenPull)


def test_a_deleted_issue_with_a_closed_pull_still_loses_its_branch() -> None:
    """An issue that is gone gets its branch deleted even when its PR was already closed."""
    gone = replace(observed(), issue=IssueView(7, "", "", "closed", gone=True))
    assert first(plan_issue(gone, paper_form(), RULES, TODAY), DeleteBranch) is not None


def test_a_plan_is_plain_data_that_stops_where_a_result_is_needed() -> None:
    """A new submission's first plan only writes the branch: the PR body must record its new head."""
    plan = plan_issue(observed(), paper_form(), RULES, TODAY)
    assert [type(write) for write in plan.writes] == [WriteBranch]
    assert plan == plan_issue(observed(), paper_form(), RULES, TODAY)


def test_each_round_renders_its_texts_from_the_last_rounds_results() -> None:
    """The PR body records the head the branch write returned; the status names the PR GitHub numbered."""
    writes, settled = settle(observed(), pull_number=12)
    assert [type(write) for write in writes] == [WriteBranch, CreatePull, PostStatus]
    pull = first(writes, CreatePull)
    assert pull is not None
    assert read_marker("pull", pull.body) == {
        "issue": 7, "list": fingerprint(propose(paper_values(), SEED, today=TODAY).after), "head": HEAD,
    }
    assert settled.status is not None
    assert read_marker("status", settled.status.body) == {
        "issue": 7, "state": "proposed", "pull": 12, "listbot_closed": False, "commands": NO_COMMANDS,
    }


def test_an_edit_rewrites_the_branch_then_the_pull_body_and_status() -> None:
    """Editing a submission with an open PR writes the branch, then edits the PR; no second PR."""
    status = messages.proposed_comment(7, 9, paper_values()["title"], "Papers › 2024")
    writes, settled = settle(observed(pull=right_pull(), status=status, title="RadRotator: a new title"))
    assert [type(write) for write in writes] == [WriteBranch, EditPull, EditComment]
    assert first(writes, CreatePull) is None
    assert settled.pull is not None
    assert settled.pull.number == 9


def test_doubled_status_comments_are_deleted_first() -> None:
    """Status comments beyond the first (two replicas posted at once) are deleted."""
    pull = right_pull()
    status = messages.proposed_comment(7, 9, paper_values()["title"], "Papers › 2024")
    doubled = replace(observed(pull=pull, status=status), surplus=(5, 6))
    writes, _ = settle(doubled)
    assert [(type(write).__name__, getattr(write, "comment_id", None)) for write in writes] == [
        ("DeleteComment", 5), ("DeleteComment", 6),
    ]


def test_a_pull_github_cannot_reopen_is_replaced_by_a_new_one() -> None:
    """When the reopen fails (its branch moved), the next round writes the branch and opens a new PR."""
    closed = replace(right_pull(), state="closed")
    status = messages.with_marker_fields(messages.invalid_comment(7, [], 9), {"listbot_closed": True})
    start = observed(pull=closed, status=status)
    plan = plan_issue(start, paper_form(), RULES, TODAY)
    assert plan.writes[-1] == ReopenPull(9, "listbot/issue-7", HEAD)
    failed = after(start, plan.writes, results(plan.writes, reopens=False))
    assert failed.pull is None
    writes, settled = settle(failed, pull_number=10)
    assert [type(write) for write in writes] == [WriteBranch, CreatePull, EditComment]
    assert settled.pull is not None
    assert settled.pull.number == 10


def test_a_retry_notice_keeps_who_closed_the_pull() -> None:
    """The retry notice names the PR the status recorded and keeps the listbot_closed flag."""
    status = CommentView(3, messages.with_marker_fields(messages.invalid_comment(7, [], 9), {"listbot_closed": True}))
    plan = plan_retry_notice(7, "HTTP 502", status)
    [edit] = plan.writes
    assert isinstance(edit, EditComment)
    assert edit.comment_id == 3
    assert read_marker("status", edit.body) == {"issue": 7, "state": "retrying", "pull": 9, "listbot_closed": True}
    again = plan_retry_notice(7, "HTTP 502", replace(status, body=edit.body))
    assert again.is_noop
    assert isinstance(plan_retry_notice(7, "HTTP 502", None).writes[0], PostStatus)


def test_a_failure_waiting_cannot_cure_promises_no_retry() -> None:
    """After a refusal the status says what failed and what happens next, never that GitHub was slow."""
    plan = plan_retry_notice(7, "GitHub refused one of my requests (HTTP 422)", None, retrying=False)
    [post] = plan.writes
    assert isinstance(post, PostStatus)
    assert read_marker("status", post.body) == {
        "issue": 7, "state": "failed", "pull": None, "listbot_closed": False, "commands": NO_COMMANDS,
    }
    assert "GitHub refused one of my requests (HTTP 422)" in post.body
    assert "did not answer in time" not in post.body
    assert "nothing needs doing" not in post.body


PULL_STATES = ("none", "right", "stale", "closed-by-listbot", "closed-by-maintainer", "merged")


def scenario(issue_state: str, pull_state: str, valid: bool, foreign: bool, labelled: bool, doubles: bool) -> Observed:
    """An issue in one of the states listbot meets, with its PR and status comment to match."""
    values: dict[str, Any] = {} if valid else {"paper_url": "nope"}
    pull: PullView | None = None
    status: str | None = None
    if pull_state != "none":
        pull = right_pull()
        listbot_closed = pull_state == "closed-by-listbot"
        status = messages.with_marker_fields(messages.invalid_comment(7, [], 9), {"listbot_closed": listbot_closed})
    if pull is not None and pull_state == "stale":
        pull = replace(pull, body=pull.body.replace('"list":"', '"list":"old'))
    if pull is not None and pull_state.startswith("closed"):
        pull = replace(pull, state="closed")
    if pull is not None and pull_state == "merged":
        pull = replace(pull, state="closed", merged=True)
    start = observed(state=issue_state, pull=pull, status=status, **values)
    labels = start.issue.labels | ({"needs-changes"} if labelled else set())
    return replace(
        start, issue=replace(start.issue, labels=labels), branch_foreign=foreign,
        surplus=(41, 42) if doubles and status is not None else (),
    )


@settings(max_examples=40)
@given(
    st.sampled_from(["open", "closed"]), st.sampled_from(PULL_STATES), st.booleans(), st.booleans(),
    st.booleans(), st.booleans(), st.booleans(),
)
def test_planning_again_after_the_writes_always_settles(
    issue_state: str, pull_state: str, valid: bool, foreign: bool, labelled: bool, doubles: bool, rebuild: bool
) -> None:
    """Whatever GitHub shows, the rounds end in an empty plan, writing the branch and opening a PR at most once."""
    start = scenario(issue_state, pull_state, valid, foreign, labelled, doubles)
    writes, settled = settle(start, rebuild=rebuild)
    kinds = [type(write) for write in writes]
    assert kinds.count(WriteBranch) <= 1
    assert kinds.count(CreatePull) <= 1
    assert kinds.count(PostStatus) + kinds.count(EditComment) <= 1
    assert settled.surplus == ()


# --- the command log in the status marker ----------------------------------------------------------


def _logged(status: str, log: dict[str, Any] | None) -> str:
    return status if log is None else messages.with_marker_fields(status, {"commands": log})


def test_every_status_rewrite_keeps_the_command_log() -> None:
    """An edit that changes the status keeps the commands it logged; the retry notice does too."""
    log = {"upto": 40, "ran": [55, 61]}
    _, settled = settle(observed())
    assert settled.status is not None
    start = replace(observed(title="A Better Title For The Paper"), pull=settled.pull,
                    status=replace(settled.status, body=_logged(settled.status.body, log)))
    writes, end = settle(start)
    assert end.status is not None
    assert status_text(writes) is not None
    assert (read_marker("status", end.status.body) or {})["commands"] == log
    notice = plan_retry_notice(7, "HTTP 502", end.status)
    assert (read_marker("status", status_text(notice) or "") or {})["commands"] == log


def test_the_command_carried_out_is_logged_even_when_the_status_text_stays() -> None:
    """A `/listbot refresh` that changes nothing still logs its comment, in the one status edit."""
    _, settled = settle(observed())
    assert settled.status is not None
    plan = plan_issue(replace(settled, handling=70), paper_form(), RULES, TODAY)
    [edit] = plan.writes
    assert isinstance(edit, EditComment)
    assert (read_marker("status", edit.body) or {})["commands"] == {"upto": 0, "ran": [70]}
    assert edit.body.split("<!--")[0] == settled.status.body.split("<!--")[0]


def test_a_status_from_before_the_log_is_not_rewritten_only_to_add_one() -> None:
    """An old status without a log stays as it is; rewritten anyway, it logs every command posted so far."""
    _, settled = settle(observed())
    assert settled.status is not None
    marker = read_marker("status", settled.status.body) or {}
    text, _, _ = settled.status.body.rpartition("\n\n<!-- listbot:")
    old_body = f"{text}\n\n" + write_marker("status", {k: v for k, v in marker.items() if k != "commands"})
    posted = (PostedCommand(30, "mona", "recreate", "x"), PostedCommand(44, "mona", "refresh", "y"))
    old = replace(settled, status=replace(settled.status, body=old_body), commands=posted)
    assert plan_issue(old, paper_form(), RULES, TODAY).is_noop
    changed = replace(old, issue=replace(old.issue, body=issue_body(title="A Better Title For The Paper")))
    writes, end = settle(changed)
    assert status_text(writes) is not None
    assert end.status is not None
    assert (read_marker("status", end.status.body) or {})["commands"] == {"upto": 44, "ran": []}


def test_a_lint_finding_says_which_list_its_line_is_in() -> None:
    """A finding's line is named as one of the list once the entry is added, or as the entry's own."""
    assert messages.lint_finding(5, "LB013", "mis-decoded text", in_entry=True) == (
        "in your entry (line 5 of the list once it is added): LB013 mis-decoded text"
    )
    assert messages.lint_finding(9, "LB011", "two blank lines in a row", in_entry=False) == (
        "line 9 of the list once your entry is added: LB011 two blank lines in a row"
    )


def test_a_missing_list_on_a_branch_named_with_backticks_is_quoted_in_one_code_span() -> None:
    """The status names a missing list and its branch each in a code span their own backticks cannot end."""
    base = BaseView("we`ird`main", "a" * 40, None)
    issue = observed().issue
    status = status_text(plan_issue(Observed(issue, base, None, None), paper_form(), RULES, TODAY))
    assert status is not None
    assert f"`{RULES.list_path}` does not exist on ``we`ird`main``." in status
