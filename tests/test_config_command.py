"""Tests for `listbot config schema|check` and the JSON Schema of `.github/listbot.yml`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.cli.main import main
from bot.core.repo_config import CONFIG_PATH, SCHEMA_PATH, parse_repo_config
from bot.core.rules import Rules, rules_json_schema, rules_json_schema_text
from tests.factories import ROOT

BAD_FILE = "placement: sideways\nplacment: top\nlabels: {submission: x, needs_changes: X}\n"


def _schema_errors(data: object) -> list[str]:
    return [error.message for error in jsonschema.Draft202012Validator(rules_json_schema()).iter_errors(data)]


# --- listbot config schema ---------------------------------------------------------------------


def test_committed_schema_is_current(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`listbot config schema --check` exits 0 on the committed `.github/listbot.schema.json`."""
    monkeypatch.chdir(ROOT)
    assert main(["config", "schema", "--check"]) == 0
    assert f"{SCHEMA_PATH} is up to date" in capsys.readouterr().out


def test_schema_command_writes_the_schema_and_check_catches_staleness(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`listbot config schema` writes the schema; `--check` exits 1 once the file is edited or missing."""
    path = tmp_path / "listbot.schema.json"
    assert main(["config", "schema", "--check", "--output", str(path)]) == 1
    assert "is missing; run `listbot config schema`" in capsys.readouterr().err
    assert main(["config", "schema", "--output", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == rules_json_schema_text()
    assert main(["config", "schema", "--check", "--output", str(path)]) == 0
    path.write_text(path.read_text(encoding="utf-8").replace("by-date", "by-day"), encoding="utf-8")
    assert main(["config", "schema", "--check", "--output", str(path)]) == 1
    assert "is stale" in capsys.readouterr().err


def test_committed_config_names_the_schema_and_obeys_it() -> None:
    """`.github/listbot.yml` points editors at the schema on its first line and is valid against it."""
    text = (ROOT / CONFIG_PATH).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=listbot.schema.json"
    assert _schema_errors(yaml.safe_load(text)) == []


@pytest.mark.parametrize("config", [CONFIG_PATH, f"examples/awesome-list/{CONFIG_PATH}"])
def test_committed_configs_pass_both_checks(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    """This list's and the awesome-list example's `listbot.yml` pass `listbot config check` and the schema."""
    path = ROOT / config
    assert main(["config", "check", str(path)]) == 0
    assert capsys.readouterr().out == f"listbot: {path} is valid.\n"
    assert _schema_errors(yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_schema_states_every_default_and_choice() -> None:
    """The schema nests keys as the file does and carries each default and the valid choices."""
    properties = json.loads(rules_json_schema_text())["properties"]
    defaults = Rules()
    assert properties["list_path"]["default"] == defaults.list_path
    assert properties["labels"]["properties"]["needs_changes"]["default"] == defaults.needs_changes_label
    assert properties["placement"]["enum"] == ["by-date", "top", "bottom"]
    assert properties["commands"]["properties"]["permission"]["enum"] == ["write", "maintain", "admin"]
    assert properties["commands"]["default"] == {"permission": "write", "users": []}


_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "list_path": st.sampled_from(["list/README.md", "docs/x.md", "../a.md", "/abs.md", "a.txt", 5, "", None]),
    "branch_prefix": st.sampled_from(["bot/", "listbot/issue-", "main-", "x", "-x-", 3, "a..b-"]),
    "placement": st.sampled_from(["by-date", "top", "bottom", "sideways", 1, None]),
    "labels": st.one_of(
        st.dictionaries(
            st.sampled_from(["submission", "needs_changes", "submision"]),
            st.sampled_from(["paper", "needs-work", "", "x" * 51, " padded ", 7]),
        ),
        st.sampled_from(["text", None]),
    ),
    "commands": st.one_of(
        st.dictionaries(
            st.sampled_from(["permission", "users", "permissions"]),
            st.one_of(
                st.sampled_from(["write", "admin", "read"]),
                st.lists(st.sampled_from(["mona", "@hubot", "dependabot[bot]", "not a login", 42]), max_size=3),
                st.none(),
            ),
        ),
        st.just(["mona"]),
    ),
    "placment": st.just("top"),
}


@given(st.fixed_dictionaries({}, optional=_VALUES))
def test_the_schema_never_refuses_a_file_the_bot_accepts(data: dict[str, Any]) -> None:
    """A file listbot reads without a problem is valid against the schema, so editors never flag it."""
    if parse_repo_config(yaml.safe_dump(data), Rules()).ok:
        assert _schema_errors(data) == []


@pytest.mark.parametrize(
    "text",
    ["placement: sideways", "placment: top", "labels: {submission: ''}", "commands: {permission: read}", "labels: x"],
)
def test_the_schema_refuses_what_an_editor_can_see_is_wrong(text: str) -> None:
    """A bad choice, an unknown key, an empty label or a non-mapping group is flagged by the schema too."""
    assert _schema_errors(yaml.safe_load(text)) != []


# --- listbot config check ----------------------------------------------------------------------


def test_check_accepts_the_committed_file(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`listbot config check` reads `.github/listbot.yml` by default and exits 0 when it is valid."""
    monkeypatch.chdir(ROOT)
    assert main(["config", "check"]) == 0
    assert capsys.readouterr().out == f"listbot: {CONFIG_PATH} is valid.\n"


def test_check_prints_the_bots_messages_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`listbot config check PATH` prints, one per line, exactly the problems the bot posts, and exits 1."""
    path = tmp_path / "listbot.yml"
    path.write_text(BAD_FILE, encoding="utf-8")
    assert main(["config", "check", str(path)]) == 1
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"{path}: {problem}" for problem in parse_repo_config(BAD_FILE, Rules()).problems]
    assert printed == [
        f"{path}: `placement: sideways` is not valid: use one of `by-date`, `top`, `bottom` "
        "(e.g. `placement: top`). Using the default `by-date`.",
        f"{path}: `placment` is not a listbot setting (did you mean `placement`?); it is ignored. "
        "Known keys: `list_path`, `labels`, `branch_prefix`, `placement`, `commands`, `sources`, `kinds`, `venues`.",
        f"{path}: `labels.submission` and `labels.needs_changes` are both `x`; they must differ. "
        "Using the default labels.",
    ]


def test_check_reports_a_file_that_is_not_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that is not YAML is a problem with the file (exit 1), not a usage error."""
    path = tmp_path / "listbot.yml"
    path.write_text("placement: [top\n", encoding="utf-8")
    assert main(["config", "check", str(path)]) == 1
    assert "is not valid YAML (line 2" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["missing", "directory", "not utf-8"])
def test_check_exits_2_when_the_path_cannot_be_read(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing path, a directory or a file that is not UTF-8 text is a usage error (exit 2)."""
    path = tmp_path / "listbot.yml"
    if kind == "directory":
        path.mkdir()
    elif kind == "not utf-8":
        path.write_bytes(b"placement: \xff\n")
    assert main(["config", "check", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(path) in captured.err
