"""`listbot lint` of a clean house-style list compiles none of the patterns it does not use.

Each of these patterns is made by `lazy_pattern` and compiled on its first use: the ones that read
a submission (dates, authors, links as people type them), a form's body, a finding's lines, or
entries the house style's bulk search did not vouch for. Checked in a fresh process, as a run of
`listbot lint` pays for them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.synthetic import make_list
from tests.factories import ROOT

# The patterns a lint of the synthetic list (house-style entries only, no finding) does not use.
_UNUSED_BY_A_CLEAN_LINT = {
    "bot.core.authors": ("_ET_AL", "_AND", "_INITIAL", "_CAPS_INITIALS"),
    "bot.core.dates": ("_ISO_DAY", "_ISO_MONTH", "_DAY_MONTH_YEAR", "_MONTH_YEAR", "_YEAR_IN_TEXT", "_SHORT_YEAR",
                       "NOT_A_YEAR"),
    "bot.core.entry": ("_AUTHORS_LINE",),
    "bot.core.forms": ("_HEADING", "_CHECKBOX"),
    "bot.core.kinds": ("_BODY_HEADING",),
    "bot.core.lint": ("_TITLE", "_AUTHORS", "_SUSPECT_CHARACTER", "_LIST_MARKER", "_BLANK_RUN", "_BLANK_PAIR",
                      "_BLANK_PAIR_FIRST"),
    "bot.core.repeated_keys": ("_TITLE_LINES", "_LINK_LINES"),
    "bot.core.rules": ("_LOGIN",),
    "bot.core.textrules": ("_BLOCK_START", "_EMAIL", "_INLINE_STYLE", "_ESCAPED_STYLE"),
    "bot.core.urls": ("_HOST", "_GITHUB_OWNER", "_GITHUB_REPO", "_ARXIV_DOI", "_CVF_PAPER", "_MARKDOWN_LINK",
                      "_BARE_DOI", "_BARE_ARXIV"),
    "bot.core.venues": ("_NOT_IN_A_NAME", "_PARENTHESES"),
}
_COMPILED = (
    "import ast, importlib, sys; from bot.cli.main import main; status = main(sys.argv[2:]); "
    "wanted = ast.literal_eval(sys.argv[1]); "
    "print('COMPILED', status, *[f'{module}.{name}' for module, names in wanted.items() "
    "for name in names if getattr(importlib.import_module(module), name).cache_info().currsize])"
)


def test_a_clean_lint_compiles_none_of_the_patterns_it_does_not_use(tmp_path: Path) -> None:
    """On the benches' synthetic list, every entry vouched for by the house style's search."""
    (tmp_path / "list.md").write_text(make_list(200), encoding="utf-8")
    args = [repr(_UNUSED_BY_A_CLEAN_LINT), "lint", str(tmp_path / "list.md")]
    run = subprocess.run([sys.executable, "-c", _COMPILED, *args], cwd=ROOT, capture_output=True, text=True)
    compiled = [line.split()[1:] for line in run.stdout.splitlines() if line.startswith("COMPILED ")]
    assert compiled == [["0"]], run.stderr
