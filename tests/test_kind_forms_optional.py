"""A kind's template against its form: a field the form does not require must be left out whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.cli.repo import read_forms
from bot.core.entry_template import fill, template_fields
from bot.core.kind_forms import generated_form, kind_forms, optional_field_problems
from bot.core.kinds import BUILTIN_KINDS, Kind, entry_reader
from bot.core.repo_config import parse_repo_config
from bot.core.rules import Rules
from tests.factories import ROOT

FORM_PATH = ".github/ISSUE_TEMPLATE/tool.yml"
NOTE_MISSING = (
    "`kinds.tool.entry` (`- [{name}]({url}) - {note}`) writes `{note}`, which `.github/ISSUE_TEMPLATE/tool.yml` "
    "does not require, with other text: when it is left empty the line is still written, as `- [{name}]({url}) - `, "
    "which `listbot lint` reports (LB012 trailing whitespace, LB016 not this kind's entry) and listbot cannot read "
    "back; give `{note}` a part of its own (SETTING`entry: [\"- [{name}]({url})\", \"- {note}\"]` writes the same "
    "entries), or mark `note` `required: true` in the form."
)


def form_yaml(required: dict[str, bool]) -> str:
    """An issue form with one input per field id, each required or not."""
    lines = ["name: Suggest a tool", "description: Add a tool.", "body:"]
    for field_id, is_required in required.items():
        lines += [
            "  - type: input", f"    id: {field_id}", "    attributes:", f"      label: Field {field_id}",
            "    validations:", f"      required: {str(is_required).lower()}",
        ]
    return "\n".join(lines) + "\n"


def config_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind_yaml: str, required: dict[str, bool]
) -> tuple[int, str]:
    """`listbot config check` of a checkout whose listbot.yml gives the `tool` kind `kind_yaml` (its
    keys under `tool:`, indented) and whose form has one input per field of `required`: the exit
    code and what it printed."""
    from bot.cli.main import main

    github = tmp_path / ".github"
    (github / "ISSUE_TEMPLATE").mkdir(parents=True)
    (github / "listbot.yml").write_text(
        f"list_path: README.md\nkinds:\n  tool:\n    section: '## Tools'\n{kind_yaml}", encoding="utf-8"
    )
    (github / "ISSUE_TEMPLATE" / "tool.yml").write_text(form_yaml(required), encoding="utf-8")
    return main(["config", "check", str(github / "listbot.yml")]), capsys.readouterr().out


def tool(*template: str, one_line: bool = False, links: tuple[str, ...] = ("url",)) -> Kind:
    return Kind(name="tool", section=("## Tools",), template=template, one_line=one_line, links=links)


def read_back(kind: Kind, required: dict[str, bool], values: dict[str, str]) -> tuple[dict[str, str] | None, list[str]]:
    """The values an entry written from `values` reads back as, and the form's problems."""
    forms, problems = kind_forms([kind], {kind.form_path: form_yaml(required)}, "in this checkout")
    text = "\n".join(fill(kind.template, values, one_line=kind.one_line))
    return entry_reader(kind, forms[kind.name]).read(text), problems


def problems_of(kind: Kind, required: dict[str, bool]) -> list[str]:
    return kind_forms([kind], {kind.form_path: form_yaml(required)}, "in this checkout")[1]


NOTE_OPTIONAL = {"name": True, "url": True, "note": False}


def test_config_check_names_an_optional_field_on_a_line_with_other_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`listbot config check` reports an optional `{note}` after a link, with the entry to write instead."""
    code, out = config_check(tmp_path, capsys, "    entry: '- [{name}]({url}) - {note}'\n", NOTE_OPTIONAL)
    assert code == 1
    assert NOTE_MISSING.replace("SETTING", "`one_line: true` and ") in out.splitlines()[-1]


def test_the_kind_is_kept_so_entries_with_the_field_given_still_work() -> None:
    """The kind keeps its form despite the problem, and reads an entry whose note is given."""
    kind = tool("- [{name}]({url}) - {note}")
    forms, problems = kind_forms([kind], {kind.form_path: form_yaml(NOTE_OPTIONAL)}, "in this checkout")
    assert problems == [NOTE_MISSING.replace("SETTING", "`one_line: true` and ")]
    values = {"name": "Hugo", "url": "https://gohugo.io", "note": "Fast."}
    assert entry_reader(kind, forms["tool"]).read(fill(kind.template, values)[0]) == values


def test_a_one_line_template_gets_the_parts_to_write() -> None:
    """With `one_line: true` the problem names the parts that keep the note apart."""
    assert problems_of(tool("- [{name}]({url}) - {note}", one_line=True), NOTE_OPTIONAL) == [
        NOTE_MISSING.replace("SETTING", "")
    ]


def test_a_one_line_part_with_two_fields_names_its_part() -> None:
    """An optional field sharing a later part with a required one is named by part number."""
    kind = tool("[{name}]({url})", "{note} - by {author}", one_line=True)
    assert problems_of(kind, {**NOTE_OPTIONAL, "author": True}) == [
        "`kinds.tool.entry` part 2 (`{note} - by {author}`) writes `{note}`, which "
        "`.github/ISSUE_TEMPLATE/tool.yml` does not require, with other text: when it is left empty the part is "
        "still written, as ` - by {author}`, which `listbot lint` reports (LB016 not this kind's entry) and listbot "
        "cannot read back; give `{note}` a part of its own, or mark `note` `required: true` in the form."
    ]


def test_two_optional_fields_on_one_line_are_each_named() -> None:
    """Two optional fields on one line are each reported: one may be given without the other."""
    problems = problems_of(tool("- [{name}]({url})", "{note} ({year})"), {**NOTE_OPTIONAL, "year": False})
    assert [problem.split(" writes ")[1].split(",")[0] for problem in problems] == ["`{note}`", "`{year}`"]


def test_an_optional_first_line_is_reported() -> None:
    """A first line that may be left out while the next is written is reported."""
    assert problems_of(tool("{note}", "- [{name}]({url})"), NOTE_OPTIONAL) == [
        "`kinds.tool.entry` line 1 (`{note}`) is left out when `{note}` is empty, as "
        "`.github/ISSUE_TEMPLATE/tool.yml` allows, but the line after it is still written, so the entry does not "
        "read as the `tool` kind's and `listbot lint` reports it (LB016); put it after a line that is always "
        "written, or mark `note` `required: true` in the form."
    ]


def test_an_optional_field_alone_on_its_line_or_part_is_fine() -> None:
    """`{note}` with a line or part of its own, or required, raises nothing."""
    assert problems_of(tool("- [{name}]({url})", "- {note}", one_line=True), NOTE_OPTIONAL) == []
    assert problems_of(tool("- [{name}]({url})", "  {note}"), NOTE_OPTIONAL) == []
    assert problems_of(tool("- [{name}]({url}) - {note}"), {**NOTE_OPTIONAL, "note": True}) == []


@pytest.mark.parametrize("kind", BUILTIN_KINDS, ids=lambda kind: kind.name)
def test_built_in_kinds_raise_nothing(kind: Kind) -> None:
    """A built-in kind's template and generated form raise nothing, even checked as a custom kind."""
    assert optional_field_problems(kind, generated_form(kind)) == []


