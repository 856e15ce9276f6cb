"""Publication dates: parsing the forms people type and writing them in house style."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache
from typing import NamedTuple

from bot.core.lazy_patterns import lazy_pattern

MONTH_ABBRS: tuple[str, ...] = tuple(calendar.month_abbr)[1:]  # ("Jan", ..., "Dec")
_MONTH_NUMBERS: dict[str, int] = {}
for _number, (_abbr, _name) in enumerate(
    zip(calendar.month_abbr[1:], calendar.month_name[1:], strict=True), start=1
):
    _MONTH_NUMBERS[_abbr.lower()] = _number
    _MONTH_NUMBERS[_name.lower()] = _number
_MONTH_NUMBERS["sept"] = 9

EARLIEST_YEAR = 1950
DATE_EXAMPLES = "`2024-08-07`, `2024-08`, `07 Aug 2024`, `Aug 2024` or `August 2024`"

_ISO_DAY = lazy_pattern(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ISO_MONTH = lazy_pattern(r"(\d{4})-(\d{1,2})")
_DAY_MONTH_YEAR = lazy_pattern(r"(\d{1,2}) ([A-Za-z]+)\.? (\d{4})")
_MONTH_YEAR = lazy_pattern(r"([A-Za-z]+)\.? (\d{4})")
_YEAR_IN_TEXT = lazy_pattern(r"(?<![\d.])((?:19|20)\d{2})(?![\d.]\d)(?!\d)")
_SHORT_YEAR = lazy_pattern(r"(?<=[A-Za-z])\s?['’`](\d{2})\b")  # `MICCAI'23`, `CVPR '24`
# Numbers that look like years but are not: identifiers, DOIs, pages, volumes and issues.
NOT_A_YEAR = lazy_pattern(
    r"\b10\.\d{4,9}/\S+"  # a DOI
    r"|\b(?:arxiv|corr|abs)\s*[:/]\s*\S+"  # `arXiv:2010.16056`, `CoRR abs/2010.16056`
    r"|\b\d{4}\.\d{4,5}(?:v\d+)?\b"  # a bare arXiv id
    r"|\b\d+\s*[-–—]{1,2}\s*\d+\b"  # a page range
    r"|\b\d+\s*\(\s*\d+(?:\s*[-–]\s*\d+)?\s*\)"  # volume(issue)
    r"|\b(?:pp?|pages?|vol|volume|no|issue|art|article)\.?\s*\d+(?:\s*[-–—]{1,2}\s*\d+)?"  # `pp. 1995`, `vol. 42`
    r"|:\s*e?\d+(?:\s*[-–—]{1,2}\s*\d+)?\b",  # `42: 1995-2006`, `307(2):e222268`
    re.IGNORECASE,
)


class DateError(ValueError):
    """A date that cannot be read; the message says what a valid one looks like."""


# A NamedTuple rather than a frozen dataclass with `order=True`: the same fields, equality and
# ordering (field by field), made at import for a fifth of the cost (every list command imports it).
class PartialDate(NamedTuple):
    """A date known to the month or to the day (papers are often dated by month only)."""

    year: int
    month: int
    day: int | None = None

    def house_style(self) -> str:
        """`07 Aug 2024` or `Aug 2024`."""
        month = MONTH_ABBRS[self.month - 1]
        if self.day is None:
            return f"{month} {self.year}"
        return f"{self.day:02d} {month} {self.year}"

    def sort_key(self) -> tuple[int, int, int]:
        """Key for newest-first ordering; a month-only date sorts as the month's last day."""
        return (self.year, self.month, self.day if self.day is not None else 32)


def _month_number(word: str) -> int:
    number = _MONTH_NUMBERS.get(word.lower())
    if number is None:
        raise DateError(f"`{word}` is not an English month name; write it like {DATE_EXAMPLES}.")
    return number


def _build(year: int, month: int, day: int | None, today: dt.date) -> PartialDate:
    if not 1 <= month <= 12:
        raise DateError(f"month {month} does not exist; write the date like {DATE_EXAMPLES}.")
    if year < EARLIEST_YEAR:
        raise DateError(f"{year} is too early for this list; use a year from {EARLIEST_YEAR} on.")
    if day is not None:
        try:
            dt.date(year, month, day)
        except ValueError:
            raise DateError(
                f"{MONTH_ABBRS[month - 1]} {year} has no day {day}; check the date and write it like {DATE_EXAMPLES}."
            ) from None
    date = PartialDate(year, month, day)
    if (year, month, day or 1) > (today.year, today.month, today.day):
        raise DateError(
            f"{date.house_style()} is in the future; give the date the paper was published."
        )
    return date


def parse_date(text: str, today: dt.date | None = None) -> PartialDate:
    """Read a date in one of the accepted forms; raise `DateError` with an example otherwise."""
    today = today or dt.date.today()
    value = " ".join(text.split())
    if match := _ISO_DAY().fullmatch(value):
        year, month, day = (int(group) for group in match.groups())
        return _build(year, month, day, today)
    if match := _ISO_MONTH().fullmatch(value):
        return _build(int(match[1]), int(match[2]), None, today)
    if match := _DAY_MONTH_YEAR().fullmatch(value):
        return _build(int(match[3]), _month_number(match[2]), int(match[1]), today)
    if match := _MONTH_YEAR().fullmatch(value):
        return _build(int(match[2]), _month_number(match[1]), None, today)
    raise DateError(f"`{value[:40]}` is not a date listbot understands; write it like {DATE_EXAMPLES}.")


def is_year_only(text: str) -> bool:
    """True for a bare year such as `2021`: the list dates papers to the month at least."""
    return bool(re.fullmatch(r"\s*(?:19|20)\d{2}\s*", text))


def arxiv_month(identifier: str) -> PartialDate | None:
    """The month a new-style arXiv id (`2010.16056`: YYMM.NNNNN) was first submitted in."""
    match = re.fullmatch(r"(\d{2})(\d{2})\.\d{4,5}", identifier)
    if match is None or not 1 <= int(match[2]) <= 12:
        return None
    return PartialDate(2000 + int(match[1]), int(match[2]))


@lru_cache(maxsize=4096)  # a list repeats a few hundred dates thousands of times
def parse_house_date(text: str) -> PartialDate | None:
    """Read a date already in house style (`07 Aug 2024`, `Aug 2024`); None when it is not."""
    if match := re.fullmatch(r"([0-9]{2}) ([A-Z][a-z]{2}) ([0-9]{4})", text):  # ASCII digits: `\d` takes any
        day, month, year = match.groups()
    elif match := re.fullmatch(r"([A-Z][a-z]{2}) ([0-9]{4})", text):
        day, (month, year) = None, match.groups()
    else:
        return None
    if month not in MONTH_ABBRS:
        return None
    number = MONTH_ABBRS.index(month) + 1
    try:
        if day is not None:
            dt.date(int(year), number, int(day))
    except ValueError:
        return None
    return PartialDate(int(year), number, int(day) if day is not None else None)


def year_in_text(text: str) -> int | None:
    """The year a venue names (`ICLR 2024`, `MICCAI'23`), never one read from inside an
    identifier, a DOI, a page range or a volume (`arXiv:2010.16056`, `42(7): 1995-2006`)."""
    cleaned = NOT_A_YEAR().sub(" ", text)
    years = [int(year) for year in _YEAR_IN_TEXT().findall(cleaned)]
    years += [2000 + int(short) for short in _SHORT_YEAR().findall(cleaned)]
    return years[-1] if years else None
