"""From parsed form values and the list text to a validated, rendered and placed entry."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.document import ListDocument
from bot.core.duplicates import Duplicate, ListedEntry, find_duplicates, listed_entries, submission_keys
from bot.core.entry import render_paper
from bot.core.placement import Insertion, PlacementError, insert_paper
from bot.core.submission import (
    PAPER_FIELDS,
    FieldProblem,
    PaperSubmission,
    SubmissionError,
    validate_paper,
)

# Which form field a duplicate is reported against, by the kind of key that matched.
_DUPLICATE_FIELD = {
    "title": "title", "arxiv": "paper_url", "doi": "paper_url", "openreview": "paper_url", "url": "paper_url",
    "repo": "code_url",
}
_LABELS = {spec.id: spec.label for spec in PAPER_FIELDS}


@dataclass(frozen=True)
class Proposal:
    """A valid, non-duplicate submission and the list text with its entry inserted."""

    paper: PaperSubmission
    entry: list[str]
    insertion: Insertion
    before: str

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


def _duplicate_problem(duplicate: Duplicate, keys: frozenset[str]) -> FieldProblem:
    shared = sorted(keys & duplicate.entry.keys)
    field = _DUPLICATE_FIELD.get(shared[0].split(":", 1)[0], "title") if shared else "title"
    return FieldProblem(field, _LABELS[field], duplicate.message(), duplicate_in=duplicate.entry.section)


def duplicate_problems(paper: PaperSubmission, entries: Iterable[ListedEntry]) -> list[FieldProblem]:
    """One problem per listed entry the paper duplicates."""
    keys = submission_keys(paper)
    return [_duplicate_problem(dup, keys) for dup in find_duplicates(keys, entries)]


def propose(
    values: Mapping[str, Any],
    list_text: str,
    *,
    today: dt.date | None = None,
    also_listed: Iterable[ListedEntry] = (),
    placement: str = "by-date",
) -> Proposal:
    """Validate, check duplicates (in the list and in `also_listed`), render and place.

    Raises `SubmissionError` with every problem; nothing is produced for a bad submission.
    """
    paper = validate_paper(values, today)
    doc = ListDocument(list_text)
    problems = duplicate_problems(paper, [*listed_entries(doc), *also_listed])
    if problems:
        raise SubmissionError(problems)
    entry = render_paper(paper)
    key = paper.date.sort_key() if paper.date else None
    try:
        insertion = insert_paper(list_text, entry, paper.year, key, doc=doc, placement=placement)
    except PlacementError as error:
        raise SubmissionError([FieldProblem("list", "List", str(error))]) from error
    return Proposal(paper, entry, insertion, list_text)
