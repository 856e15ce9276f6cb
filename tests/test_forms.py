"""Tests for bot.core.forms: issue-form templates, and parsing and rendering issue bodies."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.forms import (
    FieldValue,
    IssueForm,
    form_from_yaml,
    load_form,
    parse_issue,
    parse_issue_body,
    render_issue_body,
    slugify,
)

FIXTURES = Path(__file__).parent / "fixtures" / "forms"
FORM = load_form(FIXTURES / "all_fields.yml")
LABELS = [item.label for item in FORM.fields]
VENUES = FORM.field("venues").options
CHECKS = FORM.field("checks").options

PROPERTY = settings(max_examples=150, derandomize=True, deadline=None)

FULL_VALUES: dict[str, FieldValue] = {
    "title": "CheXagent: Towards a Foundation Model for Chest X-Ray Interpretation",
    "author_list": "Z. Chen, M. Varma, et al.",
    "notes": "First line.\n\nSecond paragraph.",
    "bibtex": "@article{chen2024,\n  title={CheXagent}\n}",
    "year": ["2024"],
    "venues": ["Nature, Medicine", "arXiv"],
    "checks": {
        "selected": ["I searched the list for duplicates"],
        "unselected": [
            "The paper is about chest X-ray report generation",
            "Code, weights and data are public",
        ],
    },
}


def body(*sections: str) -> str:
    """Join ``### label`` sections the way GitHub does."""
    return "\n\n".join(sections)


# --------------------------------------------------------------------------- template model


def test_load_form_reads_every_field_type() -> None:
    """load_form reads the template's fields with their ids, types and options."""
    assert FORM.name == "Add a paper (all field types)"
    assert FORM.labels == ("new entry", "triage")
    assert [(f.id, f.type) for f in FORM.fields] == [
        ("title", "input"),
        ("author_list", "input"),
        ("notes", "textarea"),
        ("bibtex", "textarea"),
        ("year", "dropdown"),
        ("venues", "dropdown"),
        ("checks", "checkboxes"),
    ]
    assert FORM.body[0].type == "markdown"
    assert FORM.field("title").required
    assert FORM.field("bibtex").attributes.render == "bibtex"
    assert FORM.field("venues").attributes.multiple


def test_field_without_id_is_keyed_by_slug_of_label() -> None:
    """A field without an id gets the key @github/issue-parser derives from its label."""
    assert FORM.field("author_list").label == "Author list"
    assert slugify("  The Name of the Thing?? ") == "the_name_of_the_thing"
    assert slugify("Is the Thing -- a Thing?") == "is_the_thing_a_thing"


def test_dropdown_options_are_strings_even_when_yaml_reads_numbers() -> None:
    """Dropdown options that YAML reads as numbers are kept as their text."""
    assert FORM.field("year").options == ("2025", "2024", "2023")


def test_checkbox_options_keep_labels_and_required_flags() -> None:
    """Checkbox options are exposed as labels, with the required ones listed separately."""
    assert CHECKS[0] == "I searched the list for duplicates"
    assert FORM.field("checks").attributes.required_options == (CHECKS[0],)


def test_markdown_fields_are_not_submitted_fields() -> None:
    """Markdown fields never count as fields of the issue body."""
    assert all(item.type != "markdown" for item in FORM.fields)
    assert "### Thanks for contributing!" not in render_issue_body({}, FORM)


def test_labels_may_be_a_comma_separated_string() -> None:
    """A template's labels may be written as one comma-separated string."""
    form = form_from_yaml("name: x\nlabels: bug, triage\nbody:\n- type: input\n  attributes: {label: A}")
    assert form.labels == ("bug", "triage")


@pytest.mark.parametrize(
    "text",
    [
        "- just a list",
        "name: no body",
        "body: [{type: input}]",
        "body: [{type: input, attributes: {label: A}}, {type: textarea, attributes: {label: A}}]",
        "body: [{type: dropdown, attributes: {label: A, options: [{a: b}]}}]",
        "body: [{type: nonsense, attributes: {label: A}}]",
        "body: [: :",
    ],
)
def test_form_from_yaml_rejects_invalid_templates(text: str) -> None:
    """form_from_yaml raises ValueError for text that is not a valid issue form."""
    with pytest.raises(ValueError, match=r"."):
        form_from_yaml(text)


