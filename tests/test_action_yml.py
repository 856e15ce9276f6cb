"""action.yml run the way a GitHub runner runs a composite action's bash steps."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.factories import ROOT, committed_list

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
LISTBOT = Path(sys.executable).parent / "listbot"
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def _step(step_id: str) -> dict[str, Any]:
    [step] = [s for s in ACTION["runs"]["steps"] if s.get("id") == step_id]
    return dict(step)


def _context(inputs: dict[str, str]) -> dict[str, str]:
    """The expressions a runner would substitute: inputs (with defaults) and earlier step outputs."""
    values = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update({f"inputs.{name}": value for name, value in inputs.items()})
    values["steps.install.outputs.listbot"] = str(LISTBOT)
    values["steps.python.outputs.python-path"] = sys.executable
    values["github.token"] = "ghs_fake"
    return values


def _evaluate(text: str, context: dict[str, str]) -> str:
    return EXPRESSION.sub(lambda match: context[match[1]], text)


def run_step(step_id: str, workspace: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    """Run one `run:` step with bash as the runner does (`bash --noprofile --norc -eo pipefail`)."""
    step = _step(step_id)
    assert step["shell"] == "bash"
    assert "${{" not in step["run"], "expressions in run: lines invite script injection; pass them through env:"
    context = _context(inputs)
    script = workspace.parent / f"{step_id}.sh"
    script.write_text(step["run"], encoding="utf-8")
    runner_temp = workspace.parent / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(workspace.parent),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": "acme/cxr-list",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_OUTPUT": str(runner_temp / "output"),
        "GITHUB_STEP_SUMMARY": str(runner_temp / "summary"),
        "RUNNER_TEMP": str(runner_temp),
        **{name: _evaluate(str(value), context) for name, value in (step.get("env") or {}).items()},
    }
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace, env=env, capture_output=True, text=True, check=False, timeout=60,
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checked-out list repository: the committed list under a path with a comma and a colon."""
    root = tmp_path / "workspace"
    (root / "lists").mkdir(parents=True)
    (root / "lists" / "a,b:c.md").write_text(committed_list(), encoding="utf-8")
    return root


def test_lint_step_reports_findings_as_annotations(workspace: Path) -> None:
    """The lint step prints one `::error` annotation per finding, path escaped, and fails the step."""
    path = workspace / "lists" / "a,b:c.md"
    text = committed_list().replace("\n## Papers\n", "\n## Papers  \n", 1)
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("## Papers  ") + 1
    result = run_step("lint", workspace, command="lint", path="lists/a,b:c.md")
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"::error file=lists/a%2Cb%3Ac.md,line={line},col=10,title=LB012::trailing whitespace; remove it"
    ]


def test_lint_step_passes_on_a_clean_list(workspace: Path) -> None:
    """The lint step prints nothing and succeeds when the list is clean."""
    result = run_step("lint", workspace, command="lint", path="lists/a,b:c.md")
    assert (result.returncode, result.stdout) == (0, "")


def test_lint_step_lints_the_configured_list_by_default(workspace: Path) -> None:
    """Without `path` the lint step checks the list `.github/listbot.yml` names."""
    (workspace / ".github").mkdir()
    (workspace / ".github" / "listbot.yml").write_text("list_path: lists/a,b:c.md\n", encoding="utf-8")
    path = workspace / "lists" / "a,b:c.md"
    path.write_text(committed_list().replace("\n## Papers\n", "\n## Papers \n", 1), encoding="utf-8")
    result = run_step("lint", workspace, command="lint")
    assert result.returncode == 1, result.stderr
    [line] = result.stdout.splitlines()
    assert line.startswith("::error file=lists/a%2Cb%3Ac.md,line=")
    assert line.endswith(",col=10,title=LB012::trailing whitespace; remove it")


def test_lint_step_runs_only_for_the_lint_command() -> None:
    """Each command's step runs only when that command is asked for."""
    assert _step("lint")["if"] == "inputs.command == 'lint'"
    assert _step("submissions")["if"] == "inputs.command == 'submissions'"
    assert ACTION["inputs"]["command"]["default"] == "lint"


def test_unknown_command_fails_with_an_annotation(workspace: Path) -> None:
    """An unknown `command` stops the action before anything is installed, saying what is valid."""
    result = run_step("check", workspace, command="deploy")
    assert result.returncode == 2
    assert result.stdout.startswith("::error title=listbot::command must be 'lint' or 'submissions'")
    assert run_step("check", workspace, command="lint").returncode == 0


def test_install_step_installs_the_action_s_own_checkout() -> None:
    """listbot is installed from the action's own directory, into a virtualenv of its own."""
    run = _step("install")["run"]
    assert '-m pip install --quiet --disable-pip-version-check "$GITHUB_ACTION_PATH"' in run
    assert '"$LISTBOT_PYTHON" -m venv "$venv"' in run
