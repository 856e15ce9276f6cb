"""The GitHub API emulator, driven through unmodified PyGithub."""

from __future__ import annotations

import base64
import http.server
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from github import Auth, Github, GithubException, GithubIntegration, InputGitTreeElement
from github.Repository import Repository

from bot.emulator import GitHubEmulator

APP_ID = 4242
REPO = "octo/awesome"
README = "# Awesome\n\n## Tools\n\n- [a](https://a.example) - A.\n"


@dataclass
class World:
    em: GitHubEmulator
    pem: str
    installation_id: int
    gh: Github
    repo: Repository


def client(em: GitHubEmulator, auth: Any) -> Github:
    return Github(
        base_url=em.url, auth=auth, seconds_between_requests=0, seconds_between_writes=0, retry=None, per_page=30
    )


@pytest.fixture
def world(github_emulator: GitHubEmulator) -> World:
    em = github_emulator
    pem = em.register_app(APP_ID, slug="listbot")
    em.create_repo("octo", "awesome", {"README.md": README, "docs/CONTRIBUTING.md": "hi\n"})
    em.create_repo("octo", "other", {"README.md": "other\n"})
    iid = em.install("octo", ["awesome"])
    gh = client(em, Auth.AppAuth(APP_ID, pem).get_installation_auth(iid))
    return World(em, pem, iid, gh, gh.get_repo(REPO))


def branch_with_change(w: World, branch: str = "listbot/issue-1", text: str = "- b\n") -> str:
    main = w.repo.get_git_ref("heads/main")
    w.repo.create_git_ref(f"refs/heads/{branch}", main.object.sha)
    f = w.repo.get_contents("README.md", ref=branch)
    assert not isinstance(f, list)
    res = w.repo.update_file("README.md", "Add entry", README + text, f.sha, branch=branch)
    return str(res["commit"].sha)


def make_jwt(key: Any, iss: Any, iat_offset: int = -60, exp_offset: int = 540) -> str:
    now = int(time.time())
    return jwt.encode({"iat": now + iat_offset, "exp": now + exp_offset, "iss": iss}, key, algorithm="RS256")


def status_of(exc: pytest.ExceptionInfo[GithubException]) -> tuple[int, Any]:
    return exc.value.status, exc.value.data


# -- app authentication ---------------------------------------------------------------------
def test_app_jwt_mints_an_hour_long_installation_token(world: World) -> None:
    """An app JWT lists installations and mints a ghs_ token that expires in one hour."""
    gi = GithubIntegration(
        auth=Auth.AppAuth(APP_ID, world.pem),
        base_url=world.em.url,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )
    assert gi.get_app().slug == "listbot"
    assert gi.get_repo_installation("octo", "awesome").id == world.installation_id
    assert [i.id for i in gi.get_installations()] == [world.installation_id]
    tok = gi.get_access_token(world.installation_id)
    assert tok.token.startswith("ghs_")
    delta = tok.expires_at - datetime.now(UTC)
    assert timedelta(minutes=59) < delta <= timedelta(hours=1)
    assert world.em.requests.count(auth="jwt") >= 4


def test_installation_without_the_repo_answers_404(world: World) -> None:
    """An installation token cannot see repositories outside its installation."""
    with pytest.raises(GithubException) as exc:
        world.gh.get_repo("octo/other")
    assert exc.value.status == 404
    listed = httpx.get(f"{world.em.url}/installation/repositories", headers=_auth(world)).json()
    assert [r["full_name"] for r in listed["repositories"]] == [REPO]


def test_jwt_signed_with_another_key_is_rejected(world: World) -> None:
    """A JWT signed with a key that is not the app's gets 401."""
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    gi = GithubIntegration(auth=Auth.AppAuth(APP_ID, pem), base_url=world.em.url)
    with pytest.raises(GithubException) as exc:
        gi.get_app()
    assert exc.value.status == 401