# --------------------------------------------------------------------------- parsing


def test_github_body_parses_to_issue_parser_conventions() -> None:
    """A body as GitHub writes it parses to strings, option lists and checkbox dicts."""
    text = (FIXTURES / "all_fields_body.md").read_text(encoding="utf-8")
    assert parse_issue_body(text, FORM) == FULL_VALUES


def test_values_are_keyed_in_template_order_and_json_serialisable() -> None:
    """The parsed values follow template order and serialise to JSON unchanged."""
    text = render_issue_body({**FULL_VALUES, "title": "Über — 胸部X線"}, FORM)
    values = parse_issue_body(text, FORM)
    assert list(values) == [f.id for f in FORM.fields]
    assert json.loads(json.dumps(values, indent=2, ensure_ascii=False)) == values


def test_empty_fields_as_github_writes_them() -> None:
    """`_No response_` leaves inputs out, `None` is an empty dropdown, no ticks select nothing."""
    values = parse_issue_body(render_issue_body({}, FORM), FORM)
    assert values == {
        "year": [],
        "venues": [],
        "checks": {"selected": [], "unselected": list(CHECKS)},
    }


def test_missing_or_blank_sections_are_left_out() -> None:
    """A field whose heading is missing or whose text is blank is absent from the result."""
    text = body("### Paper title", "### Year", "   ", "### Notes", "Some notes.")
    assert parse_issue_body(text, FORM) == {"notes": "Some notes."}


def test_literal_none_in_an_input_is_kept() -> None:
    """An input whose text is `None` keeps it, since GitHub writes `_No response_` for empty."""
    text = body("### Paper title", "None", "### Notes", "_no response_")
    assert parse_issue_body(text, FORM) == {"title": "None"}


def test_render_textarea_loses_its_code_fence() -> None:
    """A textarea with `render:` is returned without the fence GitHub wrapped it in."""
    text = body("### BibTeX", "```bibtex\n@misc{a,\n  note={x}\n}\n```")
    assert parse_issue_body(text, FORM) == {"bibtex": "@misc{a,\n  note={x}\n}"}


def test_render_textarea_edited_out_of_its_fence_is_kept_whole() -> None:
    """A `render:` textarea whose fence the user broke is kept as written."""
    text = body("### BibTeX", "```bibtex\n@misc{a}\n```\nand a remark")
    assert parse_issue_body(text, FORM) == {"bibtex": "```bibtex\n@misc{a}\n```\nand a remark"}


def test_plain_textarea_keeps_its_code_fences() -> None:
    """A textarea without `render:` keeps any fences the user wrote."""
    text = body("### Notes", "```\ncode\n```")
    assert parse_issue_body(text, FORM) == {"notes": "```\ncode\n```"}


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_bodies_parse_like_lf(newline: str) -> None:
    """Bodies with CRLF or lone CR line endings parse exactly as with LF."""
    text = render_issue_body(FULL_VALUES, FORM)
    assert parse_issue_body(text.replace("\n", newline), FORM) == FULL_VALUES


def test_lower_and_upper_case_x_both_select() -> None:
    """Both `[x]` and `[X]` mark a checkbox as selected."""
    text = body("### Checklist", f"- [x] {CHECKS[0]}\n- [X] {CHECKS[1]}\n- [ ] {CHECKS[2]}")
    assert parse_issue_body(text, FORM)["checks"] == {
        "selected": [CHECKS[0], CHECKS[1]],
        "unselected": [CHECKS[2]],
    }


def test_stray_checkbox_text_is_kept_as_unselected_and_reported() -> None:
    """Non-checkbox lines under a checkboxes field are kept as unselected and reported."""
    text = body("### Checklist", f"- [X] {CHECKS[0]}\nI did check!\n- [x] Not an option")
    parsed = parse_issue(text, FORM)
    assert parsed.values["checks"] == {
        "selected": [CHECKS[0], "Not an option"],
        "unselected": ["I did check!"],
    }
    assert parsed.unknown == {"checks": ["I did check!", "Not an option"]}


