"""Submission kinds as data: a kind's form, entry template, section, order and identity fields.

The list's own kinds (`paper`, `dataset`, `metric`) are built in, in the same terms any list's
maintainer uses in `.github/listbot.yml` under `kinds:` (read by `kinds_from_config`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.core import entry_template, textrules
from bot.core.forms import IssueForm, parse_issue, starts_with_field_heading
from bot.core.lazy_patterns import lazy_pattern
from bot.core.shown import code_span, escaped, plain, spanned
from bot.core.submission import PAPER_FIELDS, FieldSpec

FORMS_DIR = ".github/ISSUE_TEMPLATE"
ORDERS = ("newest-first", "alphabetical", "top", "bottom")
MAX_KINDS = 20
MAX_TEMPLATE_LINES = 20
KIND_NAME = re.compile(r"[a-z][a-z0-9-]{0,29}")
FORM_PATH = re.compile(r"\.github/ISSUE_TEMPLATE/[A-Za-z0-9._-]+\.ya?ml")
_HEADING = re.compile(r"(#{1,6}) +(\S.*?)\s*")
_LIST_ITEM = re.compile(r"(?:[-*+]|\d+[.)]) ")
_BODY_HEADING = lazy_pattern(r"^ {0,3}###[ \t]+\S", re.MULTILINE)


@dataclass(frozen=True)
class Kind:
    """What one kind of submission is: its form, where its entry goes and how it reads.

    `section` is the heading path as written in the list (`("## Datasets",)`); a heading may
    name a form field (`"## {category}"`) whose value picks the section. `template` holds the
    entry's lines with `{field_id}` placeholders; with `one_line` its parts make one line.
    `order` places a new entry among those already there, by `order_by`. `identity` names the
    fields that make two entries the same, across every kind in the list. `links` are the
    fields checked and compared as links. `fields` describe a built-in kind's form; a kind from
    `listbot.yml` takes its fields from its form in the repository.
    """

    name: str
    section: tuple[str, ...]
    template: tuple[str, ...]
    order: str = "bottom"
    order_by: str | None = None
    identity: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    one_line: bool = False
    form_path: str = ""
    label: str = ""
    fields: tuple[FieldSpec, ...] = ()
    builtin: bool = False
    title: str = ""  # the form's name, e.g. "Submit a dataset"
    noun: str = ""  # what one entry is called in messages ("dataset")

    def __post_init__(self) -> None:
        object.__setattr__(self, "form_path", self.form_path or f"{FORMS_DIR}/{self.name}.yml")
        object.__setattr__(self, "label", self.label or self.name)
        object.__setattr__(self, "noun", self.noun or self.name)

    @property
    def a_noun(self) -> str:
        """The noun with its article: `a dataset`, `an evaluation metric`."""
        return f"{'an' if self.noun[:1] in 'aeiou' else 'a'} {self.noun}"

    @property
    def tight(self) -> bool:
        """Whether entries are list items on consecutive lines (no blank line between them)."""
        return bool(_LIST_ITEM.match(self.template[0]))

    @property
    def sort_field(self) -> str | None:
        """The field `order` compares: `order_by`, else the template's first field."""
        if self.order_by:
            return self.order_by
        names = entry_template.template_fields(self.template)
        return names[0] if names else None

    def example(self) -> str:
        """The entry's shape as people read it in messages: the template's lines."""
        joiner = " " if self.one_line else " ⏎ "
        return joiner.join(self.template)

    def headings(self, values: Mapping[str, str]) -> tuple[tuple[int, str], ...]:
        """The section path with placeholders filled: (level, heading text) pairs."""
        path = []
        for line in self.section:
            filled = entry_template.fill((line,), values)
            match = _HEADING.fullmatch(filled[0] if filled else "")
            if match is None:
                raise ValueError(f"the section heading `{line}` needs a value for its field")
            path.append((len(match[1]), match[2]))
        return tuple(path)

    def section_fields(self) -> list[str]:
        """Form fields that choose the section (`## {category}`)."""
        return entry_template.template_fields(self.section)


def _spec(field_id: str, label: str, description: str, placeholder: str, required: bool = True) -> FieldSpec:
    return FieldSpec(field_id, label, description, placeholder, required=required)


