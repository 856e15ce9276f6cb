"""A kind whose template `listbot lint` would report on every entry is refused when `kinds:` is read."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.core.entry_template import placeholders, template_fields
from bot.core.kind_submission import Submission
from bot.core.kinds import kinds_from_config
from bot.core.lint import lint
from bot.core.textrules import TextError, clean_line, invisible_characters
from tests.factories import ROOT

EXAMPLE = ROOT / "examples" / "awesome-list"
TOOLS = {"section": "## Tools", "entry": "- [{name}]({url}) - {description}"}
LEFT_OUT = "The kind `tool` is left out until `kinds.tool` is fixed."
ON_EVERY_ENTRY = "`listbot lint` reports it on every entry made from it"


def problems_of(tool: dict[str, Any]) -> list[str]:
    """The problems `kinds_from_config` names for a `tool` kind next to a valid `book` kind and
    the built-in dataset, after checking that only `tool` is left out."""
    result = kinds_from_config({"tool": tool, "book": {"section": "## Books", "entry": "- {title}"}, "dataset": None})
    assert [kind.name for kind in result.kinds] == ["book", "dataset"]
    assert result.problems[-1] == LEFT_OUT
    return result.problems[:-1]


@pytest.mark.parametrize(
    ("tool", "expected"),
    [
        (
            {**TOOLS, "entry": "- [{name}]({url}) â€“ {description}"},
            "`kinds.tool.entry` (`- [{name}]({url}) â€“ {description}`) holds `â€“`, which looks like `–` read "
            f"with the wrong encoding (UTF-8 read as cp1252), and {ON_EVERY_ENTRY} (LB013); write `–`.",
        ),
        (
            {**TOOLS, "entry": "- [{name}]({url})  "},
            f"`kinds.tool.entry` (`- [{{name}}]({{url}})  `) ends in 2 spaces, and {ON_EVERY_ENTRY} "
            "(LB012); remove the trailing spaces.",
        ),
        (
            {**TOOLS, "entry": ["**{name}**\t", "[link]({url})"]},
            f"`kinds.tool.entry` line 1 (`**{{name}}**\\u0009`) ends in whitespace U+0009, and {ON_EVERY_ENTRY} "
            "(LB012); remove the trailing whitespace.",
        ),
        (
            {**TOOLS, "entry": "- [{name}]({url}) \u202e{description}"},
            "`kinds.tool.entry` (`- [{name}]({url}) \\u202e{description}`) holds the invisible or control "
            f"character U+202E, and {ON_EVERY_ENTRY} (LB014); delete it or retype the text.",
        ),
        (
            {**TOOLS, "entry": "- [{name}]({url}) \x1b{{{description}}}"},
            "`kinds.tool.entry` (`- [{name}]({url}) \\u001b{{{description}}}`) holds the invisible or control "
            f"character U+001B, and {ON_EVERY_ENTRY} (LB014); delete it or retype the text.",
        ),
        (
            {**TOOLS, "entry": "- [{name}]({url}) â€‹{description}"},
            "`kinds.tool.entry` (`- [{name}]({url}) â€‹{description}`) holds `â€‹`, which looks like `\\u200b` "
            f"read with the wrong encoding (UTF-8 read as cp1252), and {ON_EVERY_ENTRY} (LB013); "
            "delete it or retype the text.",
        ),
        (
            {**TOOLS, "section": ["## Tools", "### Ã‰diteurs"]},
            "`kinds.tool.section` line 2 (`### Ã‰diteurs`) holds `Ã‰`, which looks like `É` read with the wrong "
            "encoding (UTF-8 read as cp1252), and `listbot lint` reports it on the list's heading, which must "
            "read the same (LB013); write `É`.",
        ),
        (
            {**TOOLS, "section": "## \u200bTools"},
            "`kinds.tool.section` (`## \\u200bTools`) holds the invisible or control character U+200B, and "
            "`listbot lint` reports it on the list's heading, which must read the same (LB014); "
            "delete it or retype the text.",
        ),
    ],
)
def test_a_template_lint_would_report_leaves_its_kind_out_with_the_fix(tool: dict[str, Any], expected: str) -> None:
    """A mis-decoded, trailing blank or invisible character in an entry or section names the key, text and fix."""
    assert problems_of(tool) == [expected]


def test_every_line_s_problems_are_named() -> None:
    """Each line of a template gets its own message for each rule it breaks."""
    found = problems_of({**TOOLS, "entry": ["**{name}** â€” ", "{{\u2066}} [link]({url})"]})
    assert [problem[: problem.index("`)") + 2] for problem in found] == [
        "`kinds.tool.entry` line 1 (`**{name}** â€” `)",
        "`kinds.tool.entry` line 1 (`**{name}** â€” `)",
        "`kinds.tool.entry` line 2 (`{{\\u2066}} [link]({url})`)",
    ]
    assert [problem.split("(LB")[1][:3] for problem in found] == ["012", "013", "014"]


def test_a_message_never_quotes_an_invisible_character_raw() -> None:
    """Bidi controls, zero-width and control characters are quoted as `\\uXXXX` escapes."""
    hostile = "- [{name}]({url}) \u202e\u2066\u200b\x00\x85\u00ad â€®"
    for problem in problems_of({**TOOLS, "entry": hostile, "section": "## Tools\u200f"}):
        assert problem.isprintable(), problem
        assert not invisible_characters(problem), problem


@pytest.mark.parametrize(
    "tool",
    [
        {**TOOLS, "entry": "- [{name}]({url}) – {description} © ‹é› 🔥"},
        {**TOOLS, "entry": "- {{{name}}} {url}"},
        {**TOOLS, "entry": "- [{name}]({url}) {description}"},  # blanks before a field end no line
        {**TOOLS, "section": "## Tools  "},  # a heading's trailing blanks are not part of it
        {**TOOLS, "entry": ["**{name}** ", "[[site]]({url}) ", "(tool)"], "one_line": True},  # never last
        {**TOOLS, "entry": "- [{name}]({url})\t- {description}"},
    ],
)
def test_a_template_lint_finds_nothing_in_is_accepted(tool: dict[str, Any]) -> None:
    """Typographic characters, literal braces and blanks that never end a line are fine."""
    result = kinds_from_config({"tool": tool})
    assert result.problems == []
    assert [kind.name for kind in result.kinds] == ["tool"]


def test_trailing_blanks_of_a_one_line_part_count_when_only_optional_parts_may_follow() -> None:
    """In a one-line template a part's trailing blanks end the line if every later part names a field."""
    [problem] = problems_of({**TOOLS, "entry": ["[{name}]({url}) ", "[[docs]]({docs_url})"], "one_line": True})
    assert problem.startswith("`kinds.tool.entry` line 1 (`[{name}]({url}) `) ends in a space")


