"""Reading facts from one repository into the core's plain types, judging none of them."""

from __future__ import annotations

import base64
import json
import logging
import posixpath
import sys
import urllib.parse
from typing import Any

import github
from github import GithubException
from github.PullRequest import PullRequest
from github.Requester import Requester

from bot.core.facts import BaseView, CommentView, CommitView, FileView, IssueView, PullView
from bot.core.logfields import fields
from bot.gateway.cache import ShaCache
from bot.gateway.errors import NotFound, WrongMediaType, translated, translating
from bot.gateway.transport import whole_answer

log = logging.getLogger("listbot.github")
_ABSENT = "\x00absent"  # cached marker for "the file does not exist at this commit"
# GitHub's documented custom media types (docs.github.com, "Media types"; repository contents, git blobs).
OBJECT_MEDIA_TYPE = "application/vnd.github.object+json"
RAW_MEDIA_TYPE = "application/vnd.github.raw+json"  # a file's or blob's bytes as they are


def _pull_view(pull: PullRequest) -> PullView:
    return PullView(
        number=pull.number,
        state=pull.state,
        merged=pull.merged_at is not None,
        head_ref=pull.head.ref,
        head_sha=pull.head.sha,
        title=pull.title or "",
        body=pull.body or "",
        author=pull.user.login,
    )


def _footprint(value: FileView | str) -> int:
    """About how many bytes of memory a cached file holds (its text dominates)."""
    return sys.getsizeof(value.text if isinstance(value, FileView) else value)


def raw_text(requester: Requester, url: str) -> str:
    """GET `url` in the raw media type (for a blob: documented up to 100 MB, no base64 and no
    JSON to undo): the body's bytes as UTF-8, undecodable bytes replaced, whatever the answer's
    label; an error status raises as PyGithub's would, and an answer that is not the raw media type
    (its `X-GitHub-Media-Type` names another, or it is plain JSON) raises `WrongMediaType`."""
    connection = _Utf8Answers(requester._Requester__createConnection())  # type: ignore[attr-defined]
    status, headers, body = requester.requestJson(
        "GET", url, headers={"Accept": RAW_MEDIA_TYPE}, cnx=connection,  # type: ignore[arg-type]
    )
    if status >= 400:
        raise GithubException(status, _error_body(body), headers)
    media_type, content_type = headers.get("x-github-media-type"), headers.get("content-type", "")
    if (media_type is not None and "param=raw" not in media_type) or _is_json(content_type):
        raise WrongMediaType(status, (
            f"asked for {RAW_MEDIA_TYPE} and got {media_type or content_type} instead "
            f"(is a proxy or GitHub Enterprise Server ignoring the Accept header?): {url}"
        ))
    return body


def _is_json(content_type: str) -> bool:
    """Whether a `Content-Type` is plain JSON (what a blob's default representation is sent as)."""
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