@pytest.mark.parametrize("fence", ["```", "~~~", "````", "~~~~~"])
def test_heading_inside_a_fence_is_content(fence: str) -> None:
    """A `### label` line inside a fenced code block is content, whatever the fence."""
    notes = f"Example:\n\n{fence}markdown\n### Paper title\n\nnot a title\n{fence}"
    text = body("### Paper title", "Real title", "### Notes", notes)
    assert parse_issue_body(text, FORM) == {"title": "Real title", "notes": notes}


def test_shorter_or_other_fences_do_not_close_a_fence() -> None:
    """Only a fence of the same character and at least the same length closes a fence."""
    notes = "````\n```\n~~~\n### Paper title\n```\n````"
    assert parse_issue_body(body("### Notes", notes), FORM) == {"notes": notes}


def test_unclosed_fence_does_not_swallow_later_fields() -> None:
    """A fence that is never closed does not hide the field headings after it."""
    text = body("### Notes", "```\nforgot to close", "### Paper title", "A title")
    assert parse_issue_body(text, FORM) == {
        "notes": "```\nforgot to close",
        "title": "A title",
    }


def test_heading_mid_line_is_content() -> None:
    """`### label` in the middle of a line is content, not a heading."""
    notes = "See the section ### Paper title below.\nx ### Year"
    assert parse_issue_body(body("### Notes", notes, "### Year", "2025"), FORM) == {
        "notes": notes,
        "year": ["2025"],
    }


def test_unknown_heading_stays_in_previous_value() -> None:
    """A heading that matches no label stays, with its text, in the previous field's value."""
    notes = "Intro.\n\n### Results\n\nGood.\n\n#### Paper title\n\n### Paper titles\n\nx"
    text = body("### Notes", notes, "### Paper title", "T")
    assert parse_issue_body(text, FORM) == {"notes": notes, "title": "T"}


def test_repeated_heading_stays_in_previous_value() -> None:
    """A field heading seen a second time is content of the field before it; the first wins."""
    text = body("### Paper title", "First", "### Notes", "n", "### Paper title", "Second")
    assert parse_issue_body(text, FORM) == {
        "title": "First",
        "notes": "n\n\n### Paper title\n\nSecond",
    }


def test_headings_match_in_any_order_after_trimming() -> None:
    """Field headings are matched by exact label after trimming, in any order."""
    text = body("###   Year  ", "2023", "  ### Notes ###", "n", "### Paper title", "T")
    assert parse_issue_body(text, FORM) == {"year": ["2023"], "notes": "n", "title": "T"}


def test_preface_is_kept_out_of_values_but_available() -> None:
    """Text before the first field heading is not a value but is kept as the preface."""
    text = body("Hi! Please add this.\n\n### Context\n\nWe met at RSNA.", "### Paper title", "T")
    parsed = parse_issue(text, FORM)
    assert parsed.values == {"title": "T"}
    assert parsed.preface == "Hi! Please add this.\n\n### Context\n\nWe met at RSNA."


def test_values_are_trimmed_of_blank_lines_only() -> None:
    """Leading and trailing blank lines are trimmed; inner newlines and indentation stay."""
    text = "### Notes\n\n\n   \n    indented\n\n  line\n\n \n### Paper title\n\n  T  \n"
    assert parse_issue_body(text, FORM) == {"notes": "    indented\n\n  line", "title": "T"}


def test_sections_expose_the_raw_text() -> None:
    """ParsedIssue.sections holds the trimmed text under each field heading found."""
    parsed = parse_issue(body("### BibTeX", "```bibtex\n@x\n```", "### Year", "None"), FORM)
    assert parsed.sections == {"bibtex": "```bibtex\n@x\n```", "year": "None"}


