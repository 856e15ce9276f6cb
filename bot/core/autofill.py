"""Autofill and verify a paper submission from what arXiv, Crossref, GitHub and Hugging Face say.

Fields the submitter left empty are filled from the paper's source, in house style; fields they
did fill are compared with it, and differences become notes for the status comment. A paper or
repository that does not exist is a field problem; a source that could not answer is a note, or
a wait when the submission cannot do without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from bot.core import dates
from bot.core.authors import house_authors
from bot.core.duplicates import fold_title
from bot.core.lookups import ARXIV, Author, Facts, Lookup, PaperFacts, Status
from bot.core.submission import FieldProblem

_LABELS = {
    "title": "Title", "authors": "Authors", "venue": "Venue", "date": "Publication date",
    "paper_url": "Paper link", "code_url": "Code link", "model_url": "Model link",
}
_NAME_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le", "dos", "das", "ter"}


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class Checked(NamedTuple):
    """The form values after autofill, and what the checks found."""

    values: Mapping[str, Any]
    filled: tuple[str, ...] = ()  # field ids filled in from a source
    notes: tuple[str, ...] = ()  # differences and skipped checks, for the status comment
    problems: tuple[FieldProblem, ...] = ()  # a paper, repository or model that does not exist
    waiting_for: tuple[str, ...] = ()  # labels of empty fields an unavailable source must fill
    waiting_on: str = ""  # that source, and why it could not answer
    related_keys: frozenset[str] = frozenset()  # other versions' identity keys
    retry: bool = False  # a check could not run: worth asking the sources again later


def author_from_name(name: str) -> Author:
    """Split a full name as arXiv writes it (`Daniel C. Castro`, `Maria van der Berg`)."""
    words = name.split()
    if len(words) <= 1:
        return Author("", name.strip())
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _NAME_PARTICLES:
        start -= 1
    return Author(" ".join(words[:start]), " ".join(words[start:]))


def authors_text(authors: Sequence[Author]) -> str:
    """The authors in house style, shortened by the same rule as typed ones (`bot.core.authors`).

    Two or more go in as `Family, Given; …` so each surname is known (`Zambrano Chaves`); one
    person as `Given Family`; an organisation by its name.
    """
    if len(authors) == 1 or not all(author.given for author in authors):
        return house_authors(", ".join(f"{author.given} {author.family}".strip() for author in authors))
    return house_authors("; ".join(f"{author.family}, {author.given}" for author in authors))


def _given(values: Mapping[str, Any], field_id: str) -> str:
    value = values.get(field_id)
    return value.strip() if isinstance(value, str) else ""


def same_title(one: str, other: str) -> bool:
    """Titles equal but for case, accents, punctuation and hyphens-as-spaces (`memory-driven`)."""
    return fold_title(one.replace("-", " ")) == fold_title(other.replace("-", " "))


def _year_of(text: str, today: dt.date | None) -> int | None:
    try:
        return dates.parse_date(text, today).year
    except dates.DateError:
        return None


class _Check:
    """Accumulates one submission's fills, notes and problems."""

    def __init__(self, values: Mapping[str, Any], today: dt.date | None) -> None:
        self.values = dict(values)
        self.today = today
        self.filled: list[str] = []
        self.notes: list[str] = []
        self.problems: list[FieldProblem] = []
        self.waiting_for: list[str] = []
        self.waiting_on = ""
        self.related: frozenset[str] = frozenset()
        self.retry = False

    def fill(self, field_id: str, value: str) -> None:
        if value:
            self.values[field_id] = value
            self.filled.append(field_id)

    def problem(self, field_id: str, message: str) -> None:
        self.problems.append(FieldProblem(field_id, _LABELS[field_id], message))

    def result(self) -> Checked:
        return Checked(
            self.values, tuple(self.filled), tuple(self.notes), tuple(self.problems),
            tuple(self.waiting_for), self.waiting_on, self.related, self.retry,
        )


def _venue_names_year(venue: str) -> bool:
    return bool(venue) and dates.year_in_text(venue) is not None


def _fields_needing_source(values: Mapping[str, Any]) -> list[str]:
    """Empty fields only the paper's source could fill."""
    needed = [field_id for field_id in ("title", "authors", "venue") if not _given(values, field_id)]
    venue = _given(values, "venue")
    if not _given(values, "date") and not _venue_names_year(venue):
        needed.append("date")
    return needed