def test_jwt_expiring_too_far_ahead_is_rejected(world: World) -> None:
    """A JWT whose exp is more than ten minutes ahead gets GitHub's 401 message."""
    key = serialization.load_pem_private_key(world.pem.encode(), password=None)
    token = make_jwt(key, str(APP_ID), exp_offset=3600)
    r = httpx.get(f"{world.em.url}/app", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.json()["message"] == "'Expiration time' claim ('exp') is too far in the future"
    ok = httpx.get(f"{world.em.url}/app", headers={"Authorization": f"Bearer {make_jwt(key, str(APP_ID))}"})
    assert ok.status_code == 200


def test_unknown_and_expired_tokens_get_bad_credentials(world: World) -> None:
    """Unknown and expired installation tokens are answered with 401 Bad credentials."""
    bad = client(world.em, Auth.Token("ghs_nope"))
    with pytest.raises(GithubException) as exc:
        bad.get_repo(REPO)
    assert exc.value.status == 401
    assert exc.value.data["message"] == "Bad credentials"
    token = world.em.installation_token(world.installation_id)
    world.em.expire_tokens()
    r = httpx.get(f"{world.em.url}/repos/{REPO}", headers={"Authorization": f"token {token}"})
    assert r.status_code == 401


def test_jwt_cannot_read_repository_endpoints(world: World) -> None:
    """A repository endpoint refuses an app JWT."""
    key = serialization.load_pem_private_key(world.pem.encode(), password=None)
    r = httpx.get(f"{world.em.url}/repos/{REPO}", headers={"Authorization": f"Bearer {make_jwt(key, str(APP_ID))}"})
    assert r.status_code in (401, 403)


def test_manifest_code_converts_once(github_emulator: GitHubEmulator) -> None:
    """A manifest code converts into app credentials exactly once."""
    app = github_emulator.register_manifest_code("abc123", app_id=7, slug="my-listbot")
    url = f"{github_emulator.url}/app-manifests/abc123/conversions"
    first = httpx.post(url)
    assert first.status_code == 201
    body = first.json()
    assert (body["id"], body["slug"], body["pem"]) == (7, "my-listbot", app.private_key_pem)
    assert {"webhook_secret", "client_id", "client_secret", "html_url", "owner"} <= set(body)
    assert httpx.post(url).status_code == 404


# -- contents, refs, pulls ------------------------------------------------------------------
def test_branch_commit_and_pull_request_flow(world: World) -> None:
    """A ref, a contents update and a pull request land as real commits on the branch."""
    head = branch_with_change(world)
    assert world.em.branches(REPO)["listbot/issue-1"] == head
    assert world.em.file_at(REPO, "listbot/issue-1", "README.md") == README + "- b\n"
    assert world.em.file_at(REPO, "main", "README.md") == README
    commit = world.em.commit_info(REPO, head)
    assert commit["author"] == "listbot[bot]"
    pr = world.repo.create_pull(title="Add b", body="Closes #9", base="main", head="listbot/issue-1")
    assert (pr.head.sha, pr.base.ref, pr.user.login, pr.user.type) == (head, "main", "listbot[bot]", "Bot")
    assert pr.mergeable is True
    found = world.repo.get_pulls(state="open", head="octo:listbot/issue-1")
    assert [p.number for p in found] == [pr.number]
    assert [f.filename for f in pr.get_files()] == ["README.md"]
    assert [c.sha for c in pr.get_commits()] == [head]


def test_stale_file_sha_is_a_conflict(world: World) -> None:
    """Updating a file with a stale blob SHA answers 409, without one answers 422."""
    f = world.repo.get_contents("README.md")
    assert not isinstance(f, list)
    world.em.push_commit(REPO, "main", {"README.md": README + "- z\n"}, "maintainer")
    with pytest.raises(GithubException) as exc:
        world.repo.update_file("README.md", "edit", "new\n", f.sha, branch="main")
    assert exc.value.status == 409
    assert exc.value.data["message"] == f"README.md does not match {f.sha}"
    r = httpx.put(
        f"{world.em.url}/repos/{REPO}/contents/README.md",
        headers=_auth(world),
        json={"message": "m", "content": "eA=="},
    )
    assert r.status_code == 422
    assert '"sha" wasn\'t supplied.' in r.json()["message"]


def test_a_file_over_one_megabyte_has_no_inline_content_but_a_blob(world: World) -> None:
    """Over 1 MB the contents API answers encoding `none` and no content; the git blob API has the bytes."""
    big = "x" * (1024 * 1024) + "\n"
    world.em.push_commit(REPO, "main", {"README.md": big}, "maintainer")
    f = world.repo.get_contents("README.md")
    assert not isinstance(f, list)
    assert (f.encoding, f.content, f.size) == ("none", "", len(big))
    assert base64.b64decode(world.repo.get_git_blob(f.sha).content).decode() == big
    small = world.repo.get_contents("docs/CONTRIBUTING.md")
    assert not isinstance(small, list)
    assert small.decoded_content == b"hi\n"


def _auth(world: World) -> dict[str, str]:
    return {"Authorization": f"token {world.em.installation_token(world.installation_id)}"}


def test_duplicate_ref_and_duplicate_pull_are_422(world: World) -> None:
    """Creating an existing ref or a second PR for a head answers GitHub's 422 bodies."""
    head = branch_with_change(world)
    with pytest.raises(GithubException) as exc:
        world.repo.create_git_ref("refs/heads/listbot/issue-1", head)
    assert exc.value.status == 422
    assert exc.value.data["message"] == "Reference already exists"
    world.repo.create_pull(title="t", body="b", base="main", head="listbot/issue-1")
    with pytest.raises(GithubException) as exc2:
        world.repo.create_pull(title="t", body="b", base="main", head="listbot/issue-1")
    assert exc2.value.status == 422
    assert exc2.value.data["errors"][0]["message"] == ("A pull request already exists for octo:listbot/issue-1.")


def test_pull_without_new_commits_is_rejected(world: World) -> None:
    """A pull request whose head has no new commits answers 422 No commits between."""
    main = world.repo.get_git_ref("heads/main")
    world.repo.create_git_ref("refs/heads/empty", main.object.sha)
    with pytest.raises(GithubException) as exc:
        world.repo.create_pull(title="t", body="", base="main", head="empty")
    assert exc.value.status == 422
    assert exc.value.data["errors"][0]["message"] == "No commits between main and empty"


def test_ref_updates_need_fast_forward_or_force(world: World) -> None:
    """A non-fast-forward ref update needs force, and deleting a missing ref is 422."""
    head = branch_with_change(world)
    world.em.push_commit(REPO, "main", {"NEW.md": "n\n"}, "maintainer")
    ref = world.repo.get_git_ref("heads/listbot/issue-1")
    main_sha = world.repo.get_branch("main").commit.sha
    with pytest.raises(GithubException) as exc:
        ref.edit(main_sha)
    assert exc.value.data["message"] == "Update is not a fast forward"
    ref.edit(main_sha, force=True)
    assert world.em.branches(REPO)["listbot/issue-1"] == main_sha != head
    ref.delete()
    with pytest.raises(GithubException) as exc2:
        ref.delete()
    assert (exc2.value.status, exc2.value.data["message"]) == (422, "Reference does not exist")


def test_git_data_api_produces_real_git_objects(world: World) -> None:
    """Blobs, trees and commits made through the git data API carry git's own SHAs."""
    blob = world.repo.create_git_blob("hello\n", "utf-8")
    assert blob.sha == "ce013625030ba8dba906f756967f9e9ca394464a"  # git hash-object
    base = world.repo.get_git_commit(world.repo.get_branch("main").commit.sha)
    tree = world.repo.create_git_tree(
        [
            InputGitTreeElement("docs/hello.txt", "100644", "blob", sha=blob.sha),
            InputGitTreeElement("docs/CONTRIBUTING.md", "100644", "blob", sha=None),
        ],
        base_tree=base.tree,
    )
    commit = world.repo.create_git_commit("Add hello", tree, [base])
    world.repo.get_git_ref("heads/main").edit(commit.sha)
    assert world.em.file_at(REPO, "main", "docs/hello.txt") == "hello\n"
    assert world.em.file_at(REPO, "main", "docs/CONTRIBUTING.md") is None
    cmp = world.repo.compare(base.sha, commit.sha)
    assert (cmp.status, cmp.ahead_by, cmp.behind_by) == ("ahead", 1, 0)
    assert world.repo.get_git_matching_refs("heads/")[0].ref == "refs/heads/main"


def test_merge_closes_the_linked_issue(world: World) -> None:
    """Merging a PR whose body says Closes #N closes issue N and moves main."""
    number = world.em.create_issue(REPO, "alice", "Add b", "form body")
    head = branch_with_change(world)
    pr = world.repo.create_pull(title="Add b", body=f"Closes #{number}", base="main", head="listbot/issue-1")
    world.em.merge_pull(REPO, pr.number, "maintainer")
    assert world.em.issue(REPO, number).state == "closed"
    pr2 = world.repo.get_pull(pr.number)
    assert (pr2.merged, pr2.state) == (True, "closed")
    assert world.em.file_at(REPO, "main", "README.md") == README + "- b\n"
    assert head in world.em.branch_commits(REPO, "main")


def test_conflicting_pull_is_not_mergeable(world: World) -> None:
    """A PR whose files changed on main since it branched answers 405 on merge."""
    branch_with_change(world)
    pr = world.repo.create_pull(title="t", body="", base="main", head="listbot/issue-1")
    world.em.push_commit(REPO, "main", {"README.md": README + "- c\n"}, "maintainer")
    assert world.repo.get_pull(pr.number).mergeable is False
    with pytest.raises(GithubException) as exc:
        pr.merge()
    assert exc.value.status == 405


# -- issues, comments, labels, pagination ---------------------------------------------------
def test_paginated_comments_follow_link_headers(world: World) -> None:
    """Thirty-five comments come back in two pages through the Link header."""
    number = world.em.create_issue(REPO, "alice", "t", "b")
    for i in range(35):
        world.em.add_comment(REPO, number, "bob", f"c{i}")
    world.em.reset_requests()
    comments = list(world.repo.get_issue(number).get_comments())
    assert [c.body for c in comments] == [f"c{i}" for i in range(35)]
    assert world.em.requests.count("GET", path=r"/comments$") == 2
    page = httpx.get(f"{world.em.url}/repos/{REPO}/issues/{number}/comments?per_page=10&page=2", headers=_auth(world))
    link = page.headers["link"]
    for rel in ("next", "last", "prev", "first"):
        assert f'rel="{rel}"' in link
    assert f"<{world.em.url}/repos/{REPO}/issues/{number}/comments?per_page=10&page=4>" in link


def test_issue_list_includes_pulls_and_filters_labels(world: World) -> None:
    """Issue listings include PRs with a pull_request key and honour the labels filter."""
    n = world.em.create_issue(REPO, "alice", "t", "b", labels=["submission"])
    branch_with_change(world)
    world.repo.create_pull(title="t", body="", base="main", head="listbot/issue-1")
    issues = list(world.repo.get_issues(state="open"))
    assert sorted(i.pull_request is not None for i in issues) == [False, True]
    labelled = world.repo.get_issues(labels=[world.repo.get_label("submission")])
    assert [i.number for i in labelled] == [n]


def test_labels_add_remove_and_duplicates(world: World) -> None:
    """Labels are added, removed, 404 when absent, and duplicates are already_exists."""
    n = world.em.create_issue(REPO, "alice", "t", "b")
    issue = world.repo.get_issue(n)
    issue.add_to_labels("needs changes")
    assert world.em.labels_of(REPO, n) == ["needs changes"]
    issue.remove_from_labels("needs changes")
    with pytest.raises(GithubException) as exc:
        issue.remove_from_labels("needs changes")
    assert (exc.value.status, exc.value.data["message"]) == (404, "Label does not exist")
    world.repo.create_label("accepted", "00ff00")
    with pytest.raises(GithubException) as exc2:
        world.repo.create_label("Accepted", "00ff00")
    assert exc2.value.data["errors"][0]["code"] == "already_exists"


def test_comments_are_authored_by_the_bot(world: World) -> None:
    """Comments written with an installation token belong to the app's bot user."""
    n = world.em.create_issue(REPO, "alice", "t", "b")
    c = world.repo.get_issue(n).create_comment("status <!-- listbot:x -->")
    c.edit("status v2")
    assert [(x.user, x.body) for x in world.em.comments(REPO, n)] == [("listbot[bot]", "status v2")]
    world.repo.get_issue(n).edit(state="closed")
    assert world.em.issue(REPO, n).state == "closed"


def test_collaborator_permission(world: World) -> None:
    """The permission endpoint reports admin for the owner and a maintainer's level."""
    world.em.add_user("maint", "write", repo=REPO)
    world.em.add_user("visitor")
    assert world.repo.get_collaborator_permission("maint") == "write"
    assert world.repo.get_collaborator_permission("octo") == "admin"
    assert world.repo.get_collaborator_permission("visitor") == "read"


# -- protocol details and faults ------------------------------------------------------------
def test_protocol_errors_and_headers(world: World) -> None:
    """Unknown routes, bad JSON and missing fields get GitHub's errors and rate headers."""
    h = _auth(world)
    r = httpx.get(f"{world.em.url}/nope", headers=h)
    assert (r.status_code, r.json()["message"]) == (404, "Not Found")
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    for name in (
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-used",
        "x-ratelimit-resource",
        "x-github-request-id",
    ):
        assert name in r.headers
    bad = httpx.post(f"{world.em.url}/repos/{REPO}/issues", headers=h, content=b"{nope")
    assert (bad.status_code, bad.json()["message"]) == (400, "Problems parsing JSON")
    missing = httpx.post(f"{world.em.url}/repos/{REPO}/issues", headers=h, json={"body": "x"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "title"
    assert world.gh.get_rate_limit().resources.core.limit == 5000


def test_injected_5xx_and_secondary_rate_limit(world: World) -> None:
    """Injected 5xx and secondary-rate-limit responses are served and counted."""
    world.em.faults.fail(method="GET", path_pattern=r"/issues/\d+$", status=502, times=2)
    n = world.em.create_issue(REPO, "alice", "t", "b")
    for _ in range(2):
        with pytest.raises(GithubException) as exc:
            world.repo.get_issue(n)
        assert exc.value.status == 502
    assert world.repo.get_issue(n).number == n
    assert world.em.requests.count("GET", path=r"/issues/\d+$", status=502) == 2
    world.em.faults.secondary_rate_limit(times=1, retry_after=7, status=429)
    r = httpx.get(f"{world.em.url}/repos/{REPO}", headers=_auth(world))
    assert r.status_code == 429
    assert r.headers["retry-after"] == "7"
    assert r.json()["message"].startswith("You have exceeded a secondary rate limit")
    assert world.em.faults.injected == 3


def test_outcome_unknown_write_is_applied(world: World) -> None:
    """A fail_after_write fault performs the POST but answers 502."""
    n = world.em.create_issue(REPO, "alice", "t", "b")
    world.em.faults.fail_after_write(method="POST", path_pattern=r"/comments$")
    with pytest.raises(GithubException) as exc:
        world.repo.get_issue(n).create_comment("hello")
    assert exc.value.status == 502
    assert [c.body for c in world.em.comments(REPO, n)] == ["hello"]


def test_random_failures_are_reproducible(world: World) -> None:
    """A seeded random failure rate fails the same requests every run."""

    def run() -> list[int]:
        world.em.faults.random_failure_rate(0.5, seed=3)
        with httpx.Client(headers=_auth(world)) as http:
            out = [http.get(f"{world.em.url}/repos/{REPO}").status_code for _ in range(10)]
        world.em.faults.clear()
        return out

    first = run()
    assert first == run()
    assert any(s >= 500 for s in first)
    assert any(s == 200 for s in first)


# -- webhooks -------------------------------------------------------------------------------
def test_webhook_payloads_follow_github_shapes(world: World) -> None:
    """Built payloads carry action, changes, installation, repository and sender."""
    n = world.em.create_issue(REPO, "alice", "Old", "b")
    world.em.edit_issue(REPO, n, title="New")
    name, payload = world.em.webhook("issues", "edited", REPO, issue=n, changes={"title": {"from": "Old"}})
    assert name == "issues"
    assert payload["changes"] == {"title": {"from": "Old"}}
    assert payload["issue"]["title"] == "New"
    assert payload["installation"]["id"] == world.installation_id
    assert payload["repository"]["full_name"] == REPO
    assert payload["sender"]["login"] == "alice"
    sha = world.em.push_commit(REPO, "main", {"x.md": "x\n"}, "maint", "Add x")
    _, push = world.em.webhook("push", None, REPO, ref="refs/heads/main")
    assert (push["after"], push["head_commit"]["added"]) == (sha, ["x.md"])
    assert push["commits"][0]["message"] == "Add x"


def test_rest_writes_emit_events(world: World) -> None:
    """State changes made over REST are announced to on_event subscribers."""
    seen: list[tuple[str, str | None]] = []
    world.em.on_event(lambda event, payload: seen.append((event, payload.get("action"))))
    number = world.em.create_issue(REPO, "alice", "t", "b")
    branch_with_change(world)
    pr = world.repo.create_pull(title="t", body=f"Fixes #{number}", base="main", head="listbot/issue-1")
    pr.merge()
    assert seen[0] == ("issues", "opened")
    assert ("pull_request", "opened") in seen
    assert ("pull_request", "closed") in seen
    assert ("issues", "closed") in seen
    merged = [p for e, p in world.em.events if e == "pull_request" and p["action"] == "closed"]
    assert merged[0]["pull_request"]["merged"] is True


def test_events_are_delivered_signed_to_a_webhook_url(world: World) -> None:
    """deliver_to posts each event with a valid X-Hub-Signature-256 header."""
    import hashlib
    import hmac
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    got: list[tuple[str, bool]] = []
    done = threading.Event()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            mac = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
            ok = hmac.compare_digest(self.headers["X-Hub-Signature-256"], "sha256=" + mac)
            got.append((self.headers["X-GitHub-Event"], ok))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            done.set()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        world.em.deliver_to(f"http://127.0.0.1:{server.server_address[1]}/webhook", "s3cret")
        world.em.create_issue(REPO, "alice", "t", "b")
        assert done.wait(5)
    finally:
        server.shutdown()
        server.server_close()
    assert got == [("issues", True)]
    deadline = time.monotonic() + 5
    while not world.em.deliveries and time.monotonic() < deadline:
        time.sleep(0.01)
    assert world.em.deliveries[0].status == 202


def test_a_jwt_issued_by_the_client_id_is_accepted(world: World) -> None:
    """GitHub accepts the app's client ID in place of its numeric id as the JWT issuer."""
    key = serialization.load_pem_private_key(world.pem.encode(), password=None)
    client_id = world.em.app(APP_ID).client_id
    r = httpx.get(f"{world.em.url}/app", headers={"Authorization": f"Bearer {make_jwt(key, client_id)}"})
    assert r.status_code == 200
    assert r.json()["id"] == APP_ID


def test_a_reader_cannot_close_someone_elses_issue_or_delete_their_comment(world: World) -> None:
    """People with read access may edit their own issues and comments, not anyone else's."""
    world.em.add_user("reader", "read")
    number = world.em.create_issue(REPO, "mona", "Someone else's", "body")
    comment = world.em.add_comment(REPO, number, "mona", "hello")
    own = world.em.create_issue(REPO, "reader", "Mine", "body")
    headers = {"Authorization": f"token {world.em.user_token('reader')}"}
    base = f"{world.em.url}/repos/{REPO}"
    assert httpx.patch(f"{base}/issues/{number}", json={"state": "closed"}, headers=headers).status_code == 403
    assert httpx.delete(f"{base}/issues/comments/{comment}", headers=headers).status_code == 403
    assert httpx.post(f"{base}/issues/{number}/labels", json={"labels": ["x"]}, headers=headers).status_code == 403
    assert httpx.patch(f"{base}/issues/{own}", json={"state": "closed"}, headers=headers).status_code == 200


# ---- conditional requests, the app's delivery log, reactions -------------------------------


def _installation_headers(w: World) -> dict[str, str]:
    return {"Authorization": f"token {w.em.installation_token(w.installation_id)}"}


def test_an_unchanged_resource_answers_304_without_spending_the_rate_limit(world: World) -> None:
    """A GET repeated with its ETag gets 304, no body, the same ETag, and unchanged rate-limit headers."""
    url, headers = f"{world.em.url}/repos/{REPO}/pulls", _installation_headers(world)
    first = httpx.get(url, headers=headers)
    etag = first.headers["ETag"]
    second = httpx.get(url, headers=headers | {"If-None-Match": etag})
    assert second.status_code == 304
    assert second.content == b""
    assert second.headers["ETag"] == etag
    assert second.headers["X-RateLimit-Remaining"] == first.headers["X-RateLimit-Remaining"]
    third = httpx.get(url, headers=headers | {"If-None-Match": etag})
    assert third.headers["X-RateLimit-Used"] == first.headers["X-RateLimit-Used"]
    world.repo.create_issue(title="A change")
    changed = httpx.get(f"{world.em.url}/repos/{REPO}/issues", headers=headers | {"If-None-Match": etag})
    assert changed.status_code == 200


def test_the_delivery_log_lists_failed_deliveries_and_redelivers_them_with_the_same_guid(world: World) -> None:
    """`GET /app/hook/deliveries` shows a failed delivery; `POST …/attempts` sends it again, same GUID."""
    received: list[tuple[str, str]] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["X-GitHub-Delivery"], self.headers["X-GitHub-Event"]))
            self.send_response(503 if len(received) == 1 else 202)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        world.em.deliver_to(f"http://127.0.0.1:{server.server_address[1]}/hook")
        world.repo.create_issue(title="Delivered once, failed")
        world.em.wait_for_deliveries()
        app = {"Authorization": f"Bearer {make_jwt(world.pem, str(APP_ID))}"}
        [failed] = httpx.get(f"{world.em.url}/app/hook/deliveries", headers=app).json()
        assert (failed["status_code"], failed["event"], failed["action"], failed["redelivery"]) == (
            503, "issues", "opened", False,
        )
        assert failed["status"] == "Invalid HTTP Response: 503"
        assert failed["installation_id"] == world.installation_id
        attempt = httpx.post(f"{world.em.url}/app/hook/deliveries/{failed['id']}/attempts", headers=app)
        assert (attempt.status_code, attempt.json()) == (202, {})
        deadline = time.monotonic() + 10
        while len(received) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        world.em.wait_for_deliveries()
        newest = httpx.get(f"{world.em.url}/app/hook/deliveries", headers=app).json()[0]
    finally:
        server.shutdown()
    assert received[0] == received[1]
    assert (newest["guid"], newest["redelivery"], newest["status_code"]) == (failed["guid"], True, 202)
    installation = httpx.get(f"{world.em.url}/app/hook/deliveries", headers=_installation_headers(world))
    assert installation.status_code == 401


def test_a_comment_gets_one_eyes_reaction_per_user(world: World) -> None:
    """Reacting 👀 answers 201 with the reaction, again 200 with the same one; a bad content is 422."""
    issue = world.repo.create_issue(title="Commands")
    comment = issue.create_comment("/listbot refresh")
    url = f"{world.em.url}/repos/{REPO}/issues/comments/{comment.id}/reactions"
    headers = _installation_headers(world)
    first = httpx.post(url, headers=headers, json={"content": "eyes"})
    again = httpx.post(url, headers=headers, json={"content": "eyes"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["content"] == "eyes"
    assert again.json()["id"] == first.json()["id"]
    assert httpx.post(url, headers=headers, json={"content": "party"}).status_code == 422
    assert [r["content"] for r in httpx.get(url, headers=headers).json()] == ["eyes"]


def test_a_comment_over_65536_characters_is_refused_as_github_does(world: World) -> None:
    """Creating or editing a comment past 65,536 characters answers 422 "Body is too long"."""
    issue = world.repo.create_issue(title="Long")
    comment = issue.create_comment("x" * 65_536)
    with pytest.raises(GithubException) as created:
        issue.create_comment("x" * 65_537)
    with pytest.raises(GithubException) as edited:
        comment.edit("y" * 65_537)
    for refused in (created, edited):
        status, data = status_of(refused)
        assert status == 422
        assert data["errors"] == [{
            "resource": "IssueComment", "field": "data", "code": "unprocessable",
            "message": "Body is too long (maximum is 65536 characters)",
        }]
    assert [c.body for c in issue.get_comments()] == ["x" * 65_536]


RAW = "application/vnd.github.raw+json"


def _get(world: World, path: str, accept: str | None = None) -> httpx.Response:
    headers = _auth(world) | ({"Accept": accept} if accept else {})
    return httpx.get(f"{world.em.url}/repos/{REPO}/{path}", headers=headers)


def test_the_raw_media_type_answers_a_file_and_a_blob_as_their_bytes(world: World) -> None:
    """`application/vnd.github.raw+json` (and its older spellings) answers the stored bytes, over 1 MB too."""
    big = b"\xff\xfe not UTF-8 \xe2\x82\xac\n" + b"x" * (1024 * 1024)
    world.em.push_commit(REPO, "main", {"README.md": big}, "maintainer")
    sha = _get(world, "contents/README.md").json()["sha"]
    for accept in (RAW, "application/vnd.github.raw", "application/vnd.github.v3.raw", f"application/json, {RAW}"):
        for path in ("contents/README.md?ref=main", f"git/blobs/{sha}"):
            answer = _get(world, path, accept)
            assert (answer.status_code, answer.content) == (200, big)
            assert answer.headers["Content-Type"] == "application/vnd.github.raw"
            assert answer.headers["X-GitHub-Media-Type"].startswith("github.v3; param=raw")


def test_the_default_and_object_media_types_answer_json(world: World) -> None:
    """Without a parameter a blob is base64 JSON; `object` answers a file over 1 MB with encoding `none`
    and a directory as one object."""
    big = "y" * (1024 * 1024 + 1)
    world.em.push_commit(REPO, "main", {"README.md": big}, "maintainer")
    found = _get(world, "contents/README.md", "application/vnd.github.object+json")
    assert found.headers["X-GitHub-Media-Type"] == "github.v3; param=object; format=json"
    assert {k: found.json()[k] for k in ("type", "encoding", "content", "size")} == {
        "type": "file", "encoding": "none", "content": "", "size": len(big)
    }
    for accept in (None, "application/vnd.github+json", "application/vnd.github.squirrel-girl-preview+json"):
        blob = _get(world, f"git/blobs/{found.json()['sha']}", accept)
        assert (blob.json()["encoding"], base64.b64decode(blob.json()["content"]).decode()) == ("base64", big)
    folder = _get(world, "contents/docs", "application/vnd.github.object+json").json()
    assert (folder["type"], [entry["name"] for entry in folder["entries"]]) == ("dir", ["CONTRIBUTING.md"])
    assert [entry["name"] for entry in _get(world, "contents/docs", RAW).json()] == ["CONTRIBUTING.md"]


def test_a_media_type_parameter_the_resource_does_not_serve_is_406(world: World) -> None:
    """A blob asked for `object`, or a file for `full`, answers 406 naming the parameter."""
    sha = _get(world, "contents/README.md").json()["sha"]
    for path, param in ((f"git/blobs/{sha}", "object"), ("contents/README.md", "full")):
        answer = _get(world, path, f"application/vnd.github.{param}+json")
        assert answer.status_code == 406
        assert answer.json()["message"] == f"This resource does not support the '{param}' media type parameter."


def test_a_file_over_the_api_limit_is_refused_whatever_the_media_type(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over the contents and blob APIs' 100 MB limit (here lowered to 4 bytes) both answer 403 `too_large`."""
    small, large = (_get(world, f"contents/{path}").json()["sha"] for path in ("docs/CONTRIBUTING.md", "README.md"))
    monkeypatch.setattr("bot.emulator.routes.API_FILE_LIMIT", 4)
    for path in ("contents/README.md", f"git/blobs/{large}"):
        for accept in (None, RAW):
            answer = _get(world, path, accept)
            assert answer.status_code == 403
            assert answer.json()["errors"] == [{"resource": "Blob", "field": "data", "code": "too_large"}]
    assert _get(world, f"git/blobs/{small}", RAW).content == b"hi\n"  # 3 bytes: served


def test_a_raw_answer_carries_an_etag_and_an_unchanged_one_is_a_304(world: World) -> None:
    """A raw answer has an ETag; asked again with it, the answer is 304 with no body."""
    first = _get(world, "contents/README.md", RAW)
    again = httpx.get(
        f"{world.em.url}/repos/{REPO}/contents/README.md",
        headers=_auth(world) | {"Accept": RAW, "If-None-Match": first.headers["ETag"]},
    )
    assert (first.content, again.status_code, again.content) == (README.encode(), 304, b"")


def _with_links(world: World) -> None:
    """Commit on main, through the trees API: symlinks to a file, to nothing and to a folder, and a
    submodule that `.gitmodules` names."""
    world.em.push_commit(REPO, "main", {".gitmodules": '[submodule "qunit"]\n\tpath = test/qunit\n\turl = '
                                        "https://github.com/jquery/qunit.git\n"}, "maintainer")
    base = world.repo.get_git_commit(world.repo.get_branch("main").commit.sha)
    tree = world.repo.create_git_tree([
        InputGitTreeElement("docs/readme-link.md", "120000", "blob", content="../README.md"),
        InputGitTreeElement("dangling.md", "120000", "blob", content="nowhere.md"),
        InputGitTreeElement("folder-link", "120000", "blob", content="docs"),
        InputGitTreeElement("test/qunit", "160000", "commit", sha=SUBMODULE_COMMIT),
    ], base.tree)
    commit = world.repo.create_git_commit("links", tree, [base])
    world.repo.get_git_ref("heads/main").edit(commit.sha)


SUBMODULE_COMMIT = "6ca3721222109997540bd6d9ccd396902e0ad2f9"  # another repository's commit


def test_a_symlink_to_a_file_answers_as_the_file_it_names(world: World) -> None:
    """The contents API answers a symlink to a normal file with that file: its path, SHA and bytes."""
    _with_links(world)
    readme = _get(world, "contents/README.md").json()
    for accept in (None, "application/vnd.github.object+json"):
        found = _get(world, "contents/docs/readme-link.md", accept).json()
        assert {k: found[k] for k in ("type", "path", "sha", "content")} == {
            k: readme[k] for k in ("type", "path", "sha", "content")
        }
    assert _get(world, "contents/docs/readme-link.md", RAW).content == README.encode()


def test_a_symlink_to_anything_else_answers_as_a_symlink(world: World) -> None:
    """A symlink to nothing or to a folder answers `type: symlink` with its target; raw, the target's path."""
    _with_links(world)
    for path, target in (("dangling.md", "nowhere.md"), ("folder-link", "docs")):
        found = _get(world, f"contents/{path}").json()
        assert {k: found[k] for k in ("type", "path", "target", "size")} == {
            "type": "symlink", "path": path, "target": target, "size": len(target)
        }
        assert "content" not in found
        assert _get(world, f"contents/{path}", RAW).content == target.encode()


def test_a_submodule_answers_as_a_submodule_and_the_trees_api_keeps_its_commit(world: World) -> None:
    """A submodule answers `type: submodule` with its commit and `.gitmodules` URL; the tree holds a commit entry."""
    _with_links(world)
    found = _get(world, "contents/test/qunit").json()
    assert {k: found[k] for k in ("type", "path", "sha", "submodule_git_url", "download_url")} == {
        "type": "submodule", "path": "test/qunit", "sha": SUBMODULE_COMMIT,
        "submodule_git_url": "https://github.com/jquery/qunit.git", "download_url": None,
    }
    tree = world.repo.get_git_tree(world.repo.get_branch("main").commit.sha, recursive=True).tree
    assert [(e.mode, e.type, e.sha) for e in tree if e.path == "test/qunit"] == [("160000", "commit", SUBMODULE_COMMIT)]


def test_contents_and_blob_answers_say_they_vary_with_accept(world: World) -> None:
    """Each representation of a file or blob, and its 304, carries `Vary: Accept` for caches."""
    sha = _get(world, "contents/README.md").json()["sha"]
    for path in ("contents/README.md", f"git/blobs/{sha}"):
        for accept in (None, RAW):
            answer = _get(world, path, accept)
            assert answer.headers["Vary"] == "Accept"
            again = httpx.get(f"{world.em.url}/repos/{REPO}/{path}", headers=_auth(world) | (
                {"Accept": accept} if accept else {}) | {"If-None-Match": answer.headers["ETag"]})
            assert (again.status_code, again.headers["Vary"]) == (304, "Accept")


# --- faithfulness: directory listings, size limits, deliveries while the service is down -----------


def _listing(world: World, folder: str) -> dict[str, dict[str, Any]]:
    """The default and `object` listings of `folder` agree; its entries by name."""
    listed = _get(world, f"contents/{folder}").json()
    assert _get(world, f"contents/{folder}", "application/vnd.github.object+json").json()["entries"] == listed
    return {entry["name"]: entry for entry in listed}


def test_a_directory_lists_symlinks_as_symlinks_and_submodules_as_files(world: World) -> None:
    """A listing shows each symlink unfollowed as `type: symlink` and a submodule as `type: file`
    with its own repository's links and no download URL (GitHub's documented compatibility quirk)."""
    _with_links(world)
    root, docs = _listing(world, ""), _listing(world, "docs")
    link = docs["readme-link.md"]
    assert (link["type"], link["sha"], link["size"]) == ("symlink", _get_blob_sha(world, "docs/readme-link.md"), 12)
    assert {name: (root[name]["type"], root[name]["size"]) for name in ("dangling.md", "folder-link")} == {
        "dangling.md": ("symlink", len("nowhere.md")), "folder-link": ("symlink", len("docs")),
    }
    assert (root["docs"]["type"], root["README.md"]["type"]) == ("dir", "file")
    qunit = _listing(world, "test")["qunit"]
    trees = f"https://api.github.com/repos/jquery/qunit/git/trees/{SUBMODULE_COMMIT}"
    html = f"https://github.com/jquery/qunit/tree/{SUBMODULE_COMMIT}"
    assert {k: qunit[k] for k in ("type", "sha", "size", "download_url", "git_url", "html_url")} == {
        "type": "file", "sha": SUBMODULE_COMMIT, "size": 0, "download_url": None, "git_url": trees, "html_url": html,
    }
    assert (qunit["_links"]["git"], qunit["_links"]["html"]) == (trees, html)



def test_a_symlink_out_of_the_repository_answers_as_a_symlink(world: World) -> None:
    """A symlink whose target lies outside the repository answers as itself, `type: symlink` with that target."""
    base = world.repo.get_git_commit(world.repo.get_branch("main").commit.sha)
    tree = world.repo.create_git_tree(
        [InputGitTreeElement("docs/escape.md", "120000", "blob", content="../../outside.md")], base.tree
    )
    world.repo.get_git_ref("heads/main").edit(world.repo.create_git_commit("escape", tree, [base]).sha)
    found = _get(world, "contents/docs/escape.md").json()
    assert (found["type"], found["target"], "content" in found) == ("symlink", "../../outside.md", False)

def _get_blob_sha(world: World, path: str) -> str:
    """The SHA of the blob at `path` on main, as the trees API gives it."""
    tree = world.repo.get_git_tree(world.repo.get_branch("main").commit.sha, recursive=True).tree
    [sha] = [e.sha for e in tree if e.path == path]
    return sha


def test_a_submodule_links_its_repository_on_github_and_nothing_elsewhere(world: World) -> None:
    """A submodule hosted on github.com answers with links to that repository's tree; one hosted
    elsewhere answers `git_url`, `html_url` and their `_links` null."""
    _with_links(world)
    world.em.push_commit(REPO, "main", {".gitmodules": '[submodule "qunit"]\n\tpath = test/qunit\n\turl = '
                                        "https://github.com/jquery/qunit.git\n"
                                        '[submodule "elsewhere"]\n\tpath = vendor/lib\n\turl = '
                                        "https://gitlab.example/team/lib.git\n"}, "maintainer")
    base = world.repo.get_git_commit(world.repo.get_branch("main").commit.sha)
    tree = world.repo.create_git_tree(
        [InputGitTreeElement("vendor/lib", "160000", "commit", sha=SUBMODULE_COMMIT)], base.tree
    )
    world.repo.get_git_ref("heads/main").edit(world.repo.create_git_commit("vendor", tree, [base]).sha)
    qunit, elsewhere = _get(world, "contents/test/qunit").json(), _get(world, "contents/vendor/lib").json()
    assert (qunit["git_url"], qunit["html_url"]) == (
        f"https://api.github.com/repos/jquery/qunit/git/trees/{SUBMODULE_COMMIT}",
        f"https://github.com/jquery/qunit/tree/{SUBMODULE_COMMIT}",
    )
    assert (elsewhere["type"], elsewhere["submodule_git_url"]) == ("submodule", "https://gitlab.example/team/lib.git")
    assert (elsewhere["git_url"], elsewhere["html_url"], elsewhere["_links"]["git"], elsewhere["_links"]["html"]) == (
        None, None, None, None,
    )


def test_the_too_large_answer_states_the_limit_in_force(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over a lowered limit (4 bytes), the contents and blob APIs' 403 says "up to 4 bytes", whatever the media type."""
    sha = _get(world, "contents/README.md").json()["sha"]
    monkeypatch.setattr("bot.emulator.routes.API_FILE_LIMIT", 4)
    for path in ("contents/README.md", f"git/blobs/{sha}"):
        for accept in (None, RAW, "application/vnd.github.object+json"):
            if accept and accept.endswith("object+json") and path.startswith("git/"):
                continue  # blobs serve no `object` (406, tested above)
            answer = _get(world, path, accept)
            assert (answer.status_code, answer.json()["message"]) == (
                403,
                "This API returns blobs up to 4 bytes in size. The requested blob is too large to fetch via the API.",
            )


def _delivery_log(world: World) -> list[dict[str, Any]]:
    """The app's whole delivery log, newest first, one entry a page (following the `cursor` links)."""
    headers = {"Authorization": f"Bearer {make_jwt(world.pem, str(APP_ID))}"}
    found: list[dict[str, Any]] = []
    answer = httpx.get(f"{world.em.url}/app/hook/deliveries?per_page=1", headers=headers)
    while True:
        found += answer.json()
        if "next" not in answer.links:
            return found
        assert "cursor=" in answer.links["next"]["url"]
        answer = httpx.get(answer.links["next"]["url"], headers=headers)


def test_an_event_while_the_service_is_down_is_logged_as_a_failed_delivery(world: World) -> None:
    """An event sent while the service is down, and a redelivery asked for then, each appear in the
    app's delivery log as a failed attempt (status not OK) that nothing answered, with the same GUID."""
    world.em.deliver_to("http://127.0.0.1:9/hook")  # never posted to: deliveries are dropped below
    with world.em.deliveries_paused(drop=True):
        world.repo.create_issue(title="Filed while listbot was down")
        world.em.wait_for_deliveries()
        [failed] = _delivery_log(world)
        assert (failed["event"], failed["action"], failed["redelivery"]) == ("issues", "opened", False)
        assert (failed["status_code"], failed["status"] != "OK") == (0, True)
        assert failed["installation_id"] == world.installation_id
        app = {"Authorization": f"Bearer {make_jwt(world.pem, str(APP_ID))}"}
        assert httpx.post(f"{world.em.url}/app/hook/deliveries/{failed['id']}/attempts", headers=app).status_code == 202
    newest_first = _delivery_log(world)
    assert [(d["event"], d["redelivery"], d["status_code"], d["guid"]) for d in newest_first] == [
        ("issues", True, 0, failed["guid"]), ("issues", False, 0, failed["guid"]),
    ]
    assert all(d["status"] != "OK" for d in newest_first)
