"""Tests for bot.core.repo_config: `.github/listbot.yml` over the defaults, and clear problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.repo_config import CONFIG_PATH, MAX_CONFIG_BYTES, parse_repo_config
from bot.core.rules import Rules

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = Rules()


def test_absent_file_gives_the_defaults_without_problems() -> None:
    """No configuration file means the default rules and no problems."""
    result = parse_repo_config(None, DEFAULTS)
    assert result.rules == DEFAULTS
    assert result.problems == []


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n"])
def test_empty_file_gives_the_defaults(text: str) -> None:
    """An empty or comment-only file means the default rules and no problems."""
    assert parse_repo_config(text, DEFAULTS) == parse_repo_config(None, DEFAULTS)


def test_committed_example_states_exactly_the_defaults() -> None:
    """The repository's own `.github/listbot.yml` is valid and spells out the defaults."""
    result = parse_repo_config((ROOT / CONFIG_PATH).read_text(encoding="utf-8"), DEFAULTS)
    assert result.problems == []
    assert result.rules == DEFAULTS


def test_every_key_overrides_its_default() -> None:
    """A valid file overrides each rule it names."""
    text = """
list_path: docs/papers.md
labels:
  submission: paper
  needs_changes: needs-work
branch_prefix: bot/paper-
placement: top
commands:
  permission: maintain
  users: ["@mona", hubot, "dependabot[bot]"]
"""
    result = parse_repo_config(text, DEFAULTS)
    assert result.problems == []
    assert result.rules == Rules(
        list_path="docs/papers.md",
        submission_label="paper",
        needs_changes_label="needs-work",
        branch_prefix="bot/paper-",
        placement="top",
        command_permission="maintain",
        command_users=frozenset({"mona", "hubot", "dependabot[bot]"}),
    )


def test_keys_left_out_keep_the_defaults_given() -> None:
    """Keys the file does not name keep the defaults passed in, not built-in ones."""
    base = Rules(list_path="README.md", placement="bottom")
    result = parse_repo_config("labels: {submission: paper}\n", base)
    assert result.rules == Rules(list_path="README.md", placement="bottom", submission_label="paper")


@pytest.mark.parametrize(
    ("text", "key", "needle"),
    [
        ("list_path: ../secrets.md", "list_path", "`..`"),
        ("list_path: /etc/passwd.md", "list_path", "leading `/`"),
        ("list_path: .github/workflows/ci.md", "list_path", ".github/workflows"),
        ("list_path: .GitHub/Workflows/x.md", "list_path", ".github/workflows"),
        ("list_path: list/README.txt", "list_path", "`.md`"),
        ("list_path: [a, b]", "list_path", "Markdown file"),
        ("branch_prefix: ''", "branch_prefix", "non-empty"),
        ("branch_prefix: main", "branch_prefix", "end with"),
        ("branch_prefix: main-", "branch_prefix", "default branch"),
        ("branch_prefix: refs/heads/", "branch_prefix", "default branch"),
        ("branch_prefix: 'my branch-'", "branch_prefix", "spaces"),
        ("branch_prefix: a..b-", "branch_prefix", "`..`"),
        ("placement: sideways", "placement", "`by-date`, `top`, `bottom`"),
        ("commands: {permission: read}", "commands.permission", "`write`, `maintain`, `admin`"),
        ("commands: {users: mona}", "commands.users", "list of GitHub logins"),
        ("commands: {users: ['not a login!']}", "commands.users", "GitHub login"),
        ("labels: {submission: ''}", "labels.submission", "label name"),
        ("labels: {needs_changes: " + "x" * 51 + "}", "labels.needs_changes", "50 characters"),
    ],
)
def test_an_invalid_value_is_named_and_its_default_kept(text: str, key: str, needle: str) -> None:
    """A bad value yields a problem naming the key, the reason and an example, and the default stays."""
    result = parse_repo_config(text, DEFAULTS)
    assert result.rules == DEFAULTS
    [problem] = result.problems
    assert f"`{key}: " in problem
    assert needle in problem
    assert "(e.g. `" in problem
    assert "Using the default" in problem


def test_a_bad_key_does_not_spoil_the_good_ones() -> None:
    """Valid keys apply even when another key in the same file is invalid."""
    result = parse_repo_config("placement: top\nbranch_prefix: 'no spaces allowed-'\n", DEFAULTS)
    assert result.rules.placement == "top"
    assert result.rules.branch_prefix == DEFAULTS.branch_prefix
    assert len(result.problems) == 1


def test_one_bad_command_user_keeps_the_default_users() -> None:
    """A users list with one invalid entry grants nobody anything."""
    result = parse_repo_config("commands: {users: [mona, 42]}", DEFAULTS)
    assert result.rules.command_users == frozenset()
    assert "`commands.users: 42`" in result.problems[0]


def test_equal_labels_are_refused() -> None:
    """The submission and needs-changes labels must differ."""
    result = parse_repo_config("labels: {submission: x, needs_changes: X}", DEFAULTS)
    assert result.rules == DEFAULTS
    assert "must differ" in result.problems[0]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("placment: top", "did you mean `placement`?"),
        ("label: {submission: x}", "did you mean `labels`?"),
        ("branch-prefix: x-", "did you mean `branch_prefix`?"),
        ("labels: {submision: x}", "did you mean `labels.submission`?"),
        ("commands: {permissions: admin}", "did you mean `commands.permission`?"),
    ],
)
def test_an_unknown_key_is_reported_with_a_typo_hint(text: str, hint: str) -> None:
    """A misspelt key is ignored and the problem suggests the key that was probably meant."""
    result = parse_repo_config(text, DEFAULTS)
    assert result.rules == DEFAULTS
    assert hint in result.problems[0]
    assert "is not a listbot setting" in result.problems[0]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("placement: [top\n", "not valid YAML (line 2"),
        ("- placement: top\n", "must be a mapping"),
        ("just text", "must be a mapping"),
        ("a: " + "[" * 20_000, "not valid YAML"),
        ("!!python/object:os.system {}", "not valid YAML"),
        ("x" * (MAX_CONFIG_BYTES + 1), "larger than 64 KB"),
    ],
)
def test_an_unreadable_file_falls_back_to_every_default(text: str, needle: str) -> None:
    """Invalid YAML, a non-mapping, unsafe tags or an oversized file give one problem and all defaults."""
    result = parse_repo_config(text, DEFAULTS)
    assert result.rules == DEFAULTS
    [problem] = result.problems
    assert needle in problem
    assert "defaults for every key" in problem


def test_messages_never_echo_long_or_control_text() -> None:
    """A problem quotes at most a short, single-line excerpt of the bad value."""
    result = parse_repo_config('placement: "' + "\\n" * 3 + "y" * 500 + '"', DEFAULTS)
    [problem] = result.problems
    assert "\n" not in problem
    assert "y" * 100 not in problem


def test_a_group_with_every_key_left_out_keeps_its_defaults() -> None:
    """`labels:` or `commands:` with nothing under them (all commented out) is not a problem."""
    result = parse_repo_config("labels:\n  # submission: paper\ncommands:\n", DEFAULTS)
    assert result.problems == []
    assert result.rules == DEFAULTS
