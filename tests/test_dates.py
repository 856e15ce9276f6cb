"""Tests for reading submitted dates and writing them in house style."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.dates import DateError, PartialDate, parse_date, parse_house_date, year_in_text

TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-08-07", "07 Aug 2024"),
        ("2024-8-7", "07 Aug 2024"),
        ("2024-05", "May 2024"),
        ("07 Aug 2024", "07 Aug 2024"),
        ("7 aug 2024", "07 Aug 2024"),
        ("May 2024", "May 2024"),
        ("September 2023", "Sep 2023"),
        ("Sept 2023", "Sep 2023"),
        ("  Jan   2024 ", "Jan 2024"),
    ],
)
def test_accepted_forms_render_in_house_style(text: str, expected: str) -> None:
    """Every accepted date form is written back as `DD Mon YYYY` or `Mon YYYY`."""
    assert parse_date(text, TODAY).house_style() == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2024-13-01", "month 13 does not exist"),
        ("2023-02-29", "has no day 29"),
        ("Smarch 2024", "not an English month"),
        ("12/05/2024", "write it like"),
        ("2027-01", "in the future"),
        ("29 Nov 2026", "in the future"),
        ("1800-01", "too early"),
        ("", "write it like"),
    ],
)
def test_invalid_dates_explain_the_valid_form(text: str, fragment: str) -> None:
    """An unreadable, impossible or future date is refused with a message naming the fix."""
    with pytest.raises(DateError, match=fragment):
        parse_date(text, TODAY)


def test_today_is_not_the_future() -> None:
    """A paper published today is accepted."""
    assert parse_date("2026-11-28", TODAY) == PartialDate(2026, 11, 28)


def test_month_only_dates_sort_after_dated_days_of_that_month() -> None:
    """A month-only date counts as the month's end when ordering newest first."""
    assert PartialDate(2024, 5).sort_key() > PartialDate(2024, 5, 31).sort_key()


def test_house_dates_are_read_back() -> None:
    """House-style dates parse back; anything else is not a house-style date."""
    assert parse_house_date("07 Aug 2024") == PartialDate(2024, 8, 7)
    assert parse_house_date("May 2024") == PartialDate(2024, 5)
    assert parse_house_date("7 Aug 2024") is None
    assert parse_house_date("May 24") is None
    assert parse_house_date("31 Feb 2024") is None


def test_venue_years() -> None:
    """The year a venue names is found; a venue without one gives None."""
    assert year_in_text("ICLR 2024") == 2024
    assert year_in_text("Nature Medicine") is None
    assert year_in_text("MICCAI 20245") is None


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=TODAY))
def test_iso_dates_round_trip(date: dt.date) -> None:
    """Any past ISO date survives parse and house-style rendering."""
    parsed = parse_date(date.isoformat(), TODAY)
    assert parse_house_date(parsed.house_style()) == parsed


@given(st.text(max_size=40))
def test_parse_date_never_crashes(text: str) -> None:
    """Arbitrary text either parses or raises DateError, never anything else."""
    with contextlib.suppress(DateError):
        parse_date(text, TODAY)
