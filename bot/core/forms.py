"""GitHub issue forms: the template model, and parsing and rendering the bodies GitHub builds."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypedDict

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from bot.core.lazy_patterns import lazy_pattern
from bot.core.markdown_blocks import closing_fence, fence_around, opening_fence
from bot.core.yaml_reading import safe_load

__all__ = [
    "NONE",
    "NO_RESPONSE",
    "CheckboxesValue",
    "FieldAttributes",
    "FieldType",
    "FieldValidations",
    "FieldValue",
    "FormField",
    "IssueForm",
    "ParsedIssue",
    "StrayHeading",
    "form_from_yaml",
    "load_form",
    "parse_issue",
    "parse_issue_body",
    "render_issue_body",
    "slugify",
]

NO_RESPONSE = "_No response_"
"""What GitHub writes for an empty ``input`` or ``textarea``."""
NONE = "None"
"""What GitHub writes for a ``dropdown`` with nothing selected."""

FieldType = Literal["markdown", "input", "textarea", "dropdown", "checkboxes"]


class CheckboxesValue(TypedDict):
    """A parsed ``checkboxes`` field: option labels, ticked and not ticked, in body order."""

    selected: list[str]
    unselected: list[str]


FieldValue = str | list[str] | CheckboxesValue
"""A parsed value: ``str`` (input, textarea), ``list[str]`` (dropdown), checkboxes dict."""

RenderValue = FieldValue | Sequence[str] | Mapping[str, Sequence[str]]


def slugify(label: str) -> str:
    """Return the key @github/issue-parser derives from a label (its ``formatKey``)."""
    key = re.sub(r"[^a-z0-9]", "_", label.strip().lower())
    return re.sub(r"_+", "_", key.strip("_"))


# --------------------------------------------------------------------------- template model


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _string_list(value: object) -> object:
    """Accept GitHub's comma-separated string form for ``labels``/``assignees``/``projects``."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list | tuple):
        return tuple(_scalar_text(item) for item in value)
    return value