DATASET_FIELDS: tuple[FieldSpec, ...] = (
    _spec("title", "Title", "The dataset's name and the title of its paper, on one line.",
          "MIMIC-CXR, A De-identified Publicly Available Database of Chest Radiographs with Free-text Reports"),
    _spec("venue", "Venue", "Where the dataset's paper appeared: a journal (`Scientific Data`), `arXiv` or a "
          "conference.", "Scientific Data"),
    _spec("paper_url", "Paper link", "Link to the paper describing the dataset; http(s) only.",
          "https://www.nature.com/articles/s41597-019-0322-0"),
    _spec("dataset_url", "Dataset link", "Where the dataset can be obtained; http(s) only.",
          "https://physionet.org/content/mimic-cxr/1.0.0/"),
)

METRIC_FIELDS: tuple[FieldSpec, ...] = (
    _spec("title", "Title", "The metric's name and the title of its paper, on one line.",
          "RadGraph: Extracting Clinical Entities and Relations from Radiology Reports"),
    _spec("venue", "Venue", "Where the metric's paper appeared: a journal, `arXiv` or a conference (`NeurIPS`).",
          "NeurIPS"),
    _spec("paper_url", "Paper link", "Link to the paper describing the metric; http(s) only.",
          "https://arxiv.org/abs/2106.14463"),
    _spec("code_url", "Code link", "Optional. Where its code lives; http(s) only.",
          "https://github.com/Stanford-AIMI/radgraph", required=False),
)

PAPER = Kind(
    name="paper",
    section=("## Papers", "### {year}"),
    # `venue_line` (`Venue | 07 Aug 2024`) and `code_line` (stars badge or `[code](…)`) are
    # derived from the form's fields when the paper is validated.
    template=("**{title}**", "*{authors}*", "{venue_line}", "[paper]({paper_url})", "[model]({model_url})",
              "{code_line}"),
    order="newest-first",
    order_by="date",
    identity=("title", "paper_url", "model_url", "code_url"),
    links=("paper_url", "model_url", "code_url"),
    fields=PAPER_FIELDS,
    builtin=True,
    title="Submit a paper",
)
DATASET = Kind(
    name="dataset",
    section=("## Datasets",),
    template=("[{venue}] {title} [[paper]]({paper_url}) [[dataset]]({dataset_url})",),
    identity=("title", "paper_url", "dataset_url"),
    links=("paper_url", "dataset_url"),
    one_line=True,
    fields=DATASET_FIELDS,
    builtin=True,
    title="Submit a dataset",
)
METRIC = Kind(
    name="metric",
    section=("## Evaluation Metrics",),
    template=("[{venue}] {title} [[paper]]({paper_url})", "[[code]]({code_url})"),
    identity=("title", "paper_url", "code_url"),
    links=("paper_url", "code_url"),
    one_line=True,
    fields=METRIC_FIELDS,
    builtin=True,
    title="Submit an evaluation metric",
    noun="evaluation metric",
)
BUILTIN_KINDS: tuple[Kind, ...] = (PAPER, DATASET, METRIC)
BUILTINS = {kind.name: kind for kind in BUILTIN_KINDS}


def optional_fields(kind: Kind, form: IssueForm | None) -> set[str]:
    """Fields an entry may lack: not required by the built-in spec or the kind's form."""
    if kind.fields:
        return {spec.id for spec in kind.fields if not spec.required}
    if form is None:
        return set()
    return {item.id for item in form.fields if not item.required}


def entry_reader(kind: Kind, form: IssueForm | None = None) -> entry_template.Reader:
    """The reader recognising this kind's entries in the list."""
    return entry_template.reader(
        kind.template, one_line=kind.one_line, links=kind.links, optional=optional_fields(kind, form)
    )


# --- which kind an issue is ---------------------------------------------------------------------


def kind_by_label(kinds: Sequence[Kind], labels: Iterable[str]) -> Kind | None:
    """The kind whose label the issue carries (the first in the configuration when several do)."""
    names = {label.casefold() for label in labels}
    return next((kind for kind in kinds if kind.label.casefold() in names), None)


def heading_matches(body: str, form: IssueForm) -> int:
    """How many of the form's field headings the body holds."""
    return len(parse_issue(body, form).sections)


