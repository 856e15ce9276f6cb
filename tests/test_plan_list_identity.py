"""Tests for how a PR marker names the edited list: by the base list's blob and the edits, with
PRs marked by the list's own fingerprint (before that) still recognised."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import messages
from bot.core.document import ListDocument
from bot.core.forms import render_issue_body
from bot.core.markers import edit_fingerprint, fingerprint, is_text_fingerprint, read_marker
from bot.core.plan import BaseView, CommentView, IssueView, Observed, PullView, after, plan_issue
from bot.core.proposal import propose
from bot.core.rules import Rules
from bot.core.writes import (
    BranchWritten,
    CommentPosted,
    CreatePull,
    Done,
    EditComment,
    EditPull,
    PostStatus,
    PullOpened,
    Reopened,
    ReopenPull,
    Result,
    Write,
    WriteBranch,
)
from tests.factories import SEED, TODAY, paper_form, paper_values

RULES = Rules()
FORM = paper_form()  # rendered once: the property test plans hundreds of times
HEAD = "b" * 40

# Base lists: the seed, the same with CRLF line endings, without its last newline, and one line
# longer below the entry's place (the same edits make another list of it).
BASES = (SEED, SEED.replace("\n", "\r\n"), SEED.rstrip("\n"), SEED + "\nNew line.\n")
# Submissions: the usual one, another title, another year section (a new one, with its contents
# line: two edits), another code link.
SUBMISSIONS: tuple[dict[str, Any], ...] = (
    {}, {"title": "RadRotator: a new title"}, {"date": "2026-01-02"}, {"code_url": "https://github.com/example/other"},
)


def blob_sha(text: str) -> str:
    """The git blob SHA GitHub gives a file holding `text` (UTF-8)."""
    data = text.encode("utf-8")
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def base(text: str, known: bool = True) -> BaseView:
    """The default branch holding `text`, with its blob SHA when `known` (as the service reads it)."""
    return BaseView("main", "a" * 40, text, "t" * 40, blob_sha(text) if known else "")


def observed(on: BaseView, pull: PullView | None = None, status: CommentView | None = None, **values: Any) -> Observed:
    """Issue 7, a paper submission of these values, as a reconcile reads it."""
    body = render_issue_body(paper_values(**values), FORM)
    issue = IssueView(7, "[Paper]: x", body, "open", frozenset({"submission"}))
    return Observed(issue, on, pull, status)


def results(writes: list[Write] | tuple[Write, ...]) -> list[Result]:
    """What GitHub answers: every branch write makes HEAD, a new PR is number 9."""
    answers: dict[type, Result] = {
        WriteBranch: BranchWritten(HEAD), CreatePull: PullOpened(9), PostStatus: CommentPosted(1),
        ReopenPull: Reopened(True),
    }
    return [answers.get(type(write), Done()) for write in writes]


def settle(start: Observed) -> tuple[list[Write], Observed]:
    """Plan and execute (on paper) until nothing is left: every write, and the end state."""
    writes: list[Write] = []
    state = start
    for _ in range(8):
        plan = plan_issue(state, FORM, RULES, TODAY)
        if plan.is_noop:
            return writes, state
        writes += plan.writes
        state = after(state, plan.writes, results(plan.writes))
    raise AssertionError("the plan did not settle")


def written(on: BaseView, **values: Any) -> tuple[PullView, CommentView]:
    """The PR and status listbot leaves for a new submission of these values on `on`."""
    _, settled = settle(observed(on, **values))
    assert settled.pull is not None
    assert settled.status is not None
    return settled.pull, settled.status


def recorded_list(pull: PullView) -> object:
    """What the PR's marker records as its list."""
    marker = read_marker(messages.PULL_KIND, pull.body)
    assert marker is not None
    return marker.get("list")


def marked_the_old_way(pull: PullView, text: str) -> PullView:
    """The PR as listbot wrote it before markers named lists by their edits: the text's fingerprint."""
    return replace(pull, body=pull.body.replace(str(recorded_list(pull)), fingerprint(text)))


def shown(writes: list[Write]) -> list[tuple[str, str]]:
    """Each write's kind and the text it puts on GitHub, the marker's name of the list left out."""
    def text(write: Write) -> str:
        if isinstance(write, WriteBranch):
            return write.text
        if isinstance(write, CreatePull | EditPull):
            marker = read_marker(messages.PULL_KIND, write.body) or {}
            return f"{write.title}\n{write.body.replace(str(marker.get('list')), '<list>')}"
        return write.body if isinstance(write, PostStatus | EditComment) else ""
    return [(type(write).__name__, text(write)) for write in writes]


def test_a_pull_listbot_wrote_on_a_known_base_is_left_as_it_is() -> None:
    """A reconcile of a PR listbot wrote, on the same base list, writes nothing; its marker names
    the list by its edits."""
    on = base(SEED)
    pull, status = written(on)
    assert not is_text_fingerprint(recorded_list(pull))
    assert plan_issue(observed(on, pull, status), FORM, RULES, TODAY).is_noop