def test_dropdown_option_with_comma_is_matched_against_template() -> None:
    """Dropdown values are split by matching the template's options, not blindly at commas."""
    text = body("### Venues", "Nature, Medicine, arXiv", "### Year", "2024")
    assert parse_issue_body(text, FORM) == {"venues": ["Nature, Medicine", "arXiv"], "year": ["2024"]}


def test_dropdown_prefers_option_with_comma_over_its_parts() -> None:
    """A shorter option does not steal the start of a longer option that contains a comma."""
    values = parse_issue_body(body("### Venues", "Nature, Nature, Medicine, CVPR"), FORM)
    assert values == {"venues": ["Nature", "Nature, Medicine", "CVPR"]}


def test_dropdown_value_that_is_not_an_option_is_kept_and_reported() -> None:
    """A dropdown entry that is not a template option is kept in place and reported."""
    parsed = parse_issue(body("### Venues", "arXiv, MICCAI 2024,, CVPR", "### Year", "1999"), FORM)
    assert parsed.values == {"venues": ["arXiv", "MICCAI 2024", "CVPR"], "year": ["1999"]}
    assert parsed.unknown == {"venues": ["MICCAI 2024"], "year": ["1999"]}


def test_option_named_none_is_an_option() -> None:
    """A dropdown value `None` is an empty selection unless the template has a `None` option."""
    form = form_from_yaml(
        "body:\n- type: dropdown\n  id: a\n  attributes: {label: A, options: ['None', x]}\n"
        "- type: dropdown\n  id: b\n  attributes: {label: B, options: [x]}\n"
    )
    assert parse_issue_body(body("### A", "None", "### B", "None"), form) == {"a": ["None"], "b": []}


# --------------------------------------------------------------------------- rendering


def test_render_issue_body_matches_github_format() -> None:
    """render_issue_body writes the body GitHub writes for the same submission."""
    expected = (FIXTURES / "all_fields_body.md").read_text(encoding="utf-8").rstrip("\n")
    assert render_issue_body(FULL_VALUES, FORM) == expected


def test_render_empty_values_as_github_does() -> None:
    """Empty fields render as `_No response_`, `None` and unticked boxes."""
    assert render_issue_body({"title": "", "checks": {"selected": []}}, FORM) == body(
        "### Paper title\n\n_No response_",
        "### Author list\n\n_No response_",
        "### Notes\n\n_No response_",
        "### BibTeX\n\n_No response_",
        "### Year\n\nNone",
        "### Venues\n\nNone",
        "### Checklist\n\n" + "\n".join(f"- [ ] {label}" for label in CHECKS),
    )


def test_render_lengthens_fence_around_backticks() -> None:
    """A `render:` value containing a backtick fence is wrapped in a longer fence."""
    text = render_issue_body({"bibtex": "```\nx\n```"}, FORM)
    assert "### BibTeX\n\n````bibtex\n```\nx\n```\n````" in text
    assert parse_issue_body(text, FORM)["bibtex"] == "```\nx\n```"


# --------------------------------------------------------------------------- properties

FRAGMENTS = st.sampled_from(
    [
        *(f"### {label}" for label in LABELS),
        "###",
        "### ",
        "### Unknown",
        "#### Notes",
        "```",
        "````bibtex",
        "~~~",
        "- [x] ",
        "- [X] ",
        "- [ ] ",
        *CHECKS,
        *VENUES,
        ", ",
        ",",
        "None",
        "_No response_",
        "\n",
        "\n\n",
        "\r\n",
        "\r",
        " ",
        "\t",
        "x",
    ]
)
FRAGMENT_BODIES = st.lists(st.one_of(FRAGMENTS, st.text(max_size=5)), max_size=40).map("".join)

LINE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20)
PLAIN_LINE = LINE_TEXT.filter(lambda s: not re.match(r" {0,3}(###|```|~~~)", s))
LOOSE_HEADING = st.sampled_from(["### Results", "### paper title", "#### Notes", "###", "### Year 2024", "x ### Year"])


