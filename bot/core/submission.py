"""Submission kinds, their form fields and their validation into clean, typed models."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, NamedTuple

from bot.core import dates, textrules, urls
from bot.core.authors import house_authors
from bot.core.venues import Venue, VenueTable, canonical_venue


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class FieldSpec(NamedTuple):
    """One submission field: its form id, how the form presents it and whether it is required."""

    id: str
    label: str
    description: str
    placeholder: str
    required: bool = True
    multiline: bool = False
    autofill: bool = False  # an arXiv or DOI paper link fills it in, so the form lets it be left empty


AUTOFILL_HINT = "May be left empty when the paper link is an arXiv or DOI link: listbot fills it in from there."


class FieldProblem(NamedTuple):
    """What is wrong with one field, phrased for the person who filed the issue."""

    field: str
    label: str
    message: str
    duplicate_in: str | None = None  # the section of the entry this submission duplicates

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


class SubmissionError(ValueError):
    """A submission with one or more invalid fields; nothing may be written for it."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


PAPER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "title", "Title",
        f"The paper's title exactly as published, on one line. {AUTOFILL_HINT}",
        "CheXagent: Towards a Foundation Model for Chest X-Ray Interpretation", autofill=True,
    ),
    FieldSpec(
        "authors", "Authors",
        f"Authors as `A. Tao, B. Liu, et al.` (first authors, then `et al.`), or a team name. {AUTOFILL_HINT}",
        "A. Tao, B. Liu, et al.", autofill=True,
    ),
    FieldSpec(
        "venue", "Venue",
        "Where it appeared: a journal (`Nature Medicine`), `arXiv`, or a conference with its "
        "year (`ICLR 2024`).",
        "arXiv",
    ),
    FieldSpec(
        "date", "Publication date",
        "`YYYY-MM-DD`, `YYYY-MM`, `07 Aug 2024` or `Aug 2024`. May be left empty for a "
        "conference venue that names its year (`ICLR 2024`). The year picks the list section. "
        + AUTOFILL_HINT,
        "2024-08-07", required=False, autofill=True,
    ),
    FieldSpec(
        "paper_url", "Paper link",
        "Link to the paper (arXiv abstract, DOI or publisher page); http(s) only.",
        "https://arxiv.org/abs/2401.12208",
    ),
    FieldSpec(
        "code_url", "Code link",
        "Optional. A GitHub repository (`https://github.com/owner/repo`) gets a stars badge; "
        "code hosted elsewhere gets a `[code]` link.",
        "https://github.com/Stanford-AIMI/CheXagent", required=False,
    ),
    FieldSpec(
        "model_url", "Model link",
        "Optional. Link to released model weights (e.g. a Hugging Face model page).",
        "https://huggingface.co/StanfordAIMI/CheXagent-8b", required=False,
    ),
)

_TEXT_LIMITS = {"title": 300, "authors": 300, "venue": 100}
_TYPED_LIMIT = 500  # a long citation may still shorten to a venue within its limit
_FORBIDDEN_EXTRA = {"venue": "|"}
# Wrappers a title is pasted in from a reference list or typed in for emphasis.
_WRAPPERS = {'"': '"', "“": "”", "'": "'", "‘": "’", "_": "_", "*": "*", "**": "**", "__": "__"}


@dataclass(frozen=True, kw_only=True)
class PaperSubmission:
    """A validated paper: every field already clean and in house style (`check_paper` makes it,
    so it is a plain record: as a pydantic model it cost every `listbot apply` a model build)."""

    kind: ClassVar[str] = "paper"
    fields: ClassVar[tuple[FieldSpec, ...]] = PAPER_FIELDS

    title: str
    authors: str
    venue: str
    date: dates.PartialDate | None
    paper_url: str
    code_url: str | None = None
    code_repo: urls.GitHubRepo | None = None
    model_url: str | None = None

    @property
    def year(self) -> int:
        """The year whose section the paper belongs in: from the date, else from the venue."""
        if self.date is not None:
            return self.date.year
        year = dates.year_in_text(self.venue)
        assert year is not None, "validation guarantees a year"
        return year

    @property
    def section(self) -> str:
        """Human name of the section the entry goes to, e.g. `Papers › 2024`."""
        return f"Papers › {self.year}"

    def links(self) -> list[str]:
        """Every link the entry carries, for duplicate checks."""
        return [url for url in (self.paper_url, self.model_url, self.code_url) if url]


class Change(NamedTuple):
    """One thing listbot wrote differently from what was submitted, and why; the status comment
    lists every change so the submitter can check it. `written` None: the field was left out."""

    field: str
    label: str
    written: str | None
    reason: str


class CheckedPaper(NamedTuple):
    """A valid paper and every change made to what was submitted to put it in house style."""

    paper: PaperSubmission
    changes: tuple[Change, ...] = ()


