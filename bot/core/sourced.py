"""A paper submission proposed with what the sources said: autofilled, verified, then validated.

One place for the order both the bot's plan and the offline CLI follow: fill empty fields from
the paper's source, wait if a source that must fill them could not answer, validate and place
the result (with the other versions' identity keys for duplicates), and report the sources'
problems together with validation's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bot.core.autofill import Checked, autofill
from bot.core.lookups import Facts
from bot.core.proposal import Proposal, propose
from bot.core.submission import FieldProblem, SubmissionError


class SourceWait(Exception):
    """Fields were left empty for a source to fill, and it could not answer: try again later."""

    def __init__(self, checked: Checked) -> None:
        super().__init__(f"waiting for {checked.waiting_on} to fill {', '.join(checked.waiting_for)}")
        self.checked = checked


def _merged(found: tuple[FieldProblem, ...], validation: list[FieldProblem]) -> list[FieldProblem]:
    """Validation's problems, then the sources' for fields validation had nothing to say about."""
    reported = {problem.field for problem in validation}
    return [*validation, *(problem for problem in found if problem.field not in reported)]


def propose_sourced(
    values: Mapping[str, Any], lookups: Facts, list_text: str, *, today: dt.date | None = None, **options: Any
) -> tuple[Proposal, Checked]:
    """`propose` over the autofilled values; raises `SourceWait` or `SubmissionError`."""
    checked = autofill(values, lookups, today)
    if checked.waiting_for:
        raise SourceWait(checked)
    try:
        proposal = propose(checked.values, list_text, today=today, related_keys=checked.related_keys, **options)
    except SubmissionError as error:
        raise SubmissionError(_merged(checked.problems, error.problems)) from error
    if checked.problems:
        raise SubmissionError(list(checked.problems))
    return proposal, checked
