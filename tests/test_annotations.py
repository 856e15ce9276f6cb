"""GitHub workflow commands: escaping that the runner undoes exactly, and `lint --format github`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli.main import main
from bot.core.annotations import error_annotation, escape_data, escape_property, workflow_command

# The runner's own unescaping (`@actions/core` command.ts, in reverse order of escaping).
_UNESCAPE_DATA = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
_UNESCAPE_PROPERTY = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))
_COMMAND = re.compile(r"^::(?P<name>[a-z-]+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def _unescape(text: str, table: tuple[tuple[str, str], ...]) -> str:
    for escaped, plain in table:
        text = text.replace(escaped, plain)
    return text


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    """Read one workflow command the way the runner does."""
    match = _COMMAND.match(line)
    assert match is not None, line
    props = {}
    for pair in (match["props"] or "").split(","):
        if pair:
            key, _, value = pair.partition("=")
            props[key] = _unescape(value, _UNESCAPE_PROPERTY)
    return match["name"], props, _unescape(match["data"], _UNESCAPE_DATA)


def test_data_and_properties_are_escaped_as_the_runner_expects() -> None:
    """`%`, CR and LF are escaped everywhere; `:` and `,` only in properties."""
    assert escape_data("100% a:b,c\r\nnext") == "100%25 a:b,c%0D%0Anext"
    assert escape_property("100% a:b,c\r\nnext") == "100%25 a%3Ab%2Cc%0D%0Anext"


def test_annotation_names_file_line_column_and_title() -> None:
    """An error annotation carries file, line, col and the rule code as its title."""
    line = error_annotation("lists/a,b:c.md", 3, 5, "LB012", "trailing whitespace; remove it")
    assert line == "::error file=lists/a%2Cb%3Ac.md,line=3,col=5,title=LB012::trailing whitespace; remove it"


@given(name=st.text(), value=st.text(), message=st.text())
def test_any_text_survives_the_runner_round_trip(name: str, value: str, message: str) -> None:
    """Whatever the text, the command stays one line and the runner reads back exactly what was meant."""
    line = workflow_command("error", {"file": name, "title": value}, message)
    assert "\n" not in line
    assert "\r" not in line
    assert _parse(line) == ("error", {"file": name, "title": value}, message)


def test_lint_format_github_prints_annotations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`listbot lint --format github` prints one error annotation per finding and exits 1."""
    path = tmp_path / "README.md"
    path.write_text("# List\n\n## Papers  \n", encoding="utf-8")
    assert main(["lint", "--format", "github", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines
    assert all(_parse(line)[0] == "error" for line in lines)
    expected = f"::error file={escape_property(str(path))},line=3,col=10,title=LB012::trailing whitespace; remove it"
    assert expected in lines


def test_lint_format_github_reports_a_missing_file_as_an_annotation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that cannot be read is an error annotation too, and exit status 2."""
    missing = tmp_path / "nope.md"
    assert main(["lint", "--format", "github", str(missing)]) == 2
    name, props, message = _parse(capsys.readouterr().out.strip())
    assert (name, props["title"]) == ("error", "listbot lint")
    assert message == f"listbot: `{missing}` does not exist."


def test_lint_checks_every_path_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`listbot lint A B` reports both files' findings; the worst status wins."""
    dirty, clean = tmp_path / "dirty.md", tmp_path / "clean.md"
    dirty.write_text("# List\n\n## Papers  \n", encoding="utf-8")
    clean.write_text("# List\n", encoding="utf-8")
    assert main(["lint", str(clean), str(dirty)]) == 1
    out = capsys.readouterr().out
    assert f"{dirty}:3:10: LB012" in out
    assert main(["lint", str(clean), str(tmp_path / "nope.md")]) == 2
