"""Venues: the canonical name for what people type (`Proc. of ACL-IJCNLP 2021` → `ACL 2021`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import yaml

from bot.core.dates import NOT_A_YEAR, year_in_text
from bot.core.lazy_patterns import lazy_pattern

MAX_OVERRIDES = 500  # venues a repository's `venues:` may name
MAX_NAME = 100  # the venue field's own limit
_NOT_IN_A_NAME = lazy_pattern(r"[*`\[\]\\<>|\r\n]")

_IGNORED_WORDS = frozenset({
    "proceedings", "proc", "of", "the", "in", "annual", "international", "conference", "meeting", "on",
    "volume", "vol", "long", "short", "papers", "main", "track", "part", "lncs", "i", "ii", "iii", "iv",
    "ieee", "cvf", "acm", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
})
PREPRINT, CONFERENCE, JOURNAL, OTHER = "preprint", "conference", "journal", "other"
_KINDS = {"preprints": PREPRINT, "conferences": CONFERENCE, "journals": JOURNAL}
_ORDINAL = lazy_pattern(
    r"\b(?:\d+(?:st|nd|rd|th)|(?:twenty|thirty|forty|fifty|sixty)|first|second|third|fourth|fifth|sixth|seventh"
    r"|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth"
    r"|nineteenth|twentieth|thirtieth|fortieth|fiftieth)\b"
)
_YEARS = lazy_pattern(r"(?<![\d.])(?:19|20)\d{2}(?![\d.]\d)(?!\d)|(?<=[A-Za-z])\s?['’`]\d{2}\b")
_PARENTHESES = lazy_pattern(r"\(([^()]*)\)")


def fold(text: str) -> str:
    """Venue text reduced to the words that name it: `Proc. of the 61st ACL` → `acl`."""
    lowered = _YEARS().sub(" ", NOT_A_YEAR().sub(" ", text)).lower()
    words = re.sub(r"[^\w]+", " ", lowered)
    words = _ORDINAL().sub(" ", words.replace("_", " "))
    return " ".join(word for word in words.split() if word not in _IGNORED_WORDS and not word.isdigit())


@dataclass(frozen=True)
class VenueTable:
    """Canonical venue names by folded alias, and the kind of each canonical name."""

    names: Mapping[str, str] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)

    def with_overrides(self, overrides: Mapping[str, Iterable[str]], kind: str | None = None) -> VenueTable:
        """This table with `overrides` (canonical name → aliases) taking precedence, as a
        repository's `venues:` does; a name new to the table keeps the `kind` given (else other)."""
        names, kinds = dict(self.names), dict(self.kinds)
        for canonical, aliases in overrides.items():
            kinds[canonical] = kind or kinds.get(canonical, OTHER)
            for alias in (canonical, *aliases):
                if folded := fold(alias):
                    names[folded] = canonical
        return VenueTable(names, kinds)

    def kind(self, canonical: str) -> str:
        return self.kinds.get(canonical, OTHER)

    def lookup(self, text: str) -> str | None:
        """The canonical name the text (or a parenthesised acronym in it) stands for."""
        candidates = [text, *_PARENTHESES().findall(text), re.split(r"[,;]", text)[0]]
        for candidate in candidates:
            if (folded := fold(candidate)) and folded in self.names:
                return self.names[folded]
        return None


def name_problem(name: object) -> str | None:
    """Why `name` cannot be a venue name listbot writes, or None."""
    if not isinstance(name, str) or not name.strip():
        return "a venue's name must be text"
    if len(name.strip()) > MAX_NAME:
        return f"a venue's name has at most {MAX_NAME} characters"
    if _NOT_IN_A_NAME().search(name):
        return "a venue's name is one line without `*`, `` ` ``, `[`, `]`, `\\`, `<`, `>` or `|`"
    return None


@lru_cache(maxsize=32)
def table_for(overrides: tuple[tuple[str, tuple[str, ...]], ...]) -> VenueTable:
    """The built-in table with a repository's `venues:` over it."""
    return builtin_table().with_overrides(dict(overrides)) if overrides else builtin_table()


# The table is listbot's own file, read by every process that places or checks a venue: libyaml's
# safe loader reads it in a tenth of the pure-Python loader's time (~7 ms), and reads it to the
# same data (a test compares the two). Text from repositories is read by `yaml_reading.safe_load`,
# which keeps the answers and messages of `yaml.safe_load`, the loader the bot's are written
# against. PyYAML is imported when the table is first read (`BUILTIN_LOADER` is looked up on
# first use): `listbot lint` with no YAML to read need not import it.
def builtin_loader() -> type[yaml.SafeLoader] | type[yaml.CSafeLoader]:
    """The loader the built-in table is read with: libyaml's safe loader, else PyYAML's."""
    import yaml

    loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


def __getattr__(name: str) -> type[yaml.SafeLoader] | type[yaml.CSafeLoader]:
    """`BUILTIN_LOADER`, found on first use (PEP 562)."""
    if name == "BUILTIN_LOADER":
        return builtin_loader()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _builtin_text() -> str:
    return resources.files("bot.core").joinpath("venues.yml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def builtin_table() -> VenueTable:
    """The venue table shipped with listbot (`bot/core/venues.yml`, package data read once)."""
    import yaml

    data = yaml.load(_builtin_text(), Loader=builtin_loader())  # noqa: S506 - a safe loader, our own file
    table = VenueTable()
    for section, kind in _KINDS.items():
        table = table.with_overrides(data[section], kind)
    return table


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class Venue(NamedTuple):
    """A venue as listbot writes it, the year it names (None if none) and its kind."""

    name: str
    year: int | None
    kind: str = OTHER

    @property
    def needs_year(self) -> bool:
        """A known conference written without its year (`AAAI`): the year is the conference's."""
        return self.kind == CONFERENCE and self.year is None


def canonical_venue(text: str, table: VenueTable | None = None) -> Venue:
    """The venue in house style: its canonical name, plus the year when the venue names one.

    Text no entry of the table matches is kept as typed (a trailing period dropped).
    """
    table = table or builtin_table()
    typed = " ".join(text.split()).rstrip(".,; ")
    canonical = table.lookup(typed)
    if canonical is None:
        return Venue(typed, year_in_text(typed))
    kind = table.kind(canonical)
    if kind == PREPRINT:
        return Venue(canonical, None, kind)
    year = year_in_text(typed)
    return Venue(f"{canonical} {year}" if year else canonical, year, kind)
