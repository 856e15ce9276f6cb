"""The emulator's world: users, apps, installations, repositories, issues, pulls and refs."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .gitstore import BLOB_MODE, Commit, FlatTree, ObjectStore, Signature, diff_flat

DOCS_URL = "https://docs.github.com/rest"
ZERO_SHA = "0" * 40
PERMISSIONS = ("admin", "maintain", "write", "triage", "read", "none")
_CLOSES_RE = re.compile(r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+#(\d+)\b", re.IGNORECASE)


class ApiError(Exception):
    """An error response in GitHub's JSON shape."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        documentation_url: str = DOCS_URL,
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.documentation_url = documentation_url

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            out["errors"] = self.errors
        out["documentation_url"] = self.documentation_url
        out["status"] = str(self.status)
        return out


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def validation_failed(
    resource: str, field_name: str, code: str = "missing_field", message: str | None = None
) -> ApiError:
    err: dict[str, Any] = {"resource": resource, "field": field_name, "code": code}
    if message is not None:
        err["message"] = message
    return ApiError(422, "Validation Failed", [err])


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class User:
    """A GitHub account (user, organisation or bot)."""

    login: str
    id: int
    type: str = "User"  # "User" | "Organization" | "Bot"
    permission: str | None = None  # default collaborator permission on every repo
    token: str | None = None  # personal access token, if any


@dataclass
class Label:
    id: int
    name: str
    color: str = "ededed"
    description: str | None = None
    default: bool = False


@dataclass
class Comment:
    id: int
    issue_number: int
    user: str
    body: str
    created_at: datetime
    updated_at: datetime
    reactions: list[Reaction] = field(default_factory=list)


@dataclass(frozen=True)
class Reaction:
    id: int
    user: str
    content: str  # +1, -1, laugh, confused, heart, hooray, rocket or eyes
    created_at: datetime


@dataclass
class PullInfo:
    """The pull-request half of an issue."""

    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    head_owner: str
    draft: bool = False
    maintainer_can_modify: bool = False
    merged: bool = False
    merged_at: datetime | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None
    id: int = 0


@dataclass
class Issue:
    number: int
    id: int
    title: str
    body: str | None
    user: str
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    state_reason: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    labels: list[str] = field(default_factory=list)
    comment_ids: list[int] = field(default_factory=list)
    pull: PullInfo | None = None
    locked: bool = False


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    default_branch: str
    private: bool = False
    created_at: datetime = field(default_factory=now)
    store: ObjectStore = field(default_factory=ObjectStore)
    refs: dict[str, str] = field(default_factory=dict)  # "refs/heads/main" -> sha
    issues: dict[int, Issue] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)  # lower-cased name -> label
    collaborators: dict[str, str] = field(default_factory=dict)  # login -> permission
    # Settings → Actions → "Allow GitHub Actions to create and approve pull requests" (off by default).
    actions_create_pulls: bool = False
    archived: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def branch_sha(self, branch: str) -> str | None:
        return self.refs.get(f"refs/heads/{branch}")

    def resolve(self, ref: str) -> str | None:
        """A branch, tag, full ref or (abbreviated) commit SHA -> commit SHA."""
        for candidate in (ref, f"refs/heads/{ref}", f"refs/tags/{ref}", f"refs/{ref}"):
            if candidate.startswith("refs/") and candidate in self.refs:
                return self.refs[candidate]
        if re.fullmatch(r"[0-9a-fA-F]{7,40}", ref):
            sha = self.store.resolve_prefix(ref.lower())
            if sha is not None and self.store.commit(sha) is not None:
                return sha
        return None

    def tree_of(self, commit_sha: str) -> FlatTree:
        return self.store.flatten(self.store.commit_or_raise(commit_sha).tree)


@dataclass
class App:
    id: int
    slug: str
    name: str
    public_key_pem: bytes
    private_key_pem: str
    owner: str
    webhook_secret: str
    client_id: str
    client_secret: str
    bot_login: str
    created_at: datetime = field(default_factory=now)


