"""What the gateway reads from GitHub, as plain values: the facts every decision starts from.

The gateway fills these in without judging them; which comment is listbot's status, whether a
branch is foreign and who may run commands are decided over them in the core.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class IssueView:
    number: int
    title: str
    body: str
    state: str  # "open" | "closed"
    labels: frozenset[str] = frozenset()
    is_pull_request: bool = False
    gone: bool = False  # deleted or transferred away: it answers 404/410


@dataclass(frozen=True)
class PullView:
    number: int
    state: str  # "open" | "closed"
    merged: bool
    head_ref: str
    head_sha: str
    title: str
    body: str
    author: str = ""


@dataclass(frozen=True)
class CommentView:
    id: int
    body: str
    author: str = ""
    created_at: dt.datetime | None = None  # when it was posted (None: not known)


@dataclass(frozen=True)
class CommitView:
    """Who made a commit: GitHub logins of its author and committer (None when not linked)."""

    sha: str
    author: str | None
    committer: str | None


@dataclass(frozen=True)
class BaseView:
    """The default branch: its name, head commit and the list file there (None if missing)."""

    branch: str
    sha: str
    list_text: str | None
    tree_sha: str = ""  # the head commit's tree, so a new commit can reuse it
    list_blob_sha: str = ""  # the list file's blob, for a contents-API update


@dataclass(frozen=True)
class FileView:
    """A file's text and blob SHA at one commit."""

    text: str
    sha: str
