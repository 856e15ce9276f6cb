"""Optional template parts that start alike: told apart when their text differs, a problem of the form when not."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.core.entry_template import template_fields
from bot.core.kinds import Kind
from tests.test_kind_forms_optional import config_check, read_back, tool

FORM = ".github/ISSUE_TEMPLATE/tool.yml"
NAME = {"name": "Hugo", "url": "https://gohugo.io"}
ALIKE = (
    "`kinds.tool.entry` part 2 (`{a}`) and part 3 (`{b}`) start alike, so when `{a}` is empty, as "
    f"`{FORM}` allows, and part 2 is left out, listbot reads part 3 back as part 2, into the wrong fields; "
    'start part 2 with text of its own (`entry: ["- [{name}]({url})", "a: {a}", "b: {b}"]` tells them apart), '
    "or mark `a` `required: true` in the form."
)
# When both are written, nothing but the joining space tells where `a` ends (tests/test_kind_forms_adjacent.py).
A_B_ADJACENT = (
    "`kinds.tool.entry` part 2 (`{a}`) and part 3 (`{b}`) write `{a}` and `{b}` with only a space between them, "
    "so listbot cannot tell where `a` ends (both may hold spaces) and reads such entries back into the wrong "
    'fields; put text other than spaces between them, such as a label (`entry: ["- [{name}]({url})", "{a}", '
    '"b: {b}"]` reads back).'
)


def every_subset(kind: Kind, required: dict[str, bool], given: dict[str, str]) -> list[dict[str, str]]:
    """`given`, with each subset of the optional fields left empty."""
    optional = [name for name, is_required in required.items() if not is_required]
    return [
        {**given, **dict.fromkeys(emptied, "")}
        for count in range(len(optional) + 1)
        for emptied in itertools.combinations(optional, count)
    ]


A_B_OPTIONAL = {"name": True, "url": True, "a": False, "b": False}
A_B = tool("- [{name}]({url})", "{a}", "{b}", one_line=True)


def test_parts_with_nothing_but_their_field_are_a_problem_of_the_form() -> None:
    """Two optional parts made of their field alone are named, with the entry to write instead."""
    assert read_back(A_B, A_B_OPTIONAL, {**NAME, "a": "", "b": "MIT"})[1] == [ALIKE, A_B_ADJACENT]


def test_config_check_names_parts_that_start_alike(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`listbot config check` fails on two optional parts that start alike and names them."""
    code, out = config_check(
        tmp_path, capsys, "    one_line: true\n    entry: ['- [{name}]({url})', '- {a}', '- {b}']\n", A_B_OPTIONAL
    )
    assert code == 1
    assert "`kinds.tool.entry` part 2 (`- {a}`) and part 3 (`- {b}`) start alike" in out


def test_a_part_alike_with_a_required_one_after_it_is_a_problem() -> None:
    """An optional part that starts as the required part after it does is named too."""
    problems = read_back(A_B, {**A_B_OPTIONAL, "b": True}, {**NAME, "a": "", "b": "MIT"})[1]
    assert [problem.split(" start alike")[0] for problem in problems] == [
        "`kinds.tool.entry` part 2 (`{a}`) and part 3 (`{b}`)", A_B_ADJACENT
    ]


def test_a_template_with_backticks_is_quoted_whole() -> None:
    """A part holding a backtick is quoted in a code span it cannot end."""
    kind = tool("- [{name}]({url})", "`{a}`", "`{b}`", one_line=True)
    problems = read_back(kind, A_B_OPTIONAL, {**NAME, "a": "", "b": "MIT"})[1]
    assert problems[0].startswith("`kinds.tool.entry` part 2 (`` `{a}` ``) and part 3 (`` `{b}` ``) start alike")


