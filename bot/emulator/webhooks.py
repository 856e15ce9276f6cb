"""Webhook payloads built from emulator state, in the shapes of @octokit/webhooks-examples."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

from .render import Renderer, iso
from .state import ZERO_SHA, Comment, Issue, Repo, State

WEB = "https://github.com"


def sign(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` header value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def delivery_headers(event: str, body: bytes, secret: str | None, delivery: str | None = None) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/emulator",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-GitHub-Hook-ID": "1",
    }
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(secret, body)
        headers["X-Hub-Signature"] = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    return headers


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


PUSH_COMMITS_LIMIT = 2048  # GitHub's cap on `commits` in a push delivery (the 20 cap is the Events API's)


class WebhookBuilder:
    """Turns a state change into ``(event_name, payload)``."""

    def __init__(self, state: State, renderer: Renderer) -> None:
        self.state = state
        self.r = renderer

    def common(self, repo: Repo, sender: str) -> dict[str, Any]:
        out: dict[str, Any] = {"repository": self.r.repo(repo), "sender": self.r.user(sender)}
        inst = self.state.installation_for(repo)
        if inst is not None:
            out["installation"] = {"id": inst.id, "node_id": f"MDIzOkludGVncmF0aW9u{inst.id}"}
        return out

    def build(self, event: str, action: str | None, repo: Repo, sender: str, **kw: Any) -> tuple[str, dict[str, Any]]:
        if event == "issues":
            return event, self.issues(action or "opened", repo, sender, **kw)
        if event == "issue_comment":
            return event, self.issue_comment(action or "created", repo, sender, **kw)
        if event == "pull_request":
            return event, self.pull_request(action or "opened", repo, sender, **kw)
        if event == "push":
            return event, self.push(repo, sender, **kw)
        raise ValueError(f"unsupported event {event!r}")

    def issues(
        self,
        action: str,
        repo: Repo,
        sender: str,
        issue: Issue,
        changes: dict[str, Any] | None = None,
        label: str | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"action": action, "issue": self.r.issue(repo, issue)}
        if action == "edited":
            payload["changes"] = changes or {}
        if label is not None:
            payload["label"] = self.r.label(repo, self.state.ensure_label(repo, label))
        return payload | self.common(repo, sender)

    def issue_comment(
        self,
        action: str,
        repo: Repo,
        sender: str,
        issue: Issue,
        comment: Comment,
        changes: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "action": action,
            "issue": self.r.issue(repo, issue),
            "comment": self.r.comment(repo, comment),
        }
        if action == "edited":
            payload["changes"] = changes or {}
        return payload | self.common(repo, sender)

    def pull_request(
        self,
        action: str,
        repo: Repo,
        sender: str,
        issue: Issue,
        changes: dict[str, Any] | None = None,
        label: str | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"action": action, "number": issue.number, "pull_request": self.r.pull(repo, issue)}
        if action == "edited":
            payload["changes"] = changes or {}
        if label is not None:
            payload["label"] = self.r.label(repo, self.state.ensure_label(repo, label))
        return payload | self.common(repo, sender)

    def push(self, repo: Repo, sender: str, ref: str, before: str = ZERO_SHA, after: str = ZERO_SHA) -> dict[str, Any]:
        store = repo.store
        created, deleted = before == ZERO_SHA, after == ZERO_SHA
        shas: list[str] = []
        if not deleted:
            stop = store.ancestors(before) if not created else set()
            shas = store.log(after, stop)[-PUSH_COMMITS_LIMIT:]
        forced = not created and not deleted and not store.is_ancestor(before, after)
        user = self.state.user(sender)
        commits = [self._push_commit(repo, s) for s in shas]
        short = ref.split("/", 2)[-1]
        compare = (
            f"{WEB}/{repo.full_name}/compare/{before[:12]}...{after[:12]}"
            if not created and not deleted
            else f"{WEB}/{repo.full_name}/compare/{short}"
        )
        payload: dict[str, Any] = {
            "ref": ref,
            "before": before,
            "after": after,
            "created": created,
            "deleted": deleted,
            "forced": forced,
            "base_ref": None,
            "compare": compare,
            "commits": commits,
            "head_commit": self._push_commit(repo, after) if not deleted else None,
            "pusher": {"name": user.login, "email": f"{user.id}+{user.login}@users.noreply.github.com"},
        }
        return payload | self.common(repo, sender)

    def _push_commit(self, repo: Repo, sha: str) -> dict[str, Any]:
        c = repo.store.commit_or_raise(sha)
        parent = repo.tree_of(c.parents[0]) if c.parents else {}
        mine = repo.tree_of(sha)
        added = sorted(p for p in mine if p not in parent)
        removed = sorted(p for p in parent if p not in mine)
        modified = sorted(p for p in mine if p in parent and parent[p] != mine[p])

        def person(name: str, email: str) -> dict[str, Any]:
            login = email.split("@")[0].partition("+")[2]
            out: dict[str, Any] = {"name": name, "email": email}
            if login:
                out["username"] = login
            return out

        return {
            "id": sha,
            "tree_id": c.tree,
            "distinct": True,
            "message": c.message,
            "timestamp": iso(c.committer.date),
            "url": f"{WEB}/{repo.full_name}/commit/{sha}",
            "author": person(c.author.name, c.author.email),
            "committer": person(c.committer.name, c.committer.email),
            "added": added,
            "removed": removed,
            "modified": modified,
        }