def _fill_paper(check: _Check, lookup: Lookup[PaperFacts], paper: PaperFacts) -> None:
    values = check.values
    venue = _given(values, "venue")
    if not _given(values, "title"):
        check.fill("title", " ".join(paper.title.split()))
    if not _given(values, "authors"):
        check.fill("authors", authors_text(paper.authors))
    if not venue:
        check.fill("venue", paper.journal or (ARXIV if lookup.source == ARXIV else ""))
    # A conference venue that names its year places the paper by that year: no date then.
    if not _given(values, "date") and not _venue_names_year(venue):
        check.fill("date", paper.iso_date)


def _verify_paper(check: _Check, lookup: Lookup[PaperFacts], paper: PaperFacts, given: Mapping[str, Any]) -> None:
    title = _given(given, "title")
    if title and not same_title(title, paper.title):
        check.notes.append(f"{lookup.source} says the title is “{' '.join(paper.title.split())}”.")
    date = _given(given, "date")
    year = _year_of(date, check.today) if date else None
    if year is not None and year != paper.year:
        check.notes.append(f"{lookup.source} says the paper is from {paper.year}, not {year}.")


def _check_paper(check: _Check, lookup: Lookup[PaperFacts], given: Mapping[str, Any]) -> None:
    paper = lookup.found
    if paper is not None:
        _verify_paper(check, lookup, paper, given)
        _fill_paper(check, lookup, paper)
        if check.filled:
            labels = ", ".join(_LABELS[field_id] for field_id in check.filled)
            check.notes.append(f"Filled in from {lookup.source}: {labels}.")
        check.related = paper.related
    elif lookup.status is Status.MISSING:
        what = f"arXiv has no paper `{lookup.identifier}`" if lookup.source == ARXIV else (
            f"the DOI `{lookup.identifier}` does not exist ({lookup.source} does not know it)"
        )
        check.problem("paper_url", f"{what}; check the link, e.g. `https://arxiv.org/abs/2010.16056`.")
    elif lookup.status is Status.UNAVAILABLE:
        needed = _fields_needing_source(given)
        if needed:
            check.waiting_for = [_LABELS[field_id] for field_id in needed]
            check.waiting_on = _unavailable(lookup)
        else:
            check.notes.append(f"I could not check the paper against {_unavailable(lookup)}.")
            check.retry = True


def _unavailable(lookup: Lookup[Any]) -> str:
    return f"{lookup.source} ({lookup.detail})" if lookup.detail else lookup.source


def _check_repo(check: _Check, facts: Facts) -> None:
    lookup = facts.repo
    if lookup is None:
        return
    repo = lookup.found
    if repo is not None:
        if repo.full_name != lookup.identifier:
            check.values["code_url"] = f"https://github.com/{repo.full_name}"
            if repo.full_name.lower() != lookup.identifier.lower():
                check.notes.append(
                    f"The code repository `{lookup.identifier}` now lives at `{repo.full_name}`; "
                    "the badge uses the new name."
                )
        if repo.archived:
            check.notes.append(f"The code repository `{repo.full_name}` is archived on GitHub.")
    elif lookup.status is Status.MISSING:
        check.problem(
            "code_url",
            f"GitHub has no public repository `{lookup.identifier}`; link one that exists, "
            "like `https://github.com/cuhksz-nlp/R2Gen`.",
        )
    elif lookup.status is Status.UNAVAILABLE:
        check.notes.append(f"I could not check the code repository on {_unavailable(lookup)}.")
        check.retry = True


def _check_model(check: _Check, facts: Facts) -> None:
    lookup = facts.model
    if lookup is None:
        return
    if lookup.status is Status.MISSING:
        check.problem(
            "model_url",
            f"Hugging Face has no public model `{lookup.identifier}`; link one that exists, "
            "like `https://huggingface.co/microsoft/maira-2`.",
        )
    elif lookup.status is Status.UNAVAILABLE:
        check.notes.append(f"I could not check the model link on {_unavailable(lookup)}.")
        check.retry = True


def autofill(values: Mapping[str, Any], facts: Facts, today: dt.date | None = None) -> Checked:
    """Fill empty fields from the paper's source and check the rest against the sources."""
    check = _Check(values, today)
    if facts.paper is not None:
        _check_paper(check, facts.paper, values)
    _check_repo(check, facts)
    _check_model(check, facts)
    return check.result()
