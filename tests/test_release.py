"""Release hygiene: the version a user sees, the licence, and the pre-commit hooks' manifest."""

from __future__ import annotations

import tomllib

import pytest
import yaml

from bot.cli.main import main
from tests.factories import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_version_flag_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`listbot --version` prints pyproject.toml's version and exits 0."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"listbot {PYPROJECT['version']}\n"


def test_licence_file_matches_the_declared_licence() -> None:
    """LICENSE is the MIT licence pyproject.toml declares, held by the listbot contributors."""
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PYPROJECT["license"] == {"text": "MIT"}
    assert text.startswith("MIT License\n\nCopyright (c) ")
    assert "listbot contributors" in text.splitlines()[2]


def test_pre_commit_hooks_lint_the_list_and_fix_it() -> None:
    """The hook manifest offers `listbot lint` and `listbot lint --fix`, each on the default list file."""
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["listbot-lint"]["entry"] == "listbot lint"
    assert hooks["listbot-lint-fix"]["entry"] == "listbot lint --fix"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["files"] == r"^list/README\.md$"
