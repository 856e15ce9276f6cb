"""Executing a plan's primitive writes in order, with GitHub's create races handled.

Nothing here decides what to write. What stays here is mechanics: a create that answers 422
"already exists" is looked up instead of repeated, an open PR's branch is rewritten atomically,
and a status comment posted by a process that did not create the PR is read back for doubles.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import github

from bot.core.writes import (
    AddLabels,
    BranchWritten,
    ClosePull,
    CommentPosted,
    CreatePull,
    DeleteBranch,
    DeleteComment,
    Done,
    EditComment,
    EditPull,
    PostComment,
    PostStatus,
    PullOpened,
    React,
    RemoveLabel,
    Reopened,
    ReopenPull,
    Result,
    Write,
    WriteBranch,
)
from bot.gateway.contents import put_contents
from bot.gateway.encodings import EncodingMemory
from bot.gateway.errors import AlreadyExists, NotFound, Rejected, translated, translating


class WriteExecutor:
    """Makes one repository's writes; one executor serves one reconcile, across its rounds."""

    def __init__(self, client: github.Github, full_name: str, encodings: EncodingMemory | None = None) -> None:
        self.client = client
        self.full_name = full_name
        self.encodings = encodings  # the base64 of files written before, shared across reconciles
        self.repo = client.get_repo(full_name)  # lazy: no request until first use
        # Set when a create lost a race (422 "already exists"): another process works on this issue.
        self.contended = False
        self._created_pull = False
        # Set when a status comment was posted by a run that did not create the PR: another
        # replica may have posted one at the same moment, so the caller reads them back.
        self.read_back: set[int] = set()

    @translating
    def execute(self, writes: Sequence[Write]) -> list[Result]:
        """Make the writes in order; one result per write."""
        return [self._one(write) for write in writes]

    def _one(self, write: Write) -> Result:
        match write:
            case AddLabels(issue=issue, labels=labels):
                self.repo.get_issue(issue).add_to_labels(*labels)
            case RemoveLabel(issue=issue, label=label):
                with contextlib.suppress(NotFound), translated():  # already removed: the desired state
                    self.repo.get_issue(issue).remove_from_labels(label)
            case DeleteComment(issue=issue, comment_id=comment_id):
                with contextlib.suppress(NotFound), translated():  # already deleted: the desired state
                    self.repo.get_issue(issue).get_comment(comment_id).delete()
            case PostComment(issue=issue, body=body):
                self.repo.get_issue(issue).create_comment(body)
            case PostStatus(issue=issue, body=body):
                return CommentPosted(self._post_status(issue, body))
            case EditComment(issue=issue, comment_id=comment_id, body=body):
                self.repo.get_issue(issue).get_comment(comment_id).edit(body)
            case React(comment_id=comment_id, content=content):
                # 201 for a new reaction, 200 when listbot already reacted so: either is done. A
                # comment deleted since it was read (404) has nowhere to show it: the 👀 is only a
                # courtesy, so the command is still carried out and answered.
                with contextlib.suppress(NotFound), translated():
                    self._request("POST", f"/issues/comments/{comment_id}/reactions", {"content": content})
            case ClosePull(number=number):
                self.repo.get_pull(number).edit(state="closed")
            case ReopenPull():
                return Reopened(self._reopen(write))
            case WriteBranch():
                return BranchWritten(self._write_branch(write))
            case CreatePull():
                return PullOpened(self._create_pull(write))
            case EditPull(number=number, title=title, body=body):
                self.repo.get_pull(number).edit(title=title, body=body)
            case DeleteBranch(branch=branch):
                self._delete_branch(branch)
        return Done()

    def _request(self, verb: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        _, data = self.client.requester.requestJsonAndCheck(verb, f"{self.repo.url}{path}", input=payload)
        return data if isinstance(data, dict) else {}

    def _post_status(self, issue: int, body: str) -> int:
        comment = self.repo.get_issue(issue).create_comment(body)
        if not (self._created_pull and not self.contended):
            # Not the PR's creator: the creator may still be about to post its own status, after
            # the read-back; the follow-up check the reconciler schedules then removes the double.
            # (The creator won GitHub's compare-and-swap on the branch and the PR: no other
            # process is posting for this issue, so it has nothing to read back.)
            self.contended = True
            self.read_back.add(issue)
        return int(comment.id)

    def _reopen(self, write: ReopenPull) -> bool:
        """Reopen a PR listbot closed; False when GitHub cannot.

        GitHub reopens a PR only while its branch still points where the PR left it (not after
        the branch was deleted or force-pushed), so check first.
        """
        try:
            with translated():
                head = self.repo.get_git_ref(f"heads/{write.head_ref}").object.sha
        except NotFound:
            return False
        if head != write.head_sha:
            return False
        try:
            with translated():
                self.repo.get_pull(write.number).edit(state="open")
        except Rejected as error:
            if error.status != 422:
                raise
            return False
        return True

    def _write_branch(self, write: WriteBranch) -> str:
        """One commit on top of the base holding the new file; the branch points at it."""
        if not write.shown_by_open_pull:
            # With no PR at all, a branch that already exists means another process is on it.
            created = self._create_branch_with_contents(write)
            if created is not None:
                return created
        # Rewrite atomically (tree, commit, then move the ref) so an open PR never shows a
        # half-made state.
        entry = {"path": write.path, "mode": "100644", "type": "blob", "content": write.text}
        tree = self._request("POST", "/git/trees", {"base_tree": write.base_tree_sha, "tree": [entry]})
        commit = self._request(
            "POST", "/git/commits", {"message": write.message, "tree": tree["sha"], "parents": [write.base_sha]}
        )
        self._point_branch(write.branch, str(commit["sha"]))
        return str(commit["sha"])

    def _create_branch_with_contents(self, write: WriteBranch) -> str | None:
        """Create the branch at the base and commit the file with the contents API (2 writes).

        Returns None when the branch already exists, so the caller rewrites it atomically.
        """
        try:
            with translated():
                self.repo.create_git_ref(f"refs/heads/{write.branch}", write.base_sha)
        except AlreadyExists:
            self.contended = self.contended or write.expect_new
            return None
        written = put_contents(
            self.repo.requester, self.repo.url, write.path, write.text,
            {"message": write.message, "sha": write.base_blob_sha, "branch": write.branch}, self.encodings,
        )
        return str(written["commit"]["sha"])

    def _point_branch(self, branch: str, sha: str) -> None:
        """Force the branch to `sha`, creating it if it is gone (the ref update is the CAS point)."""
        try:
            with translated():
                self._request("PATCH", f"/git/refs/heads/{branch}", {"sha": sha, "force": True})
        except (NotFound, Rejected) as error:
            if error.status not in {404, 422}:
                raise
            self.repo.create_git_ref(f"refs/heads/{branch}", sha)

    def _create_pull(self, write: CreatePull) -> int:
        try:
            with translated():
                created = self.repo.create_pull(
                    title=write.title, body=write.body, head=write.head, base=write.base, maintainer_can_modify=True,
                )
        except AlreadyExists:
            # Another process opened it first: make that PR say what this run would have said.
            self.contended = True
            owner = self.full_name.split("/")[0]
            found = next(iter(self.repo.get_pulls(state="open", head=f"{owner}:{write.head}")))
            found.edit(title=write.title, body=write.body)
            return int(found.number)
        self._created_pull = True
        return int(created.number)

    def _delete_branch(self, branch: str) -> None:
        try:
            with translated():
                self._request("DELETE", f"/git/refs/heads/{branch}")
        except (NotFound, Rejected) as error:
            if error.status not in {404, 422}:  # already deleted
                raise