@dataclass
class Installation:
    id: int
    app_id: int
    account: str
    repos: list[str] | None  # full names; None means "all repositories"
    permissions: dict[str, str]
    created_at: datetime = field(default_factory=now)

    def covers(self, full_name: str, owner: str) -> bool:
        if owner.lower() != self.account.lower():
            return False
        if self.repos is None:
            return True
        return full_name.lower() in (r.lower() for r in self.repos)


@dataclass
class InstallationToken:
    token: str
    installation_id: int
    expires_at: datetime


@dataclass
class WorkflowToken:
    """A workflow run's `GITHUB_TOKEN`: an installation token of the GitHub Actions app that
    covers only the run's repository, with the workflow's `permissions:`."""

    token: str
    installation: Installation
    expires_at: datetime


@dataclass
class Caller:
    """Who is making a request."""

    kind: str | None  # "jwt" | "installation" | "user" | None
    login: str | None = None  # the acting user (bot login for installations)
    app: App | None = None
    installation: Installation | None = None


@dataclass
class HookDelivery:
    """One attempt to POST an event to the app's webhook, as `GET /app/hook/deliveries` lists it."""

    id: int
    guid: str  # X-GitHub-Delivery: the same for every attempt (and redelivery) of one event
    event: str
    payload: dict[str, Any]
    url: str
    status_code: int  # 0 when nothing answered
    delivered_at: datetime
    duration: float
    redelivery: bool = False

    @property
    def status(self) -> str:
        if self.status_code == 0:
            return "failed to connect to host"
        return "OK" if 200 <= self.status_code < 300 else f"Invalid HTTP Response: {self.status_code}"


