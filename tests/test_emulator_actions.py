"""The emulator's `GITHUB_TOKEN`: a GitHub Actions installation token for one repository."""

from __future__ import annotations

import httpx
import pytest
from github import Auth, Github, GithubException

from bot.emulator import GitHubEmulator

REPO = "octo/awesome"


@pytest.fixture
def emulator(github_emulator: GitHubEmulator) -> GitHubEmulator:
    github_emulator.create_repo("octo", "awesome", {"README.md": "# Awesome\n"})
    github_emulator.create_repo("octo", "other", {"README.md": "other\n"})
    github_emulator.create_issue(REPO, "octocat", "Hello", "body")
    return github_emulator


def client(em: GitHubEmulator, token: str) -> Github:
    return Github(base_url=em.url, auth=Auth.Token(token), seconds_between_requests=0, seconds_between_writes=0,
                  retry=None)


def test_workflow_token_acts_as_github_actions_bot(emulator: GitHubEmulator) -> None:
    """A comment made with the workflow token is by github-actions[bot]."""
    repo = client(emulator, emulator.workflow_token(REPO)).get_repo(REPO)
    repo.get_issue(1).create_comment("hi")
    assert [c.user for c in emulator.comments(REPO, 1)] == ["github-actions[bot]"]


def test_workflow_token_reaches_only_its_repository(emulator: GitHubEmulator) -> None:
    """Another repository of the same owner is 404 to the workflow token, its own is readable."""
    gh = client(emulator, emulator.workflow_token(REPO))
    readme = gh.get_repo(REPO).get_contents("README.md")
    assert not isinstance(readme, list)
    assert readme.decoded_content == b"# Awesome\n"
    with pytest.raises(GithubException) as error:
        gh.get_repo("octo/other").get_contents("README.md")
    assert error.value.status == 404


def test_workflow_token_has_only_the_workflow_s_permissions(emulator: GitHubEmulator) -> None:
    """Without `issues: write` a comment is refused as GitHub refuses integrations."""
    token = emulator.workflow_token(REPO, {"contents": "read", "issues": "read", "metadata": "read"})
    with pytest.raises(GithubException) as error:
        client(emulator, token).get_repo(REPO).get_issue(1).create_comment("hi")
    assert (error.value.status, error.value.data["message"]) == (403, "Resource not accessible by integration")


def test_workflow_token_is_not_a_user(emulator: GitHubEmulator) -> None:
    """GET /user with the workflow token answers 403, as for any integration token."""
    response = httpx.get(f"{emulator.url}/user", headers={"Authorization": f"token {emulator.workflow_token(REPO)}"})
    assert response.status_code == 403
    assert response.json()["message"] == "Resource not accessible by integration"


def test_bad_and_expired_tokens_get_github_s_401(emulator: GitHubEmulator) -> None:
    """An unknown or expired token is 401 with GitHub's JSON error body."""
    token = emulator.workflow_token(REPO)
    emulator.expire_tokens()
    for bad in ("ghs_not-a-token", token):
        response = httpx.get(f"{emulator.url}/repos/{REPO}", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401
        body = response.json()
        assert body["message"] == "Bad credentials"
        assert body["documentation_url"].startswith("https://docs.github.com/")


def test_pull_requests_need_the_repository_s_actions_setting(emulator: GitHubEmulator) -> None:
    """Actions may open a pull request only once the repository allows it."""
    repo = client(emulator, emulator.workflow_token(REPO)).get_repo(REPO)
    main = repo.get_branch("main").commit.sha
    repo.create_git_ref("refs/heads/feature", main)
    readme = repo.get_contents("README.md", ref="feature")
    assert not isinstance(readme, list)
    repo.update_file("README.md", "Edit", "# Awesome!\n", readme.sha, branch="feature")
    with pytest.raises(GithubException) as error:
        repo.create_pull(title="t", body="b", head="feature", base="main")
    assert error.value.status == 403
    assert error.value.data["message"] == "GitHub Actions is not permitted to create or approve pull requests."
    emulator.allow_actions_pull_requests(REPO)
    pull = repo.create_pull(title="t", body="b", head="feature", base="main")
    assert pull.user.login == "github-actions[bot]"
