"""Submission kinds, their form fields and their validation into clean, typed models."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from bot.core import dates, textrules, urls


@dataclass(frozen=True)
class FieldSpec:
    """One submission field: its form id, how the form presents it and whether it is required."""

    id: str
    label: str
    description: str
    placeholder: str
    required: bool = True
    multiline: bool = False


@dataclass(frozen=True)
class FieldProblem:
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
        "The paper's title exactly as published, on one line.",
        "CheXagent: Towards a Foundation Model for Chest X-Ray Interpretation",
    ),
    FieldSpec(
        "authors", "Authors",
        "Authors as `A. Tao, B. Liu, et al.` (first authors, then `et al.`), or a team name.",
        "A. Tao, B. Liu, et al.",
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
        "conference venue that names its year (`ICLR 2024`). The year picks the list section.",
        "2024-08-07", required=False,
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
_FORBIDDEN_EXTRA = {"venue": "|"}


class PaperSubmission(BaseModel):
    """A validated paper: every field already clean and in house style."""

    model_config = ConfigDict(frozen=True)

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


def _spec(field_id: str) -> FieldSpec:
    return next(spec for spec in PAPER_FIELDS if spec.id == field_id)


def _text_value(raw: Mapping[str, Any], field_id: str) -> str:
    value = raw.get(field_id)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value.strip()


def _check_text(field_id: str, value: str) -> str:
    forbidden = "*`[]\\<>" + _FORBIDDEN_EXTRA.get(field_id, "")
    return textrules.clean_line(
        value,
        max_length=_TEXT_LIMITS[field_id],
        example=f"`{_spec(field_id).placeholder}`",
        forbidden=forbidden,
    )


def validate_paper(raw: Mapping[str, Any], today: dt.date | None = None) -> PaperSubmission:
    """Validate parsed form values; raise `SubmissionError` listing every problem at once."""
    problems: list[FieldProblem] = []
    clean: dict[str, Any] = {}

    def check(field_id: str, rule: Callable[[str], Any]) -> None:
        spec = _spec(field_id)
        try:
            value = _text_value(raw, field_id)
        except TypeError:
            problems.append(FieldProblem(field_id, spec.label, "must be text."))
            return
        if not value:
            if spec.required:
                problems.append(FieldProblem(
                    field_id, spec.label, f"is required; for example `{spec.placeholder}`."
                ))
            return
        try:
            clean[field_id] = rule(value)
        except (ValueError, TypeError) as error:
            problems.append(FieldProblem(field_id, spec.label, str(error)))

    for field_id in ("title", "authors", "venue"):
        check(field_id, partial(_check_text, field_id))
    check("date", lambda value: dates.parse_date(value, today))
    check("paper_url", urls.validate_url)
    check("model_url", urls.validate_url)
    check("code_url", urls.validate_url)

    if "code_url" in clean:
        try:
            repo = urls.github_repo(clean["code_url"])
        except urls.UrlError as error:
            problems.append(FieldProblem("code_url", _spec("code_url").label, str(error)))
        else:
            clean["code_repo"] = repo
            if repo is not None:
                clean["code_url"] = repo.url
    if "venue" in clean and "date" not in clean and raw_is_empty(raw, "date"):
        problems.extend(_venue_year_problems(clean["venue"], today or dt.date.today()))
    if problems:
        raise SubmissionError(problems)
    clean.setdefault("date", None)
    return PaperSubmission(**clean)


def _venue_year_problems(venue: str, today: dt.date) -> list[FieldProblem]:
    """Without a date the venue's year picks the section, so it must be a real, past year."""
    year = dates.year_in_text(venue)
    example = f"give a date such as `{_spec('date').placeholder}`"
    if year is None:
        message = f"is required unless the venue names its year (like `ICLR 2024`); {example}."
    elif year > today.year:
        message = f"is required: the venue's year {year} is in the future; {example}."
    elif year < dates.EARLIEST_YEAR:
        message = f"is required: the venue's year {year} is before {dates.EARLIEST_YEAR}; {example}."
    else:
        return []
    return [FieldProblem("date", _spec("date").label, message)]


def raw_is_empty(raw: Mapping[str, Any], field_id: str) -> bool:
    """True when a field was left out or empty in the parsed form."""
    value = raw.get(field_id)
    return value is None or (isinstance(value, str) and not value.strip())


KINDS: dict[str, Callable[..., PaperSubmission]] = {"paper": validate_paper}
