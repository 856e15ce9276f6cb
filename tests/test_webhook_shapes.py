"""Every payload field listbot reads exists in GitHub's own examples and in the emulator's payloads."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bot.emulator import GitHubEmulator

EXAMPLES = json.loads((Path(__file__).parent / "fixtures" / "webhooks" / "octokit-example-keys.json").read_text())
REPO = "octo/list"
COMMON = ("repository.full_name", "repository.default_branch", "sender.login", "sender.type")
# What bot/webhook.py and bot/reconcile.py read from each kind of delivery.
READS: dict[str, tuple[str, ...]] = {
    "issues.opened": ("action", "issue.number", *COMMON),
    "issues.edited": ("action", "issue.number", *COMMON),
    "issues.reopened": ("action", "issue.number", *COMMON),
    "issues.labeled": ("action", "issue.number", *COMMON),
    "issue_comment.created": ("action", "issue.number", "comment.id", "comment.body", "comment.user.login", *COMMON),
    "pull_request.closed": ("action", "pull_request.head.ref", "pull_request.user.login", "pull_request.body", *COMMON),
    "pull_request.synchronize": (
        "action", "pull_request.head.ref", "pull_request.user.login", "pull_request.body", *COMMON
    ),
    "push": ("ref", "commits", *COMMON),
}


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Dotted paths of every key in a JSON value (`[]` stands for a list's first item)."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            paths.add(prefix + key)
            paths |= key_paths(item, f"{prefix}{key}.")
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        paths |= key_paths(value[0], f"{prefix}[].")
    return paths


@pytest.fixture
def payloads(github_emulator: GitHubEmulator) -> dict[str, dict[str, Any]]:
    """One emulator payload of each kind listbot handles, built from real state."""
    gh = github_emulator
    gh.register_app(app_id=1)
    gh.create_repo("octo", "list", {"README.md": "hi\n"})
    gh.install("octo")
    number = gh.create_issue(REPO, "alice", "t", "b", ["submission"])
    comment = gh.add_comment(REPO, number, "alice", "/listbot refresh")
    gh.create_branch(REPO, "feature")
    gh.push_commit(REPO, "feature", {"a.md": "x"}, "alice", "m")
    token = gh.installation_token(next(iter(gh.state.installations)))
    request = urllib.request.Request(
        f"{gh.url}/repos/{REPO}/pulls", json.dumps({"title": "p", "head": "feature", "base": "main"}).encode(),
        {"Authorization": f"token {token}"}, method="POST",
    )
    with urllib.request.urlopen(request) as response:
        pull = int(json.loads(response.read())["number"])
    built = {
        "issues.opened": gh.webhook("issues", "opened", REPO, issue=number),
        "issues.edited": gh.webhook("issues", "edited", REPO, issue=number, changes={"body": {"from": "a"}}),
        "issues.reopened": gh.webhook("issues", "reopened", REPO, issue=number),
        "issues.labeled": gh.webhook("issues", "labeled", REPO, issue=number, label="submission"),
        "issue_comment.created": gh.webhook("issue_comment", "created", REPO, issue=number, comment=comment),
        "push": gh.webhook("push", None, REPO, ref="refs/heads/feature"),
        "pull_request.closed": gh.webhook("pull_request", "closed", REPO, pull=pull),
        "pull_request.synchronize": gh.webhook("pull_request", "synchronize", REPO, pull=pull),
    }
    return {name: payload for name, (_event, payload) in built.items()}


@pytest.mark.parametrize("kind", sorted(READS))
def test_fields_listbot_reads_are_in_githubs_examples(kind: str) -> None:
    """listbot reads only fields that GitHub's example payload of that kind carries."""
    assert set(READS[kind]) <= set(EXAMPLES["events"][kind])


def test_the_emulator_sends_every_field_listbot_reads(payloads: dict[str, dict[str, Any]]) -> None:
    """Each emulator payload carries the fields listbot reads, plus the installation id apps get."""
    for kind, payload in payloads.items():
        missing = (set(READS[kind]) | {"installation.id"}) - key_paths(payload)
        assert not missing, f"{kind} lacks {sorted(missing)}"
