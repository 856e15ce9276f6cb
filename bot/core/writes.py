"""The primitive writes a plan is made of, and what executing one reports back.

Every text is rendered before a write is made: the gateway executes these in order and decides
nothing. A write whose text depends on an earlier write's result (the PR body records the head
commit, the status comment names a new PR) is planned in the next round, from the results.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AddLabels:
    issue: int
    labels: tuple[str, ...]


@dataclass(frozen=True)
class RemoveLabel:
    """Remove one label; one that is already gone is the desired state."""

    issue: int
    label: str


@dataclass(frozen=True)
class DeleteComment:
    """Delete a comment; one that is already gone is the desired state."""

    issue: int
    comment_id: int


@dataclass(frozen=True)
class PostComment:
    """A new comment on an issue or PR that is not listbot's status (a reason, a reply)."""

    issue: int
    body: str


@dataclass(frozen=True)
class PostStatus:
    """listbot's status comment on an issue that has none yet."""

    issue: int
    body: str


@dataclass(frozen=True)
class EditComment:
    issue: int
    comment_id: int
    body: str


@dataclass(frozen=True)
class React:
    """listbot's reaction on a comment (👀 on a command it took on); GitHub keeps one reaction
    of each content per person, so making it again adds nothing."""

    comment_id: int
    content: str


@dataclass(frozen=True)
class ClosePull:
    number: int


@dataclass(frozen=True)
class ReopenPull:
    """Reopen a closed PR; GitHub only can while its branch still points at `head_sha`."""

    number: int
    head_ref: str
    head_sha: str


@dataclass(frozen=True)
class WriteBranch:
    """Point `branch` at one new commit on top of `base_sha` whose only change is `path` → `text`.

    `shown_by_open_pull`: an open PR shows the branch, so it is rewritten atomically (tree, commit,
    then the ref). Otherwise the branch is created at the base and the file committed there;
    `expect_new` says no PR is known at all, so finding the branch already there means another
    process works on the issue.
    """

    branch: str
    path: str
    text: str
    message: str
    base_sha: str
    base_tree_sha: str
    base_blob_sha: str
    shown_by_open_pull: bool
    expect_new: bool


@dataclass(frozen=True)
class CreatePull:
    head: str
    base: str
    title: str
    body: str


@dataclass(frozen=True)
class EditPull:
    number: int
    title: str
    body: str


@dataclass(frozen=True)
class DeleteBranch:
    """Delete a branch; one that is already gone is the desired state."""

    branch: str


Write = (
    AddLabels | RemoveLabel | DeleteComment | PostComment | PostStatus | EditComment | React | ClosePull
    | ReopenPull | WriteBranch | CreatePull | EditPull | DeleteBranch
)


@dataclass(frozen=True)
class Done:
    """The write happened (or its effect was already there)."""


@dataclass(frozen=True)
class Reopened:
    ok: bool  # False: GitHub cannot reopen it (its branch is gone or moved)


@dataclass(frozen=True)
class BranchWritten:
    head_sha: str


@dataclass(frozen=True)
class PullOpened:
    number: int  # the PR now showing the branch (an existing one when a create lost a race)


@dataclass(frozen=True)
class CommentPosted:
    comment_id: int


Result = Done | Reopened | BranchWritten | PullOpened | CommentPosted
