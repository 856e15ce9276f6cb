"""From parsed form values and the list text to a validated, rendered and placed entry."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.core.document import ListDocument
from bot.core.duplicates import Duplicate, ListedEntry, find_duplicates
from bot.core.forms import IssueForm
from bot.core.kind_entries import listed_kind_entries
from bot.core.kind_placement import insert_entry
from bot.core.kind_submission import Submission, kind_fields, validate
from bot.core.kinds import BUILTIN_KINDS, PAPER, Kind
from bot.core.placement import Insertion, PlacementError
from bot.core.submission import FieldProblem, PaperSubmission, SubmissionError


@dataclass(frozen=True)
class Proposal:
    """A valid, non-duplicate submission and the list text with its entry inserted."""

    submission: Submission
    entry: list[str]
    insertion: Insertion
    before: str
    forms: Mapping[str, IssueForm] = field(default_factory=dict)  # every kind's form, for lint

    @property
    def paper(self) -> PaperSubmission:
        """The validated paper of a paper submission (`AttributeError` for other kinds)."""
        if self.submission.paper is None:
            raise AttributeError(f"a {self.submission.kind.name} submission has no paper")
        return self.submission.paper

    @property
    def after(self) -> str:
        return self.insertion.text

    def diff(self, path: str) -> str:
        """The unified diff a pull request for this proposal would contain."""
        return "".join(difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=f"a/{path}", tofile=f"b/{path}",
        ))


def _duplicate_problem(submission: Submission, duplicate: Duplicate, labels: Mapping[str, str]) -> FieldProblem:
    field = submission.field_of(submission.keys & duplicate.entry.keys)
    return FieldProblem(
        field, labels.get(field, field), duplicate.message(submission.kind.noun), duplicate_in=duplicate.entry.section
    )


def duplicate_problems(
    submission: Submission, entries: Iterable[ListedEntry], form: IssueForm | None = None
) -> list[FieldProblem]:
    """One problem per listed entry the submission duplicates."""
    labels = {field.id: field.label for field in kind_fields(submission.kind, form)}
    return [_duplicate_problem(submission, dup, labels) for dup in find_duplicates(submission.keys, entries)]


def propose(
    values: Mapping[str, Any],
    list_text: str,
    *,
    today: dt.date | None = None,
    also_listed: Iterable[ListedEntry] = (),
    placement: str = "by-date",
    kind: Kind = PAPER,
    form: IssueForm | None = None,
    kinds: Sequence[Kind] = BUILTIN_KINDS,
    forms: Mapping[str, IssueForm] | None = None,
) -> Proposal:
    """Validate as `kind`, check duplicates against every entry of every kind in the list (and
    in `also_listed`), render and place. `form` is the kind's form, `forms` every kind's.

    Raises `SubmissionError` with every problem; nothing is produced for a bad submission.
    """
    submission = validate(kind, values, form, today)
    doc = ListDocument(list_text)
    known = {**(forms or {}), **({kind.name: form} if form else {})}
    listed = listed_kind_entries(doc, kinds, known)
    problems = duplicate_problems(submission, [*listed, *also_listed], form)
    if problems:
        raise SubmissionError(problems)
    try:
        insertion = insert_entry(list_text, submission, doc=doc, form=form, placement=placement)
    except PlacementError as error:
        raise SubmissionError([FieldProblem("list", "List", str(error))]) from error
    return Proposal(submission, submission.entry(), insertion, list_text, known)
