"""`listbot lint` where there is no YAML to read imports no PyYAML.

Without `.github/listbot.yml` and committed forms the defaults apply and the built-in kinds'
forms are generated from their mappings (`kind_forms.generated_form`), so nothing is read as YAML:
PyYAML is imported on first use (`yaml_reading`, `forms`, `repo_config`, `template`, `venues`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.synthetic import make_list
from tests.factories import ROOT

_IMPORTED = (
    "import sys; from bot.cli.main import main; status = main(sys.argv[1:]); "
    "print('IMPORTED', status, 'yaml' in sys.modules)"
)


def _lint(folder: Path) -> list[list[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", _IMPORTED, "lint", "list.md"], cwd=folder, env=env,
                         capture_output=True, text=True)
    return [line.split()[1:] for line in run.stdout.splitlines() if line.startswith("IMPORTED ")] or [[run.stderr]]


def test_lint_without_configuration_or_forms_imports_no_yaml(tmp_path: Path) -> None:
    """In a folder without `.github`, on a clean list and on one with a finding."""
    (tmp_path / "list.md").write_text(make_list(50), encoding="utf-8")
    assert _lint(tmp_path) == [["0", "False"]]
    (tmp_path / "list.md").write_text(make_list(50).replace("**", "** ", 1), encoding="utf-8")
    assert _lint(tmp_path) == [["1", "False"]]


def test_lint_with_a_configuration_reads_it_as_yaml(tmp_path: Path) -> None:
    """A `listbot.yml` is read (with PyYAML), and its settings apply."""
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "listbot.yml").write_text("list_path: docs/list.md\n", encoding="utf-8")
    (tmp_path / "list.md").write_text(make_list(50), encoding="utf-8")
    assert _lint(tmp_path) == [["0", "True"]]