def test_a_pull_marked_with_the_lists_fingerprint_is_left_as_it_is() -> None:
    """A right PR whose marker holds the edited list's fingerprint (an older listbot's) gets no
    branch, PR or status write."""
    on = base(SEED)
    pull, status = written(on)
    older = marked_the_old_way(pull, propose(paper_values(), SEED, today=TODAY).after)
    assert is_text_fingerprint(recorded_list(older))
    assert plan_issue(observed(on, older, status), FORM, RULES, TODAY).is_noop


def test_a_pull_marked_with_another_lists_fingerprint_is_rewritten() -> None:
    """A PR whose marker holds another list's fingerprint gets the branch and PR body rewritten,
    with the list named by its edits."""
    on = base(SEED)
    pull, status = written(on)
    older = marked_the_old_way(pull, propose(paper_values(title="An older title"), SEED, today=TODAY).after)
    writes, settled = settle(observed(on, older, status))
    assert [type(write) for write in writes] == [WriteBranch, EditPull]
    branch = writes[0]
    assert isinstance(branch, WriteBranch)
    assert branch.text == propose(paper_values(), SEED, today=TODAY).after
    assert settled.pull is not None
    assert recorded_list(settled.pull) == recorded_list(pull)


def test_the_same_edits_of_another_base_list_are_another_list() -> None:
    """A base list changed below the entry's place (same edits, another list) gets the branch rewritten."""
    pull, status = written(base(SEED))
    longer = SEED + "\nNew line.\n"
    writes, _ = settle(observed(base(longer), pull, status))
    assert [write.text for write in writes if isinstance(write, WriteBranch)] == [
        propose(paper_values(), longer, today=TODAY).after
    ]


def test_a_base_list_of_unknown_blob_is_named_by_its_fingerprint() -> None:
    """Without the base list's blob SHA the marker records the edited list's fingerprint, as before."""
    pull, _ = written(base(SEED, known=False))
    assert recorded_list(pull) == fingerprint(propose(paper_values(), SEED, today=TODAY).after)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(BASES), st.sampled_from(SUBMISSIONS), st.sampled_from(BASES), st.sampled_from(SUBMISSIONS),
    st.booleans(),
)
def test_naming_lists_by_their_edits_decides_as_naming_them_by_their_text(
    first: str, values: dict[str, Any], then: str, now: dict[str, Any], upgraded: bool
) -> None:
    """A PR written for one base list and submission, reconciled for another, gets the same writes whether markers
    name lists by their edits or by their text; `upgraded` has the PR written by an older listbot."""
    reference_pull, reference_status = written(base(first, known=False), **values)
    pull, status = written(base(first, known=not upgraded), **values)
    reference, _ = settle(observed(base(then, known=False), reference_pull, reference_status, **now))
    named, _ = settle(observed(base(then), pull, status, **now))
    assert shown(named) == shown(reference)
    proposal = propose(paper_values(**now), then, today=TODAY)
    edits = [(index, list(lines)) for index, lines in proposal.insertion.edits]
    assert ListDocument(then).with_insertions(edits) == proposal.after


@given(
    st.text(max_size=8), st.lists(st.tuples(st.integers(0, 3), st.lists(st.text(max_size=4), max_size=3)), max_size=3),
    st.text(max_size=8), st.lists(st.tuples(st.integers(0, 3), st.lists(st.text(max_size=4), max_size=3)), max_size=3),
)
def test_different_blobs_or_edits_get_different_names(
    blob: str, edits: list[tuple[int, list[str]]], other_blob: str, other_edits: list[tuple[int, list[str]]]
) -> None:
    """Two names of edits are equal only for the same blob and the same edits, and never look like
    a text's fingerprint."""
    name = edit_fingerprint(blob, "README.md", edits)
    assert (name == edit_fingerprint(other_blob, "README.md", other_edits)) == (
        (blob, edits) == (other_blob, other_edits)
    )
    assert not is_text_fingerprint(name)


def test_a_surrogate_pair_and_its_character_get_different_names() -> None:
    """Two lone surrogates and the character they would pair into are different edits, with different names."""
    pair, character = "\ud83d\ude00", "\U0001f600"
    named = edit_fingerprint("a" * 40, "README.md", [(1, [pair])])
    assert named != edit_fingerprint("a" * 40, "README.md", [(1, [character])])


def test_the_same_edits_of_the_same_blob_in_another_file_get_another_name() -> None:
    """A list moved to another path (`list:` changed, the same bytes) is named anew, so its PR is written again."""
    edits = [(1, ["- entry"])]
    assert edit_fingerprint("a" * 40, "README.md", edits) != edit_fingerprint("a" * 40, "docs/LIST.md", edits)
