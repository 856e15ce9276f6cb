"""Fields with nothing but spaces between them: read back when one alone can hold a space, else a form problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.core.entry_template import adjacent_fields, placeholders, template_fields
from bot.core.kinds import Kind
from tests.test_kind_forms_optional import config_check, problems_of, read_back, tool

FORM = ".github/ISSUE_TEMPLATE/tool.yml"
HUGO = {"name": "Hugo", "url": "https://gohugo.io"}


def all_required(kind: Kind) -> dict[str, bool]:
    return dict.fromkeys(template_fields(kind.template), True)


@pytest.mark.parametrize(
    "kind",
    [
        tool("- [{name}]({url})", "{a}", "{b}", one_line=True),
        tool("- [{name}]({url}) {a} {b}"),
        tool("- [{name}]({url}) {a}{b}"),
        tool("- [{name}]({url})", "{a}", "{url2}", "{b}", one_line=True, links=("url", "url2")),
        tool("- [{name}]({url})", "{a}", "[{c}]", "{b}", one_line=True),
    ],
    ids=["parts", "one-line", "no-space", "a-link-between", "optional-part-between"],
)
def test_text_fields_with_nothing_but_spaces_between_are_a_problem(kind: Kind) -> None:
    """Two text fields written with only spaces (or nothing) between them are named, as their entry reads back wrong."""
    required = {**all_required(kind), "c": False}
    values = {**HUGO, "a": "Static site generator", "b": "Apache 2.0", "url2": "https://x.org", "c": ""}
    values = {name: values[name] for name in required}
    read, problems = read_back(kind, required, values)
    assert read != values
    assert [re.search("writes? `(.*?) between them", problem)[1] for problem in problems] == [  # type: ignore[index]
        "{a}` and `{b}` with nothing" if "{a}{b}" in kind.template[0] else
        "{a}` and `{b}` with only spaces and `{url2}`" if "url2" in required else "{a}` and `{b}` with only a space"
    ]


def test_a_link_that_may_be_left_out_after_text_is_a_problem() -> None:
    """An optional link part after a text field and the joining space is named: the text's last word reads as it."""
    kind = tool("- [{name}]({url})", "{a}", "{url2}", one_line=True, links=("url", "url2"))
    required = {**all_required(kind), "url2": False}
    values = {**HUGO, "a": "Static site generator", "url2": ""}
    read, problems = read_back(kind, required, values)
    assert read == {**values, "a": "Static site", "url2": "generator"}
    assert problems == [
        "`kinds.tool.entry` part 2 (`{a}`) and part 3 (`{url2}`) write `{a}` and `{url2}` with only a space between "
        "them, so listbot cannot tell where `a` ends (it may hold spaces, and `{url2}` may be left out) and reads "
        'such entries back into the wrong fields; put text other than spaces between them, such as a label (`entry: '
        '["- [{name}]({url})", "{a}", "url2: {url2}"]` reads back).'
    ]


