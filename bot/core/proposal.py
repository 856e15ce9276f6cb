"""From parsed form values and the list text to a validated, rendered and placed entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from bot.core.document import parsed
from bot.core.duplicates import Duplicate, ListedEntry, containing_titles, find_duplicates
from bot.core.forms import IssueForm, StrayHeading
from bot.core.kind_placement import insert_entry
from bot.core.kind_submission import Submission, kind_fields, validate
from bot.core.kinds import BUILTIN_KINDS, PAPER, Kind
from bot.core.lazy_patterns import lazy_pattern
from bot.core.listing import Listing, listing
from bot.core.placement import Insertion, PlacementError
from bot.core.rules import DEFAULT_PLACEMENT
from bot.core.submission import Change, FieldProblem, PaperSubmission, SubmissionError
from bot.core.venues import VenueTable

_PATCH_LINE = lazy_pattern(r"[^\n]*\n|[^\n]+\Z")  # lines as `patch` sees them: only LF ends one
NO_NEWLINE = "\\ No newline at end of file\n"


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class Proposal(NamedTuple):
    """A valid, non-duplicate submission and the list text with its entry inserted.

    `changes` lists what listbot wrote differently from the submission and `warnings` what the
    submitter should check (a similar title already listed, a section of the body ignored); the
    status comment shows both.
    """

    submission: Submission
    entry: list[str]
    insertion: Insertion
    before: str
    forms: Mapping[str, IssueForm] = MappingProxyType({})  # every kind's form, for lint
    warnings: tuple[str, ...] = ()

    @property
    def paper(self) -> PaperSubmission:
        """The validated paper of a paper submission (`AttributeError` for other kinds)."""
        if self.submission.paper is None:
            raise AttributeError(f"a {self.submission.kind.name} submission has no paper")
        return self.submission.paper

    @property
    def changes(self) -> tuple[Change, ...]:
        return self.submission.changes

    @property
    def after(self) -> str:
        return self.insertion.text

    def diff(self, path: str) -> str:
        """The unified diff a pull request for this proposal would contain; `patch` applied to
        `before` gives `after`, also when a file does not end with a newline."""
        import difflib  # only `listbot preview` shows a diff: apply need not import it

        lines = difflib.unified_diff(
            _PATCH_LINE().findall(self.before), _PATCH_LINE().findall(self.after),
            fromfile=f"a/{path}", tofile=f"b/{path}",
        )
        return "".join(line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}" for line in lines)


def _duplicate_problem(submission: Submission, duplicate: Duplicate, labels: Mapping[str, str]) -> FieldProblem:
    """The problem, reported against the submitted field whose title or link matched."""
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


def _similar_title_warnings(submission: Submission, listed: Listing, others: Sequence[ListedEntry]) -> list[str]:
    similar = [*listed.containing(submission.title), *containing_titles(submission.title, others)]
    return [
        f"the title is close to “{entry.title}” in {entry.section} (line {entry.line}); "
        "if that is the same paper, close this issue"
        for entry in similar
    ]


def _stray_problems_and_warnings(
    strays: Sequence[StrayHeading], values: Mapping[str, Any], labels: Mapping[str, str]
) -> tuple[list[FieldProblem], list[str]]:
    """A repeated field heading with another value is a problem; any other stray section a warning."""
    problems: list[FieldProblem] = []
    warnings: list[str] = []
    for stray in strays:
        if stray.field_id is not None:
            if stray.text and stray.text != values.get(stray.field_id):
                problems.append(FieldProblem(
                    stray.field_id, labels.get(stray.field_id, stray.heading),
                    f"the heading `### {stray.heading}` appears twice with different values; "
                    "keep one section per field and delete the other.",
                ))
        elif stray.text:
            warnings.append(f"the section `### {stray.heading}` is not part of the form, so I ignored it and its text")
    return problems, warnings


def propose(
    values: Mapping[str, Any],
    list_text: str,
    *,
    today: dt.date | None = None,
    also_listed: Iterable[ListedEntry] = (),
    placement: str = DEFAULT_PLACEMENT,
    kind: Kind = PAPER,
    form: IssueForm | None = None,
    kinds: Sequence[Kind] = BUILTIN_KINDS,
    forms: Mapping[str, IssueForm] | None = None,
    venues: VenueTable | None = None,
    strays: Sequence[StrayHeading] = (),
    related_keys: frozenset[str] = frozenset(),
) -> Proposal:
    """Validate as `kind`, check duplicates against every entry of every kind in the list (and
    in `also_listed`), render and place. `form` is the kind's form, `forms` every kind's;
    `venues` the venue table (the built-in one with a repository's overrides); `strays` the
    headings of the issue body that are not fields or repeat one; `related_keys` are other
    versions' identity keys (the arXiv preprint of a journal DOI), also checked for duplicates.

    Raises `SubmissionError` with every problem; nothing is produced for a bad submission.
    """
    labels = {field.id: field.label for field in kind_fields(kind, form)}
    stray_problems, warnings = _stray_problems_and_warnings(strays, values, labels)
    try:
        submission = validate(kind, values, form, today, venues)
    except SubmissionError as error:
        raise SubmissionError([*error.problems, *stray_problems]) from None
    if stray_problems:
        raise SubmissionError(stray_problems)
    if related_keys:
        submission = submission._replace(keys=submission.keys | related_keys)
    doc = parsed(list_text)
    known = {**(forms or {}), **({kind.name: form} if form else {})}
    # Only entries sharing a key can be duplicates: the index finds them without a scan.
    listed, others = listing(doc, kinds, known), list(also_listed)
    problems = duplicate_problems(submission, [*listed.sharing(submission.keys), *others], form)
    if problems:
        raise SubmissionError(problems)
    warnings += _similar_title_warnings(submission, listed, others)
    try:
        insertion = insert_entry(list_text, submission, doc=doc, form=form, placement=placement)
    except PlacementError as error:
        raise SubmissionError([FieldProblem("list", "List", str(error))]) from error
    return Proposal(submission, submission.entry(), insertion, list_text, known, tuple(warnings))
