"""Tests for the offline commands: preview, apply, template and form parse."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.factories import ROOT, SEED_PATH, issue_body


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the seed list and a valid issue body in a temporary folder."""
    (tmp_path / "list.md").write_bytes(SEED_PATH.read_bytes())
    (tmp_path / "body.md").write_text(issue_body(), encoding="utf-8")
    return tmp_path


def test_preview_prints_the_diff_and_writes_nothing(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`preview` prints a unified diff that adds the entry and leaves the list untouched."""
    code = main(["preview", str(workspace / "body.md"), "--list", str(workspace / "list.md")])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("--- a/")
    assert "+**RadRotator: Chest X-ray Report Generation with Rotating Experts**" in out
    assert (workspace / "list.md").read_bytes() == SEED_PATH.read_bytes()


def test_apply_writes_the_entry_once(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`apply` writes the entry; applying the same body again exits 1 and writes nothing."""
    args = ["apply", str(workspace / "body.md"), "--list", str(workspace / "list.md")]
    assert main(args) == 0
    after = (workspace / "list.md").read_bytes()
    assert b"*J. Doe, K. Lee, et al.*" in after
    assert main(args) == 1
    assert "already listed" in capsys.readouterr().err
    assert (workspace / "list.md").read_bytes() == after


def test_list_commands_leave_the_garbage_collector_as_they_found_it(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The list commands pause the cyclic collector while they run (`bot.cli.main._one_shot`); run
    in-process, whether they succeed, fail or cannot read their file, they resume it on return, and
    leave it paused for a caller that had paused it."""
    commands = [
        ["lint", str(workspace / "list.md")],
        ["lint", str(workspace / "missing.md")],
        ["preview", str(workspace / "body.md"), "--list", str(workspace / "list.md")],
    ]
    assert gc.isenabled()
    for command in commands:
        main(command)
        assert gc.isenabled(), command
    gc.disable()
    try:
        for command in commands:
            main(command)
            assert not gc.isenabled(), command
    finally:
        gc.enable()
    capsys.readouterr()


def test_a_list_command_run_in_process_freezes_nothing(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Run in-process (`main`), a list command leaves every object it made to the cyclic collector."""
    frozen = gc.get_freeze_count()
    for command in (["lint", str(workspace / "list.md")], ["apply", str(workspace / "body.md"), "--list",
                                                           str(workspace / "list.md"), "--no-fetch"]):
        main(command)
        assert gc.get_freeze_count() == frozen, command
    capsys.readouterr()


_CONSOLE = (
    "import gc, sys; from bot.cli.main import console; status = console(sys.argv[1:]); "
    "print('AFTER', status, gc.get_freeze_count(), gc.isenabled())"
)


@pytest.mark.parametrize("command", ["lint", "apply", "missing"])
def test_the_console_entry_point_freezes_what_a_list_command_made(command: str, workspace: Path) -> None:
    """As its process's last act (`console`, the `listbot` script), a list command freezes what it
    made out of the cyclic collector, whose exit collections then pass it by, answers as `main`
    does, and leaves the collector running."""
    args = {
        "lint": ["lint", str(workspace / "list.md")],
        "apply": ["apply", str(workspace / "body.md"), "--list", str(workspace / "list.md"), "--no-fetch"],
        "missing": ["lint", str(workspace / "missing.md")],
    }[command]
    run = subprocess.run([sys.executable, "-c", _CONSOLE, *args], cwd=ROOT, capture_output=True, text=True)
    after = [line.split()[1:] for line in run.stdout.splitlines() if line.startswith("AFTER ")]
    assert after, run.stderr
    status, frozen, enabled = after[0]
    assert (int(status), enabled) == ({"lint": 0, "apply": 0, "missing": 2}[command], "True")
    assert int(frozen) > 10_000  # the modules and models the command imported, at least


def test_invalid_submission_exits_1_with_per_field_messages(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invalid body exits 1, lists each bad field on stderr and writes nothing."""
    (workspace / "body.md").write_text(issue_body(paper_url="javascript:alert(1)", date="next year"))
    assert main(["apply", str(workspace / "body.md"), "--list", str(workspace / "list.md")]) == 1
    err = capsys.readouterr().err
    assert "Paper link: only http:// and https:// links" in err
    assert "Publication date:" in err
    assert (workspace / "list.md").read_bytes() == SEED_PATH.read_bytes()


@pytest.mark.parametrize("field", ["paper_url", "code_url"])
def test_a_link_urlsplit_refuses_is_a_field_message_not_a_crash(
    field: str, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`https://[x` (a bracket that opens no IPv6 host) is refused by validation, with the field
    named; looking up what to fetch for it must not raise first (`lookups.wanted`)."""
    (workspace / "body.md").write_text(issue_body(**{field: "https://[x"}), encoding="utf-8")
    assert main(["apply", str(workspace / "body.md"), "--list", str(workspace / "list.md"), "--no-fetch"]) == 1
    err = capsys.readouterr().err
    assert "link" in err
    assert "Traceback" not in err
    assert "IPv6" not in err
    assert (workspace / "list.md").read_bytes() == SEED_PATH.read_bytes()


def test_usage_errors_exit_2(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing body or list file, or an unknown flag, exits 2."""
    assert main(["preview", str(workspace / "nope.md"), "--list", str(workspace / "list.md")]) == 2
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["preview", "--bogus"])
    assert caught.value.code == 2


def test_template_check_detects_a_stale_form(tmp_path: Path) -> None:
    """`template --check` passes on a fresh form and exits 1 once the file is edited."""
    form = tmp_path / "paper.yml"
    assert main(["template", "--output", str(form)]) == 0
    assert main(["template", "--check", "--output", str(form)]) == 0
    form.write_text(form.read_text() + "# edited\n")
    assert main(["template", "--check", "--output", str(form)]) == 1


def test_committed_template_is_current() -> None:
    """The committed issue form matches the schema."""
    assert main(["template", "--check", "--output", str(ROOT / ".github/ISSUE_TEMPLATE/paper.yml")]) == 0


def test_form_parse_prints_json_keyed_by_field_id(workspace: Path) -> None:
    """`listbot form parse` prints the body as JSON keyed by field id, leaving empty fields out."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "form", "parse", str(workspace / "body.md"),
         "--template", str(ROOT / ".github/ISSUE_TEMPLATE/paper.yml")],
        capture_output=True, text=True, check=True,
    )
    parsed = json.loads(result.stdout)
    assert parsed["venue"] == "arXiv"
    assert "model_url" not in parsed


def test_apply_keeps_a_crlf_list_crlf(workspace: Path) -> None:
    """`apply` on a CRLF list writes CRLF lines and changes no other byte."""
    crlf = SEED_PATH.read_bytes().replace(b"\n", b"\r\n")
    (workspace / "list.md").write_bytes(crlf)
    assert main(["apply", str(workspace / "body.md"), "--list", str(workspace / "list.md")]) == 0
    after = (workspace / "list.md").read_bytes()
    assert b"\n" not in after.replace(b"\r\n", b"")
    assert after.replace(b"\r\n", b"\n").count(b"\n") == crlf.count(b"\r\n") + 6


def test_preview_piped_to_patch_gives_what_apply_writes(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """For a list without a final newline, `patch` with `preview`'s diff writes exactly what `apply` writes."""
    papers_only = SEED_PATH.read_bytes().split(b"## Datasets")[0]
    unterminated = papers_only.rstrip(b"\n")  # the new year section goes at the very end
    for name in ("patched.md", "applied.md"):
        (workspace / name).write_bytes(unterminated)
    body = workspace / "body.md"
    body.write_text(issue_body(title="An older paper", date="2016-02", paper_url="arXiv:1602.00001"), encoding="utf-8")
    assert main(["preview", str(body), "--list", str(workspace / "patched.md")]) == 0
    diff = capsys.readouterr().out
    assert "\\ No newline at end of file" in diff
    assert main(["apply", str(body), "--list", str(workspace / "applied.md")]) == 0
    subprocess.run(["patch", "--quiet", "--batch", str(workspace / "patched.md")], input=diff.encode(), check=True)
    assert (workspace / "patched.md").read_bytes() == (workspace / "applied.md").read_bytes()