def kind_by_body(kinds: Sequence[Kind], forms: Mapping[str, IssueForm], body: str) -> Kind | None:
    """The kind whose form's headings the body matches best (all its required ones at least).

    Only a body that starts with one of a form's headings is parsed against it: any other issue
    anyone files costs one line's reading (see `starts_with_field_heading`).
    """
    headings = len(_BODY_HEADING().findall(body))
    best: tuple[int, Kind] | None = None
    for kind in kinds:
        form = forms.get(kind.name)
        if form is None or not form.fields or not starts_with_field_heading(body, form):
            continue
        sections = parse_issue(body, form).sections
        required = [item.id for item in form.fields if item.required] or [form.fields[0].id]
        if not all(field_id in sections for field_id in required):
            continue
        # Headings the form knows count for it; headings it does not know count against it, and so
        # do its own headings the body lacks (GitHub writes every field's heading, even empty ones).
        score = 2 * len(sections) - headings - (len(form.fields) - len(sections))
        if best is None or score > best[0]:
            best = (score, kind)
    return best[1] if best else None


def choose_kind(
    kinds: Sequence[Kind], forms: Mapping[str, IssueForm], labels: Iterable[str], body: str
) -> Kind | None:
    """An issue's kind: from its labels, else from the form its body came from."""
    return kind_by_label(kinds, labels) or kind_by_body(kinds, forms, body)


# --- kinds from .github/listbot.yml ---------------------------------------------------------------

KIND_KEYS = ("form", "label", "section", "entry", "one_line", "order", "order_by", "identity", "links")
BUILTIN_OVERRIDES = ("form", "label", "order")


@dataclass
class KindsResult:
    """The kinds `kinds:` defines and what was wrong with it (a wrong kind is left out)."""

    kinds: tuple[Kind, ...]
    problems: list[str] = field(default_factory=list)


def _text_list(value: object) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _form_path_problem(value: object) -> str | None:
    if not isinstance(value, str) or not FORM_PATH.fullmatch(value):
        return "it must be an issue form under `.github/ISSUE_TEMPLATE/`, like `.github/ISSUE_TEMPLATE/tool.yml`"
    return None


def _kind_from_mapping(name: str, data: Mapping[str, Any]) -> tuple[Kind | None, list[str]]:
    """One kind from its mapping, or None with every problem named after `kinds.NAME.KEY`."""
    where = f"kinds.{name}"
    problems: list[str] = []
    builtin = BUILTINS.get(name)
    unknown = [str(key) for key in data if key not in KIND_KEYS]
    for key in unknown:
        problems.append(f"{spanned(f'{where}.{escaped(key)}')} is not a kind setting; known keys: "
                        + ", ".join(f"`{k}`" for k in KIND_KEYS) + ".")
    if builtin is not None:
        allowed_keys = BUILTIN_OVERRIDES if name != "paper" else ("form", "label")
        extra = [key for key in data if key in KIND_KEYS and key not in allowed_keys]
        if extra:
            reason = ("a paper's place is set by the top-level `placement`" if extra[0] == "order" else
                   "name your own kind to define its shape")
            problems.append(
                f"`{where}` is built in: only " + ", ".join(f"`{k}`" for k in allowed_keys)
                + f" may be changed (not `{extra[0]}`); {reason}."
            )
    values: dict[str, Any] = {}
    if "form" in data:
        if why := _form_path_problem(data["form"]):
            problems.append(f"{_setting(f'{where}.form', data['form'])} is not valid: {why}.")
        else:
            values["form_path"] = data["form"]
    if "label" in data:
        label = data["label"]
        if not isinstance(label, str) or not label.strip() or len(label) > 50:
            problems.append(f"`{where}.label` must be a label name of at most 50 characters, like `label: {name}`.")
        else:
            values["label"] = label.strip()
    order = data.get("order", builtin.order if builtin else "bottom")
    if order not in ORDERS:
        problems.append(f"{_setting(f'{where}.order', order)} is not valid: use one of "
                        + ", ".join(f"`{o}`" for o in ORDERS) + " (e.g. `order: alphabetical`).")
    else:
        values["order"] = order
    if builtin is not None:
        return (None, problems) if problems else (replace(builtin, **values), [])
    return _custom_kind(name, data, values, problems)