def _spec(field_id: str) -> FieldSpec:
    return next(spec for spec in PAPER_FIELDS if spec.id == field_id)


def _example(field_id: str) -> str:
    return f"`{_spec(field_id).placeholder}`"


def _text_value(raw: Mapping[str, Any], field_id: str) -> str:
    value = raw.get(field_id)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value.removeprefix("\ufeff").strip()


def raw_is_empty(raw: Mapping[str, Any], field_id: str) -> bool:
    """True when a field was left out or empty in the parsed form."""
    value = raw.get(field_id)
    return value is None or (isinstance(value, str) and not value.strip())


class _Checker:
    """Reads each field of one submission, collecting clean values, changes and problems."""

    def __init__(self, raw: Mapping[str, Any], venues: VenueTable | None) -> None:
        self.raw = raw
        self.venues = venues
        self.clean: dict[str, Any] = {}
        self.venue: Venue | None = None
        self.changes: list[Change] = []
        self.problems: list[FieldProblem] = []

    def problem(self, field_id: str, message: str) -> None:
        self.problems.append(FieldProblem(field_id, _spec(field_id).label, message))

    def change(self, field_id: str, written: str | None, reasons: Iterable[str]) -> None:
        reason = "; ".join(dict.fromkeys(reasons))
        self.changes.append(Change(field_id, _spec(field_id).label, written, reason))

    def text(self, field_id: str) -> str | None:
        """The field's trimmed text; None (with a problem when required) when it is missing."""
        spec = _spec(field_id)
        try:
            value = _text_value(self.raw, field_id)
        except TypeError:
            self.problem(field_id, f"must be text; write it like {_example(field_id)}.")
            return None
        if not value and spec.required:
            self.problem(field_id, f"is required; fill it in, for example {_example(field_id)}.")
        return value or None

    def run(self, field_id: str, rule: Callable[[], None]) -> None:
        """Apply one field's rule; a listbot error becomes a problem, anything else a plain one."""
        try:
            rule()
        except (textrules.TextError, urls.UrlError, dates.DateError) as error:
            self.problem(field_id, str(error))
        except (ValueError, TypeError):  # never show a library's own words to the submitter
            self.problem(field_id, f"could not be read; write it like {_example(field_id)}.")


def _check_text(field_id: str, value: str, max_length: int | None = None) -> str:
    forbidden = "*`[]\\<>" + _FORBIDDEN_EXTRA.get(field_id, "")
    limit = max_length or _TEXT_LIMITS[field_id]
    return textrules.clean_line(value, max_length=limit, example=_example(field_id), forbidden=forbidden)


def _unquoted_title(value: str) -> tuple[str, list[str]]:
    """A title without the quotes or final period a citation wraps it in."""
    reasons = []
    for opening in sorted(_WRAPPERS, key=len, reverse=True):
        closing = _WRAPPERS[opening]
        if len(value) > 2 * len(opening) + 1 and value.startswith(opening) and value.endswith(closing):
            value = value[len(opening):-len(closing)].strip()
            reasons.append(f"without the `{opening}…{closing}` around it")
            break
    if value.endswith(".") and not value.endswith("..") and not re.search(r"\b\w\.$", value[-3:]):
        value = value[:-1].rstrip()
        reasons.append("without the final period")
    return value, reasons


def _check_title(checker: _Checker) -> None:
    value = checker.text("title")
    if value is None:
        return
    repaired = textrules.repair(value)
    title, reasons = _unquoted_title(repaired.text)
    checker.clean["title"] = _check_text("title", title)
    if reasons or repaired.reasons:
        checker.change("title", checker.clean["title"], [*repaired.reasons, *reasons])


def _check_authors(checker: _Checker) -> None:
    value = checker.text("authors")
    if value is None:
        return
    repaired = textrules.repair(value)
    written = _check_text("authors", house_authors(repaired.text))
    checker.clean["authors"] = written
    if written != " ".join(value.split()):
        house = [] if written == " ".join(repaired.text.split()) else [
            "house style is initials and surname, the first two authors, then `et al.`"
        ]
        checker.change("authors", written, [*repaired.reasons, *house])


def _check_venue(checker: _Checker) -> None:
    value = checker.text("venue")
    if value is None:
        return
    repaired = textrules.repair(value)
    _check_text("venue", repaired.text, _TYPED_LIMIT)  # what was typed must be safe before it is looked up
    venue = canonical_venue(repaired.text, checker.venues)
    checker.clean["venue"] = _check_text("venue", venue.name)
    checker.venue = venue
    if venue.name != " ".join(value.split()):
        checker.change("venue", venue.name, [*repaired.reasons, "the list writes venues by their usual short name"])


