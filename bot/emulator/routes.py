"""REST endpoint handlers: request in, (status, JSON body, headers) out, all under the lock."""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .auth import ACTIONS_BOT, mint_token
from .gitstore import (
    BLOB_MODE,
    FILE_MODES,
    SUBMODULE_MODE,
    SYMLINK_MODE,
    VALID_BLOB_MODES,
    Commit,
    FlatTree,
    Signature,
    TreeEntry,
)
from .media import API_FILE_LIMIT, MediaType, raw_headers, requested, supported, too_large
from .render import WEB, Renderer, iso, node_id
from .state import (
    ApiError,
    Caller,
    HookDelivery,
    Installation,
    Issue,
    PullInfo,
    Reaction,
    Repo,
    State,
    not_found,
    now,
    validation_failed,
)

WRITE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
CONTENTS_PARAMS = frozenset({"raw", "html", "object"})  # the media type parameters each documents
BLOB_PARAMS = frozenset({"raw"})


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes
    caller: Caller = field(default_factory=lambda: Caller(kind=None))
    rate: tuple[int, int] = (0, 0)  # (used, reset epoch) of the caller's core bucket

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        if not self.raw.strip():
            return {}
        try:
            return json.loads(self.raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "Problems parsing JSON") from exc

    def obj(self) -> dict[str, Any]:
        body = self.json()
        if not isinstance(body, dict):
            raise ApiError(400, "Problems parsing JSON")
        return body


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