class _Utf8Answers:
    """A client's own connection (so the request is observed, paced and reused as any other),
    whose answers are read in one piece (`transport.whole_answer`: a blob may be 100 MB, which
    requests would read 10 KB at a time) as UTF-8 with undecodable bytes replaced: a raw answer is
    a file's bytes and GitHub documents no character set for it; left to requests, an answer with
    none has its encoding guessed from the bytes, slowly and perhaps wrongly (Latin-1 read as cp1252)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def request(self, *args: Any, **kwargs: Any) -> Any:
        return self.connection.request(*args, **kwargs)

    def getresponse(self) -> Any:
        return whole_answer(self.connection, "utf-8")

    def close(self) -> None:
        self.connection.close()


def _error_body(body: str) -> Any:
    """An error answer's JSON (GitHub's `message` and `errors`), or its text when not JSON."""
    try:
        return json.loads(body)
    except ValueError:
        return {"message": body}


class RepoReader:
    """The facts listbot reads from one repository; every method raises only listbot errors."""

    def __init__(self, client: github.Github, full_name: str, cache: ShaCache | None = None) -> None:
        self.full_name = full_name
        self.repo = client.get_repo(full_name)  # lazy: no request until first use
        self.cache = cache if cache is not None else ShaCache()

    @translating
    def issue(self, number: int) -> tuple[IssueView, list[CommentView]]:
        """The issue and its comments (oldest first); a deleted or transferred issue is `gone`."""
        issue = self.repo.get_issue(number)
        try:
            with translated():
                view = IssueView(
                    number=number,
                    title=issue.title or "",
                    body=issue.body or "",
                    state=issue.state,
                    labels=frozenset(label.name for label in issue.labels),
                    is_pull_request=issue.pull_request is not None,
                )
                has_comments = bool(issue.comments)
        except NotFound:
            return IssueView(number, "", "", "closed", gone=True), []
        # The issue already says how many comments it has: none means no request for them.
        return view, self.comments(number) if has_comments else []

    @translating
    def comments(self, number: int) -> list[CommentView]:
        """Every comment on an issue or PR, oldest first."""
        return [
            CommentView(comment.id, comment.body or "", comment.user.login, comment.created_at)
            for comment in self.repo.get_issue(number).get_comments()
        ]

    @translating
    def head(self, branch: str) -> BaseView:
        """A branch's head commit and its tree (the list text is read separately)."""
        head = self.repo.get_branch(branch).commit
        return BaseView(branch, head.sha, None, head.commit.tree.sha)

    @translating
    def file_at(self, path: str, sha: str) -> FileView | None:
        """A file's text and blob SHA at a commit, or None when absent (or not a file); cached by commit."""
        key = ("file", self.full_name, sha, path)
        cached = self.cache.get(key)
        if cached is None:
            try:
                with translated():
                    content = self._content(path, sha)
            except NotFound:
                content = None
            if content is None or content.get("type") != "file" or not self._is_itself(content, path, sha):
                cached = _ABSENT
            else:
                cached = FileView(self._file_text(content), str(content["sha"]))
            self.cache.put(key, cached, _footprint(cached))
        return cached if isinstance(cached, FileView) else None

    def _is_itself(self, content: dict[str, Any], path: str, sha: str) -> bool:
        """Whether the file GitHub answered is the one at `path`: for a symlink to a file it
        answers the target (documented), whose SHA a contents PUT to the link's path would not
        match (a conflict every time) or, matched, would replace the link with a file. listbot
        reads and writes files only, so the link reads as no file, and the log says where it points."""
        answered = str(content.get("path", ""))
        if posixpath.normpath(answered.strip("/")) == posixpath.normpath(path.strip("/")):
            return True
        log.warning("a path listbot reads is a symlink: it reads as no file; name the file it points to instead",
                    extra=fields(repository=self.full_name, commit=sha, path=path, target=answered))
        return False

    def _content(self, path: str, sha: str) -> dict[str, Any]:
        """The contents API's object for `path` at `sha`, in the `object` media type: the one
        GitHub documents for files of any size up to 100 MB (a directory is one object too)."""
        _, data = self.repo.requester.requestJsonAndCheck(
            "GET", f"{self.repo.url}/contents/{urllib.parse.quote(path)}", parameters={"ref": sha},
            headers={"Accept": OBJECT_MEDIA_TYPE},
        )
        return data if isinstance(data, dict) else {}

    def _file_text(self, content: dict[str, Any]) -> str:
        """A file's text: inline (base64) up to 1 MB; over that the contents API sends encoding
        `none` and no content, and the git blob API's raw media type sends the bytes themselves."""
        if content.get("encoding") == "none":
            return raw_text(self.repo.requester, f"{self.repo.url}/git/blobs/{content['sha']}")
        return base64.b64decode(str(content.get("content", ""))).decode("utf-8", "replace")

    @translating
    def open_pulls(self) -> list[PullView]:
        """Every open PR of the repository."""
        return [_pull_view(pull) for pull in self.repo.get_pulls(state="open")]

    @translating
    def pull(self, number: int) -> PullView | None:
        """One PR by number, or None when there is none."""
        try:
            with translated():
                return _pull_view(self.repo.get_pull(number))
        except NotFound:
            return None

    @translating
    def commit(self, sha: str) -> CommitView:
        """Who authored and committed a commit (GitHub logins; None when not linked to a user)."""
        commit = self.repo.get_commit(sha)
        author = commit.author.login if commit.author else None
        committer = commit.committer.login if commit.committer else None
        return CommitView(sha, author, committer)

    @translating
    def open_issues(self) -> list[IssueView]:
        """Open issues that are not pull requests."""
        return [
            IssueView(issue.number, issue.title or "", issue.body or "", "open",
                      frozenset(label.name for label in issue.labels))
            for issue in self.repo.get_issues(state="open")
            # Not `issue.pull_request`: absent on plain issues, it would make PyGithub fetch each one.
            if "/pull/" not in issue.html_url
        ]

    @translating
    def branches(self, prefix: str) -> list[str]:
        """Names of the branches starting with `prefix`."""
        return [ref.ref.removeprefix("refs/heads/") for ref in self.repo.get_git_matching_refs(f"heads/{prefix}")]

    @translating
    def role(self, login: str) -> str | None:
        """A person's role in the repository (`admin`, `maintain`, `write`, `triage`, `read`)."""
        role = self.repo.get_collaborator_role_name(login)
        return str(role) if role else None