@st.composite
def fenced_blocks(draw: st.DrawFn) -> list[str]:
    """A balanced fence whose content may hold field headings and other fences."""
    char = draw(st.sampled_from("`~"))
    size = draw(st.integers(3, 5))
    other = "~~~" if char == "`" else "```"
    inner = draw(
        st.lists(
            st.one_of(PLAIN_LINE, st.sampled_from([f"### {label}" for label in LABELS] + [other])),
            max_size=4,
        )
    )
    info = draw(st.sampled_from(["", "python", " md"]))
    return [char * size + info, *inner, char * size]


TEXTAREA = (
    st.lists(
        st.one_of(PLAIN_LINE.map(lambda s: [s]), LOOSE_HEADING.map(lambda s: [s]), fenced_blocks()),
        max_size=6,
    )
    .map(lambda blocks: "\n".join(line for block in blocks for line in block).strip())
    .filter(lambda s: s.lower() != "_no response_")
)
INPUT = LINE_TEXT.map(str.strip).filter(
    lambda s: s.lower() != "_no response_" and not s.startswith(("###", "```", "~~~"))
)


@st.composite
def form_values(draw: st.DrawFn) -> dict[str, FieldValue]:
    """Values for every field of the fixture form, as parse_issue_body returns them."""
    ticks = draw(st.lists(st.booleans(), min_size=len(CHECKS), max_size=len(CHECKS)))
    return {
        "title": draw(INPUT),
        "author_list": draw(INPUT),
        "notes": draw(TEXTAREA),
        "bibtex": draw(TEXTAREA),
        "year": draw(st.lists(st.sampled_from(FORM.field("year").options), max_size=1)),
        "venues": draw(st.lists(st.sampled_from(VENUES), unique=True)),
        "checks": {
            "selected": [c for c, t in zip(CHECKS, ticks, strict=True) if t],
            "unselected": [c for c, t in zip(CHECKS, ticks, strict=True) if not t],
        },
    }


def _assert_well_formed(values: dict[str, FieldValue], form: IssueForm) -> None:
    kinds = {item.id: item.type for item in form.fields}
    for key, value in values.items():
        if kinds[key] in ("input", "textarea"):
            assert isinstance(value, str)
            assert value
        elif kinds[key] == "dropdown":
            assert isinstance(value, list)
        else:
            assert isinstance(value, dict)
            assert set(value) == {"selected", "unselected"}
    json.dumps(values, ensure_ascii=False)


@PROPERTY
@given(st.text())
def test_parse_never_raises_on_arbitrary_text(text: str) -> None:
    """parse_issue_body returns well-formed JSON-ready values for any text."""
    _assert_well_formed(parse_issue_body(text, FORM), FORM)


@PROPERTY
@given(FRAGMENT_BODIES)
def test_parse_never_raises_on_heading_like_bodies(text: str) -> None:
    """parse_issue_body returns well-formed values for bodies built of heading-like pieces."""
    _assert_well_formed(parse_issue_body(text, FORM), FORM)


@PROPERTY
@given(form_values())
def test_render_then_parse_round_trips(values: dict[str, FieldValue]) -> None:
    """Parsing a rendered body gives back the values, with empty inputs left out."""
    expected = {key: value for key, value in values.items() if value != ""}
    assert parse_issue_body(render_issue_body(values, FORM), FORM) == expected


@PROPERTY
@given(st.one_of(st.text().map(lambda s: s.replace("\r", "")), FRAGMENT_BODIES.map(lambda s: s.replace("\r", ""))))
def test_crlf_bodies_parse_identically(text: str) -> None:
    """Converting a body's LF line endings to CRLF or CR does not change the parse."""
    expected = parse_issue(text, FORM)
    assert parse_issue(text.replace("\n", "\r\n"), FORM) == expected
    assert parse_issue(text.replace("\n", "\r"), FORM) == expected


@PROPERTY
@given(form_values())
def test_rendered_crlf_bodies_round_trip(values: dict[str, FieldValue]) -> None:
    """A rendered body with CRLF line endings still parses back to the values."""
    expected = {key: value for key, value in values.items() if value != ""}
    crlf = render_issue_body(values, FORM).replace("\n", "\r\n")
    assert parse_issue_body(crlf, FORM) == expected
