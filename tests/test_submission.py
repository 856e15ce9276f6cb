"""Tests for validating paper submissions field by field, with hostile input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.submission import SubmissionError, validate_paper
from tests.factories import TODAY, paper_values


def problems(**overrides: Any) -> dict[str, str]:
    """The per-field messages for paper values with the given overrides."""
    with pytest.raises(SubmissionError) as caught:
        validate_paper(paper_values(**overrides), TODAY)
    return {problem.field: problem.message for problem in caught.value.problems}


def test_valid_paper_is_cleaned() -> None:
    """A valid submission is trimmed, its date put in house style and its repo recognised."""
    paper = validate_paper(
        paper_values(title="  A  Title  ", code_url="https://github.com/Owner/Repo.git/"), TODAY
    )
    assert paper.title == "A Title"
    assert paper.date is not None
    assert paper.date.house_style() == "15 Mar 2024"
    assert paper.code_repo is not None
    assert paper.code_url == "https://github.com/Owner/Repo"
    assert paper.year == 2024


def test_every_problem_is_reported_at_once() -> None:
    """All invalid fields are reported together, each with an example of a valid value."""
    found = problems(title=None, authors="<b>x</b>", paper_url="ftp://x.org/a", date="soon")
    assert set(found) == {"title", "authors", "paper_url", "date"}
    assert "for example" in found["title"]
    assert "https://" in found["paper_url"]


@pytest.mark.parametrize(
    ("title", "fragment"),
    [
        ("Line one\nline two", "single line"),
        ("Line one\r\n### Heading", "single line"),
        ("Line\u2028two", "single line"),
        ("<script>alert(1)</script>", "HTML"),
        ("Title &#x3C;img&#x3E;", "HTML"),
        ("<img src=x onerror=alert(1)>", "HTML"),
        ("Bold **break** out", "`*`"),
        ("See [here](https://evil.example)", "link"),
        ("A [bracketed] title", "`[`"),
        ("Code `span`", "`` ` ``"),
        ("Escape \\ char", "`\\`"),
        ("### Heading", "must not start with `#`"),
        ("> quoted", "`>`"),
        ("+ plus", "must not start with `+`"),
        ("= setext", "must not start with `=`"),
        ("- list item", "must not start with `-`"),
        ("1. numbered", "must not start with `1`"),
        ("x" * 301, "limit is 300"),
        ("Hidden\u200bspace", "U+200B"),
        ("Right\u202eto left", "U+202E"),
        ("Bell\x07char", "U+0007"),
        ("Soft\u00adhyphen", "U+00AD"),
        ("Hangul\u3164filler", "U+3164"),
        ("S\u0336t\u0336r\u0336u\u0336c\u0336k", "U+0336"),
        ("Visit www.evil.example", "link"),
        ("Contact jane.doe@example.org", "e-mail address"),
        ("A ÂŒ", "mis-decoded"),
        ("   ", "required"),
    ],
)
def test_hostile_titles_are_refused(title: str, fragment: str) -> None:
    """A title that would break the entry block, inject markup or hide text is refused."""
    assert fragment in problems(title=title)["title"]


def test_hostile_authors_and_venue_are_refused() -> None:
    """Authors cannot close the italic wrapper and a venue cannot contain the date separator."""
    found = problems(authors="A. Tao* and *B", venue="arXiv | 2025")
    assert "`*`" in found["authors"]
    assert "`|`" in found["venue"]


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("javascript:alert(1)", "only http"),
        ("JaVaScRiPt:alert(1)", "only http"),
        ("data:text/html,hi", "only http"),
        ("//evil.example/x", "only http"),
        ("/relative/path", "only http"),
        ("https://user:pw@example.org/x", "user name"),
        ("https://localhost/x", "public host"),
        ("https://exa mple.org/x", "spaces"),
        ("https://example.org/a)b", "parentheses"),
        ("https://example.org/<x>", "not allowed"),
        ("https://example.org/\u200b", "invisible"),
        ("https://example.org:99999/", "port"),
        ("https://example.org/" + "a" * 2000, "limit is 2000"),
    ],
)
def test_bad_links_are_refused(url: str, fragment: str) -> None:
    """Only absolute http(s) URLs that are safe inside a markdown link are accepted."""
    assert fragment in problems(paper_url=url)["paper_url"]


def test_github_code_link_must_name_a_repository() -> None:
    """A github.com code link without owner/repo is refused with the expected shape."""
    assert "owner/repo" in problems(code_url="https://github.com/example")["code_url"]
    assert "not a GitHub repository" in problems(code_url="https://github.com/features/copilot")["code_url"]


def test_code_elsewhere_is_kept_as_a_plain_link() -> None:
    """A code link off GitHub is kept as given, with no repository badge."""
    paper = validate_paper(paper_values(code_url="https://gitlab.com/group/project"), TODAY)
    assert paper.code_repo is None
    assert paper.code_url == "https://gitlab.com/group/project"


def test_venue_year_stands_in_for_a_missing_date() -> None:
    """Without a date, a year in the venue chooses the section; without either it is refused."""
    paper = validate_paper(paper_values(date=None, venue="ICLR 2024"), TODAY)
    assert paper.date is None
    assert paper.year == 2024
    assert "unless the venue names its year" in problems(date=None, venue="arXiv")["date"]


def test_non_text_values_are_refused() -> None:
    """A value that is not text (e.g. a dropdown list) is reported, not crashed on."""
    assert problems(title=["a", "b"])["title"].startswith("must be text; write it like `")


@given(st.dictionaries(
    st.sampled_from(["title", "authors", "venue", "date", "paper_url", "code_url", "model_url"]),
    st.text(max_size=300),
))
def test_validation_never_crashes(raw: dict[str, str]) -> None:
    """Arbitrary field text is either accepted or refused with per-field problems."""
    try:
        paper = validate_paper(raw, TODAY)
    except SubmissionError as error:
        problems = error.problems
        assert problems
    else:
        assert "\n" not in paper.title + paper.authors + paper.venue


def test_a_venue_year_in_the_future_or_too_early_is_refused() -> None:
    """Without a date, the venue's year must be a past year from 1950 on."""
    assert "in the future" in problems(date=None, venue="ICLR 2099")["date"]
    assert "before 1950" in problems(date=None, venue="Proc. 1901")["date"]
