"""``GitHubEmulator``: the test-facing facade that owns state, server, faults and webhooks."""

from __future__ import annotations

import copy
import queue
import secrets
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from .auth import mint_token, mint_workflow_token, pooled_key
from .faults import Faults
from .routes import Api
from .server import HttpFront, RequestLog
from .state import ZERO_SHA, App, HookDelivery, Installation, Issue, Repo, State, User, now
from .webhooks import WebhookBuilder, delivery_headers, encode

EventCallback = Callable[[str, dict[str, Any]], None]
DEFAULT_PERMISSIONS = {
    "contents": "write",
    "issues": "write",
    "pull_requests": "write",
    "metadata": "read",
}


@dataclass(frozen=True)
class IssueView:
    number: int
    title: str
    body: str | None
    state: str
    user: str
    labels: tuple[str, ...]
    is_pull: bool
    state_reason: str | None


@dataclass(frozen=True)
class PullView:
    number: int
    title: str
    body: str | None
    state: str
    user: str
    head: str
    base: str
    head_sha: str
    merged: bool
    merge_commit_sha: str | None
    labels: tuple[str, ...]


@dataclass(frozen=True)
class CommentView:
    id: int
    user: str
    body: str


@dataclass(frozen=True)
class Delivery:
    event: str
    payload: dict[str, Any]
    status: int | None  # HTTP status from the webhook URL (None: not forwarded / failed)
    url: str | None = None  # the webhook URL tried (None: dropped while deliveries were off)


@dataclass(frozen=True)
class Hook:
    """One webhook URL the emulator posts every event to, signed with ``secret``."""

    url: str
    secret: str | None