class State:
    """All mutable emulator data. Callers must hold ``lock`` (the emulator does)."""

    def __init__(self) -> None:
        self._ids = itertools.count(1000)
        self.users: dict[str, User] = {}
        self.repos: dict[str, Repo] = {}  # lower-cased full name -> repo
        self.renamed: dict[str, int] = {}  # lower-cased former full name -> the repository's id
        self.apps: dict[int, App] = {}
        self.installations: dict[int, Installation] = {}
        self.tokens: dict[str, InstallationToken] = {}
        self.workflow_tokens: dict[str, WorkflowToken] = {}
        self.actions_app: App | None = None  # GitHub's own app behind every GITHUB_TOKEN
        self.manifest_codes: dict[str, App] = {}
        self.events: list[tuple[str, dict[str, Any]]] = []  # pending webhook events
        self.hook_deliveries: list[HookDelivery] = []  # oldest first
        self.redeliveries: list[HookDelivery] = []  # asked for through the API, not yet sent

    def next_id(self) -> int:
        return next(self._ids)

    # -- users -----------------------------------------------------------------------------
    def user(self, login: str, type_: str = "User") -> User:
        key = login.lower()
        if key not in self.users:
            self.users[key] = User(login=login, id=self.next_id(), type=type_)
        return self.users[key]

    def find_user(self, login: str) -> User | None:
        return self.users.get(login.lower())

    def signature(self, login: str, when: datetime | None = None) -> Signature:
        user = self.user(login)
        email = f"{user.id}+{user.login}@users.noreply.github.com"
        return Signature(user.login, email, when or now())

    def permission(self, repo: Repo, login: str) -> str:
        key = login.lower()
        if key == repo.owner.lower():
            return "admin"
        for who, perm in repo.collaborators.items():
            if who.lower() == key:
                return perm
        user = self.find_user(login)
        if user is not None and user.permission is not None:
            return user.permission
        return "none" if repo.private else "read"

    # -- repositories ----------------------------------------------------------------------
    def repo(self, owner: str, name: str) -> Repo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def repo_by_id(self, repo_id: int) -> Repo | None:
        return next((repo for repo in self.repos.values() if repo.id == repo_id), None)

    def rename_repo(self, repo: Repo, owner: str, name: str) -> None:
        """Move (rename or transfer) a repository; its former name then answers 301."""
        del self.repos[repo.full_name.lower()]
        self.renamed[repo.full_name.lower()] = repo.id
        self.user(owner)
        repo.owner, repo.name = owner, name
        self.repos[repo.full_name.lower()] = repo
        self.renamed.pop(repo.full_name.lower(), None)

    def create_repo(
        self,
        owner: str,
        name: str,
        files: dict[str, str | bytes],
        default_branch: str,
        private: bool,
        message: str,
    ) -> Repo:
        self.user(owner)
        repo = Repo(
            id=self.next_id(),
            owner=owner,
            name=name,
            default_branch=default_branch,
            private=private,
        )
        self.repos[repo.full_name.lower()] = repo
        if files:
            flat: FlatTree = {}
            for path, text in files.items():
                data = text.encode() if isinstance(text, str) else text
                flat[path.strip("/")] = (BLOB_MODE, repo.store.put_blob(data))
            sig = self.signature(owner)
            commit = Commit(repo.store.build(flat), (), sig, sig, message)
            repo.refs[f"refs/heads/{default_branch}"] = repo.store.put_commit(commit)
        return repo

    def commit_files(
        self,
        repo: Repo,
        branch: str,
        files: dict[str, str | bytes | None],
        author: str,
        message: str,
    ) -> tuple[str, str | None]:
        """Commit a change on top of ``branch`` (creating it from default). -> (new, old)."""
        old = repo.branch_sha(branch)
        parent = old if old is not None else repo.branch_sha(repo.default_branch)
        flat = repo.tree_of(parent) if parent else {}
        for path, text in files.items():
            key = path.strip("/")
            if text is None:
                flat.pop(key, None)
            else:
                data = text.encode() if isinstance(text, str) else text
                flat[key] = (BLOB_MODE, repo.store.put_blob(data))
        sig = self.signature(author)
        commit = Commit(repo.store.build(flat), (parent,) if parent else (), sig, sig, message)
        sha = repo.store.put_commit(commit)
        repo.refs[f"refs/heads/{branch}"] = sha
        return sha, old

    def delete_ref(self, repo: Repo, ref: str, actor: str) -> None:
        del repo.refs[ref]
        if ref.startswith("refs/heads/"):
            branch = ref.removeprefix("refs/heads/")
            for issue in repo.issues.values():
                pull = issue.pull
                if pull and issue.state == "open" and pull.head_ref == branch:
                    self.close_issue(repo, issue, actor, reason=None)
                    self.emit("pull_request", "closed", repo, actor, issue=issue)

    # -- issues ----------------------------------------------------------------------------
    def next_number(self, repo: Repo) -> int:
        return max(repo.issues, default=0) + 1

    def create_issue(self, repo: Repo, author: str, title: str, body: str | None, labels: list[str]) -> Issue:
        self.user(author)
        ts = now()
        issue = Issue(
            number=self.next_number(repo),
            id=self.next_id(),
            title=title,
            body=body,
            user=author,
            created_at=ts,
            updated_at=ts,
        )
        for name in labels:
            self.ensure_label(repo, name)
            label = repo.labels[name.lower()].name
            if label not in issue.labels:
                issue.labels.append(label)
        repo.issues[issue.number] = issue
        return issue

    def ensure_label(self, repo: Repo, name: str) -> Label:
        key = name.lower()
        if key not in repo.labels:
            repo.labels[key] = Label(id=self.next_id(), name=name)
        return repo.labels[key]

    def close_issue(self, repo: Repo, issue: Issue, actor: str, reason: str | None) -> None:
        if issue.state == "closed":
            return
        issue.state = "closed"
        issue.state_reason = reason if issue.pull is None else None
        issue.closed_at = issue.updated_at = now()
        issue.closed_by = actor

    def reopen_issue(self, issue: Issue) -> None:
        issue.state = "open"
        issue.state_reason = "reopened" if issue.pull is None else None
        issue.closed_at = None
        issue.closed_by = None
        issue.updated_at = now()

    def add_comment(self, repo: Repo, issue: Issue, author: str, body: str) -> Comment:
        self.user(author)
        ts = now()
        comment = Comment(self.next_id(), issue.number, author, body, ts, ts)
        repo.comments[comment.id] = comment
        issue.comment_ids.append(comment.id)
        issue.updated_at = ts
        return comment

    # -- pulls -----------------------------------------------------------------------------
    def refresh_pull(self, repo: Repo, issue: Issue) -> None:
        """Open PRs track their branches' tips, as GitHub's do."""
        pull = issue.pull
        if pull is None or issue.state != "open":
            return
        head = repo.branch_sha(pull.head_ref)
        if head is not None:
            pull.head_sha = head
        base = repo.branch_sha(pull.base_ref)
        if base is not None:
            pull.base_sha = base

    def mergeable(self, repo: Repo, pull: PullInfo) -> bool:
        return self.merged_tree(repo, pull) is not None

    def merged_tree(self, repo: Repo, pull: PullInfo) -> FlatTree | None:
        """The tree a merge would produce, or None on a conflict."""
        store = repo.store
        base, head = pull.base_sha, pull.head_sha
        if store.is_ancestor(base, head):
            return repo.tree_of(head)
        mb = store.merge_base(base, head)
        if mb is None:
            return None
        start = repo.tree_of(mb)
        ours = diff_flat(start, repo.tree_of(base))
        theirs = diff_flat(start, repo.tree_of(head))
        ours_paths = {p: new for p, _s, _o, new in ours}
        merged = repo.tree_of(base)
        for path, _status, _old, new in theirs:
            if path in ours_paths and ours_paths[path] != new:
                return None
            head_entry = repo.tree_of(head).get(path)
            if head_entry is None:
                merged.pop(path, None)
            else:
                merged[path] = head_entry
        return merged

    def merge_pull(
        self,
        repo: Repo,
        issue: Issue,
        merger: str,
        method: str,
        title: str | None,
        message: str | None,
    ) -> str:
        pull = issue.pull
        assert pull is not None
        self.refresh_pull(repo, issue)
        if issue.state != "open" or pull.merged:
            raise ApiError(405, "Pull Request is not mergeable")
        flat = self.merged_tree(repo, pull)
        if flat is None:
            raise ApiError(405, "Pull Request is not mergeable")
        store = repo.store
        sig = self.signature(merger)
        if method == "squash":
            text = f"{title or issue.title} (#{issue.number})"
            parents: tuple[str, ...] = (pull.base_sha,)
        elif method == "rebase":
            text = title or store.commit_or_raise(pull.head_sha).message
            parents = (pull.base_sha,)
        else:
            text = title or f"Merge pull request #{issue.number} from {pull.head_owner}:{pull.head_ref}"
            parents = (pull.base_sha, pull.head_sha)
        full = text + ("\n\n" + message if message else "")
        sha = store.put_commit(Commit(store.build(flat), parents, sig, sig, full))
        before = repo.refs[f"refs/heads/{pull.base_ref}"]
        repo.refs[f"refs/heads/{pull.base_ref}"] = sha
        pull.merged = True
        pull.merged_at = now()
        pull.merged_by = merger
        pull.merge_commit_sha = sha
        self.close_issue(repo, issue, merger, reason=None)
        self.emit_push(repo, f"refs/heads/{pull.base_ref}", before, sha, merger)
        self.emit("pull_request", "closed", repo, merger, issue=issue)
        if pull.base_ref == repo.default_branch:
            for number in closing_references(issue.body or ""):
                target = repo.issues.get(number)
                if target is not None and target.pull is None and target.state == "open":
                    self.close_issue(repo, target, merger, reason="completed")
                    self.emit("issues", "closed", repo, merger, issue=target)
        return sha

    # -- webhook events (built lazily by the emulator) -------------------------------------
    def emit(self, event: str, action: str | None, repo: Repo, sender: str, **kw: Any) -> None:
        self.events.append((event, {"action": action, "repo": repo, "sender": sender, **kw}))

    def emit_push(self, repo: Repo, ref: str, before: str | None, after: str | None, pusher: str) -> None:
        self.emit("push", None, repo, pusher, ref=ref, before=before or ZERO_SHA, after=after or ZERO_SHA)

    def installation_for(self, repo: Repo) -> Installation | None:
        for inst in self.installations.values():
            if inst.covers(repo.full_name, repo.owner):
                return inst
        return None


def closing_references(body: str) -> list[int]:
    """Issue numbers a PR body closes on merge (``Closes #N``, ``Fixes #N``, ...)."""
    return [int(m.group(1)) for m in _CLOSES_RE.finditer(body)]
