"""Tests for `listbot replay` against the real service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.service.app import WEBHOOK_PATH
from tests.deployment import REPO
from tests.test_app import Live, live, serving

__all__ = ["live"]  # the fixture
SECRET = "any-secret-for-usage-errors"


@pytest.fixture
def payload(live: Live, tmp_path: Path) -> Path:
    """An issues.opened payload for a fresh submission, saved to a file."""
    path = tmp_path / "issues.opened.json"
    path.write_bytes(live.payload(live.file_issue()))
    return path


def test_replay_delivers_a_signed_payload(
    live: Live, payload: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Replay signs with WEBHOOK_SECRET, the service accepts it and acts on it, and replay exits 0."""
    monkeypatch.setenv("WEBHOOK_SECRET", live.secret)
    with serving(live) as url:
        status = main(["replay", str(payload), "--event", "issues", "--url", url + WEBHOOK_PATH])
        live.wait_idle()
    assert status == 0
    assert capsys.readouterr().out.startswith("202 issues delivery ")
    number = json.loads(payload.read_text())["issue"]["number"]
    assert [pull.head for pull in live.github.pulls(REPO)] == [f"listbot/issue-{number}"]


def test_replay_takes_the_secret_from_the_command_line(
    live: Live, payload: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--secret signs the delivery when WEBHOOK_SECRET is unset."""
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    with serving(live) as url:
        args = ["replay", str(payload), "--event", "issues", "--url", url + WEBHOOK_PATH]
        assert main([*args, "--secret", live.secret]) == 0


def test_replay_exits_1_when_the_service_refuses(
    live: Live, payload: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A delivery signed with the wrong secret gets 401 and replay exits 1."""
    monkeypatch.setenv("WEBHOOK_SECRET", "the-wrong-secret")
    with serving(live) as url:
        status = main(["replay", str(payload), "--event", "issues", "--url", url + WEBHOOK_PATH])
    assert status == 1
    assert capsys.readouterr().out.startswith("401 ")


def test_replay_exits_1_when_nothing_listens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unreachable URL makes replay exit 1 with a message."""
    payload = tmp_path / "ping.json"
    payload.write_text("{}")
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    assert main(["replay", str(payload), "--event", "issues", "--url", "http://127.0.0.1:9/x"]) == 1


@pytest.mark.parametrize(
    ("content", "secret", "message"),
    [
        (None, SECRET, "cannot read"),
        ("{not json", SECRET, "not valid JSON"),
        ("{}", "", "WEBHOOK_SECRET"),
    ],
)
def test_replay_usage_errors_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    secret: str,
    message: str,
) -> None:
    """A missing file, invalid JSON or no secret exits 2 with a message on stderr."""
    path = tmp_path / "payload.json"
    if content is not None:
        path.write_text(content)
    monkeypatch.setenv("WEBHOOK_SECRET", secret)
    assert main(["replay", str(path), "--event", "issues", "--url", "http://127.0.0.1:9/"]) == 2
    assert message in capsys.readouterr().err