def _check_link(checker: _Checker, field_id: str) -> None:
    value = checker.text(field_id)
    if value is None:
        return
    link = urls.read_link(value)
    if link.url is None:
        if _spec(field_id).required:
            checker.problem(field_id, f"is required: `{value[:40]}` is not a link; paste one like {urls.URL_EXAMPLE}.")
        else:
            checker.change(field_id, None, link.reasons)
        return
    written = link.url
    reasons = list(link.reasons)
    if field_id == "code_url" and (repo := urls.github_repo(written)) is not None:
        checker.clean["code_repo"] = repo
        if repo.url != written:
            reasons.append("a GitHub code link is written as its repository")
        written = repo.url
    checker.clean[field_id] = written
    if written != value:
        checker.change(field_id, written, reasons)


def _arxiv_hint(checker: _Checker) -> str:
    """`; its arXiv id says Oct 2020` when the paper link is on arXiv, else nothing."""
    identifier = urls.arxiv_id(checker.clean.get("paper_url", ""))
    month = dates.arxiv_month(identifier) if identifier else None
    return f" (its arXiv id {identifier} dates the first version `{month.house_style()}`)" if month else ""


def _check_date(checker: _Checker, venue: Venue | None, today: dt.date) -> None:
    """The date, or none when the venue names its year (that year picks the section)."""
    value = checker.text("date")
    venue_year = venue.year if venue is not None else None
    if venue_year is not None:
        if problem := _venue_year_problem(venue_year, today):
            field_id = "venue" if value else "date"
            checker.problem(field_id, problem if value else f"is required: {problem}")
            return
        if value is None:
            return
        try:
            date = dates.parse_date(value, today)
        except dates.DateError:
            checker.problem("date", f"leave the date empty: the venue `{checker.clean.get('venue')}` names its year.")
            return
        reason = f"the venue `{checker.clean.get('venue')}` names its year, which picks the section"
        if date.year != venue_year:
            reason += f" ({venue_year}, not {date.year})"
        checker.change("date", None, [reason])
        return
    if venue is not None and venue.needs_year:
        year = f"{venue.name} {_year_example(checker, value, today)}"
        checker.problem("venue", f"`{venue.name}` is a conference: write it with its year, like `{year}`.")
        return
    if value is None:
        if venue is not None:
            checker.problem("date", f"is required unless the venue names its year (like `ICLR 2024`); give the "
                            f"date the paper was published{_arxiv_hint(checker)}, such as `2024-08-07`.")
        return
    if dates.is_year_only(value):
        checker.problem("date", f"`{value}` is only a year; write the month too, like `Aug {value}` or "
                        f"`{value}-08-07`{_arxiv_hint(checker)}.")
        return
    def parse() -> None:
        checker.clean["date"] = dates.parse_date(value, today)

    checker.run("date", parse)


def _year_example(checker: _Checker, value: str | None, today: dt.date) -> int:
    try:
        return dates.parse_date(value, today).year if value else today.year
    except dates.DateError:
        return today.year


def _venue_year_problem(year: int, today: dt.date) -> str | None:
    """A venue's year picks the section, so it must be a real, past year."""
    example = f"write the year it appeared, or a publication date such as `{_spec('date').placeholder}`"
    if year > today.year:
        return f"the venue's year {year} is in the future; {example}."
    if year < dates.EARLIEST_YEAR:
        return f"the venue's year {year} is before {dates.EARLIEST_YEAR}; {example}."
    return None


def check_paper(raw: Mapping[str, Any], today: dt.date | None = None, venues: VenueTable | None = None) -> CheckedPaper:
    """Validate and normalise parsed form values; raise `SubmissionError` listing every problem.

    `venues` is the venue table to use (the built-in one, with a repository's overrides).
    """
    today = today or dt.date.today()
    checker = _Checker(raw, venues)
    checker.run("title", lambda: _check_title(checker))
    checker.run("authors", lambda: _check_authors(checker))
    checker.run("venue", lambda: _check_venue(checker))
    for field_id in ("paper_url", "code_url", "model_url"):
        checker.run(field_id, partial(_check_link, checker, field_id))
    _check_date(checker, checker.venue, today)
    order = [spec.id for spec in PAPER_FIELDS]
    if checker.problems:
        raise SubmissionError(sorted(checker.problems, key=lambda p: order.index(p.field)))
    checker.clean.setdefault("date", None)
    changes = sorted(checker.changes, key=lambda change: order.index(change.field))
    return CheckedPaper(PaperSubmission(**checker.clean), tuple(changes))


def validate_paper(
    raw: Mapping[str, Any], today: dt.date | None = None, venues: VenueTable | None = None
) -> PaperSubmission:
    """Validate parsed form values into a paper in house style (see `check_paper`)."""
    return check_paper(raw, today, venues).paper


KINDS: dict[str, Callable[..., PaperSubmission]] = {"paper": validate_paper}