@pytest.mark.parametrize(
    "kind",
    [
        tool("- [{name}]({url})", "a: {a}", "b: {b}", one_line=True),  # the entry the problem suggests
        tool("- [{name}]({url})", "({a})", "- {b}", one_line=True),
        tool("**{name}**", "{a}", "[link]({b})"),
        tool("**{name}**", "{a}", "- {b}", "[link]({url})"),
        tool("- [{name}]({url})", "- {a}", "- {a}!", "({b})", one_line=True),
    ],
    ids=["labelled", "other-text", "start-of-a-later-one", "longer-later-ones", "same-field"],
)
def test_parts_told_apart_by_their_text_read_back(kind: Kind) -> None:
    """Optional parts whose starts differ raise nothing and read back with any of them left empty."""
    required = {name: name in ("name", "url") for name in template_fields(kind.template)}
    given = {**NAME, "a": "Fast", "b": "MIT"}
    given = {name: given.get(name, "x") for name in required}
    for values in every_subset(kind, required, given):
        assert read_back(kind, required, values) == (values, [])


# --- the property: what the check lets through reads back ----------------------------------------

FIELDS = ("a", "b", "c", "d")
# Few heads and tails, so that parts often start alike, or one as the start of another. (The
# strategies are made once: making them in every draw costs more than the test itself.)
HEAD = st.sampled_from(("", "-", "- ", "(", "-("))
TAIL = st.sampled_from(("", "", "", ")", "!"))
FIELD = st.sampled_from(FIELDS)
FIRST = st.sampled_from(("- [{name}]({url})", "**{name}**"))
SHAPE = st.integers(0, 9)
TEXT = st.text("-[]():|*, ", min_size=1, max_size=3)
WORD = st.text("xyz", min_size=1, max_size=3)
ONE_WORD = st.lists(WORD, min_size=1, max_size=1)
WORDS = st.lists(WORD, min_size=1, max_size=3)
REQUIRED = st.integers(0, 3).map(lambda drawn: drawn == 0)


@st.composite
def piece(draw: st.DrawFn) -> str:
    """A template line: mostly a head, a field and a tail; sometimes two fields, or text alone."""
    shape = draw(SHAPE)
    head = draw(HEAD)
    if shape == 0:
        return (head + draw(TEXT)).strip() or "|"
    text = head + "{" + draw(FIELD) + "}"
    if shape == 1:
        text += draw(TEXT) + "{" + draw(FIELD) + "}"
    return (text + draw(TAIL)).rstrip()


@st.composite
def parts(draw: st.DrawFn) -> tuple[str, ...]:
    """A template: an always-written first line, then lines of one field each, each its own."""
    fields = draw(st.permutations(FIELDS))[: draw(st.integers(1, len(FIELDS)))]
    return (draw(FIRST), *((draw(HEAD) + "{" + name + "}" + draw(TAIL)).rstrip() for name in fields))


@st.composite
def any_lines(draw: st.DrawFn) -> tuple[str, ...]:
    """A template of any lines (the first often always written, as it must be when a later one is)."""
    return (draw(FIRST | piece()), *draw(st.lists(piece(), max_size=4)))


TEMPLATE = st.one_of(parts(), parts(), any_lines())


@st.composite
def case(draw: st.DrawFn) -> tuple[Kind, dict[str, bool], dict[str, str]]:
    template = draw(TEMPLATE)
    names = template_fields(template)
    assume(names)
    one_line = draw(st.booleans())
    links = tuple(draw(st.sampled_from(names)) for _ in range(draw(st.integers(0, 1))))
    required = {name: name in ("name", "url") or draw(REQUIRED) for name in names}
    # Values hold none of the template's text (a space, in a one-line template, is that too).
    spaces = not one_line and all(" " not in line for line in template)
    values = {name: " ".join(draw(ONE_WORD if name in links or not spaces else WORDS)) for name in names}
    values.update({name: "" for name in names if not required[name] and draw(st.booleans())})
    kind = Kind(name="tool", section=("## Tools",), template=template, one_line=one_line, links=links)
    return kind, required, values


# (Many more examples than the default: a part read as another needs one left out and one after it given.)
@settings(max_examples=500)
@given(case())
def test_what_the_check_lets_through_reads_back(given_case: tuple[Kind, dict[str, bool], dict[str, str]]) -> None:
    """An entry of a kind the check accepts reads back to its values, whichever optional fields are empty."""
    kind, required, values = given_case
    read, problems = read_back(kind, required, values)
    assume(not problems)
    assert read == values