class FieldAttributes(_Frozen):
    """The ``attributes`` of a form field; ``options`` holds checkbox labels for checkboxes."""

    label: str = ""
    description: str = ""
    placeholder: str = ""
    value: str = ""
    render: str = ""
    multiple: bool = False
    default: int | None = None
    options: tuple[str, ...] = ()
    required_options: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _split_checkbox_options(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in ("label", "description", "placeholder", "value", "render"):
            if key in data and not isinstance(data[key], str):
                data[key] = _scalar_text(data[key])
        options = data.get("options")
        if options is None:
            data.pop("options", None)
        elif isinstance(options, list | tuple):
            labels: list[str] = []
            required: list[str] = []
            for option in options:
                if isinstance(option, dict):
                    if "label" not in option:
                        raise ValueError(f"option {option!r} is neither a string nor has a label")
                    label = _scalar_text(option.get("label"))
                    labels.append(label)
                    if option.get("required") is True:
                        required.append(label)
                else:
                    labels.append(_scalar_text(option))
            data["options"] = tuple(labels)
            data["required_options"] = tuple(required)
        return data


class FieldValidations(_Frozen):
    """The ``validations`` of a form field."""

    required: bool = False


class FormField(_Frozen):
    """One entry of a form's ``body``; ``id`` falls back to :func:`slugify` of the label."""

    type: FieldType
    id: str = ""
    attributes: FieldAttributes = FieldAttributes()
    validations: FieldValidations = FieldValidations()

    @model_validator(mode="before")
    @classmethod
    def _derive_id(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if data.get("attributes") is None:
            data["attributes"] = {}
        if data.get("validations") is None:
            data["validations"] = {}
        if data.get("id") is None or data.get("id") == "":
            attributes = data["attributes"]
            label = attributes.get("label") if isinstance(attributes, dict) else None
            is_markdown = data.get("type") == "markdown"
            data["id"] = "" if is_markdown or label is None else slugify(_scalar_text(label))
        else:
            data["id"] = _scalar_text(data["id"])
        return data

    @model_validator(mode="after")
    def _check_label(self) -> FormField:
        if self.type != "markdown" and not self.attributes.label.strip():
            raise ValueError(f"a {self.type} field needs a non-empty attributes.label")
        return self

    @property
    def label(self) -> str:
        """The label as GitHub writes it in the ``### {label}`` heading."""
        return self.attributes.label.strip()

    @property
    def options(self) -> tuple[str, ...]:
        """Dropdown options, or checkbox labels."""
        return self.attributes.options

    @property
    def required(self) -> bool:
        """Whether the web form requires a value (GitHub only enforces it on public repos)."""
        return self.validations.required


class IssueForm(_Frozen):
    """An issue form template (``.github/ISSUE_TEMPLATE/*.yml``)."""

    name: str = ""
    description: str = ""
    title: str = ""
    labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    body: tuple[FormField, ...]

    @field_validator("labels", "assignees", "projects", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _string_list(value)

    @field_validator("name", "description", "title", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return value if isinstance(value, str) else _scalar_text(value)

    @model_validator(mode="after")
    def _check_unique(self) -> IssueForm:
        ids: set[str] = set()
        labels: set[str] = set()
        for item in self.fields:
            if item.id in ids:
                raise ValueError(f"duplicate field id {item.id!r}")
            if item.label in labels:
                raise ValueError(f"duplicate field label {item.label!r}")
            ids.add(item.id)
            labels.add(item.label)
        return self

    @property
    def fields(self) -> tuple[FormField, ...]:
        """The fields that appear in an issue body (every field but ``markdown``)."""
        return tuple(item for item in self.body if item.type != "markdown")

    def field(self, field_id: str) -> FormField:
        """Return the submitted field with this id, or raise ``KeyError``."""
        for item in self.fields:
            if item.id == field_id:
                return item
        raise KeyError(field_id)


def form_from_yaml(text: str) -> IssueForm:
    """Build an :class:`IssueForm` from template YAML; raise ``ValueError`` if it is not one."""
    import yaml  # only a form read from its text needs PyYAML (see `yaml_reading`)

    try:
        data = safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(f"issue form is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise ValueError("issue form must be a YAML mapping")
    return IssueForm.model_validate(data)  # pydantic's ValidationError is a ValueError


def load_form(path: str | os.PathLike[str]) -> IssueForm:
    """Read and parse the issue form template at ``path``."""
    return form_from_yaml(Path(path).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- body scanning

_HEADING = lazy_pattern(r" {0,3}###(?:[ \t]+(.*))?\Z")
_CHECKBOX = lazy_pattern(r"[-*+][ \t]+\[([ xX])\][ \t]+(.*\S)\Z")


def _lines(body: str) -> list[str]:
    body = body.removeprefix("\ufeff")  # a UTF-8 BOM left by an editor is not text
    return body.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _heading_text(line: str) -> str | None:
    match = _HEADING().match(line)
    if match is None:
        return None
    return (match.group(1) or "").strip()


def _fenced_lines(lines: Sequence[str]) -> list[bool]:
    """Mark the lines that are inside (or delimit) a fenced code block.

    An opening fence that is never closed is treated as text rather than running to the end
    of the body (as CommonMark would), so a forgotten closing fence cannot swallow the rest
    of the form.
    """
    closers = [closing_fence(line) for line in lines]
    # longest closer of each fence character at or after each line, to find unclosed openers
    longest_after: dict[str, list[int]] = {"`": [0] * (len(lines) + 1), "~": [0] * (len(lines) + 1)}
    for index in range(len(lines) - 1, -1, -1):
        for char, table in longest_after.items():
            closer = closers[index]
            here = closer.length if closer is not None and closer.char == char else 0
            table[index] = max(here, table[index + 1])
    fenced = [False] * len(lines)
    index = 0
    while index < len(lines):
        opener = opening_fence(lines[index])
        if opener is None or longest_after[opener.char][index + 1] < opener.length:
            index += 1
            continue
        end = index + 1
        while not opener.is_closed_by(closers[end]):
            end += 1
        for inner in range(index, end + 1):
            fenced[inner] = True
        index = end + 1
    return fenced


def _trim_blank_lines(lines: Sequence[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end]).rstrip()


def _match_label(text: str, labels: Mapping[str, str]) -> str | None:
    """The field id of a heading's label, whatever its case (`### paper link`)."""
    for candidate in (text, _without_closing_hashes(text).strip()):  # "### Label ###" is the same
        if candidate in labels:
            return labels[candidate]
        if (folded := candidate.casefold()) in labels:
            return labels[folded]
    return None


def _without_closing_hashes(text: str) -> str:
    """Text without a closing run of `#`s that follows a blank or is all of it.

    Done by hand in one pass: the regex it replaces (blanks, then `#`s, at the end) was
    quadratic on a heading of `x`, thousands of spaces and `#y`, which anyone can file.
    """
    unclosed = text.rstrip("#")
    if unclosed == text:
        return text
    if not unclosed or unclosed[-1] in " \t":
        return unclosed.rstrip(" \t")
    return text


def starts_with_field_heading(body: str, form: IssueForm) -> bool:
    """Whether the body's first non-blank line is the heading of one of the form's fields.

    Every body GitHub writes from the form starts so; a cheap test (one line is read) that
    keeps listbot from parsing every other issue anyone files.
    """
    text = _heading_text(body.lstrip().partition("\n")[0].partition("\r")[0])
    return text is not None and _match_label(text, _field_labels(form)) is not None


def _field_labels(form: IssueForm) -> dict[str, str]:
    """Field ids by label, as written and case-folded."""
    labels = {item.label: item.id for item in form.fields}
    return labels | {label.casefold(): field_id for label, field_id in labels.items()}


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class StrayHeading(NamedTuple):
    """A `### Heading` that ended a one-line field's value: unknown to the form (`field_id` None)
    or a field's heading seen a second time. Its text is kept apart, never glued onto the field."""

    heading: str
    field_id: str | None
    text: str


def _split_sections(body: str, form: IssueForm) -> tuple[str, dict[str, str], list[StrayHeading]]:
    """Split a body into the preface, the raw text under each field heading and stray sections.

    An unknown or repeated heading is content of a textarea (which may hold headings of its own)
    or of the preface, but after any other field it starts a stray section of its own.
    """
    lines = _lines(body)
    fenced = _fenced_lines(lines)
    labels = _field_labels(form)
    multiline = {item.id for item in form.fields if item.type == "textarea"}
    preface: list[str] = []
    sections: dict[str, list[str]] = {}
    strays: list[tuple[str, str | None, list[str]]] = []
    current, current_id = preface, ""
    for line, in_fence in zip(lines, fenced, strict=True):
        text = None if in_fence else _heading_text(line)
        field_id = None if text is None else _match_label(text, labels)
        if text is not None and field_id is not None and field_id not in sections:
            current, current_id = sections.setdefault(field_id, []), field_id
        elif text is not None and current is not preface and current_id not in multiline:
            current, current_id = [], "stray"
            strays.append((text, field_id, current))
        else:
            current.append(line)  # content, or a heading inside a textarea or the preface
    found = [StrayHeading(heading, field_id, _trim_blank_lines(text)) for heading, field_id, text in strays]
    return _trim_blank_lines(preface), {key: _trim_blank_lines(v) for key, v in sections.items()}, found


# --------------------------------------------------------------------------- value parsing


def _is_empty_text(value: str) -> bool:
    return value.strip().lower() in ("", NO_RESPONSE.lower())


def _unfence(value: str) -> str:
    """Strip the code fence GitHub wraps round a ``render:`` textarea, if it is still intact."""
    lines = value.split("\n")
    opener = opening_fence(lines[0])
    if opener is None or len(lines) < 2:
        return value
    for index in range(1, len(lines)):
        if opener.is_closed_by(closing_fence(lines[index])):
            return _trim_blank_lines(lines[1:-1]) if index == len(lines) - 1 else value
    return value


def _parse_dropdown(value: str, options: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split a dropdown value into options, matching the template's options first.

    Returns the selected entries (in body order) and those that are not template options.
    Among all ways to cut the value at commas, the one with the fewest unknown entries wins,
    then the one with the fewest entries (so an option containing a comma beats its parts).
    """
    known = {option.strip(): option for option in options}
    stripped = value.strip()
    if stripped in known:
        return [known[stripped]], []
    if stripped.lower() in (NONE.lower(), NO_RESPONSE.lower()):
        return [], []
    pieces = stripped.split(",")
    span = 1 + max((option.count(",") for option in known), default=0)
    count = len(pieces)
    # best[i]: (unknown entries, entries, end of first entry or -1 to skip) for pieces[i:]
    best: list[tuple[int, int, int]] = [(0, 0, count)] * (count + 1)
    for start in range(count - 1, -1, -1):
        first = pieces[start].strip()
        after = best[start + 1]
        choice = (after[0], after[1], -1) if not first else (after[0] + 1, after[1] + 1, start + 1)
        for end in range(min(count, start + span), start, -1):
            if ",".join(pieces[start:end]).strip() in known:
                rest = best[end]
                candidate = (rest[0], rest[1] + 1, end)
                if candidate[:2] < choice[:2]:
                    choice = candidate
        best[start] = choice
    selected: list[str] = []
    unknown: list[str] = []
    start = 0
    while start < count:
        end = best[start][2]
        if end == -1:
            start += 1
            continue
        entry = ",".join(pieces[start:end]).strip()
        if entry in known:
            selected.append(known[entry])
        else:
            selected.append(entry)
            unknown.append(entry)
        start = end
    return selected, unknown


def _parse_checkboxes(value: str, options: Sequence[str]) -> tuple[CheckboxesValue, list[str]]:
    """Read ``- [X] label`` lines; other non-blank lines are kept as unselected text."""
    result: CheckboxesValue = {"selected": [], "unselected": []}
    unknown: list[str] = []
    if value.strip().lower() in (NONE.lower(), NO_RESPONSE.lower()):
        return result, unknown
    labels = {option.strip() for option in options}
    for line in value.split("\n"):
        text = line.strip()
        if not text:
            continue
        match = _CHECKBOX().match(text)
        if match is None:
            result["unselected"].append(text)
            unknown.append(text)
            continue
        label = match.group(2).strip()
        result["selected" if match.group(1) in "xX" else "unselected"].append(label)
        if label not in labels:
            unknown.append(label)
    return result, unknown


@dataclass(frozen=True)
class ParsedIssue:
    """Everything read from an issue body; :attr:`values` is the JSON-ready part.

    ``values`` follows @github/issue-parser: keyed by field id in template order, a field is
    absent when its heading is missing or its text is blank, and inputs/textareas are absent
    when ``_No response_``. ``preface`` is any text before the first field heading;
    ``sections`` the trimmed raw text under each field heading found; ``unknown`` the
    dropdown entries and checkbox lines (per field id) that are not options of the template;
    ``strays`` the unknown or repeated headings that followed a field other than a textarea.
    """

    values: dict[str, FieldValue]
    preface: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    unknown: dict[str, list[str]] = field(default_factory=dict)
    strays: tuple[StrayHeading, ...] = ()


def parse_issue(body: str, form: IssueForm) -> ParsedIssue:
    """Parse an issue body written by GitHub from ``form``; never raises on any text.

    Line endings are normalised to ``\n`` and a leading BOM dropped. A field starts at a
    ``### {label}`` line (label compared after trimming, in any case, any order) that is outside
    a fenced code block and is the first heading for that label. An unknown or repeated heading
    after a textarea (or before the first field) is content, like ``###`` mid-line; after any
    other field it starts a stray section, kept apart in ``strays``. Values lose their
    leading/trailing blank lines; dropdowns are matched against the template's options and
    keep entries that are not options; ``[x]`` and ``[X]`` both tick a checkbox.
    """
    preface, sections, stray_headings = _split_sections(body, form)
    values: dict[str, FieldValue] = {}
    unknown: dict[str, list[str]] = {}
    for item in form.fields:
        raw = sections.get(item.id, "")
        if not raw.strip():
            continue
        if item.type == "dropdown":
            values[item.id], strays = _parse_dropdown(raw, item.options)
        elif item.type == "checkboxes":
            values[item.id], strays = _parse_checkboxes(raw, item.options)
        else:
            text = raw.strip() if item.type == "input" else raw
            if item.type == "textarea" and item.attributes.render:
                text = _unfence(text)
            if not _is_empty_text(text):
                values[item.id] = text
            strays = []
        if strays:
            unknown[item.id] = strays
    return ParsedIssue(
        values=values, preface=preface, sections=sections, unknown=unknown, strays=tuple(stray_headings)
    )


def parse_issue_body(body: str, form: IssueForm) -> dict[str, FieldValue]:
    """Parse an issue body into ``{field id: value}``, JSON-serialisable; never raises."""
    return parse_issue(body, form).values


# --------------------------------------------------------------------------- rendering


def _selected_labels(value: RenderValue | None) -> list[str]:
    if value is None or isinstance(value, str):
        return [] if not value else [value]
    if isinstance(value, Mapping):
        return [str(label) for label in value.get("selected", [])]
    return [str(label) for label in value]


def _render_value(item: FormField, value: RenderValue | None) -> str:
    if item.type == "dropdown":
        chosen = _selected_labels(value)
        return ", ".join(chosen) if chosen else NONE
    if item.type == "checkboxes":
        chosen = _selected_labels(value)
        extra = [label for label in chosen if label not in item.options]
        lines = [f"- [{'X' if o in chosen else ' '}] {o}" for o in item.options]
        return "\n".join([*lines, *(f"- [X] {label}" for label in extra)])
    text = value if isinstance(value, str) else ""
    if not text.strip():
        return NO_RESPONSE
    if item.type == "textarea" and item.attributes.render:
        fence = fence_around(text)
        return f"{fence}{item.attributes.render}\n{text}\n{fence}"
    return text


def render_issue_body(values: Mapping[str, RenderValue], form: IssueForm) -> str:
    """Render the body GitHub writes when ``form`` is submitted with ``values``.

    Values are keyed by field id: ``str`` for inputs and textareas, a list of options for
    dropdowns, and ``{"selected": [...]}`` (or a list of labels) for checkboxes. Missing
    values render as GitHub renders empty fields. A ``render:`` textarea is fenced with three
    backticks, or more when the value itself contains a run of three or more.
    """
    return "\n\n".join(f"### {item.label}\n\n{_render_value(item, values.get(item.id))}" for item in form.fields)
