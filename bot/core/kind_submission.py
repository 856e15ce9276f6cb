"""Any kind's submission: its form values validated field by field into the values of its entry.

A paper goes through `validate_paper` (authors, dates, the stars badge); every other kind's
fields are checked with the same rules a paper's are: text with `textrules.clean_line`, links
with `urls.validate_url`, and a dropdown against its options. The result knows its entry's
lines, its section and the identity keys duplicates are found by.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from bot.core import dates, textrules, urls
from bot.core.duplicates import entry_keys, field_keys, fold_title, submission_keys
from bot.core.entry import paper_template_values
from bot.core.entry_template import fill, template_fields
from bot.core.forms import IssueForm
from bot.core.kinds import Kind
from bot.core.submission import Change, FieldProblem, PaperSubmission, SubmissionError, check_paper
from bot.core.venues import VenueTable

TEXT_LIMIT = 300
SortKey = tuple[int, int, int] | str | None


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class KindField(NamedTuple):
    """One field of a kind's form as validation sees it."""

    id: str
    label: str
    required: bool
    link: bool
    options: tuple[str, ...] = ()
    example: str = ""


class Submission(NamedTuple):
    """A valid submission of any kind: its entry's values, section and identity keys."""

    kind: Kind
    values: Mapping[str, str]
    headings: tuple[tuple[int, str], ...]
    keys: frozenset[str]
    sort_key: SortKey = None
    paper: PaperSubmission | None = None
    changes: tuple[Change, ...] = ()  # what was written differently from the form, and why

    @property
    def title(self) -> str:
        """What messages call the entry: its title, else its name, else its first field."""
        if self.paper is not None:
            return self.paper.title  # as submitted, not escaped for the list
        for name in ("title", "name"):
            if self.values.get(name):
                return self.values[name]
        return next((value for value in self.values.values() if value), self.kind.name)

    @property
    def section(self) -> str:
        """Human name of the section the entry goes to, e.g. `Papers › 2024` or `Datasets`."""
        return " › ".join(text for _, text in self.headings)

    def entry(self) -> list[str]:
        """The entry's lines, without line endings. Text fields are escaped where GitHub would
        restyle them (`_x_`, `~x~`); a paper's values come already written in house style."""
        values = self.values if self.paper is not None else {
            name: value if name in self.kind.links else textrules.escape_inline(value)
            for name, value in self.values.items()
        }
        return fill(self.kind.template, values, one_line=self.kind.one_line)

    def field_of(self, keys: frozenset[str]) -> str:
        """The form field a shared identity key came from (for a duplicate's message)."""
        if self.paper is not None:
            return next((field for field, own in field_keys(self.paper).items() if own & keys), "title")
        for name in self.kind.identity:
            if identity_keys_of(self.kind, name, self.values.get(name, "")) & keys:
                return name
        return self.kind.identity[0] if self.kind.identity else "title"


def kind_fields(kind: Kind, form: IssueForm | None) -> list[KindField]:
    """The fields to validate: a built-in kind's own (labelled as its form labels them), or the
    form's fields that its template or section uses."""
    labels = {item.id: item.label for item in form.fields} if form else {}
    if kind.fields:
        return [
            KindField(spec.id, labels.get(spec.id, spec.label), spec.required, spec.id in kind.links,
                      example=spec.placeholder)
            for spec in kind.fields
        ]
    used = set(kind.section_fields()) | set(_template_fields(kind))
    if form is None:
        return [KindField(name, name, True, name in kind.links) for name in _template_fields(kind)]
    return [
        KindField(item.id, item.label, item.required, item.id in kind.links,
                  item.options if item.type == "dropdown" else (), item.attributes.placeholder)
        for item in form.fields if item.id in used
    ]


def _template_fields(kind: Kind) -> list[str]:
    return template_fields(kind.template)


def identity_keys_of(kind: Kind, name: str, value: str) -> frozenset[str]:
    """The identity keys one field's value gives (a link's document keys, a text's folded form)."""
    if not value:
        return frozenset()
    if name not in kind.links:
        return entry_keys(value, (), ())
    try:
        repo = urls.github_repo(value)
    except urls.UrlError:
        repo = None
    # A repository link is keyed both as a repository (as papers' badges are) and as a link
    # (as entries read without their kind's template are, e.g. in other open pull requests).
    return entry_keys(None, (value,), (repo.url,) if repo else ())