RouteFn = Callable[["Api", Request, dict[str, str]], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    fn: RouteFn


ROUTES: list[Route] = []
_REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"


def route(method: str, pattern: str) -> Callable[[RouteFn], RouteFn]:
    def deco(fn: RouteFn) -> RouteFn:
        compiled = re.compile("^" + pattern.replace("{REPO}", _REPO) + "$")
        ROUTES.append(Route(method, compiled, fn))
        return fn

    return deco


def _str(body: dict[str, Any], key: str, resource: str, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise validation_failed(resource, key)
        return None
    if not isinstance(value, str):
        raise ApiError(422, f"Invalid request.\n\nFor '{key}', {json.dumps(value)} is not a string.")
    return value


def _bool(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise ApiError(422, f"Invalid request.\n\nFor '{key}', {json.dumps(value)} is not a boolean.")
    return value


def _is_sha(value: str) -> bool:
    return re.fullmatch(r"[0-9a-f]{40}", value) is not None


class Api:
    """Handlers share the state, a renderer and the public base URL."""

    def __init__(self, state: State, api_url: str, rate_limit: int = 5000) -> None:
        self.state = state
        self.api_url = api_url
        self.r = Renderer(state, api_url)
        self.rate_limit = rate_limit

    # -- plumbing --------------------------------------------------------------------------
    def dispatch(self, req: Request) -> Response:
        for rt in ROUTES:
            m = rt.pattern.match(req.path)
            if m is None or rt.method != req.method:
                continue
            params = {k: urllib.parse.unquote(v) for k, v in m.groupdict().items() if v is not None}
            return rt.fn(self, req, params)
        raise not_found()

    def paginate(self, req: Request, items: list[Any], wrap: Callable[[list[Any]], Any] | None = None) -> Response:
        try:
            per_page = int(req.q("per_page") or DEFAULT_PER_PAGE)
            page = int(req.q("page") or 1)
        except ValueError:
            per_page, page = DEFAULT_PER_PAGE, 1
        per_page = max(1, min(per_page, MAX_PER_PAGE))
        page = max(1, page)
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]

        def link(n: int) -> str:
            query = {k: v for k, v in req.query.items() if k != "page"}
            query["page"] = [str(n)]
            return f"{self.api_url}{req.path}?{urllib.parse.urlencode(query, doseq=True)}"

        rels = []
        if page > 1:
            rels += [f'<{link(page - 1)}>; rel="prev"', f'<{link(1)}>; rel="first"']
        if page < last:
            rels += [f'<{link(page + 1)}>; rel="next"', f'<{link(last)}>; rel="last"']
        headers = {"link": ", ".join(rels)} if rels else {}
        return Response(200, wrap(chunk) if wrap else chunk, headers)

    def require_app(self, req: Request) -> Caller:
        if req.caller.kind != "jwt":
            raise ApiError(
                401,
                "A JSON web token could not be decoded"
                if req.caller.kind
                else "You must authenticate with a JSON web token (JWT) to access this endpoint.",
            )
        return req.caller

    def repo(self, req: Request, p: dict[str, str], perm: str = "metadata", write: bool = False) -> Repo:
        """Look up the repository and check the caller may do this to it."""
        repo = self.state.repo(p["owner"], p["repo"])
        caller = req.caller
        if repo is None:
            raise not_found()
        if caller.kind is None:
            if repo.private:
                raise not_found()
            if write:
                raise ApiError(401, "Requires authentication")
        elif caller.kind == "jwt":
            raise ApiError(403, "Resource not accessible by integration")
        elif caller.kind == "installation":
            inst = caller.installation
            assert inst is not None
            if not inst.covers(repo.full_name, repo.owner):
                # Public code elsewhere (a submission's code link) is readable with any installation
                # token, as on GitHub; the installation's own account keeps unselected repositories hidden.
                if repo.private or write or repo.owner.lower() == inst.account.lower():
                    raise not_found()
                return repo
            granted = inst.permissions.get(perm, "read" if perm == "metadata" else None)
            if granted is None or (write and granted != "write"):
                raise ApiError(403, "Resource not accessible by integration")
        else:
            assert caller.login is not None
            level = self.state.permission(repo, caller.login)
            if level == "none" and repo.private:
                raise not_found()
            if write and perm != "issues" and level not in ("admin", "maintain", "write"):
                raise ApiError(403, "Resource not accessible by personal access token")
        return repo

    def actor(self, req: Request) -> str:
        return req.caller.login or "ghost"

    def issue(self, repo: Repo, number: str) -> Issue:
        issue = repo.issues.get(int(number)) if number.isdigit() else None
        if issue is None:
            raise not_found()
        return issue

    def pull(self, repo: Repo, number: str) -> Issue:
        issue = self.issue(repo, number)
        if issue.pull is None:
            raise not_found()
        return issue

    def installation_json(self, inst: Installation) -> dict[str, Any]:
        app = self.state.apps[inst.app_id]
        account = self.state.user(inst.account)
        return {
            "id": inst.id,
            "account": self.r.user(inst.account),
            "repository_selection": "all" if inst.repos is None else "selected",
            "access_tokens_url": f"{self.api_url}/app/installations/{inst.id}/access_tokens",
            "repositories_url": f"{self.api_url}/installation/repositories",
            "html_url": f"https://github.com/settings/installations/{inst.id}",
            "app_id": app.id,
            "app_slug": app.slug,
            "client_id": app.client_id,
            "target_id": account.id,
            "target_type": account.type if account.type != "Bot" else "User",
            "permissions": inst.permissions,
            "events": ["issue_comment", "issues", "pull_request", "push"],
            "created_at": iso(inst.created_at),
            "updated_at": iso(inst.created_at),
            "single_file_name": None,
            "has_multiple_single_files": False,
            "single_file_paths": [],
            "suspended_by": None,
            "suspended_at": None,
        }

    def app_json(self, app_id: int) -> dict[str, Any]:
        app = self.state.apps[app_id]
        return {
            "id": app.id,
            "slug": app.slug,
            "node_id": node_id("Integration", app.id),
            "client_id": app.client_id,
            "owner": self.r.user(app.owner),
            "name": app.name,
            "description": "",
            "external_url": "https://example.invalid",
            "html_url": f"https://github.com/apps/{app.slug}",
            "created_at": iso(app.created_at),
            "updated_at": iso(app.created_at),
            "permissions": {"contents": "write", "issues": "write", "metadata": "read", "pull_requests": "write"},
            "events": ["issue_comment", "issues", "pull_request", "push"],
            "installations_count": sum(1 for i in self.state.installations.values() if i.app_id == app.id),
        }

    def rate_json(self, used: int, reset: int) -> dict[str, Any]:
        core = {
            "limit": self.rate_limit,
            "used": used,
            "remaining": max(0, self.rate_limit - used),
            "reset": reset,
            "resource": "core",
        }
        other = {"limit": 5000, "used": 0, "remaining": 5000, "reset": reset}
        return {
            "resources": {"core": core, "search": {**other, "limit": 30, "remaining": 30}, "graphql": other},
            "rate": core,
        }

    # -- git helpers -----------------------------------------------------------------------
    def commit_sha(self, repo: Repo, ref: str) -> str:
        sha = repo.resolve(ref)
        if sha is None:
            raise ApiError(422, f"No commit found for SHA: {ref}")
        return sha

    def new_commit(
        self, repo: Repo, req: Request, parent: str | None, flat: FlatTree, message: str, body: dict[str, Any]
    ) -> str:
        sig = self.signature(req, body.get("author"))
        committer = self.signature(req, body.get("committer")) if body.get("committer") else sig
        parents = (parent,) if parent else ()
        return repo.store.put_commit(Commit(repo.store.build(flat), parents, sig, committer, message))

    def signature(self, req: Request, given: Any) -> Signature:
        if isinstance(given, dict) and given.get("name") and given.get("email"):
            date = now()
            if isinstance(given.get("date"), str):
                date = datetime.fromisoformat(given["date"].replace("Z", "+00:00")).astimezone(UTC)
            return Signature(str(given["name"]), str(given["email"]), date)
        return self.state.signature(self.actor(req))

    def set_branch(self, repo: Repo, req: Request, branch: str, sha: str) -> None:
        old = repo.refs.get(f"refs/heads/{branch}")
        repo.refs[f"refs/heads/{branch}"] = sha
        self.state.emit_push(repo, f"refs/heads/{branch}", old, sha, self.actor(req))


# ==== app authentication ===================================================================
@route("GET", "/app")
def get_app(api: Api, req: Request, p: dict[str, str]) -> Response:
    caller = api.require_app(req)
    assert caller.app is not None
    return Response(200, api.app_json(caller.app.id))


def _delivery_item(d: HookDelivery) -> dict[str, Any]:
    """A `hook-delivery-item`, as `GET /app/hook/deliveries` lists deliveries."""
    payload = d.payload
    installation = payload.get("installation")
    repository = payload.get("repository")
    return {
        "id": d.id,
        "guid": d.guid,
        "delivered_at": iso(d.delivered_at),
        "redelivery": d.redelivery,
        "duration": d.duration,
        "status": d.status,
        "status_code": d.status_code,
        "event": d.event,
        "action": payload.get("action"),
        "installation_id": installation.get("id") if isinstance(installation, dict) else None,
        "repository_id": repository.get("id") if isinstance(repository, dict) else None,
        "throttled_at": None,
    }


def _hook_delivery(api: Api, delivery_id: str) -> HookDelivery:
    found = next((d for d in api.state.hook_deliveries if str(d.id) == delivery_id), None)
    if found is None:
        raise not_found()
    return found


@route("GET", "/app/hook/deliveries")
def list_hook_deliveries(api: Api, req: Request, p: dict[str, str]) -> Response:
    """Newest first, paginated by `cursor` (the Link header's next page), `per_page` up to 100."""
    api.require_app(req)
    try:
        per_page = max(1, min(int(req.q("per_page") or DEFAULT_PER_PAGE), MAX_PER_PAGE))
    except ValueError:
        per_page = DEFAULT_PER_PAGE
    items = sorted(api.state.hook_deliveries, key=lambda d: d.id, reverse=True)
    cursor = req.q("cursor")
    if cursor:
        items = [d for d in items if d.id <= int(cursor)] if cursor.isdigit() else []
    page, rest = items[:per_page], items[per_page:]
    headers = {}
    if rest:
        query = urllib.parse.urlencode({"per_page": per_page, "cursor": rest[0].id})
        headers["link"] = f'<{api.api_url}/app/hook/deliveries?{query}>; rel="next"'
    return Response(200, [_delivery_item(d) for d in page], headers)


@route("GET", r"/app/hook/deliveries/(?P<id>\d+)")
def get_hook_delivery(api: Api, req: Request, p: dict[str, str]) -> Response:
    api.require_app(req)
    d = _hook_delivery(api, p["id"])
    return Response(200, {
        **_delivery_item(d),
        "url": d.url,
        "request": {"headers": {"X-GitHub-Delivery": d.guid, "X-GitHub-Event": d.event}, "payload": d.payload},
        "response": {"headers": {}, "payload": None},
    })


@route("POST", r"/app/hook/deliveries/(?P<id>\d+)/attempts")
def redeliver_hook_delivery(api: Api, req: Request, p: dict[str, str]) -> Response:
    """Queue the delivery again: the same GUID and body, marked `redelivery` in the log; 202 `{}`."""
    api.require_app(req)
    api.state.redeliveries.append(_hook_delivery(api, p["id"]))
    return Response(202, {})


@route("GET", "/app/installations")
def list_installations(api: Api, req: Request, p: dict[str, str]) -> Response:
    caller = api.require_app(req)
    assert caller.app is not None
    app_id = caller.app.id
    items = [api.installation_json(i) for i in api.state.installations.values() if i.app_id == app_id]
    return api.paginate(req, items)


def _app_installation(api: Api, req: Request, inst: Installation | None) -> Response:
    caller = api.require_app(req)
    assert caller.app is not None
    if inst is None or inst.app_id != caller.app.id:
        raise not_found()
    return Response(200, api.installation_json(inst))


@route("GET", r"/app/installations/(?P<id>\d+)")
def get_installation(api: Api, req: Request, p: dict[str, str]) -> Response:
    return _app_installation(api, req, api.state.installations.get(int(p["id"])))


@route("GET", "{REPO}/installation")
def repo_installation(api: Api, req: Request, p: dict[str, str]) -> Response:
    caller = api.require_app(req)
    repo = api.state.repo(p["owner"], p["repo"])
    inst = None
    if repo is not None:
        inst = next(
            (
                i
                for i in api.state.installations.values()
                if caller.app and i.app_id == caller.app.id and i.covers(repo.full_name, repo.owner)
            ),
            None,
        )
    return _app_installation(api, req, inst)


@route("GET", r"/(?:users|orgs)/(?P<account>[^/]+)/installation")
def account_installation(api: Api, req: Request, p: dict[str, str]) -> Response:
    caller = api.require_app(req)
    inst = next(
        (
            i
            for i in api.state.installations.values()
            if caller.app and i.app_id == caller.app.id and i.account.lower() == p["account"].lower()
        ),
        None,
    )
    return _app_installation(api, req, inst)


@route("POST", r"/app/installations/(?P<id>\d+)/access_tokens")
def create_access_token(api: Api, req: Request, p: dict[str, str]) -> Response:
    caller = api.require_app(req)
    assert caller.app is not None
    inst = api.state.installations.get(int(p["id"]))
    if inst is None or inst.app_id != caller.app.id:
        raise not_found()
    body = req.obj()
    requested = body.get("permissions") or {}
    if not isinstance(requested, dict):
        raise ApiError(422, "Invalid request.\n\nFor 'permissions', is not an object.")
    for name, level in requested.items():
        granted = inst.permissions.get(name)
        if granted is None or (level == "write" and granted != "write"):
            raise ApiError(422, "The permissions requested are not granted to this installation.")
    token = mint_token(api.state, inst)
    return Response(
        201,
        {
            "token": token.token,
            "expires_at": iso(token.expires_at),
            "permissions": requested or inst.permissions,
            "repository_selection": "all" if inst.repos is None else "selected",
        },
    )


@route("GET", "/installation/repositories")
def installation_repositories(api: Api, req: Request, p: dict[str, str]) -> Response:
    inst = req.caller.installation
    if req.caller.kind != "installation" or inst is None:
        raise ApiError(
            403,
            "You must authenticate with an installation access token in order "
            "to list repositories for an installation.",
        )
    repos = [api.r.repo(r) for r in api.state.repos.values() if inst.covers(r.full_name, r.owner)]
    selection = "all" if inst.repos is None else "selected"
    return api.paginate(
        req,
        repos,
        lambda chunk: {
            "total_count": len(repos),
            "repository_selection": selection,
            "repositories": chunk,
        },
    )


@route("POST", r"/app-manifests/(?P<code>[^/]+)/conversions")
def manifest_conversion(api: Api, req: Request, p: dict[str, str]) -> Response:
    app = api.state.manifest_codes.pop(p["code"], None)
    if app is None:
        raise not_found()
    out = api.app_json(app.id)
    out.update(
        {
            "pem": app.private_key_pem,
            "webhook_secret": app.webhook_secret,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        }
    )
    return Response(201, out)


@route("GET", "/rate_limit")
def rate_limit(api: Api, req: Request, p: dict[str, str]) -> Response:
    return Response(200, api.rate_json(*req.rate))


# ==== repositories ==========================================================================
@route("GET", "{REPO}")
def get_repo(api: Api, req: Request, p: dict[str, str]) -> Response:
    moved = api.state.renamed.get(f"{p['owner']}/{p['repo']}".lower())
    if moved is not None and api.state.repo(p["owner"], p["repo"]) is None:
        # A renamed or transferred repository: GitHub answers 301 to the repository's id.
        location = f"{api.api_url}/repositories/{moved}"
        return Response(301, {
            "message": "Moved Permanently", "url": location,
            "documentation_url": "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects",
        }, {"Location": location})
    return _repo_response(api, req, p)


@route("GET", r"/repositories/(?P<id>\d+)")
def get_repo_by_id(api: Api, req: Request, p: dict[str, str]) -> Response:
    found = api.state.repo_by_id(int(p["id"]))
    if found is None:
        raise not_found()
    return _repo_response(api, req, {"owner": found.owner, "repo": found.name})


def _repo_response(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p)
    return Response(
        200, api.r.repo(repo, viewer=req.caller.login if req.caller.kind == "user" else None) | _bot_permissions(req)
    )


def _bot_permissions(req: Request) -> dict[str, Any]:
    if req.caller.kind != "installation" or req.caller.installation is None:
        return {}
    perms = req.caller.installation.permissions
    push = perms.get("contents") == "write"
    return {"permissions": {"admin": False, "maintain": False, "push": push, "triage": push, "pull": True}}


@route("GET", r"{REPO}/collaborators/(?P<user>[^/]+)/permission")
def collaborator_permission(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p)
    user = api.state.find_user(p["user"])
    if user is None:
        raise not_found()
    role = api.state.permission(repo, user.login)
    permission = {"maintain": "write", "triage": "read"}.get(role, role)
    body = {
        "permission": permission,
        "role_name": role,
        "user": (api.r.user(user.login) or {})
        | {
            "permissions": {
                "admin": role == "admin",
                "maintain": role in ("admin", "maintain"),
                "push": permission in ("admin", "write"),
                "triage": role in ("admin", "maintain", "write", "triage"),
                "pull": role != "none",
            },
            "role_name": role,
        },
    }
    return Response(200, body)


@route("GET", r"{REPO}/branches")
def list_branches(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents")
    items = [
        {
            "name": name.removeprefix("refs/heads/"),
            "commit": {"sha": sha, "url": f"{api.api_url}/repos/{repo.full_name}/commits/{sha}"},
            "protected": False,
        }
        for name, sha in sorted(repo.refs.items())
        if name.startswith("refs/heads/")
    ]
    return api.paginate(req, items)


@route("GET", r"{REPO}/branches/(?P<branch>.+)")
def get_branch(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents")
    sha = repo.branch_sha(p["branch"])
    if sha is None:
        raise ApiError(404, "Branch not found")
    base = f"{api.api_url}/repos/{repo.full_name}/branches/{p['branch']}"
    return Response(
        200,
        {
            "name": p["branch"],
            "commit": api.r.commit(repo, sha, with_files=False),
            "_links": {"self": base, "html": f"https://github.com/{repo.full_name}/tree/{p['branch']}"},
            "protected": False,
            "protection": {
                "enabled": False,
                "required_status_checks": {"enforcement_level": "off", "contexts": [], "checks": []},
            },
            "protection_url": f"{base}/protection",
        },
    )


@route("GET", r"{REPO}/commits")
def list_commits(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents")
    head = repo.resolve(req.q("sha") or repo.default_branch)
    if head is None:
        raise ApiError(404, "Not Found") if req.q("sha") else ApiError(409, "Git Repository is empty.")
    shas = list(reversed(repo.store.log(head)))
    path = req.q("path")
    if path:

        def touches(sha: str) -> bool:
            c = repo.store.commit_or_raise(sha)
            mine = repo.store.lookup(c.tree, path)
            parents = [repo.store.lookup(repo.store.commit_or_raise(x).tree, path) for x in c.parents] or [None]
            return any(mine != other for other in parents)

        shas = [s for s in shas if touches(s)]
    return api.paginate(req, [api.r.commit(repo, s, with_files=False) for s in shas])


@route("GET", r"{REPO}/commits/(?P<ref>.+)")
def get_commit(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents")
    return Response(200, api.r.commit(repo, api.commit_sha(repo, p["ref"])))


@route("GET", r"{REPO}/compare/(?P<spec>.+)")
def compare(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents")
    base_ref, sep, head_ref = p["spec"].partition("...")
    if not sep:
        raise not_found()
    base_ref = base_ref.split(":", 1)[-1]
    head_ref = head_ref.split(":", 1)[-1]
    base, head = repo.resolve(base_ref), repo.resolve(head_ref)
    if base is None or head is None:
        raise not_found()
    store = repo.store
    mb = store.merge_base(base, head)
    ahead = store.log(head, store.ancestors(base))
    behind = store.log(base, store.ancestors(head))
    if base == head:
        status = "identical"
    elif not behind:
        status = "ahead"
    elif not ahead:
        status = "behind"
    else:
        status = "diverged"
    files = api.r.files(repo, repo.tree_of(mb) if mb else {}, repo.tree_of(head), head)
    return Response(
        200,
        {
            "url": f"{api.api_url}/repos/{repo.full_name}/compare/{p['spec']}",
            "html_url": f"https://github.com/{repo.full_name}/compare/{p['spec']}",
            "base_commit": api.r.commit(repo, base, with_files=False),
            "merge_base_commit": api.r.commit(repo, mb, with_files=False) if mb else None,
            "status": status,
            "ahead_by": len(ahead),
            "behind_by": len(behind),
            "total_commits": len(ahead),
            "commits": [api.r.commit(repo, s, with_files=False) for s in ahead],
            "files": files,
        },
    )


# ==== git data ==============================================================================
@route("GET", r"{REPO}/git/blobs/(?P<sha>[^/]+)")
def get_blob(api: Api, req: Request, p: dict[str, str]) -> Response:
    return _varying(_blob(api, req, p))


def _varying(answer: Response) -> Response:
    """An answer whose representation depends on `Accept`, saying so to caches (RFC 9110 12.5.5)."""
    answer.headers.setdefault("Vary", "Accept")
    return answer


def _blob(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents")
    media = supported(requested(req.headers.get("accept")), BLOB_PARAMS)
    blob = repo.store.blob(p["sha"])
    if blob is None:
        raise not_found()
    if len(blob.data) > API_FILE_LIMIT:
        raise too_large(API_FILE_LIMIT)
    if media.param == "raw":
        return Response(200, blob.data, raw_headers(media))
    return Response(
        200,
        {
            "sha": p["sha"],
            "node_id": node_id("Blob", p["sha"]),
            "size": len(blob.data),
            "url": f"{api.api_url}/repos/{repo.full_name}/git/blobs/{p['sha']}",
            "content": base64.encodebytes(blob.data).decode(),
            "encoding": "base64",
        },
    )


@route("POST", r"{REPO}/git/blobs")
def create_blob(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents", write=True)
    body = req.obj()
    content = _str(body, "content", "Blob")
    assert content is not None
    encoding = body.get("encoding", "utf-8")
    if encoding == "base64":
        try:
            data = base64.b64decode(content, validate=False)
        except (binascii.Error, ValueError) as exc:
            raise validation_failed("Blob", "content", "invalid") from exc
    elif encoding in ("utf-8", "utf8"):
        data = content.encode()
    else:
        raise validation_failed("Blob", "encoding", "invalid")
    sha = repo.store.put_blob(data)
    return Response(201, {"sha": sha, "url": f"{api.api_url}/repos/{repo.full_name}/git/blobs/{sha}"})


@route("GET", r"{REPO}/git/trees/(?P<sha>[^/]+)")
def get_tree(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents")
    sha = p["sha"]
    if repo.store.tree(sha) is None:
        commit_sha = repo.resolve(sha)
        if commit_sha is None:
            raise not_found()
        sha = repo.store.commit_or_raise(commit_sha).tree
    recursive = req.q("recursive") not in (None, "", "0", "false")
    return Response(200, api.r.tree(repo, sha, recursive))


@route("POST", r"{REPO}/git/trees")
def create_tree(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents", write=True)
    body = req.obj()
    entries = body.get("tree")
    if not isinstance(entries, list):
        raise validation_failed("Tree", "tree")
    flat: FlatTree = {}
    base_tree = body.get("base_tree")
    if base_tree is not None:
        if not isinstance(base_tree, str) or repo.store.tree(base_tree) is None:
            raise ApiError(422, "Invalid request.\n\nbase_tree is not a valid tree")
        flat = repo.store.flatten(base_tree)
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise ApiError(422, "Invalid request.\n\nMissing 'path' in tree entry.")
        path = entry["path"].strip("/")
        mode, kind = entry.get("mode"), entry.get("type", "blob")
        if mode not in (*VALID_BLOB_MODES, "040000", "40000"):
            raise ApiError(422, f"Invalid request.\n\n{json.dumps(mode)} is not a valid mode.")
        if "content" in entry and "sha" in entry:
            raise ApiError(422, "Invalid request.\n\nOnly one of 'content' or 'sha' may be given.")
        if "content" in entry:
            if not isinstance(entry["content"], str):
                raise ApiError(422, "Invalid request.\n\n'content' must be a string.")
            flat[path] = (str(mode), repo.store.put_blob(entry["content"].encode()))
            continue
        if "sha" not in entry:
            raise ApiError(422, "Must supply tree.sha or tree.content")
        sha = entry.get("sha")
        prefix = path + "/"
        if sha is None:
            flat.pop(path, None)
            for key in [k for k in flat if k.startswith(prefix)]:
                del flat[key]
            continue
        if not isinstance(sha, str):
            raise ApiError(422, "Invalid request.\n\n'sha' must be a string.")
        if kind == "tree":
            if repo.store.tree(sha) is None:
                raise ApiError(422, "GitRPC::BadObjectState")
            for key in [k for k in flat if k.startswith(prefix)]:
                del flat[key]
            flat.update({prefix + k: v for k, v in repo.store.flatten(sha).items()})
        elif mode == SUBMODULE_MODE and kind == "commit":
            # A submodule names a commit of another repository: GitHub cannot check it exists.
            if not re.fullmatch(r"[0-9a-f]{40}", sha):
                raise ApiError(422, f"Invalid request.\n\nsha {sha} is not a valid commit")
            flat[path] = (str(mode), sha)
        else:
            if repo.store.blob(sha) is None:
                raise ApiError(422, f"Invalid request.\n\nsha {sha} is not a valid blob")
            flat[path] = (str(mode), sha)
    tree_sha = repo.store.build(flat)
    return Response(201, api.r.tree(repo, tree_sha, recursive=False))


@route("GET", r"{REPO}/git/commits/(?P<sha>[^/]+)")
def get_git_commit(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents")
    if repo.store.commit(p["sha"]) is None:
        raise not_found()
    return Response(200, api.r.git_commit(repo, p["sha"]))


@route("POST", r"{REPO}/git/commits")
def create_git_commit(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents", write=True)
    body = req.obj()
    message = _str(body, "message", "Commit")
    tree = _str(body, "tree", "Commit")
    assert message is not None
    assert tree is not None
    if repo.store.tree(tree) is None:
        raise ApiError(422, "Tree SHA does not exist")
    parents = body.get("parents", [])
    if not isinstance(parents, list) or not all(isinstance(x, str) for x in parents):
        raise validation_failed("Commit", "parents", "invalid")
    for parent in parents:
        if repo.store.commit(parent) is None:
            raise ApiError(422, "Parent SHA does not exist or is not a commit object")
    author = api.signature(req, body.get("author"))
    committer = api.signature(req, body.get("committer")) if body.get("committer") else author
    sha = repo.store.put_commit(Commit(tree, tuple(parents), author, committer, message))
    return Response(201, api.r.git_commit(repo, sha))


def _full_ref(ref: str) -> str:
    return ref if ref.startswith("refs/") else f"refs/{ref}"


@route("GET", r"{REPO}/git/ref/(?P<ref>.+)")
def get_ref(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents")
    name = _full_ref(p["ref"])
    if name not in repo.refs:
        raise not_found()
    return Response(200, api.r.ref(repo, name, repo.refs[name]))


@route("GET", r"{REPO}/git/refs")
def list_refs(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents")
    return api.paginate(req, [api.r.ref(repo, n, s) for n, s in sorted(repo.refs.items())])


@route("GET", r"{REPO}/git/refs/(?P<ref>.+)")
def get_refs(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents")
    name = _full_ref(p["ref"])
    if name in repo.refs:
        return Response(200, api.r.ref(repo, name, repo.refs[name]))
    hits = [api.r.ref(repo, n, s) for n, s in sorted(repo.refs.items()) if n.startswith(name)]
    if not hits:
        raise not_found()
    return Response(200, hits)


@route("GET", r"{REPO}/git/matching-refs/(?P<ref>.*)")
def matching_refs(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents")
    name = _full_ref(p.get("ref", ""))
    return api.paginate(req, [api.r.ref(repo, n, s) for n, s in sorted(repo.refs.items()) if n.startswith(name)])


@route("POST", r"{REPO}/git/refs")
def create_ref(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents", write=True)
    body = req.obj()
    ref = _str(body, "ref", "Reference")
    sha = _str(body, "sha", "Reference")
    assert ref is not None
    assert sha is not None
    if not re.fullmatch(r"refs/[^/\s]+/\S+", ref) or ref.endswith("/") or ".." in ref:
        raise ApiError(422, "Reference name invalid" if ref.startswith("refs/") else "Reference update failed")
    if ref in repo.refs:
        raise ApiError(422, "Reference already exists")
    if not _is_sha(sha) or repo.store.commit(sha) is None:
        raise ApiError(422, "Object does not exist")
    repo.refs[ref] = sha
    api.state.emit_push(repo, ref, None, sha, api.actor(req))
    return Response(201, api.r.ref(repo, ref, sha))


@route("PATCH", r"{REPO}/git/refs/(?P<ref>.+)")
def update_ref(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents", write=True)
    name = _full_ref(p["ref"])
    body = req.obj()
    sha = _str(body, "sha", "Reference")
    assert sha is not None
    force = _bool(body, "force", False)
    if name not in repo.refs:
        raise ApiError(422, "Reference does not exist")
    if not _is_sha(sha) or repo.store.commit(sha) is None:
        raise ApiError(422, "Object does not exist")
    old = repo.refs[name]
    if not force and not repo.store.is_ancestor(old, sha):
        raise ApiError(422, "Update is not a fast forward")
    repo.refs[name] = sha
    api.state.emit_push(repo, name, old, sha, api.actor(req))
    return Response(200, api.r.ref(repo, name, sha))


@route("DELETE", r"{REPO}/git/refs/(?P<ref>.+)")
def delete_ref(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents", write=True)
    name = _full_ref(p["ref"])
    if name not in repo.refs:
        raise ApiError(422, "Reference does not exist")
    old = repo.refs[name]
    api.state.delete_ref(repo, name, api.actor(req))
    api.state.emit_push(repo, name, old, None, api.actor(req))
    return Response(204)


# ==== contents ==============================================================================
@route("GET", r"{REPO}/contents(?:/(?P<path>.*))?")
def get_contents(api: Api, req: Request, p: dict[str, str]) -> Response:
    return _varying(_contents(api, req, p))


def _contents(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents")
    media = supported(requested(req.headers.get("accept")), CONTENTS_PARAMS)
    if media.param == "html":
        # The emulator's own refusal, not GitHub's: GitHub documents `html` (rendered Markup) and
        # answers it; rendering is beyond the emulator, and a test asking for it should fail
        # loudly rather than get JSON it did not ask for.
        raise ApiError(406, "The emulator does not render the 'html' media type parameter.")
    ref = req.q("ref") or repo.default_branch
    sha = repo.resolve(ref)
    if sha is None:
        raise ApiError(404, f"No commit found for the ref {ref}")
    path = p.get("path", "").strip("/")
    root = repo.store.commit_or_raise(sha).tree
    entry = repo.store.lookup(root, path)
    if entry is None:
        raise not_found()
    if entry.type == "tree":
        tree = repo.store.tree(entry.sha)
        assert tree is not None
        items = [_listed(api, repo, root, f"{path}/{e.name}".lstrip("/"), e, ref) for e in tree.entries]
        if media.param == "object":  # documented: one object, its `entries` the listing
            listing = api.r.content(repo, path, entry.sha, ref, "dir", with_data=False)
            return Response(200, {**listing, "entries": items}, {"X-GitHub-Media-Type": media.header})
        # `raw` is documented for files and symlinks only: a directory is listed as by default.
        return Response(200, items)
    if entry.mode == SUBMODULE_MODE:  # documented: the commit it names, and where its repository is
        submodule = _submodule(api, repo, root, path, entry.sha, ref)
        return Response(200, submodule, {"X-GitHub-Media-Type": media.header} if media.param == "object" else {})
    if entry.mode == SYMLINK_MODE:
        # Documented: a symlink to a normal file answers as that file (its path, its SHA); any
        # other symlink as itself, `type: symlink` with its `target`.
        target = _symlink_target(repo, root, path, entry)
        if target is None:
            return _symlink(api, repo, path, entry, ref, media)
        path, entry = target
    blob = repo.store.blob(entry.sha)
    size = len(blob.data) if blob else 0
    if size > API_FILE_LIMIT:  # documented: over 100 MB this endpoint is not supported
        raise too_large(API_FILE_LIMIT)
    if media.param == "raw":
        return Response(200, blob.data if blob else b"", raw_headers(media))
    return Response(200, api.r.content(repo, path, entry.sha, ref, "file"), {"X-GitHub-Media-Type": media.header})


def _listed(api: Api, repo: Repo, root: str, path: str, entry: TreeEntry, ref: str) -> dict[str, Any]:
    """One entry of a directory listing, as itself (a symlink is not followed there). Its `type`
    is one of `dir`, `file`, `symlink`, `submodule` (the `content-directory` schema of GitHub's
    OpenAPI description), except that, documented for backwards compatibility, "when listing
    the contents of a directory, submodules have their "type" specified as "file""
    (docs.github.com/en/rest/repos/contents#get-repository-content). Neither a symlink's `target`
    nor a submodule's `submodule_git_url` is in that schema: they are left to the entry's own answer."""
    if entry.type == "tree":
        return api.r.content(repo, path, entry.sha, ref, "dir", with_data=False)
    if entry.mode == SUBMODULE_MODE:
        submodule = _submodule(api, repo, root, path, entry.sha, ref)
        del submodule["submodule_git_url"]
        return {**submodule, "type": "file"}
    if entry.mode == SYMLINK_MODE:
        link = api.r.content(repo, path, entry.sha, ref, "symlink", with_data=False)
        blob = repo.store.blob(entry.sha)
        link["size"] = len(blob.data) if blob else 0  # the target path's length, as the symlink's own answer
        return link
    return api.r.content(repo, path, entry.sha, ref, "file", with_data=False)


def _submodule(api: Api, repo: Repo, root: str, path: str, sha: str, ref: str) -> dict[str, Any]:
    """A submodule's answer: the commit it names and its `submodule_git_url` from `.gitmodules`.
    Documented: "If the submodule repository is not hosted on github.com, the Git URLs (`git_url`
    and `_links["git"]`) and the github.com URLs (`html_url` and `_links["html"]`) will have null
    values"; hosted there, they name that repository's tree at the commit (the documented example:
    jquery/jquery's test/qunit, `git_url` https://api.github.com/repos/jquery/qunit/git/trees/{sha})."""
    answer = api.r.content(repo, path, sha, ref, "submodule", with_data=False)
    url = _submodule_url(repo, root, path)
    answer["submodule_git_url"] = url
    hosted = _GITHUB_REPO_URL.fullmatch(url or "")
    if hosted is not None:
        name = f"{hosted.group('owner')}/{hosted.group('name')}"
        git, html = f"https://api.github.com/repos/{name}/git/trees/{sha}", f"{WEB}/{name}/tree/{sha}"
        answer.update(git_url=git, html_url=html, _links={**answer["_links"], "git": git, "html": html})
    return answer


# A repository on github.com as `.gitmodules` names it: https://, git:// or scp-like ssh, `.git` or not.
_GITHUB_REPO_URL = re.compile(
    r"(?:(?:https?|git|ssh)://(?:git@)?github\.com/|git@github\.com:)(?P<owner>[^/\s]+)/(?P<name>[^/\s]+?)(?:\.git)?/?"
)


def _symlink_target(repo: Repo, root: str, path: str, link: TreeEntry) -> tuple[str, TreeEntry] | None:
    """The path and entry of the normal file the symlink at `path` names (relative to its own
    folder, as git stores it), or None when it names anything else: nothing, a folder, another
    symlink, a submodule, or a place outside the repository."""
    blob = repo.store.blob(link.sha)
    target = blob.data.decode("utf-8", "replace") if blob else ""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if not target or target.startswith("/") or joined == ".." or joined.startswith("../"):
        return None
    found = repo.store.lookup(root, joined)
    if found is None or found.type != "blob" or found.mode not in FILE_MODES:
        return None
    return joined, found


def _symlink(api: Api, repo: Repo, path: str, link: TreeEntry, ref: str, media: MediaType) -> Response:
    """A symlink to anything but a normal file, as itself: documented as `type: symlink` with
    its `target`; in the raw media type (documented for files and symlinks) the target's path."""
    blob = repo.store.blob(link.sha)
    data = blob.data if blob else b""
    if media.param == "raw":
        return Response(200, data, raw_headers(media))
    answer = api.r.content(repo, path, link.sha, ref, "symlink", with_data=False)
    answer.update(target=data.decode("utf-8", "replace"), size=len(data))
    return Response(200, answer, {"X-GitHub-Media-Type": media.header} if media.param == "object" else {})


def _submodule_url(repo: Repo, root: str, path: str) -> str | None:
    """The `url` `.gitmodules` gives the submodule at `path` (None when it names none: the
    emulator's choice, GitHub's answer for a submodule missing from `.gitmodules` is not documented)."""
    entry = repo.store.lookup(root, ".gitmodules")
    blob = repo.store.blob(entry.sha) if entry is not None and entry.type == "blob" else None
    if blob is None:
        return None
    section: dict[str, str] = {}
    for line in [*blob.data.decode("utf-8", "replace").splitlines(), "["]:
        line = line.strip()
        if line.startswith("["):
            if section.get("path") == path:
                return section.get("url")
            section = {}
        elif "=" in line:
            key, _, value = line.partition("=")
            section[key.strip()] = value.strip()
    return None


def _contents_write(api: Api, req: Request, p: dict[str, str], delete: bool) -> Response:
    repo = api.repo(req, p, "contents", write=True)
    body = req.obj()
    path = p.get("path", "").strip("/")
    message = _str(body, "message", "Commit")
    assert message is not None
    content = None if delete else _str(body, "content", "Commit")
    given_sha = body.get("sha")
    branch = body.get("branch") or repo.default_branch
    if not isinstance(branch, str):
        raise validation_failed("Commit", "branch", "invalid")
    parent = repo.branch_sha(branch)
    if parent is None and (delete or branch != repo.default_branch or repo.refs):
        raise ApiError(404, f"Branch {branch} not found")
    flat = repo.tree_of(parent) if parent else {}
    existing = flat.get(path)
    if delete or existing is not None:
        if existing is None:
            raise not_found()
        if given_sha is None:
            raise ApiError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
        if given_sha != existing[1]:
            raise ApiError(409, f"{path} does not match {given_sha}")
    if delete:
        del flat[path]
    else:
        assert content is not None
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ApiError(422, "content is not valid Base64") from exc
        flat[path] = (existing[0] if existing else BLOB_MODE, repo.store.put_blob(data))
    sha = api.new_commit(repo, req, parent, flat, message, body)
    api.set_branch(repo, req, branch, sha)
    content_json = None if delete else api.r.content(repo, path, flat[path][1], branch, "file", with_data=False)
    status = 200 if delete or existing is not None else 201
    return Response(status, {"content": content_json, "commit": api.r.git_commit(repo, sha)})


@route("PUT", r"{REPO}/contents/(?P<path>.+)")
def put_contents(api: Api, req: Request, p: dict[str, str]) -> Response:
    return _contents_write(api, req, p, delete=False)


@route("DELETE", r"{REPO}/contents/(?P<path>.+)")
def delete_contents(api: Api, req: Request, p: dict[str, str]) -> Response:
    return _contents_write(api, req, p, delete=True)


# ==== pulls =================================================================================
def _sorted_issues(req: Request, issues: list[Issue]) -> list[Issue]:
    sort = req.q("sort", "created")
    key: Callable[[Issue], Any] = (
        (lambda i: (i.updated_at, i.number))
        if sort == "updated"
        else (lambda i: (len(i.comment_ids), i.number))
        if sort == "comments"
        else (lambda i: (i.created_at, i.number))
    )
    return sorted(issues, key=key, reverse=req.q("direction", "desc") != "asc")


@route("GET", r"{REPO}/pulls")
def list_pulls(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "pull_requests")
    state = req.q("state", "open")
    head, base = req.q("head"), req.q("base")
    items = []
    for issue in repo.issues.values():
        pr = issue.pull
        if pr is None or (state != "all" and issue.state != state):
            continue
        if head is not None and ":" in head:
            # GitHub ignores a `head` without `owner:` entirely and returns every PR.
            owner, _, branch = head.partition(":")
            if owner.lower() != pr.head_owner.lower() or branch != pr.head_ref:
                continue
        if base is not None and pr.base_ref != base:
            continue
        items.append(issue)
    return api.paginate(req, [_simple_pull(api.r.pull(repo, i)) for i in _sorted_issues(req, items)])


# Fields of a full pull request that GitHub's list endpoint leaves out (`pull-request-simple`):
# reading them from a listed PR makes a client fetch the PR, as it would on GitHub.
_NOT_IN_SIMPLE_PULL = (
    "additions", "changed_files", "comments", "commits", "deletions", "maintainer_can_modify", "mergeable",
    "mergeable_state", "merged", "merged_by", "rebaseable", "review_comments",
)


def _simple_pull(full: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in full.items() if key not in _NOT_IN_SIMPLE_PULL}


@route("POST", r"{REPO}/pulls")
def create_pull(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "pull_requests", write=True)
    if req.caller.login == ACTIONS_BOT and not repo.actions_create_pulls:
        raise ApiError(403, "GitHub Actions is not permitted to create or approve pull requests.")
    body = req.obj()
    title = _str(body, "title", "PullRequest", required="issue" not in body)
    head = _str(body, "head", "PullRequest")
    base = _str(body, "base", "PullRequest")
    text = _str(body, "body", "PullRequest", required=False)
    assert head is not None
    assert base is not None
    owner, _, branch = head.rpartition(":")
    owner = owner or repo.owner
    if owner.lower() != repo.owner.lower():
        raise validation_failed("PullRequest", "head", "invalid")
    head_sha = repo.branch_sha(branch)
    base_sha = repo.branch_sha(base)
    if head_sha is None:
        raise validation_failed("PullRequest", "head", "invalid")
    if base_sha is None:
        raise validation_failed("PullRequest", "base", "invalid")
    for other in repo.issues.values():
        pr = other.pull
        if pr and other.state == "open" and pr.head_ref == branch and pr.base_ref == base:
            raise ApiError(
                422,
                "Validation Failed",
                [
                    {
                        "resource": "PullRequest",
                        "code": "custom",
                        "message": f"A pull request already exists for {owner}:{branch}.",
                    }
                ],
            )
    if repo.store.is_ancestor(head_sha, base_sha):
        raise ApiError(
            422,
            "Validation Failed",
            [
                {
                    "resource": "PullRequest",
                    "code": "custom",
                    "message": f"No commits between {base} and {branch}",
                }
            ],
        )
    issue = api.state.create_issue(repo, api.actor(req), title or branch, text, [])
    issue.pull = PullInfo(
        head_ref=branch,
        head_sha=head_sha,
        base_ref=base,
        base_sha=base_sha,
        head_owner=owner,
        draft=_bool(body, "draft", False),
        maintainer_can_modify=_bool(body, "maintainer_can_modify", False),
        id=api.state.next_id(),
    )
    api.state.emit("pull_request", "opened", repo, api.actor(req), issue=issue)
    return Response(201, api.r.pull(repo, issue))


@route("GET", r"{REPO}/pulls/(?P<number>\d+)")
def get_pull(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "pull_requests")
    return Response(200, api.r.pull(repo, api.pull(repo, p["number"])))


@route("PATCH", r"{REPO}/pulls/(?P<number>\d+)")
def update_pull(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "pull_requests", write=True)
    issue = api.pull(repo, p["number"])
    assert issue.pull is not None
    body = req.obj()
    if body.get("state") == "open" and issue.state == "closed":
        _check_reopenable(repo, issue.pull)
    _edit_issue(api, req, repo, issue, body, event="pull_request")
    base = body.get("base")
    if isinstance(base, str):
        if repo.branch_sha(base) is None:
            raise validation_failed("PullRequest", "base", "invalid")
        issue.pull.base_ref = base
    return Response(200, api.r.pull(repo, issue))


def _check_reopenable(repo: Repo, pull: PullInfo) -> None:
    """GitHub reopens a PR only while its head branch still points where the PR left it."""
    head = repo.branch_sha(pull.head_ref)
    if head is None or head != pull.head_sha or pull.merged:
        why = "was deleted" if head is None else "was force-pushed or recreated"
        raise ApiError(
            422,
            "Validation Failed",
            [{
                "resource": "PullRequest",
                "code": "custom",
                "message": f"state cannot be changed. The {pull.head_ref} branch {why}.",
            }],
        )


@route("PUT", r"{REPO}/pulls/(?P<number>\d+)/merge")
def merge_pull(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "contents", write=True)
    issue = api.pull(repo, p["number"])
    assert issue.pull is not None
    body = req.obj()
    api.state.refresh_pull(repo, issue)
    expected = body.get("sha")
    if expected is not None and issue.state == "open" and expected != issue.pull.head_sha:
        raise ApiError(409, "Head branch was modified. Review and try the merge again.")
    method = body.get("merge_method", "merge")
    if method not in ("merge", "squash", "rebase"):
        raise validation_failed("PullRequest", "merge_method", "invalid")
    title = body.get("commit_title")
    message = body.get("commit_message")
    sha = api.state.merge_pull(
        repo,
        issue,
        api.actor(req),
        str(method),
        title if isinstance(title, str) else None,
        message if isinstance(message, str) else None,
    )
    return Response(200, {"sha": sha, "merged": True, "message": "Pull Request successfully merged"})


@route("GET", r"{REPO}/pulls/(?P<number>\d+)/merge")
def is_merged(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "pull_requests")
    issue = api.pull(repo, p["number"])
    assert issue.pull is not None
    if not issue.pull.merged:
        raise not_found()
    return Response(204)


@route("GET", r"{REPO}/pulls/(?P<number>\d+)/files")
def pull_files(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "pull_requests")
    issue = api.pull(repo, p["number"])
    pr = issue.pull
    assert pr is not None
    api.state.refresh_pull(repo, issue)
    mb = repo.store.merge_base(pr.base_sha, pr.head_sha) or pr.base_sha
    return api.paginate(req, api.r.files(repo, repo.tree_of(mb), repo.tree_of(pr.head_sha), pr.head_sha))


@route("GET", r"{REPO}/pulls/(?P<number>\d+)/commits")
def pull_commits(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "pull_requests")
    issue = api.pull(repo, p["number"])
    pr = issue.pull
    assert pr is not None
    api.state.refresh_pull(repo, issue)
    shas = repo.store.log(pr.head_sha, repo.store.ancestors(pr.base_sha))
    return api.paginate(req, [api.r.commit(repo, s, with_files=False) for s in shas])


# ==== issues ================================================================================
@route("GET", r"{REPO}/issues")
def list_issues(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues")
    state = req.q("state", "open")
    wanted = [w.strip().lower() for w in (req.q("labels") or "").split(",") if w.strip()]
    creator = req.q("creator")
    since = req.q("since")
    items = []
    for issue in repo.issues.values():
        if state != "all" and issue.state != state:
            continue
        names = {n.lower() for n in issue.labels}
        if any(w not in names for w in wanted):
            continue
        if creator and issue.user.lower() != creator.lower():
            continue
        if since and iso(issue.updated_at) is not None and (iso(issue.updated_at) or "") < since:
            continue
        items.append(issue)
    return api.paginate(req, [api.r.issue(repo, i) for i in _sorted_issues(req, items)])


def _labels_arg(body: Any) -> list[str]:
    raw = body.get("labels") if isinstance(body, dict) else body
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise validation_failed("Label", "labels", "invalid")
    names = []
    for item in raw:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name:
            raise validation_failed("Label", "name", "invalid")
        names.append(name)
    return names


@route("POST", r"{REPO}/issues")
def create_issue(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues", write=True)
    body = req.obj()
    title = body.get("title")
    if title is None or title == "":
        raise validation_failed("Issue", "title")
    text = _str(body, "body", "Issue", required=False)
    issue = api.state.create_issue(repo, api.actor(req), str(title), text, _labels_arg(body))
    api.state.emit("issues", "opened", repo, api.actor(req), issue=issue)
    return Response(201, api.r.issue(repo, issue))


@route("GET", r"{REPO}/issues/(?P<number>\d+)")
def get_issue(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues")
    return Response(200, api.r.issue(repo, api.issue(repo, p["number"])))


def _edit_issue(api: Api, req: Request, repo: Repo, issue: Issue, body: dict[str, Any], event: str) -> None:
    actor = api.actor(req)
    changes: dict[str, Any] = {}
    title = body.get("title")
    if title is not None:
        if not isinstance(title, str) or not title:
            raise validation_failed("Issue", "title", "invalid")
        if title != issue.title:
            changes["title"] = {"from": issue.title}
            issue.title = title
    if "body" in body:
        text = body["body"]
        if text is not None and not isinstance(text, str):
            raise validation_failed("Issue", "body", "invalid")
        if text != issue.body:
            changes["body"] = {"from": issue.body}
            issue.body = text
    if "labels" in body and event == "issues":
        issue.labels = []
        for name in _labels_arg(body):
            label = api.state.ensure_label(repo, name).name
            if label not in issue.labels:
                issue.labels.append(label)
    if changes:
        issue.updated_at = now()
        api.state.emit(event, "edited", repo, actor, issue=issue, changes=changes)
    state = body.get("state")
    if state is not None:
        if state not in ("open", "closed"):
            raise validation_failed("Issue", "state", "invalid")
        if state == "closed" and issue.state == "open":
            reason = body.get("state_reason") or "completed"
            api.state.close_issue(repo, issue, actor, reason=str(reason))
            api.state.emit(event, "closed", repo, actor, issue=issue)
        elif state == "open" and issue.state == "closed":
            if issue.pull is not None and issue.pull.merged:
                raise ApiError(
                    422,
                    "Validation Failed",
                    [
                        {
                            "resource": "PullRequest",
                            "code": "custom",
                            "message": "state cannot be changed. The pull request cannot be reopened.",
                        }
                    ],
                )
            api.state.reopen_issue(issue)
            api.state.emit(event, "reopened", repo, actor, issue=issue)


def _require_user_role(api: Api, req: Request, repo: Repo, roles: tuple[str, ...], author: str | None = None) -> None:
    """People (not apps) need a role for issue writes, unless they wrote the thing themselves.

    GitHub: issue owners and people with push access or the triage role can edit an issue;
    labels need triage; someone else's comment needs write access to delete.
    """
    if req.caller.kind != "user":
        return
    actor = api.actor(req)
    if author is not None and author.lower() == actor.lower():
        return
    if api.state.permission(repo, actor) not in roles:
        raise ApiError(403, "Resource not accessible by personal access token")


_TRIAGE_UP = ("admin", "maintain", "write", "triage")
_WRITE_UP = ("admin", "maintain", "write")


@route("PATCH", r"{REPO}/issues/(?P<number>\d+)")
def update_issue(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues", write=True)
    issue = api.issue(repo, p["number"])
    _require_user_role(api, req, repo, _TRIAGE_UP, author=issue.user)
    body = req.obj()
    if issue.pull is not None and body.get("state") == "open" and issue.state == "closed":
        _check_reopenable(repo, issue.pull)
    # A PR edited through the issues API still only produces `pull_request` events.
    _edit_issue(api, req, repo, issue, body, event="pull_request" if issue.pull is not None else "issues")
    return Response(200, api.r.issue(repo, issue))


@route("GET", r"{REPO}/issues/(?P<number>\d+)/comments")
def list_comments(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues")
    issue = api.issue(repo, p["number"])
    since = req.q("since")
    comments = [repo.comments[c] for c in issue.comment_ids]
    if since:
        comments = [c for c in comments if (iso(c.updated_at) or "") >= since]
    return api.paginate(req, [api.r.comment(repo, c) for c in comments])


COMMENT_MAX_CHARACTERS = 65_536


def _comment_body(req: Request) -> str:
    """A comment's body as GitHub accepts it: present, a string, at most 65,536 characters."""
    body = _str(req.obj(), "body", "IssueComment")
    assert body is not None
    if len(body) > COMMENT_MAX_CHARACTERS:
        too_long = f"Body is too long (maximum is {COMMENT_MAX_CHARACTERS} characters)"
        raise validation_failed("IssueComment", "data", "unprocessable", too_long)
    return body


@route("POST", r"{REPO}/issues/(?P<number>\d+)/comments")
def create_comment(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues", write=True)
    issue = api.issue(repo, p["number"])
    body = _comment_body(req)
    if issue.locked:
        raise ApiError(403, "Unable to create comment because issue is locked.")
    comment = api.state.add_comment(repo, issue, api.actor(req), body)
    api.state.emit("issue_comment", "created", repo, api.actor(req), issue=issue, comment=comment)
    return Response(201, api.r.comment(repo, comment))


@route("GET", r"{REPO}/issues/comments")
def list_repo_comments(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues")
    return api.paginate(req, [api.r.comment(repo, c) for c in sorted(repo.comments.values(), key=lambda c: c.id)])


def _comment(api: Api, repo: Repo, ident: str) -> Any:
    comment = repo.comments.get(int(ident))
    if comment is None:
        raise not_found()
    return comment


@route("GET", r"{REPO}/issues/comments/(?P<id>\d+)")
def get_comment(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues")
    return Response(200, api.r.comment(repo, _comment(api, repo, p["id"])))


@route("PATCH", r"{REPO}/issues/comments/(?P<id>\d+)")
def update_comment(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues", write=True)
    comment = _comment(api, repo, p["id"])
    body = _comment_body(req)
    if (
        req.caller.kind == "user"
        and comment.user.lower() != api.actor(req).lower()
        and api.state.permission(repo, api.actor(req)) not in ("admin", "maintain", "write")
    ):
        raise ApiError(403, "Resource not accessible by personal access token")
    old = comment.body
    comment.body = body
    comment.updated_at = now()
    api.state.emit(
        "issue_comment",
        "edited",
        repo,
        api.actor(req),
        issue=repo.issues[comment.issue_number],
        comment=comment,
        changes={"body": {"from": old}},
    )
    return Response(200, api.r.comment(repo, comment))


REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")


def _reaction_json(api: Api, reaction: Reaction) -> dict[str, Any]:
    return {
        "id": reaction.id,
        "node_id": node_id("REA", reaction.id),
        "user": api.r.user(reaction.user),
        "content": reaction.content,
        "created_at": iso(reaction.created_at),
    }


@route("POST", r"{REPO}/issues/comments/(?P<id>\d+)/reactions")
def create_comment_reaction(api: Api, req: Request, p: dict[str, str]) -> Response:
    """201 with the new reaction; 200 with the existing one when this user already reacted so."""
    repo = api.repo(req, p, "issues", write=True)
    comment = _comment(api, repo, p["id"])
    content = _str(req.obj(), "content", "Reaction")
    if content not in REACTIONS:
        invalid = {"resource": "Reaction", "code": "invalid", "field": "content"}
        raise ApiError(422, "Validation Failed", errors=[invalid])
    actor = api.actor(req)
    for existing in comment.reactions:
        if existing.content == content and existing.user.lower() == actor.lower():
            return Response(200, _reaction_json(api, existing))
    reaction = Reaction(api.state.next_id(), actor, content, now())
    comment.reactions.append(reaction)
    return Response(201, _reaction_json(api, reaction))


@route("GET", r"{REPO}/issues/comments/(?P<id>\d+)/reactions")
def list_comment_reactions(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues")
    comment = _comment(api, repo, p["id"])
    wanted = req.q("content")
    chosen = [r for r in comment.reactions if wanted is None or r.content == wanted]
    return api.paginate(req, [_reaction_json(api, r) for r in chosen])


@route("DELETE", r"{REPO}/issues/comments/(?P<id>\d+)")
def delete_comment(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues", write=True)
    comment = _comment(api, repo, p["id"])
    _require_user_role(api, req, repo, _WRITE_UP, author=comment.user)
    del repo.comments[comment.id]
    repo.issues[comment.issue_number].comment_ids.remove(comment.id)
    return Response(204)


# ==== labels ================================================================================
def _issue_labels(api: Api, repo: Repo, issue: Issue) -> list[dict[str, Any]]:
    return [api.r.label(repo, repo.labels[n.lower()]) for n in issue.labels]


@route("GET", r"{REPO}/issues/(?P<number>\d+)/labels")
def get_issue_labels(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues")
    return api.paginate(req, _issue_labels(api, repo, api.issue(repo, p["number"])))


def _add_labels(api: Api, req: Request, p: dict[str, str], replace: bool) -> Response:
    repo = api.repo(req, p, "issues", write=True)
    _require_user_role(api, req, repo, _TRIAGE_UP)
    issue = api.issue(repo, p["number"])
    names = _labels_arg(req.json())
    if replace:
        issue.labels = []
    for name in names:
        label = api.state.ensure_label(repo, name).name
        if label not in issue.labels:
            issue.labels.append(label)
            api.state.emit(
                "issues" if issue.pull is None else "pull_request",
                "labeled",
                repo,
                api.actor(req),
                issue=issue,
                label=label,
            )
    issue.updated_at = now()
    return Response(200, _issue_labels(api, repo, issue))


@route("POST", r"{REPO}/issues/(?P<number>\d+)/labels")
def add_labels(api: Api, req: Request, p: dict[str, str]) -> Response:
    return _add_labels(api, req, p, replace=False)


@route("PUT", r"{REPO}/issues/(?P<number>\d+)/labels")
def set_labels(api: Api, req: Request, p: dict[str, str]) -> Response:
    return _add_labels(api, req, p, replace=True)


@route("DELETE", r"{REPO}/issues/(?P<number>\d+)/labels")
def clear_labels(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues", write=True)
    _require_user_role(api, req, repo, _TRIAGE_UP)
    api.issue(repo, p["number"]).labels = []
    return Response(204)


@route("DELETE", r"{REPO}/issues/(?P<number>\d+)/labels/(?P<name>.+)")
def remove_label(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues", write=True)
    _require_user_role(api, req, repo, _TRIAGE_UP)
    issue = api.issue(repo, p["number"])
    match = next((n for n in issue.labels if n.lower() == p["name"].lower()), None)
    if match is None:
        raise ApiError(404, "Label does not exist")
    issue.labels.remove(match)
    issue.updated_at = now()
    api.state.emit(
        "issues" if issue.pull is None else "pull_request", "unlabeled", repo, api.actor(req), issue=issue, label=match
    )
    return Response(200, _issue_labels(api, repo, issue))


@route("GET", r"{REPO}/labels")
def list_labels(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues")
    return api.paginate(req, [api.r.label(repo, lb) for lb in sorted(repo.labels.values(), key=lambda lb: lb.id)])


@route("POST", r"{REPO}/labels")
def create_label(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues", write=True)
    body = req.obj()
    name = _str(body, "name", "Label")
    assert name is not None
    if name.lower() in repo.labels:
        raise ApiError(422, "Validation Failed", [{"resource": "Label", "code": "already_exists", "field": "name"}])
    color = str(body.get("color") or "ededed").lstrip("#")
    if not re.fullmatch(r"[0-9a-fA-F]{6}", color):
        raise validation_failed("Label", "color", "invalid")
    label = api.state.ensure_label(repo, name)
    label.color = color
    desc = body.get("description")
    label.description = desc if isinstance(desc, str) else None
    return Response(201, api.r.label(repo, label))


@route("GET", r"{REPO}/labels/(?P<name>.+)")
def get_label(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues")
    label = repo.labels.get(p["name"].lower())
    if label is None:
        raise not_found()
    return Response(200, api.r.label(repo, label))


@route("DELETE", r"{REPO}/labels/(?P<name>.+)")
def delete_label(api: Api, req: Request, p: dict[str, str]) -> Response:
    repo = api.repo(req, p, "issues", write=True)
    label = repo.labels.pop(p["name"].lower(), None)
    if label is None:
        raise not_found()
    for issue in repo.issues.values():
        if label.name in issue.labels:
            issue.labels.remove(label.name)
    return Response(204)


# ==== users =================================================================================
@route("GET", r"/users/(?P<login>[^/]+)")
def get_user(api: Api, req: Request, p: dict[str, str]) -> Response:
    user = api.state.find_user(p["login"])
    if user is None:
        raise not_found()
    return Response(200, api.r.user(user.login))


@route("GET", "/user")
def get_authenticated_user(api: Api, req: Request, p: dict[str, str]) -> Response:
    if req.caller.kind != "user":
        raise (
            ApiError(403, "Resource not accessible by integration")
            if req.caller.kind
            else ApiError(401, "Requires authentication")
        )
    return Response(200, api.r.user(req.caller.login))