def _custom_kind(
    name: str, data: Mapping[str, Any], values: dict[str, Any], problems: list[str]
) -> tuple[Kind | None, list[str]]:
    where = f"kinds.{name}"
    section = _text_list(data.get("section"))
    if section is None:
        problems.append(f"`{where}.section` is required: the heading entries go under, as written in the list, "
                        "like `section: '## Tools'` or `section: '## {category}'` (a form field picks it).")
    elif bad := [line for line in section if not _HEADING.fullmatch(line)]:
        problems.append(f"{_setting(f'{where}.section', bad[0])} is not a Markdown heading; write it like `## Tools`.")
    template = _text_list(data.get("entry"))
    one_line = data.get("one_line", False)
    if template is None:
        problems.append(f"`{where}.entry` is required: the entry's line(s) with `{{field_id}}` placeholders, "
                        "like `entry: '- [{name}]({url}) - {description}'`.")
    elif len(template) > MAX_TEMPLATE_LINES:
        problems.append(f"`{where}.entry` has {len(template)} lines; at most {MAX_TEMPLATE_LINES}.")
    else:
        found = [f"`{where}.entry`: {why}." for why in entry_template.check_template(template)]
        # Which trailing blanks end an entry's line depends on `one_line` (checked below).
        if not found and isinstance(one_line, bool):
            found = _lint_problems(f"{where}.entry", template, one_line=one_line)
        problems.extend(found)
    for key in ("section",):
        if section is not None:
            found = [f"`{where}.{key}`: {why}." for why in _template_problems(section)]
            problems.extend(found or _lint_problems(f"{where}.{key}", section, heading=True))
    if not isinstance(one_line, bool):
        problems.append(f"`{where}.one_line` must be `true` or `false`.")
    fields = entry_template.template_fields(template) if template and not problems else []
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("identity", "links"):
        if key not in data:
            continue
        chosen = _text_list(data[key]) if data[key] != [] else ()
        if chosen is None:
            problems.append(f"`{where}.{key}` must be a list of field ids, like `{key}: [url]`.")
            continue
        lists[key] = chosen
    order_by = data.get("order_by")
    if order_by is not None and not isinstance(order_by, str):
        problems.append(f"`{where}.order_by` must be a field id, like `order_by: name`.")
    if problems:
        return None, problems
    assert section is not None
    assert template is not None
    links = lists.get("links", tuple(f for f in fields if f == "url" or f.endswith("_url")))
    identity = lists.get("identity", tuple(links) or tuple(fields[:1]))
    for key, named in (("identity", identity), ("links", links), ("order_by", (order_by,) if order_by else ())):
        for field_id in named:
            if field_id not in fields:
                problems.append(f"`{where}.{key}` names {code_span(field_id)}, which the entry template does not use; "
                                "use one of " + ", ".join(f"`{f}`" for f in fields) + ".")
    if problems:
        return None, problems
    kind = Kind(name=name, section=section, template=template, identity=identity, links=links,
                one_line=bool(one_line), order_by=order_by, **values)
    return kind, []


def _template_problems(lines: Sequence[str]) -> list[str]:
    problems: list[str] = []
    for line in lines:
        try:
            entry_template.placeholders(line)
        except entry_template.TemplateError as error:
            problems.append(str(error))
    return problems


# What the list's own lint (`bot.core.lint`, by the rules in `textrules`) reports on every entry
# made from a template, when the template's literal text holds it: placeholders are filled with
# submitted values, which `textrules.clean_line` has already cleaned.
_LINT_REPORTS = "`listbot lint` reports it on every entry made from it"
_LINT_REPORTS_HEADING = "`listbot lint` reports it on the list's heading, which must read the same"


def _lint_problems(where: str, lines: Sequence[str], *, one_line: bool = False, heading: bool = False) -> list[str]:
    """What `listbot lint` would report on each entry (or section heading) made from template
    lines, found in their literal text: LB012 trailing whitespace, LB013 mis-decoded text,
    LB014 invisible or control characters. Empty when the lines are clean."""
    problems: list[str] = []
    reports = _LINT_REPORTS_HEADING if heading else _LINT_REPORTS
    for number, line in enumerate(lines, 1):
        named = f"`{where}` line {number}" if len(lines) > 1 else f"`{where}`"
        # A heading's trailing blanks are not part of it (`_HEADING`); in a one-line template a
        # part ends the line only when every part after it may be left out (it names a field).
        ends_line = not heading and (not one_line or all(entry_template.placeholders(rest) for rest in lines[number:]))
        problems.extend(
            f"{named} ({code_span(line)}) {what}, and {reports} ({code}); {fix}."
            for what, code, fix in _line_lint(line, ends_line=ends_line, joined=one_line and number > 1)
        )
    return problems