def entry_identity(kind: Kind, values: Mapping[str, str]) -> frozenset[str]:
    """Every identity key of an entry of this kind (its identity fields' keys together)."""
    keys: frozenset[str] = frozenset()
    for name in kind.identity:
        keys |= identity_keys_of(kind, name, values.get(name, ""))
    return keys


def sort_key(kind: Kind, values: Mapping[str, str]) -> SortKey:
    """Where an entry stands in its kind's order: a date for newest-first, folded text for
    alphabetical (case and accents ignored, as people read it), None when it cannot say."""
    value = values.get(kind.sort_field or "", "")
    if not value:
        return None
    if kind.order == "alphabetical":
        return fold_title(value) or value.casefold()
    if kind.order == "newest-first":
        found = dates.parse_house_date(value)
        if found is None:
            try:
                found = dates.parse_date(value, dt.date.max)
            except dates.DateError:
                year = dates.year_in_text(value)
                return (year, 0, 0) if year else None
        return found.sort_key()
    return None


def _text(raw: Mapping[str, Any], field: KindField) -> str | list[str] | None:
    value = raw.get(field.id)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str | list):
        return value
    raise TypeError("expected text")


def _check(field: KindField, value: str | list[str]) -> tuple[str, tuple[str, ...]]:
    """The clean value, and why it differs from what was typed (links and text as for papers)."""
    example = f"`{field.example}`" if field.example else "plain text"
    if field.options:
        chosen = value if isinstance(value, list) else [value.strip()]
        if len(chosen) != 1 or chosen[0] not in field.options:
            listed = ", ".join(f"`{option}`" for option in field.options[:10])
            raise ValueError(f"choose exactly one of {listed}.")
        return chosen[0], ()
    if isinstance(value, list):
        raise ValueError(f"must be text; write it like {example}.")
    if field.link:
        link = urls.read_link(value)
        if link.url is None and field.required:
            raise ValueError(f"is required: `{value.strip()[:40]}` is not a link; paste one like {urls.URL_EXAMPLE}.")
        return link.url or "", link.reasons
    repaired = textrules.repair(value)
    return textrules.clean_line(repaired.text, max_length=TEXT_LIMIT, example=example), repaired.reasons


def validate_fields(
    kind: Kind, raw: Mapping[str, Any], form: IssueForm | None
) -> tuple[dict[str, str], tuple[Change, ...]]:
    """Every field's clean value ("" when left empty) and the changes made to what was typed;
    raise `SubmissionError` listing every problem."""
    problems: list[FieldProblem] = []
    changes: list[Change] = []
    clean: dict[str, str] = {}
    for field in kind_fields(kind, form):
        clean[field.id] = ""
        try:
            value = _text(raw, field)
        except TypeError:
            problems.append(FieldProblem(field.id, field.label, "must be text."))
            continue
        if value is None:
            if field.required:
                hint = f"; for example `{field.example}`" if field.example else ""
                problems.append(FieldProblem(field.id, field.label, f"is required{hint}."))
            continue
        try:
            clean[field.id], reasons = _check(field, value)
        except ValueError as error:
            problems.append(FieldProblem(field.id, field.label, str(error)))
            continue
        if reasons:
            changes.append(Change(field.id, field.label, clean[field.id] or None, "; ".join(reasons)))
    if problems:
        raise SubmissionError(problems)
    return clean, tuple(changes)


def validate(
    kind: Kind,
    raw: Mapping[str, Any],
    form: IssueForm | None = None,
    today: dt.date | None = None,
    venues: VenueTable | None = None,
) -> Submission:
    """Validate parsed form values as a submission of `kind`; raise `SubmissionError`."""
    if kind.builtin and kind.name == "paper":
        checked = check_paper(raw, today, venues)
        paper = checked.paper
        values = paper_template_values(paper)
        headings = kind.headings({"year": str(paper.year)})
        key = paper.date.sort_key() if paper.date else None
        return Submission(kind, values, headings, submission_keys(paper), key, paper, checked.changes)
    values, changes = validate_fields(kind, raw, form)
    try:
        headings = kind.headings(values)
    except ValueError as error:
        raise SubmissionError([FieldProblem("section", "Section", str(error))]) from error
    return Submission(
        kind, values, headings, entry_identity(kind, values), sort_key(kind, values), changes=changes
    )
