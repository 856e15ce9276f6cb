"""Author lists in house style: `Z. Chen, Y. Song, et al.`, or a team name as written."""

from __future__ import annotations

import re

from bot.core.lazy_patterns import lazy_pattern

HOUSE_EXAMPLE = "`Z. Chen, Y. Song, et al.`"
ET_AL = "et al."

# Words that make a one-name author list a team or an institution, written as is.
_TEAM_WORDS = frozenset({
    "team", "group", "lab", "labs", "laboratory", "consortium", "collaboration", "collaborators",
    "research", "institute", "university", "inc", "inc.", "ltd", "ltd.", "corporation", "initiative",
    "center", "centre", "project", "committee", "organization", "organisation", "foundation", "hospital",
    "school", "department", "deepmind", "google", "microsoft", "meta", "openai", "nvidia",
})
# Lower-case surname particles (and their capitalised forms when they stand before the surname).
_PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "dos", "das", "ten", "ter",
    "bin", "al", "el", "st.", "mac",
})
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_ET_AL = lazy_pattern(r"[,;\s]*(?:\bet\.?\s*al\b\.?|\band\s+others\b\.?|\betc\b\.?)\s*$", re.IGNORECASE)
_AND = lazy_pattern(r"\s*(?:,\s*)?(?:\band\b|&)\s*", re.IGNORECASE)
# Affiliation marks pasted with names: `Chen1,2`, `Song3*`, `Wan†`.
_MARKS = lazy_pattern(r"(?<=[^\W\d_])(?:\d+(?:,\d+)*|[*†‡§¶]+)+(?=[\s,;&]|$)")
_INITIAL = lazy_pattern(r"(?:[^\W\d_]\.?)(?:-[^\W\d_]\.?)?")
_CAPS_INITIALS = lazy_pattern(r"[A-Z]{1,3}")
_WORD = lazy_pattern(r"[^\W\d_][^\W\d_'’.-]*(?:[-'’][^\W\d_][^\W\d_'’.-]*)*\.?")


class AuthorsUnread(ValueError):
    """Text that cannot be read as a list of people; it is then kept as written."""


def house_authors(text: str) -> str:
    """The author list in house style, or the text as written for a team or an unreadable list.

    `Zhihong Chen, Yan Song, Tsung-Hui Chang, and Xiang Wan` becomes `Z. Chen, Y. Song, et al.`;
    `Hong-Yu Zhou` becomes `H.-Y. Zhou`; BibTeX (`Chen, Zhihong and Song, Yan`) and PubMed
    (`Chen Z, Song Y`) forms are understood; names already written with initials keep them.
    """
    value = _MARKS().sub("", " ".join(text.split())).strip().rstrip(".;,").strip()
    if not value or _is_team(value):
        return text.strip()
    try:
        names, more = _split(value)
        written = [_initialled(name, surname) for name, surname in names]
    except AuthorsUnread:
        return text.strip()
    if len(written) > 2 or (more and written):
        return ", ".join([*written[:2], ET_AL])
    return ", ".join(written)


def _is_team(value: str) -> bool:
    """One name (no separators) that reads as a team or institution, like `Stanford AIMI Team`."""
    if re.search(r"[,;&]|\band\b", value, re.IGNORECASE) and not re.search(r"\bteam\b", value, re.I):
        return False
    return any(word.lower().strip(".,") in _TEAM_WORDS for word in value.split())


Name = tuple[str, str | None]  # the name as written, and its surname when the text says which it is


def _split(value: str) -> tuple[list[Name], bool]:
    """The people named, in order, and whether the text says there are more (`et al.`)."""
    more = bool(_ET_AL().search(value))
    value = _ET_AL().sub("", value).strip(" ,;")
    names: list[Name]
    if ";" in value:
        names = [_inverted(part) if part.count(",") == 1 else (part, None) for part in value.split(";")]
    elif re.search(r"\band\b", value) and all(p.count(",") == 1 for p in re.split(r"\s+and\s+", value)):
        names = [_inverted(part) for part in re.split(r"\s+and\s+", value)]  # BibTeX: `Last, First and ...`
    else:
        names = [(piece, None) for chunk in value.split(",") for piece in _AND().split(chunk)]
    names = [(" ".join(name.split()), surname) for name, surname in names if name.strip(" .")]
    if not names:
        raise AuthorsUnread(value)
    return names, more


def _inverted(part: str) -> Name:
    """`Zambrano Chaves, Juan Manuel` → the given names and the surname, which may be two words."""
    last, _, first = part.partition(",")
    return f"{first.strip()} {last.strip()}", " ".join(last.split())


def _initialled(name: str, surname: str | None = None) -> str:
    """One person as `F. Last` (`F.-G. Last` for a hyphenated given name)."""
    if surname and name.endswith(surname) and (given_names := name[: -len(surname)].split()):
        if all(_WORD().fullmatch(word) or _INITIAL().fullmatch(word) for word in [*given_names, *surname.split()]):
            return " ".join([*(_initial(word) for word in given_names), surname])
        raise AuthorsUnread(name)
    words = name.split()
    if not words or not all(_WORD().fullmatch(word) or _INITIAL().fullmatch(word) for word in words):
        raise AuthorsUnread(name)
    suffix = [words.pop()] if len(words) > 2 and words[-1].lower() in _SUFFIXES else []
    if len(words) == 1:
        return " ".join(words + suffix)
    if _CAPS_INITIALS().fullmatch(words[-1]) and not _CAPS_INITIALS().fullmatch(words[0]):
        words = [*_spelled_initials(words[-1]), *words[:-1]]  # PubMed: `Chen ZH`
    elif _CAPS_INITIALS().fullmatch(words[0]) and len(words) == 2 and len(words[0]) > 1:
        words = [*_spelled_initials(words[0]), words[1]]  # `ZH Chen`
    surname_start = len(words) - 1
    while surname_start > 1 and _is_particle(words[surname_start - 1]):
        surname_start -= 1
    given, last = words[:surname_start], words[surname_start:]
    return " ".join([*(_initial(word) for word in given), *last, *suffix])


def _is_particle(word: str) -> bool:
    return word.lower() in _PARTICLES and (word.islower() or word.lower() in {"de", "van", "von", "di", "da", "le"})


def _spelled_initials(letters: str) -> list[str]:
    return [f"{letter}." for letter in letters]


def _initial(word: str) -> str:
    """`Hong-Yu` → `H.-Y.`; `Z.` and `Z` → `Z.`."""
    return "-".join(f"{part[0].upper()}." for part in word.split("-") if part)