def _line_lint(line: str, *, ends_line: bool, joined: bool) -> list[tuple[str, str, str]]:
    """(what the line holds, lint's code, how to fix it) for each LB012-LB014 finding in a
    template line's literal text: its trailing whitespace only when it `ends_line`, after the
    space that `joined` it to a one-line template's part before when it names no field."""
    # The runs of literal text between placeholders (`{{` and `}}` read as the braces they write):
    # a line break never is one, so filling each placeholder with one splits the line there.
    literal = entry_template.fill((line,), dict.fromkeys(entry_template.placeholders(line), "\n"))[0].split("\n")
    found: list[tuple[str, str, str]] = []
    after_join = joined and len(literal) == 1
    tail = (" " if after_join else "") + literal[-1]
    if ends_line and (blanks := textrules.trailing_whitespace(tail)):
        found.append(_trailing_problem(blanks, blank_part=after_join and tail == blanks))
    for text in literal:
        for _, run, meant in textrules.mojibake_runs(text):
            fix = f"write {code_span(meant)}" if plain(meant) else "delete it or retype the text"
            found.append((f"holds {code_span(run)}, which looks like {code_span(meant)} read with the wrong encoding "
                          "(UTF-8 read as cp1252)", "LB013", fix))
    if invisible := sorted({name for text in literal for _, name in textrules.invisible_columns(text)}):
        found.append((f"holds the invisible or control character {', '.join(invisible)}", "LB014",
                      "delete it or retype the text"))
    return found


def _trailing_problem(blanks: str, *, blank_part: bool) -> tuple[str, str, str]:
    """LB012 of a template line that ends in `blanks`, or of a blank part of a one-line template."""
    if blank_part:
        return ("is blank, so the space that joins it to the part before would end the entry's line", "LB012",
                "remove the part")
    fix = "space" if blanks == " " else "spaces" if set(blanks) == {" "} else "whitespace"
    return f"ends in {_blanks_named(blanks)}", "LB012", f"remove the trailing {fix}"


def _setting(where: str, value: object) -> str:
    """A setting with the value the file gave it, as a message quotes it: `kinds.tool.order: up`."""
    return spanned(f"{where}: {escaped(str(value))}")


def _blanks_named(blanks: str) -> str:
    """Trailing whitespace said in words: `2 spaces`, or its characters' code points."""
    if set(blanks) == {" "}:
        return "a space" if len(blanks) == 1 else f"{len(blanks)} spaces"
    return "whitespace " + " ".join(f"U+{ord(char):04X}" for char in blanks)


def kinds_from_config(value: object) -> KindsResult:
    """The kinds a `kinds:` mapping defines (name to settings; a built-in's name may map to
    nothing to take it as it is). A kind with any problem is left out, with every problem."""
    if not isinstance(value, dict) or not value:
        return KindsResult(BUILTIN_KINDS, [
            "`kinds` must map kind names to their settings, like `kinds: {tool: {section: '## Tools', "
            "entry: '- [{name}]({url})'}}`; using the built-in kinds (paper, dataset, metric)."
        ])
    if len(value) > MAX_KINDS:
        return KindsResult(BUILTIN_KINDS, [f"`kinds` defines {len(value)} kinds; at most {MAX_KINDS}. "
                                           "Using the built-in kinds (paper, dataset, metric)."])
    kinds: list[Kind] = []
    problems: list[str] = []
    labels: dict[str, str] = {}
    for name, data in value.items():
        if not isinstance(name, str) or not KIND_NAME.fullmatch(name):
            problems.append(f"{spanned('kinds.' + escaped(str(name)))}: a kind's name is lower-case letters, "
                            "digits and `-`, like `tool`.")
            continue
        if data is None and name in BUILTINS:
            data = {}
        if not isinstance(data, dict):
            problems.append(f"`kinds.{name}` must be a mapping of settings (or empty for a built-in kind).")
            continue
        kind, found = _kind_from_mapping(name, data)
        problems.extend(found)
        if kind is None:
            problems.append(f"The kind `{name}` is left out until `kinds.{name}` is fixed.")
            continue
        if (other := labels.get(kind.label.casefold())) is not None:
            problems.append(f"`kinds.{name}` and `kinds.{other}` both use the label {code_span(kind.label)}; "
                            f"each kind needs its own. `{name}` is left out.")
            continue
        labels[kind.label.casefold()] = name
        kinds.append(kind)
    return KindsResult(tuple(kinds), problems)
