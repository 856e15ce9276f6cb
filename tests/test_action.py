"""`listbot action` end to end: a workflow run's event, its GITHUB_TOKEN, and the emulator as GitHub."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli.sandbox import CONTRIBUTOR, LIST_PATH, MAINTAINER, REPO
from bot.core.help import help_text
from bot.core.template import TEMPLATE_PATH, render_template
from bot.emulator import GitHubEmulator
from tests.factories import SEED, issue_body

LISTBOT = Path(sys.executable).parent / "listbot"
ACTIONS_BOT = "github-actions[bot]"
TITLE = "RadRotator: Chest X-ray Report Generation with Rotating Experts"
FAST = {
    "LISTBOT_REQUEST_PAUSE": "0",
    "LISTBOT_WRITE_PAUSE": "0",
    "LISTBOT_RETRY_ATTEMPTS": "2",
    "LISTBOT_RETRY_BASE_DELAY": "0.05",
}


@pytest.fixture
def github(github_emulator: GitHubEmulator) -> GitHubEmulator:
    """A list repository whose Actions may open pull requests (and no GitHub App anywhere)."""
    owner, name = REPO.split("/")
    github_emulator.create_repo(owner, name, {LIST_PATH: SEED, TEMPLATE_PATH: render_template()})
    github_emulator.add_user(MAINTAINER, "write", repo=REPO)
    github_emulator.add_user(CONTRIBUTOR, "read")
    github_emulator.allow_actions_pull_requests(REPO)
    return github_emulator


def run_action(
    github: GitHubEmulator, tmp_path: Path, event: str, payload: dict[str, Any], token: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `listbot action` as the runner would for a workflow triggered by `event`."""
    event_path = tmp_path / f"{event}.json"
    event_path.write_text(json.dumps(payload), encoding="utf-8")
    env = {
        "PATH": os.environ["PATH"],
        "GITHUB_ACTIONS": "true",
        "GITHUB_TOKEN": token or github.workflow_token(REPO),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_API_URL": github.url,
        "GITHUB_RUN_ID": "7",
        **FAST,
    }
    return subprocess.run([str(LISTBOT), "action"], env=env, capture_output=True, text=True, check=False, timeout=120)


def last_event(github: GitHubEmulator, name: str) -> dict[str, Any]:
    """The payload GitHub built for the latest `name` event (what the runner puts in GITHUB_EVENT_PATH)."""
    github.wait_for_deliveries()
    payload: dict[str, Any] = next(p for e, p in reversed(github.events) if e == name)
    return payload


def listbot_pull(github: GitHubEmulator, number: int) -> Any:
    [pull] = [p for p in github.pulls(REPO, "all") if p.head == f"listbot/issue-{number}"]
    return pull


def test_issue_opened_gets_a_pull_request_from_github_actions(github: GitHubEmulator, tmp_path: Path) -> None:
    """An `issues.opened` run opens the PR with the entry and posts the status comment, as github-actions[bot]."""
    number = github.create_issue(REPO, CONTRIBUTOR, f"[Paper]: {TITLE}", issue_body(), ["submission"])
    result = run_action(github, tmp_path, "issues", last_event(github, "issues"))
    assert result.returncode == 0, result.stderr
    assert f"listbot action: handled `issues.opened` in {REPO} as {ACTIONS_BOT}." in result.stdout
    pull = listbot_pull(github, number)
    assert (pull.user, pull.state, pull.base) == (ACTIONS_BOT, "open", "main")
    branch_list = github.file_at(REPO, pull.head, LIST_PATH)
    assert branch_list is not None
    assert f"**{TITLE}**\n*J. Doe, K. Lee, et al.*\narXiv | 15 Mar 2024\n" in branch_list
    [status] = [c for c in github.comments(REPO, number) if c.user == ACTIONS_BOT]
    assert f"I opened #{pull.number}" in status.body


def test_push_to_main_rebuilds_the_pull_request_on_the_new_list(github: GitHubEmulator, tmp_path: Path) -> None:
    """A `push` run after the list moved regenerates listbot's branch on top of the new default branch."""
    number = github.create_issue(REPO, CONTRIBUTOR, f"[Paper]: {TITLE}", issue_body(), ["submission"])
    assert run_action(github, tmp_path, "issues", last_event(github, "issues")).returncode == 0
    moved = SEED.replace("## Datasets\n", "## Datasets\n\nA maintainer's note.\n", 1)
    assert moved != SEED
    new_main = github.push_commit(REPO, "main", {LIST_PATH: moved}, MAINTAINER, "Edit the list")
    result = run_action(github, tmp_path, "push", last_event(github, "push"))
    assert result.returncode == 0, result.stderr
    pull = listbot_pull(github, number)
    branch_list = github.file_at(REPO, pull.head, LIST_PATH)
    assert branch_list is not None
    assert "A maintainer's note." in branch_list
    assert f"**{TITLE}**" in branch_list
    assert github.commit_info(REPO, github.commits_between(REPO, "main", pull.head)[0])["parents"] == [new_main]