@pytest.mark.parametrize("root", [ROOT, ROOT / "examples" / "awesome-list"], ids=["this-repo", "awesome-list"])
def test_this_repository_and_the_example_raise_nothing(root: Path) -> None:
    """This repository's and the example's listbot.yml and forms raise no form problem."""
    rules = parse_repo_config((root / ".github" / "listbot.yml").read_text(encoding="utf-8"), Rules()).rules
    assert read_forms(root, rules)[1] == []


# --- the property: what the check lets through reads back -------------------------------------

FIELDS = ("a", "b", "c", "d")
LITERAL = "-[]():|*, "
MARKERS = "!@%"  # each line or part starts with its own, so no optional one reads as another


@st.composite
def piece(draw: st.DrawFn, marker: str) -> str:
    """A template line: its marker, then fields with literal text (never empty) between them."""
    names = draw(st.lists(st.sampled_from(FIELDS), max_size=3))
    text = marker + draw(st.text(LITERAL, max_size=3))
    for index, name in enumerate(names):
        between = draw(st.text(LITERAL, min_size=1, max_size=3))
        text += ("" if index == 0 else between) + "{" + name + "}"
    return (text + draw(st.text(LITERAL, max_size=3))).rstrip()


@st.composite
def case(draw: st.DrawFn) -> tuple[Kind, dict[str, bool], dict[str, str]]:
    count = draw(st.integers(1, len(MARKERS)))
    template = tuple(draw(piece(MARKERS[index])) for index in range(count))
    names = template_fields(template)
    assume(names)
    one_line = draw(st.booleans())
    links = tuple(draw(st.lists(st.sampled_from(names), unique=True)))
    required = {name: draw(st.booleans()) for name in names}
    spaces = not one_line and all(" " not in line for line in template)
    values: dict[str, str] = {}
    for name in names:
        word = st.text("xyz", min_size=1, max_size=3)
        words = draw(st.lists(word, min_size=1, max_size=1 if name in links or not spaces else 3))
        values[name] = " ".join(words)
    emptied = draw(st.sets(st.sampled_from([name for name in names if not required[name]] or [""])))
    values.update(dict.fromkeys(emptied & set(names), ""))
    kind = Kind(name="tool", section=("## Tools",), template=template, one_line=one_line, links=links)
    return kind, required, values


@given(case())
def test_what_the_check_lets_through_reads_back(given_case: tuple[Kind, dict[str, bool], dict[str, str]]) -> None:
    """Entries of a kind the check accepts, with any optional fields empty, read back to their values."""
    kind, required, values = given_case
    forms, problems = kind_forms([kind], {kind.form_path: form_yaml(required)}, "in this checkout")
    assume(not problems)
    lines = fill(kind.template, values, one_line=kind.one_line)
    assert all(line == line.rstrip() for line in lines)
    assert entry_reader(kind, forms["tool"]).read("\n".join(lines)) == values


@pytest.mark.parametrize(
    "line", ['- [{name}]({url}) "{note}"', "- [{name}]({url}) ({note} \\o/)"], ids=["quotes", "backslash"]
)
def test_the_entry_to_write_is_yaml_that_gives_the_parts(line: str) -> None:
    """The suggested `entry:` reads, as YAML, as the parts that keep the note apart, quotes and backslashes included."""
    import re

    import yaml

    problem = problems_of(tool(line, one_line=True), NOTE_OPTIONAL)[0]
    suggested = re.search(r"`(entry: \[.*\])` writes the same entries", problem)
    assert suggested is not None
    own = line.index(" ", line.index("{url}"))
    assert yaml.safe_load(suggested[1]) == {"entry": [line[:own], line[own + 1:]]}