def test_a_blank_part_of_a_one_line_template_is_refused() -> None:
    """A blank part would leave the space that joins it at the end of the entry's line."""
    [problem] = problems_of({**TOOLS, "entry": ["- [{name}]({url})", ""], "one_line": True})
    assert problem == (
        f"`kinds.tool.entry` line 2 (``) is blank, so the space that joins it to the part before would end the "
        f"entry's line, and {ON_EVERY_ENTRY} (LB012); remove the part."
    )


def test_a_long_line_is_quoted_up_to_its_sixtieth_character() -> None:
    """Only the start of a long template line is quoted, its escapes whole."""
    [problem] = problems_of({**TOOLS, "entry": "- [{name}]({url}) " + "x" * 40 + "\u202e" + "y" * 40})
    assert f"(`- [{{name}}]({{url}}) {'x' * 40}\\u202e{'y' * 1}…`)" in problem


def _example_with_entry(tmp_path: Path, entry: str) -> Path:
    """A copy of the awesome-list example whose `tool` kind writes `entry`."""
    folder = tmp_path / "awesome-list"
    shutil.copytree(EXAMPLE, folder)
    config = folder / ".github" / "listbot.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('entry: "- [{name}]({url}) - {description}"', f'entry: "{entry}"'), "utf-8")
    return config


