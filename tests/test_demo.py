"""`listbot demo`: the whole job against the bundled emulator, as a new user first runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.cli.demo import embedded
from bot.core.lint import lint
from tests.factories import ROOT

LISTBOT = Path(sys.executable).parent / "listbot"
ENTRY_TITLE = "PromptMRG: Diagnosis-Driven Prompts for Medical Report Generation"


def _demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LISTBOT), "demo", *args], capture_output=True, text=True, check=False, timeout=120, cwd=ROOT.parent,
    )


def test_demo_prints_the_pull_request_its_diff_and_the_status_comment() -> None:
    """With no arguments the demo files the example issue and prints listbot's PR, diff and comment."""
    result = _demo()
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"Issue #1 by @octocat: [Paper]: {ENTRY_TITLE}" in out
    assert f"Pull request #2 by @listbot[bot] (open): Add paper: {ENTRY_TITLE}" in out
    assert "Closes #1" in out
    diff = out[out.index("--- a/list/README.md\n+++ b/list/README.md\n"):]
    entry = "+*H. Jin, H. Che, et al.*\n+AAAI 2024\n+[paper](https://arxiv.org/abs/2308.12604)\n"
    assert f"+**{ENTRY_TITLE}**\n{entry}" in diff
    assert "Status comment on issue #1 by @listbot[bot]" in out
    assert "I opened #2 which adds" in out
    assert out.rstrip().endswith("the emulator and listbot are stopped.")


def test_demo_with_an_invalid_body_prints_what_to_fix_and_exits_1(tmp_path: Path) -> None:
    """A body listbot rejects gets no PR; the demo prints the status comment's per-field problems."""
    body = tmp_path / "body.md"
    paper_link = "https://arxiv.org/pdf/2308.12604v1"
    body.write_text(embedded("issue-body.md").replace(paper_link, "ftp://x"), encoding="utf-8")
    result = _demo("--body", str(body))
    assert result.returncode == 1, result.stderr
    assert "No pull request" in result.stdout
    assert "- **Paper link**:" in result.stdout


def test_demo_with_an_unreadable_body_is_a_usage_error(tmp_path: Path) -> None:
    """A body file that does not exist is exit status 2, and nothing starts."""
    result = _demo("--body", str(tmp_path / "missing.md"))
    assert result.returncode == 2
    assert "listbot demo: cannot read" in result.stderr


def test_embedded_files_are_the_example_and_a_clean_list() -> None:
    """The demo's issue body is examples/issue-body.md, and its list passes `listbot lint`."""
    assert embedded("issue-body.md") == (ROOT / "examples" / "issue-body.md").read_text(encoding="utf-8")
    assert lint(embedded("list.md")) == []