def test_config_check_names_two_required_fields_with_only_a_space_between(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`listbot config check` fails on two required text parts joined by the space alone, and names them."""
    required = {"name": True, "url": True, "a": True, "b": True}
    code, out = config_check(
        tmp_path, capsys, "    one_line: true\n    entry: ['- [{name}]({url})', '{a}', '{b}']\n", required
    )
    assert code == 1
    assert (
        "`kinds.tool.entry` part 2 (`{a}`) and part 3 (`{b}`) write `{a}` and `{b}` with only a space between them"
        in out
    )


@pytest.mark.parametrize(
    "kind",
    [
        tool("- {url} {a}"),  # a link holds no space: it ends at the first one
        tool("- [{name}]({url})", "{url2}", "{a}", one_line=True, links=("url", "url2")),
        tool("- [{name}]({url})", "{a}", "{url2}", one_line=True, links=("url", "url2")),  # the link is last
        tool("- [{name}]({url}) {a} {url2} {url3}", links=("url", "url2", "url3")),
        tool("- [{name}]({url})", "{a}", "- {b}", one_line=True),
        tool("- [{name}]({url})", "{a}", "b: {b}", one_line=True),
        tool("**{name}** {a}", "{b}"),  # a line break is between them
    ],
    ids=["link-then-text", "link-part", "text-then-last-link", "links-after", "dash", "label", "lines"],
)
def test_fields_that_only_one_side_can_run_into_read_back(kind: Kind) -> None:
    """Fields with only spaces between them raise nothing and read back when one in a row at most can hold a space."""
    values = {**HUGO, "a": "Static site generator", "b": "Apache 2.0", "url2": "https://x.org", "url3": "https://y.org"}
    values = {name: values[name] for name in template_fields(kind.template)}
    assert read_back(kind, all_required(kind), values) == (values, [])


# --- the properties: what the check lets through reads back, and what it names does not ----------

FIELDS = ("a", "b", "c", "d")
# Template text: mostly blanks or nothing, which is where fields run into each other; the rest of
# it (`-()[]:`) is text no value below holds, as values are not expected to hold the template's.
BETWEEN = st.sampled_from(("", "", " ", " ", " ", "  ", "-", " - ", "(", ") ", "]: "))
FIRST = st.sampled_from(("- [{name}]({url})", "**{name}**", "{name}"))
TEXT_VALUE = st.lists(st.text("xyz", min_size=1, max_size=2), min_size=1, max_size=3).map(" ".join)
LINK_VALUE = st.text("xyz/", min_size=1, max_size=3)
REQUIRED = st.integers(0, 2).map(lambda drawn: drawn != 0)


@st.composite
def adjacent_case(draw: st.DrawFn) -> tuple[Kind, dict[str, bool], dict[str, str]]:
    """A kind whose fields (each once) sit in its lines with little or no text between them, the
    form's required fields, and values of each field's own kind (text with spaces, links without)."""
    names = draw(st.permutations(FIELDS))[: draw(st.integers(1, len(FIELDS)))]
    cuts = sorted(draw(st.lists(st.integers(1, len(names)), min_size=1, max_size=3)))  # (mostly a part each)
    groups = [names[start:end] for start, end in zip([0, *cuts], [*cuts, len(names)], strict=True) if start < end]
    lines = ["".join(draw(BETWEEN) + "{" + name + "}" for name in group) + draw(BETWEEN) for group in groups]
    first = draw(FIRST)
    template = (first + draw(BETWEEN) + lines[0], *lines[1:]) if draw(st.booleans()) else (first, *lines)
    template = tuple(line.rstrip() or "|" for line in template)
    links = tuple(name for name in ("url", *names) if name == "url" or draw(st.booleans()))
    required = {name: name in ("name", "url") or draw(REQUIRED) for name in template_fields(template)}
    values = {name: draw(LINK_VALUE if name in links else TEXT_VALUE) for name in required}
    values.update({name: "" for name in required if not required[name] and draw(st.booleans())})
    kind = Kind(name="tool", section=("## Tools",), template=template, one_line=draw(st.booleans()), links=links)
    return kind, required, values


@settings(max_examples=1500)
@given(adjacent_case())
def test_what_the_check_lets_through_reads_back(given_case: tuple[Kind, dict[str, bool], dict[str, str]]) -> None:
    """An entry of a kind the form's checks accept reads back to its values, texts with spaces included."""
    kind, required, values = given_case
    read, problems = read_back(kind, required, values)
    assume(not problems)
    assert read == values


@settings(max_examples=500)
@given(adjacent_case())
def test_what_the_check_names_reads_back_wrong(given_case: tuple[Kind, dict[str, bool], dict[str, str]]) -> None:
    """Each pair of fields the check names, in a kind with no other problem, has an entry that reads back wrong."""
    kind, required, _ = given_case
    assume(all(" between them" in problem for problem in read_back(kind, required, {})[1]))
    optional = {name for name, is_required in required.items() if not is_required}
    for pair in adjacent_fields(kind.template, one_line=kind.one_line, optional=optional, links=kind.links):
        # The first holds what is between them (a word for each link), which reading takes as
        # theirs; a link the check names is left out, and read from the first's last word.
        if pair.second in kind.links and pair.links:
            continue  # (its entry is more work to write than it is worth here)
        its_part = placeholders(kind.template[pair.second_part]) if pair.second in kind.links else []
        left_out = {*pair.left_out, *its_part}
        values = {name: "" if name in left_out else "w" for name in required}
        values[pair.first] = "x" + re.sub(r"\{\w+\}", "y", pair.between) + "y"
        assert read_back(kind, required, values)[0] != values


@pytest.mark.parametrize(
    ("template", "required", "suggested"),
    [
        ("- [{name}]({url}) {{b}} {a} {b}", {"name": True, "url": True, "a": True, "b": True}, "{{b}} {a} b: {b}"),
        ("- [{name}]({url}) x{{a}} {b} {a}", {"name": True, "url": True, "a": False, "b": True}, "x{{a}} {b} a: {a}"),
    ],
)
def test_a_literal_brace_around_a_field_id_is_not_taken_for_the_field(
    template: str, required: dict[str, bool], suggested: str
) -> None:
    """A template holding `{{b}}` as text gets its problems, with the label put before the field itself."""
    problems = problems_of(tool(template, one_line=True), required)
    assert any(f'"- [{{name}}]({{url}}) {suggested}"' in problem for problem in problems)