def test_config_check_reports_the_template_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`listbot config check` prints the template's problem and that its kind is left out, and exits 1."""
    from bot.cli.main import main

    config = _example_with_entry(tmp_path, "- [{name}]({url}) â€“ {description}")
    assert main(["config", "check", str(config)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{config}: `kinds.tool.entry` (`- [{{name}}]({{url}}) â€“ {{description}}`) holds `â€“`, which looks like "
        f"`–` read with the wrong encoding (UTF-8 read as cp1252), and {ON_EVERY_ENTRY} (LB013); write `–`.",
        f"{config}: {LEFT_OUT}",
    ]


def test_the_offline_commands_print_the_template_s_problem_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`listbot lint` in the list's folder says on stderr why the kind is left out, escaping what it quotes."""
    from bot.cli.main import main

    config = _example_with_entry(tmp_path, "- [{name}]({url}) \\u202e {description}")
    monkeypatch.chdir(config.parent.parent)
    main(["lint"])
    err = capsys.readouterr().err
    assert "`kinds.tool.entry` (`- [{name}]({url}) \\u202e {description}`) holds the invisible or control " in err
    assert LEFT_OUT in err
    assert "\u202e" not in err


# --- every accepted template writes entries lint has nothing to say about ----------------------

# Literal text rich in what LB012-LB014 look at: blanks, mis-decoded runs and their halves (which
# may meet), typographic characters, literal braces, and now and then a control, bidi or
# zero-width character: mostly text a template may hold, so that many templates are accepted.
_PLAIN_PIECES = [
    " ", "  ", "\t", "\u00a0", "-", "–", "â€", "Ã", "©", "é", "[", "](", ")", "**", "{{", "}}", "x", "Tools",
    "{a}", "{b}", "{c}",
]
_BAD_PIECES = ["â€“", "Ã©", "\u202e", "\u200b", "\x1b", "\x85", "\u00ad"]
_PIECES = st.sampled_from(_PLAIN_PIECES * 3 + _BAD_PIECES)
_LINE = st.lists(_PIECES, max_size=4).map("".join)
_HEADING = st.lists(_PIECES, max_size=3).map(lambda pieces: "## T" + "".join(pieces))
# Values as `clean_line` leaves them, from letters that make mis-decoded runs among others. Each
# begins and ends with an ASCII letter: a mis-decoded pair can straddle a value and the
# template's text next to it (`Ã{a}` with a value `©…`), which no check of the template alone
# can see.
_VALUE = st.text(st.sampled_from(list("aZ9 .,:;'-–é©Ã€â™œ中🔥_~$")), max_size=10).map(lambda text: f"v{text}v")


def _clean(value: str) -> str:
    try:
        return clean_line(value, max_length=300, example="`x`")
    except TextError:
        return "v"


def _whole_lines(template: tuple[str, ...], section: tuple[str, ...], values: dict[str, str]) -> dict[str, str]:
    """The values with a field filled (`w`) wherever the section needs it or a line's other fields
    are filled, so that each line or part is filled whole or left out whole."""
    filled = dict(values)
    for name in template_fields(section):
        filled[name] = filled[name] or "w"
    while partial := [line for line in template if len({bool(filled[name]) for name in placeholders(line)}) > 1]:
        for name in placeholders(partial[0]):
            filled[name] = filled[name] or "w"
    return filled


@settings(max_examples=300, deadline=None)
@given(
    entry=st.tuples(st.tuples(_LINE, _LINE).map("{a}".join), st.lists(_LINE, max_size=2)).map(
        lambda lines: [lines[0], *lines[1]]
    ),
    section=_HEADING,
    one_line=st.booleans(),
    values=st.fixed_dictionaries({name: st.one_of(st.just(""), _VALUE.map(_clean)) for name in "abc"}),
)
def test_an_accepted_template_writes_entries_lint_finds_no_lb012_lb013_lb014_in(
    entry: list[str], section: str, one_line: bool, values: dict[str, str]
) -> None:
    """Filled with clean values (a line or part left out whole when its fields are empty), an
    accepted kind's entry and heading hold nothing `listbot lint` reports as LB012-LB014."""
    result = kinds_from_config({"tool": {"section": section, "entry": entry, "one_line": one_line}})
    assume(result.kinds)
    [kind] = result.kinds
    submission = Submission(kind, _whole_lines(kind.template, kind.section, values), (), frozenset())
    headings = [f"{'#' * level} {text}" for level, text in kind.headings(submission.values)]
    text = "\n\n".join(["# A list", *headings, "\n".join(submission.entry()) or "-"]) + "\n"
    assert [f for f in lint(text, result.kinds) if f.code in {"LB012", "LB013", "LB014"}] == []


@pytest.mark.parametrize("bad", ["â€“", "Ã©", "\u202e", "\u200b", "\x1b", " ", "\t", "\u00a0"])
def test_a_template_with_what_lint_reports_is_never_accepted(bad: str) -> None:
    """A template that ends in a blank or holds a mis-decoded or invisible character is refused."""
    assert problems_of({**TOOLS, "entry": "- [{name}]({url}) - {description}" + bad})
