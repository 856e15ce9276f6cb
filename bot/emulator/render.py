"""JSON representations of emulator objects, in the shapes GitHub's REST API returns."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from .gitstore import Signature, diff_flat
from .state import Comment, Issue, Label, Repo, State

WEB = "https://github.com"
# The largest file the contents API sends inline (1 MiB); larger ones need the git blob API.
INLINE_CONTENT_LIMIT = 1024 * 1024


def iso(dt: datetime | None) -> str | None:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt is not None else None


def node_id(kind: str, ident: int | str) -> str:
    return base64.b64encode(f"0:{kind}{ident}".encode()).decode().rstrip("=")


class Renderer:
    """Builds response bodies; URLs point at the emulator so PyGithub can follow them."""

    def __init__(self, state: State, api_url: str) -> None:
        self.state = state
        self.api = api_url

    # -- accounts --------------------------------------------------------------------------
    def user(self, login: str | None) -> dict[str, Any] | None:
        if login is None:
            return None
        u = self.state.user(login)
        api = f"{self.api}/users/{u.login}"
        return {
            "login": u.login,
            "id": u.id,
            "node_id": node_id("User", u.id),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{u.id}?v=4",
            "gravatar_id": "",
            "url": api,
            "html_url": f"{WEB}/{u.login}",
            "followers_url": f"{api}/followers",
            "repos_url": f"{api}/repos",
            "organizations_url": f"{api}/orgs",
            "events_url": f"{api}/events{{/privacy}}",
            "type": u.type,
            "user_view_type": "public",
            "site_admin": False,
        }

    # -- repositories ----------------------------------------------------------------------
    def repo(self, repo: Repo, viewer: str | None = None) -> dict[str, Any]:
        api = f"{self.api}/repos/{repo.full_name}"
        out: dict[str, Any] = {
            "id": repo.id,
            "node_id": node_id("Repository", repo.id),
            "name": repo.name,
            "full_name": repo.full_name,
            "private": repo.private,
            "owner": self.user(repo.owner),
            "html_url": f"{WEB}/{repo.full_name}",
            "description": None,
            "fork": False,
            "url": api,
            "pulls_url": f"{api}/pulls{{/number}}",
            "issues_url": f"{api}/issues{{/number}}",
            "git_refs_url": f"{api}/git/refs{{/sha}}",
            "contents_url": f"{api}/contents/{{+path}}",
            "clone_url": f"{WEB}/{repo.full_name}.git",
            "created_at": iso(repo.created_at),
            "updated_at": iso(repo.created_at),
            "pushed_at": iso(repo.created_at),
            "visibility": "private" if repo.private else "public",
            "default_branch": repo.default_branch,
            "archived": repo.archived,
            "disabled": False,
            "has_issues": True,
            "open_issues_count": sum(1 for i in repo.issues.values() if i.state == "open"),
            "allow_merge_commit": True,
            "allow_squash_merge": True,
            "allow_rebase_merge": True,
        }
        if viewer is not None:
            perm = self.state.permission(repo, viewer)
            out["permissions"] = {
                "admin": perm == "admin",
                "maintain": perm in ("admin", "maintain"),
                "push": perm in ("admin", "maintain", "write"),
                "triage": perm in ("admin", "maintain", "write", "triage"),
                "pull": perm != "none",
            }
        return out

    def label(self, repo: Repo, label: Label) -> dict[str, Any]:
        return {
            "id": label.id,
            "node_id": node_id("Label", label.id),
            "url": f"{self.api}/repos/{repo.full_name}/labels/{label.name}",
            "name": label.name,
            "color": label.color,
            "default": label.default,
            "description": label.description,
        }

    # -- issues and pulls ------------------------------------------------------------------
    def issue(self, repo: Repo, issue: Issue) -> dict[str, Any]:
        self.state.refresh_pull(repo, issue)
        api = f"{self.api}/repos/{repo.full_name}/issues/{issue.number}"
        kind = "pull" if issue.pull else "issues"
        out: dict[str, Any] = {
            "url": api,
            "repository_url": f"{self.api}/repos/{repo.full_name}",
            "labels_url": f"{api}/labels{{/name}}",
            "comments_url": f"{api}/comments",
            "events_url": f"{api}/events",
            "html_url": f"{WEB}/{repo.full_name}/{kind}/{issue.number}",
            "id": issue.id,
            "node_id": node_id("Issue", issue.id),
            "number": issue.number,
            "title": issue.title,
            "user": self.user(issue.user),
            "labels": [self.label(repo, repo.labels[n.lower()]) for n in issue.labels],
            "state": issue.state,
            "state_reason": issue.state_reason,
            "locked": issue.locked,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": len(issue.comment_ids),
            "created_at": iso(issue.created_at),
            "updated_at": iso(issue.updated_at),
            "closed_at": iso(issue.closed_at),
            "author_association": self.association(repo, issue.user),
            "active_lock_reason": None,
            "body": issue.body,
            "closed_by": self.user(issue.closed_by) if issue.state == "closed" else None,
            "timeline_url": f"{api}/timeline",
        }
        if issue.pull is not None:
            pulls = f"{self.api}/repos/{repo.full_name}/pulls/{issue.number}"
            out["draft"] = issue.pull.draft
            out["pull_request"] = {
                "url": pulls,
                "html_url": f"{WEB}/{repo.full_name}/pull/{issue.number}",
                "diff_url": f"{WEB}/{repo.full_name}/pull/{issue.number}.diff",
                "patch_url": f"{WEB}/{repo.full_name}/pull/{issue.number}.patch",
                "merged_at": iso(issue.pull.merged_at),
            }
        return out

    def association(self, repo: Repo, login: str) -> str:
        if login.lower() == repo.owner.lower():
            return "OWNER"
        perm = self.state.permission(repo, login)
        if perm in ("admin", "maintain", "write", "triage") and any(
            w.lower() == login.lower() for w in repo.collaborators
        ):
            return "COLLABORATOR"
        return "NONE"

    def comment(self, repo: Repo, c: Comment) -> dict[str, Any]:
        issue_api = f"{self.api}/repos/{repo.full_name}/issues/{c.issue_number}"
        kind = "pull" if repo.issues[c.issue_number].pull else "issues"
        return {
            "url": f"{self.api}/repos/{repo.full_name}/issues/comments/{c.id}",
            "html_url": f"{WEB}/{repo.full_name}/{kind}/{c.issue_number}#issuecomment-{c.id}",
            "issue_url": issue_api,
            "id": c.id,
            "node_id": node_id("IssueComment", c.id),
            "user": self.user(c.user),
            "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at),
            "author_association": self.association(repo, c.user),
            "body": c.body,
        }

    def pull(self, repo: Repo, issue: Issue) -> dict[str, Any]:
        pr = issue.pull
        assert pr is not None
        self.state.refresh_pull(repo, issue)
        api = f"{self.api}/repos/{repo.full_name}/pulls/{issue.number}"
        issue_api = f"{self.api}/repos/{repo.full_name}/issues/{issue.number}"
        html = f"{WEB}/{repo.full_name}/pull/{issue.number}"
        is_open = issue.state == "open"
        mergeable = self.state.mergeable(repo, pr) if is_open else None
        commits = repo.store.log(pr.head_sha, repo.store.ancestors(pr.base_sha))
        files = diff_flat(
            repo.tree_of(repo.store.merge_base(pr.base_sha, pr.head_sha) or pr.base_sha),
            repo.tree_of(pr.head_sha),
        )
        return {
            "url": api,
            "id": pr.id,
            "node_id": node_id("PullRequest", pr.id),
            "html_url": html,
            "diff_url": html + ".diff",
            "patch_url": html + ".patch",
            "issue_url": issue_api,
            "commits_url": f"{api}/commits",
            "review_comments_url": f"{api}/comments",
            "comments_url": f"{issue_api}/comments",
            "statuses_url": f"{self.api}/repos/{repo.full_name}/statuses/{pr.head_sha}",
            "number": issue.number,
            "state": issue.state,
            "locked": issue.locked,
            "title": issue.title,
            "user": self.user(issue.user),
            "body": issue.body,
            "labels": [self.label(repo, repo.labels[n.lower()]) for n in issue.labels],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": iso(issue.created_at),
            "updated_at": iso(issue.updated_at),
            "closed_at": iso(issue.closed_at),
            "merged_at": iso(pr.merged_at),
            "merge_commit_sha": pr.merge_commit_sha,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": self._end(repo, pr.head_ref, pr.head_sha, pr.head_owner),
            "base": self._end(repo, pr.base_ref, pr.base_sha, repo.owner),
            "_links": {"self": {"href": api}, "html": {"href": html}, "issue": {"href": issue_api}},
            "author_association": self.association(repo, issue.user),
            "auto_merge": None,
            "draft": pr.draft,
            "merged": pr.merged,
            "mergeable": mergeable,
            "rebaseable": mergeable,
            "mergeable_state": "unknown" if mergeable is None else ("clean" if mergeable else "dirty"),
            "merged_by": self.user(pr.merged_by),
            "comments": len(issue.comment_ids),
            "review_comments": 0,
            "maintainer_can_modify": pr.maintainer_can_modify,
            "commits": len(commits),
            "additions": 0,
            "deletions": 0,
            "changed_files": len(files),
        }

    def _end(self, repo: Repo, ref: str, sha: str, owner: str) -> dict[str, Any]:
        return {"label": f"{owner}:{ref}", "ref": ref, "sha": sha, "user": self.user(owner), "repo": self.repo(repo)}

    # -- git data --------------------------------------------------------------------------
    def signature(self, sig: Signature) -> dict[str, Any]:
        return {"name": sig.name, "email": sig.email, "date": iso(sig.date)}

    def git_commit(self, repo: Repo, sha: str) -> dict[str, Any]:
        c = repo.store.commit_or_raise(sha)
        base = f"{self.api}/repos/{repo.full_name}/git"
        return {
            "sha": sha,
            "node_id": node_id("Commit", sha),
            "url": f"{base}/commits/{sha}",
            "html_url": f"{WEB}/{repo.full_name}/commit/{sha}",
            "author": self.signature(c.author),
            "committer": self.signature(c.committer),
            "message": c.message,
            "tree": {"sha": c.tree, "url": f"{base}/trees/{c.tree}"},
            "parents": [
                {"sha": p, "url": f"{base}/commits/{p}", "html_url": f"{WEB}/{repo.full_name}/commit/{p}"}
                for p in c.parents
            ],
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        }

    def commit(self, repo: Repo, sha: str, with_files: bool = True) -> dict[str, Any]:
        """The REST ``/commits/{sha}`` shape (a git commit wrapped with GitHub data)."""
        c = repo.store.commit_or_raise(sha)
        api = f"{self.api}/repos/{repo.full_name}/commits/{sha}"
        git = self.git_commit(repo, sha)
        git.pop("sha")
        git.pop("node_id")
        git.pop("html_url")
        git.pop("parents")
        git["comment_count"] = 0
        out: dict[str, Any] = {
            "sha": sha,
            "node_id": node_id("Commit", sha),
            "commit": git,
            "url": api,
            "html_url": f"{WEB}/{repo.full_name}/commit/{sha}",
            "comments_url": f"{api}/comments",
            "author": self._sig_user(c.author),
            "committer": self._sig_user(c.committer),
            "parents": [
                {
                    "sha": p,
                    "url": f"{self.api}/repos/{repo.full_name}/commits/{p}",
                    "html_url": f"{WEB}/{repo.full_name}/commit/{p}",
                }
                for p in c.parents
            ],
        }
        if with_files:
            parent = repo.tree_of(c.parents[0]) if c.parents else {}
            out["files"] = self.files(repo, parent, repo.tree_of(sha), sha)
            out["stats"] = {"total": 0, "additions": 0, "deletions": 0}
        return out

    def _sig_user(self, sig: Signature) -> dict[str, Any] | None:
        login = sig.email.split("@")[0].partition("+")[2]
        return self.user(login) if login and self.state.find_user(login) else None

    def files(
        self, repo: Repo, old: dict[str, tuple[str, str]], new: dict[str, tuple[str, str]], ref: str
    ) -> list[dict[str, Any]]:
        out = []
        for path, status, old_sha, new_sha in diff_flat(old, new):
            before = _lines(repo, old_sha)
            after = _lines(repo, new_sha)
            add = sum(1 for line in after if line not in before)
            rem = sum(1 for line in before if line not in after)
            out.append(
                {
                    "sha": new_sha or old_sha,
                    "filename": path,
                    "status": status,
                    "additions": add,
                    "deletions": rem,
                    "changes": add + rem,
                    "blob_url": f"{WEB}/{repo.full_name}/blob/{ref}/{path}",
                    "raw_url": f"{WEB}/{repo.full_name}/raw/{ref}/{path}",
                    "contents_url": f"{self.api}/repos/{repo.full_name}/contents/{path}?ref={ref}",
                }
            )
        return out

    def ref(self, repo: Repo, name: str, sha: str) -> dict[str, Any]:
        return {
            "ref": name,
            "node_id": node_id("Ref", name),
            "url": f"{self.api}/repos/{repo.full_name}/git/{name}",
            "object": {"sha": sha, "type": "commit", "url": f"{self.api}/repos/{repo.full_name}/git/commits/{sha}"},
        }

    def tree(self, repo: Repo, sha: str, recursive: bool) -> dict[str, Any]:
        base = f"{self.api}/repos/{repo.full_name}/git"
        entries: list[dict[str, Any]] = []

        def walk(tree_sha: str, prefix: str) -> None:
            tree = repo.store.tree(tree_sha)
            assert tree is not None
            for e in tree.entries:
                item: dict[str, Any] = {"path": prefix + e.name, "mode": e.mode, "type": e.type, "sha": e.sha}
                if e.type == "blob":
                    blob = repo.store.blob(e.sha)
                    item["size"] = len(blob.data) if blob else 0
                    item["url"] = f"{base}/blobs/{e.sha}"
                elif e.type == "tree":
                    item["url"] = f"{base}/trees/{e.sha}"
                entries.append(item)
                if recursive and e.type == "tree":
                    walk(e.sha, prefix + e.name + "/")

        walk(sha, "")
        return {"sha": sha, "url": f"{base}/trees/{sha}", "tree": entries, "truncated": False}

    def content(self, repo: Repo, path: str, sha: str, ref: str, kind: str, with_data: bool = True) -> dict[str, Any]:
        api = f"{self.api}/repos/{repo.full_name}"
        git_url = f"{api}/git/{'trees' if kind == 'dir' else 'blobs'}/{sha}"
        html = f"{WEB}/{repo.full_name}/{'tree' if kind == 'dir' else 'blob'}/{ref}/{path}"
        out: dict[str, Any] = {
            "type": kind,
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": sha,
            "size": 0,
            "url": f"{api}/contents/{path}?ref={ref}",
            "html_url": html,
            "git_url": git_url,
            "download_url": None,
            "_links": {"self": f"{api}/contents/{path}?ref={ref}", "git": git_url, "html": html},
        }
        if kind == "submodule":  # its commit is another repository's: no git, web or download link here
            out.update(git_url=None, html_url=None, _links={"self": out["url"], "git": None, "html": None})
        if kind == "symlink":
            out["download_url"] = f"https://raw.githubusercontent.com/{repo.full_name}/{ref}/{path}"
        if kind == "file":
            blob = repo.store.blob(sha)
            data = blob.data if blob else b""
            out["size"] = len(data)
            out["download_url"] = f"https://raw.githubusercontent.com/{repo.full_name}/{ref}/{path}"
            if with_data and len(data) > INLINE_CONTENT_LIMIT:
                # Over 1 MB no content (documented for the `object` media type; the default JSON,
                # documented as unsupported there, answers the same on GitHub): `raw` has the bytes.
                out["content"] = ""
                out["encoding"] = "none"
            elif with_data:
                out["content"] = _b64_lines(data)
                out["encoding"] = "base64"
        return out


def _lines(repo: Repo, sha: str | None) -> list[bytes]:
    if sha is None:
        return []
    blob = repo.store.blob(sha)
    return blob.data.splitlines() if blob else []


def _b64_lines(data: bytes) -> str:
    """GitHub wraps base64 content at 60 characters per line."""
    text = base64.b64encode(data).decode()
    return "".join(text[i : i + 60] + "\n" for i in range(0, len(text), 60))