class GitHubEmulator:
    """A faithful in-process GitHub REST API for PyGithub-driven tests."""

    def __init__(self, rate_limit: int = 5000) -> None:
        self.lock = threading.RLock()
        self.state = State()
        self.faults = Faults()
        self.requests = RequestLog()
        self.events: list[tuple[str, dict[str, Any]]] = []  # every emitted webhook event
        self.deliveries: list[Delivery] = []
        self._subscribers: list[EventCallback] = []
        self._outbox: list[tuple[str, dict[str, Any]]] = []
        self._hooks: list[Hook] = []
        # (event, payload, GUID of the delivery being redelivered or None for a new one)
        self._queue: queue.Queue[tuple[str, dict[str, Any], str | None] | None] = queue.Queue()
        self._delivery_mode = "on"  # "on" | "hold" (queue up until resumed) | "drop" (service down)
        self._held: list[tuple[str, dict[str, Any]]] = []
        self._enqueued = 0  # events handed to the delivery thread
        self._settled = 0  # of those: posted to every hook (or dropped when no hook was left)
        self._worker: threading.Thread | None = None
        self._api = Api(self.state, "http://127.0.0.1:0", rate_limit)
        self._front = HttpFront(
            self._api, self.lock, self.faults, self.requests, self._dispatch_outbox, self._flush_events
        )
        self.url = f"http://127.0.0.1:{self._front.port}"
        self._api.api_url = self.url
        self._api.r.api = self.url
        self._webhooks = WebhookBuilder(self.state, self._api.r)
        self._started = False

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> GitHubEmulator:
        if not self._started:
            self._front.start()
            self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            self._front.stop()
            self._started = False
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=5)
            self._worker = None

    def __enter__(self) -> GitHubEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def rate_limit(self) -> int:
        return self._api.rate_limit

    @rate_limit.setter
    def rate_limit(self, value: int) -> None:
        self._api.rate_limit = value

    def reset_requests(self) -> None:
        self.requests.reset()

    @contextmanager
    def _change(self) -> Iterator[State]:
        """Run a Python-API mutation under the lock, then deliver the events it caused."""
        with self.lock:
            yield self.state
            self._flush_events()
        self._dispatch_outbox()

    # -- apps and installations ------------------------------------------------------------
    def register_app(
        self,
        app_id: int | None = None,
        slug: str = "listbot",
        owner: str = "listbot-dev",
        webhook_secret: str | None = None,
    ) -> str:
        """Create a GitHub App; returns its private key (PEM)."""
        return self._new_app(app_id, slug, owner, webhook_secret).private_key_pem

    def _new_app(self, app_id: int | None, slug: str, owner: str, webhook_secret: str | None) -> App:
        with self._change() as st:
            private, public = pooled_key(len(st.apps))
            ident = app_id if app_id is not None else st.next_id()
            bot = st.user(f"{slug}[bot]", "Bot")
            st.user(owner, "Organization")
            app = App(
                id=ident,
                slug=slug,
                name=slug,
                public_key_pem=public,
                private_key_pem=private,
                owner=owner,
                webhook_secret=webhook_secret or secrets.token_hex(16),
                client_id=f"Iv1.{secrets.token_hex(8)}",
                client_secret=secrets.token_hex(20),
                bot_login=bot.login,
            )
            st.apps[ident] = app
        return app

    def app(self, app_id: int) -> App:
        return self.state.apps[app_id]

    def register_manifest_code(
        self,
        code: str,
        app_id: int | None = None,
        slug: str = "listbot",
        owner: str = "listbot-dev",
        webhook_secret: str | None = None,
    ) -> App:
        """Make ``POST /app-manifests/{code}/conversions`` create (and return) this app once."""
        app = self._new_app(app_id, slug, owner, webhook_secret)
        with self.lock:
            self.state.manifest_codes[code] = app
        return app

    def install(
        self,
        owner: str,
        repos: Iterable[str] | None = None,
        app_id: int | None = None,
        permissions: dict[str, str] | None = None,
    ) -> int:
        """Install the app on ``owner`` for ``repos`` (names or full names; None = all)."""
        with self._change() as st:
            if app_id is None:
                if len(st.apps) != 1:
                    raise ValueError("pass app_id when zero or several apps are registered")
                app_id = next(iter(st.apps))
            st.user(owner)
            names = None if repos is None else [r if "/" in r else f"{owner}/{r}" for r in repos]
            inst = Installation(st.next_id(), app_id, owner, names, dict(permissions or DEFAULT_PERMISSIONS))
            st.installations[inst.id] = inst
        return inst.id

    def installation_token(self, installation_id: int) -> str:
        """Mint a token directly (for tests that skip the JWT dance)."""
        with self.lock:
            return mint_token(self.state, self.state.installations[installation_id]).token

    def expire_tokens(self) -> None:
        """Make every installation token (and workflow token) issued so far expired."""
        from datetime import UTC, datetime, timedelta

        with self.lock:
            expired = datetime.now(UTC) - timedelta(seconds=1)
            for tok in self.state.tokens.values():
                tok.expires_at = expired
            for workflow in self.state.workflow_tokens.values():
                workflow.expires_at = expired

    # -- GitHub Actions --------------------------------------------------------------------
    def workflow_token(self, repo: str, permissions: dict[str, str] | None = None) -> str:
        """The `GITHUB_TOKEN` of a workflow job in ``repo``: it acts as ``github-actions[bot]``,
        reaches only ``repo``, and holds the workflow's ``permissions:`` (default: listbot's)."""
        with self.lock:
            r = self._repo(repo)
            granted = dict(permissions or DEFAULT_PERMISSIONS)
            return mint_workflow_token(self.state, r.full_name, r.owner, granted).token

    def allow_actions_pull_requests(self, repo: str, allowed: bool = True) -> None:
        """Settings → Actions → "Allow GitHub Actions to create and approve pull requests"."""
        with self.lock:
            self._repo(repo).actions_create_pulls = allowed

    # -- users -----------------------------------------------------------------------------
    def add_user(self, login: str, permission: str = "read", repo: str | None = None) -> None:
        """Create a user; ``permission`` applies to ``repo`` (or every repo when None)."""
        if permission not in ("admin", "maintain", "write", "triage", "read", "none"):
            raise ValueError(permission)
        with self._change() as st:
            user = st.user(login)
            if repo is None:
                user.permission = permission
            else:
                self._repo(repo).collaborators[login] = permission

    def user_token(self, login: str) -> str:
        """A personal access token acting as ``login``."""
        with self.lock:
            user: User = self.state.user(login)
            if user.token is None:
                user.token = "ghp_" + secrets.token_hex(18)
            return user.token

    # -- repositories ----------------------------------------------------------------------
    def _repo(self, full_name: str) -> Repo:
        owner, _, name = full_name.partition("/")
        repo = self.state.repo(owner, name)
        if repo is None:
            raise KeyError(full_name)
        return repo

    def create_repo(
        self,
        owner: str,
        name: str,
        files: dict[str, str] | None = None,
        default_branch: str = "main",
        private: bool = False,
    ) -> str:
        """Create a repository with one initial commit holding ``files``; returns full name."""
        with self._change() as st:
            repo = st.create_repo(owner, name, dict(files or {}), default_branch, private, "Initial commit")
        return repo.full_name

    def rename_repo(self, full_name: str, new_full_name: str) -> None:
        """Rename or transfer a repository: the old name answers 301 to the new one, as on GitHub."""
        owner, _, name = new_full_name.partition("/")
        with self._change() as st:
            st.rename_repo(self._repo(full_name), owner, name)

    def archive_repo(self, full_name: str, archived: bool = True) -> None:
        with self._change():
            self._repo(full_name).archived = archived

    def push_commit(
        self,
        repo: str,
        branch: str,
        files: Mapping[str, str | bytes | None],
        author: str,
        message: str = "Update files",
    ) -> str:
        """Commit on ``branch`` as a maintainer's push would (None deletes a file; bytes are kept as they are)."""
        with self._change() as st:
            r = self._repo(repo)
            sha, old = st.commit_files(r, branch, dict(files), author, message)
            st.emit_push(r, f"refs/heads/{branch}", old, sha, author)
        return sha

    def create_branch(self, repo: str, branch: str, from_ref: str | None = None) -> str:
        with self._change() as st:
            r = self._repo(repo)
            sha = r.resolve(from_ref or r.default_branch)
            if sha is None:
                raise KeyError(from_ref)
            r.refs[f"refs/heads/{branch}"] = sha
            st.emit_push(r, f"refs/heads/{branch}", None, sha, r.owner)
        return sha

    def delete_branch(self, repo: str, branch: str, actor: str | None = None) -> None:
        with self._change() as st:
            r = self._repo(repo)
            ref = f"refs/heads/{branch}"
            old = r.refs[ref]
            st.delete_ref(r, ref, actor or r.owner)
            st.emit_push(r, ref, old, None, actor or r.owner)

    # -- issues, comments, labels ----------------------------------------------------------
    def create_issue(
        self, repo: str, author: str, title: str, body: str | None = "", labels: Iterable[str] = ()
    ) -> int:
        with self._change() as st:
            r = self._repo(repo)
            issue = st.create_issue(r, author, title, body, list(labels))
            st.emit("issues", "opened", r, author, issue=issue)
        return issue.number

    def edit_issue(
        self, repo: str, number: int, title: str | None = None, body: str | None = None, actor: str | None = None
    ) -> None:
        with self._change() as st:
            r = self._repo(repo)
            issue = r.issues[number]
            changes: dict[str, Any] = {}
            if title is not None and title != issue.title:
                changes["title"] = {"from": issue.title}
                issue.title = title
            if body is not None and body != issue.body:
                changes["body"] = {"from": issue.body}
                issue.body = body
            if changes:
                from .state import now

                issue.updated_at = now()
                st.emit("issues", "edited", r, actor or issue.user, issue=issue, changes=changes)

    def close_issue(self, repo: str, number: int, actor: str | None = None, reason: str = "completed") -> None:
        with self._change() as st:
            r = self._repo(repo)
            issue = r.issues[number]
            if issue.state == "open":
                st.close_issue(r, issue, actor or issue.user, reason)
                event = "pull_request" if issue.pull else "issues"
                st.emit(event, "closed", r, actor or issue.user, issue=issue)

    def reopen_issue(self, repo: str, number: int, actor: str | None = None) -> None:
        with self._change() as st:
            r = self._repo(repo)
            issue = r.issues[number]
            if issue.state == "closed":
                st.reopen_issue(issue)
                event = "pull_request" if issue.pull else "issues"
                st.emit(event, "reopened", r, actor or issue.user, issue=issue)

    def add_labels(self, repo: str, number: int, labels: Iterable[str], actor: str | None = None) -> None:
        with self._change() as st:
            r = self._repo(repo)
            issue = r.issues[number]
            for name in labels:
                label = st.ensure_label(r, name).name
                if label not in issue.labels:
                    issue.labels.append(label)
                    st.emit(
                        "pull_request" if issue.pull else "issues",
                        "labeled",
                        r,
                        actor or r.owner,
                        issue=issue,
                        label=label,
                    )

    def add_comment(self, repo: str, number: int, author: str, body: str) -> int:
        with self._change() as st:
            r = self._repo(repo)
            issue = r.issues[number]
            comment = st.add_comment(r, issue, author, body)
            st.emit("issue_comment", "created", r, author, issue=issue, comment=comment)
        return comment.id

    def edit_comment(self, repo: str, comment_id: int, body: str, actor: str | None = None) -> None:
        """Edit an issue comment as its author (or `actor`) would; GitHub announces `edited`."""
        with self._change() as st:
            r = self._repo(repo)
            comment = r.comments[comment_id]
            old, comment.body, comment.updated_at = comment.body, body, now()
            st.emit(
                "issue_comment", "edited", r, actor or comment.user, issue=r.issues[comment.issue_number],
                comment=comment, changes={"body": {"from": old}},
            )

    def delete_comment(self, repo: str, comment_id: int) -> None:
        """Delete an issue comment (as `DELETE /repos/{o}/{r}/issues/comments/{id}` does)."""
        with self._change():
            r = self._repo(repo)
            comment = r.comments.pop(comment_id)
            r.issues[comment.issue_number].comment_ids.remove(comment_id)

    def merge_pull(self, repo: str, number: int, merger: str, method: str = "merge") -> str:
        """Merge as a maintainer pressing the button would (raises ApiError(405) on conflict)."""
        with self._change() as st:
            r = self._repo(repo)
            return st.merge_pull(r, r.issues[number], merger, method, None, None)

    # -- inspectors ------------------------------------------------------------------------
    def file_at(self, repo: str, ref: str, path: str) -> str | None:
        with self.lock:
            r = self._repo(repo)
            sha = r.resolve(ref)
            if sha is None:
                raise KeyError(ref)
            entry = r.tree_of(sha).get(path.strip("/"))
            if entry is None:
                return None
            blob = r.store.blob(entry[1])
            return blob.data.decode() if blob else None

    def files_at(self, repo: str, ref: str) -> dict[str, str]:
        with self.lock:
            r = self._repo(repo)
            sha = r.resolve(ref)
            if sha is None:
                raise KeyError(ref)
            out = {}
            for path, (_mode, blob_sha) in r.tree_of(sha).items():
                blob = r.store.blob(blob_sha)
                out[path] = blob.data.decode(errors="replace") if blob else ""
            return out

    def branches(self, repo: str) -> dict[str, str]:
        with self.lock:
            return {
                n.removeprefix("refs/heads/"): s
                for n, s in self._repo(repo).refs.items()
                if n.startswith("refs/heads/")
            }

    def issue(self, repo: str, number: int) -> IssueView:
        with self.lock:
            i = self._repo(repo).issues[number]
            return IssueView(
                i.number, i.title, i.body, i.state, i.user, tuple(i.labels), i.pull is not None, i.state_reason
            )

    def issues(self, repo: str, state: str = "open") -> list[IssueView]:
        with self.lock:
            numbers = [
                n for n, i in self._repo(repo).issues.items() if i.pull is None and (state == "all" or i.state == state)
            ]
        return [self.issue(repo, n) for n in sorted(numbers)]

    def pulls(self, repo: str, state: str = "open") -> list[PullView]:
        with self.lock:
            r = self._repo(repo)
            out = []
            for i in sorted(r.issues.values(), key=lambda x: x.number):
                if i.pull is None or (state != "all" and i.state != state):
                    continue
                self.state.refresh_pull(r, i)
                p = i.pull
                out.append(
                    PullView(
                        i.number,
                        i.title,
                        i.body,
                        i.state,
                        i.user,
                        p.head_ref,
                        p.base_ref,
                        p.head_sha,
                        p.merged,
                        p.merge_commit_sha,
                        tuple(i.labels),
                    )
                )
            return out

    def comments(self, repo: str, number: int) -> list[CommentView]:
        with self.lock:
            r = self._repo(repo)
            return [CommentView(c.id, c.user, c.body) for c in (r.comments[x] for x in r.issues[number].comment_ids)]

    def reactions(self, repo: str, comment_id: int) -> list[tuple[str, str]]:
        """(user, content) of each reaction on an issue comment, oldest first."""
        with self.lock:
            return [(r.user, r.content) for r in self._repo(repo).comments[comment_id].reactions]

    def labels_of(self, repo: str, number: int) -> list[str]:
        with self.lock:
            return list(self._repo(repo).issues[number].labels)

    def commits_between(self, repo: str, base: str, head: str) -> list[str]:
        """SHAs reachable from ``head`` but not ``base``, oldest first."""
        with self.lock:
            r = self._repo(repo)
            b, h = r.resolve(base), r.resolve(head)
            if b is None or h is None:
                raise KeyError(base if b is None else head)
            return r.store.log(h, r.store.ancestors(b))

    def branch_commits(self, repo: str, branch: str) -> list[str]:
        """Every commit on ``branch``, oldest first."""
        with self.lock:
            r = self._repo(repo)
            sha = r.branch_sha(branch)
            if sha is None:
                raise KeyError(branch)
            return r.store.log(sha)

    def commit_info(self, repo: str, sha: str) -> dict[str, Any]:
        """Message, author, committer and parents of a commit."""
        with self.lock:
            c = self._repo(repo).store.commit_or_raise(sha)
            return {
                "message": c.message,
                "author": c.author.name,
                "author_email": c.author.email,
                "committer": c.committer.name,
                "parents": list(c.parents),
                "tree": c.tree,
            }

    # -- webhooks --------------------------------------------------------------------------
    def webhook(
        self,
        event: str,
        action: str | None,
        repo: str,
        issue: int | None = None,
        pull: int | None = None,
        ref: str | None = None,
        sender: str | None = None,
        **extra: Any,
    ) -> tuple[str, dict[str, Any]]:
        """Build ``(event_name, payload)`` from current state, as GitHub would send it.

        ``push`` takes ``ref`` (e.g. ``refs/heads/main``) and optional ``before``/``after``
        (defaults: parent of the tip, and the tip). ``issues``/``issue_comment`` take
        ``issue``; ``pull_request`` takes ``pull``; ``issue_comment`` takes ``comment`` (id);
        ``edited`` takes ``changes``; ``labeled`` takes ``label``.
        """
        with self.lock:
            r = self._repo(repo)
            kw: dict[str, Any] = dict(extra)
            number = issue if issue is not None else pull
            target: Issue | None = r.issues[number] if number is not None else None
            if target is not None:
                kw["issue"] = target
            if "comment" in kw and isinstance(kw["comment"], int):
                kw["comment"] = r.comments[kw["comment"]]
            elif event == "issue_comment" and target is not None and target.comment_ids:
                kw.setdefault("comment", r.comments[target.comment_ids[-1]])
            if event == "push":
                full = ref or f"refs/heads/{r.default_branch}"
                full = full if full.startswith("refs/") else f"refs/heads/{full}"
                after = kw.pop("after", r.refs.get(full, ZERO_SHA))
                default_before = ZERO_SHA
                if after != ZERO_SHA:
                    parents = r.store.commit_or_raise(after).parents
                    default_before = parents[0] if parents else ZERO_SHA
                before = kw.pop("before", default_before)
                kw.update(ref=full, before=before, after=after)
            who = sender or (target.user if target is not None else r.owner)
            name, payload = self._webhooks.build(event, action, r, who, **kw)
            return name, copy.deepcopy(payload)

    def on_event(self, callback: EventCallback) -> None:
        """Call ``callback(event_name, payload)`` for every state change GitHub would announce."""
        self._subscribers.append(callback)

    def deliver_to(self, url: str, secret: str | None = None) -> None:
        """Forward every event to ``url`` only (signed with ``secret``) from a background thread."""
        with self.lock:
            self._hooks = [Hook(url, secret)]
        self._ensure_worker()

    def add_hook(self, url: str, secret: str | None = None) -> None:
        """Also forward every event to ``url`` (e.g. a second replica of the service)."""
        with self.lock:
            self._hooks = [*(h for h in self._hooks if h.url != url), Hook(url, secret)]
        self._ensure_worker()

    def remove_hook(self, url: str) -> None:
        """Stop forwarding to ``url``; with no hook left, events are dropped as undeliverable."""
        with self.lock:
            self._hooks = [h for h in self._hooks if h.url != url]

    @property
    def hooks(self) -> list[Hook]:
        with self.lock:
            return list(self._hooks)

    def pause_deliveries(self, drop: bool = False) -> None:
        """Hold new events (delivered on resume), or with ``drop`` lose them as GitHub would
        when the service is down (GitHub does not redeliver failed deliveries by itself)."""
        with self.lock:
            self._delivery_mode = "drop" if drop else "hold"
        self._ensure_worker()

    def resume_deliveries(self) -> None:
        """Deliver again; events held by ``pause_deliveries()`` go out first, in order."""
        with self.lock:
            self._delivery_mode = "on"
            held, self._held = self._held, []
            self._enqueued += len(held)
        for event, payload in held:
            self._queue.put((event, payload, None))

    @contextmanager
    def deliveries_paused(self, drop: bool = False) -> Iterator[None]:
        """``pause_deliveries(drop)`` for the block, then ``resume_deliveries()``."""
        self.pause_deliveries(drop)
        try:
            yield
        finally:
            self.resume_deliveries()

    @property
    def held_deliveries(self) -> int:
        with self.lock:
            return len(self._held)

    def delivery_backlog(self) -> int:
        """Events being delivered: emitted but not yet posted to every hook (held, dropped excluded)."""
        with self.lock:
            return self._enqueued - self._settled

    def wait_for_deliveries(self, timeout: float = 10.0) -> None:
        """Block until ``delivery_backlog()`` is 0 (every event delivered, held or dropped)."""
        deadline = time.monotonic() + timeout
        while self.delivery_backlog() > 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.delivery_backlog()} webhook deliveries still pending")
            time.sleep(0.005)

    def _ensure_worker(self) -> None:
        with self.lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._deliver_loop, daemon=True)
                self._worker.start()

    def _flush_events(self) -> None:
        """Build payloads for pending state changes (caller holds the lock)."""
        pending, self.state.events[:] = list(self.state.events), []
        for event, data in pending:
            action = data.pop("action")
            repo = data.pop("repo")
            sender = data.pop("sender")
            built = self._webhooks.build(event, action, repo, sender, **data)
            self.events.append(built)
            self._outbox.append(built)

    def _dispatch_outbox(self) -> None:
        with self.lock:
            batch, self._outbox = self._outbox, []
            asked, self.state.redeliveries[:] = list(self.state.redeliveries), []
            if self._delivery_mode == "drop":  # the service is down: each redelivery fails too
                for delivery in asked:
                    self._fail_to_connect(delivery.event, delivery.payload, delivery.guid, redelivery=True)
                asked = []
            if asked:
                self._enqueued += len(asked)
        if asked:
            self._ensure_worker()
        for delivery in asked:  # `POST /app/hook/deliveries/{id}/attempts`: same GUID, same body
            self._queue.put((delivery.event, delivery.payload, delivery.guid))
        for event, payload in batch:
            for cb in list(self._subscribers):
                cb(event, copy.deepcopy(payload))
            if self._worker is None:
                continue
            with self.lock:  # the fate of a delivery is decided when GitHub would send it
                if self._delivery_mode == "hold":
                    self._held.append((event, payload))
                    continue
                if self._delivery_mode == "drop":
                    self._fail_to_connect(event, payload, str(uuid.uuid4()), redelivery=False)
                    continue
                if not self._hooks:  # no webhook URL: GitHub sends nothing, and logs nothing
                    self.deliveries.append(Delivery(event, payload, None))
                    continue
                self._enqueued += 1
            self._queue.put((event, payload, None))

    def _fail_to_connect(self, event: str, payload: dict[str, Any], guid: str, redelivery: bool) -> None:
        """Log the attempt GitHub makes to each webhook URL while the service is down, as nothing
        answering (status not `OK`). Documented (docs.github.com/en/webhooks/using-webhooks/
        handling-failed-webhook-deliveries): "if your server is down ... GitHub will record the
        delivery as a failure", does not redeliver it by itself, and the app's delivery log
        (`GET /app/hook/deliveries`, which listbot's recovery reads) shows it with a `status`
        other than `OK`. The caller holds the lock."""
        self.deliveries.append(Delivery(event, payload, None))
        for hook in self._hooks:
            self.state.hook_deliveries.append(HookDelivery(
                self.state.next_id(), guid, event, payload, hook.url, 0, datetime.now(UTC), 0.0, redelivery,
            ))

    def _deliver_loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            event, payload, redelivered = item
            with self.lock:
                hooks = list(self._hooks)
                if not hooks:  # the last hook went away meanwhile
                    self.deliveries.append(Delivery(event, payload, None))
            if hooks:
                body = encode(payload)
                guid = redelivered or str(uuid.uuid4())  # one delivery: every hook sees the same GUID
                for hook in hooks:
                    began = time.monotonic()
                    status = _post(hook.url, body, delivery_headers(event, body, hook.secret, guid))
                    with self.lock:
                        self.deliveries.append(Delivery(event, payload, status, hook.url))
                        self.state.hook_deliveries.append(HookDelivery(
                            self.state.next_id(), guid, event, payload, hook.url, status or 0,
                            datetime.now(UTC), round(time.monotonic() - began, 3), redelivered is not None,
                        ))
            with self.lock:
                self._settled += 1


def _post(url: str, body: bytes, headers: dict[str, str]) -> int | None:
    """POST one delivery; the HTTP status, or None when nothing answered."""
    req = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return None