def test_scheduled_run_catches_up_on_a_missed_issue(github: GitHubEmulator, tmp_path: Path) -> None:
    """A `schedule` run reconciles every submission, e.g. one whose own run failed or never ran."""
    number = github.create_issue(REPO, CONTRIBUTOR, f"[Paper]: {TITLE}", issue_body(), ["submission"])
    result = run_action(github, tmp_path, "schedule", {"schedule": "17 */6 * * *"})
    assert result.returncode == 0, result.stderr
    assert "handled a resync" in result.stdout
    assert listbot_pull(github, number).state == "open"


def test_bad_token_fails_the_step_and_writes_nothing(github: GitHubEmulator, tmp_path: Path) -> None:
    """A token GitHub refuses (401) fails the step with a message saying so, and nothing is written."""
    number = github.create_issue(REPO, CONTRIBUTOR, f"[Paper]: {TITLE}", issue_body(), ["submission"])
    result = run_action(github, tmp_path, "issues", last_event(github, "issues"), token="ghs_" + "x" * 36)
    assert result.returncode == 1
    assert "GitHub refused the token" in result.stderr
    assert "Bad credentials" in result.stderr
    assert github.pulls(REPO, "all") == []
    assert github.comments(REPO, number) == []


def test_repository_that_forbids_actions_pull_requests_fails_with_the_fix(
    github: GitHubEmulator, tmp_path: Path
) -> None:
    """Without the repository's Actions pull-request setting the step fails and names the setting."""
    github.allow_actions_pull_requests(REPO, allowed=False)
    github.create_issue(REPO, CONTRIBUTOR, f"[Paper]: {TITLE}", issue_body(), ["submission"])
    result = run_action(github, tmp_path, "issues", last_event(github, "issues"))
    assert result.returncode == 1
    assert "Settings → Actions → General → Workflow permissions" in result.stderr
    assert github.pulls(REPO, "all") == []


def test_missing_runner_variables_are_a_usage_error(tmp_path: Path) -> None:
    """Outside a workflow, `listbot action` says which variable is missing and exits 2."""
    env = {"PATH": os.environ["PATH"], "GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": REPO}
    result = subprocess.run([str(LISTBOT), "action"], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "GITHUB_EVENT_NAME is not set" in result.stderr


def test_events_listbot_does_not_handle_are_skipped(github: GitHubEmulator, tmp_path: Path) -> None:
    """A run for an event listbot has no use for exits 0 without writing anything."""
    result = run_action(github, tmp_path, "release", {"action": "published", "repository": {"full_name": REPO}})
    assert result.returncode == 0, result.stderr
    assert "nothing to do for `release` events" in result.stdout
    assert github.pulls(REPO, "all") == []


def test_unreadable_event_file_and_bad_tuning_are_usage_errors(github: GitHubEmulator, tmp_path: Path) -> None:
    """A broken event file or a non-numeric pause is exit 2 with a message naming it."""
    event_path = tmp_path / "issues.json"
    event_path.write_text("{not json", encoding="utf-8")
    env = {
        "PATH": os.environ["PATH"], "GITHUB_TOKEN": github.workflow_token(REPO), "GITHUB_REPOSITORY": REPO,
        "GITHUB_EVENT_NAME": "issues", "GITHUB_EVENT_PATH": str(event_path), "GITHUB_API_URL": github.url,
    }
    result = subprocess.run([str(LISTBOT), "action"], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert f"cannot read the event in GITHUB_EVENT_PATH={event_path}" in result.stderr
    env["LISTBOT_WRITE_PAUSE"] = "soon"
    result = subprocess.run([str(LISTBOT), "action"], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "LISTBOT_WRITE_PAUSE='soon' is not a number" in result.stderr


def test_a_personal_token_writes_as_its_user(github: GitHubEmulator, tmp_path: Path) -> None:
    """With a personal access token instead of GITHUB_TOKEN, listbot writes as that token's user."""
    github.add_user("list-bot-account", "write", repo=REPO)
    number = github.create_issue(REPO, CONTRIBUTOR, f"[Paper]: {TITLE}", issue_body(), ["submission"])
    token = github.user_token("list-bot-account")
    result = run_action(github, tmp_path, "issues", last_event(github, "issues"), token=token)
    assert result.returncode == 0, result.stderr
    assert "as list-bot-account." in result.stdout
    pull = listbot_pull(github, number)
    assert (pull.user, pull.state) == ("list-bot-account", "open")
    assert [c.user for c in github.comments(REPO, number)] == ["list-bot-account"]


def test_commands_work_in_a_workflow_too(github: GitHubEmulator, tmp_path: Path) -> None:
    """An `issue_comment` run answers `/listbot help` and carries out a maintainer's `/listbot refresh`."""
    number = github.create_issue(REPO, CONTRIBUTOR, f"[Paper]: {TITLE}", issue_body(), ["submission"])
    github.add_comment(REPO, number, CONTRIBUTOR, "/listbot help")
    result = run_action(github, tmp_path, "issue_comment", last_event(github, "issue_comment"))
    assert result.returncode == 0, result.stderr
    [answer] = [c for c in github.comments(REPO, number) if c.user == ACTIONS_BOT]
    assert answer.body.startswith(help_text())
    assert github.pulls(REPO, "all") == []  # help changes nothing else
    github.add_comment(REPO, number, MAINTAINER, "/listbot refresh")
    result = run_action(github, tmp_path, "issue_comment", last_event(github, "issue_comment"))
    assert result.returncode == 0, result.stderr
    assert listbot_pull(github, number).user == ACTIONS_BOT
