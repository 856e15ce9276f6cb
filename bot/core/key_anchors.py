"""Where in a list's text an entry with a given identity key can be, found by searches at C speed.

Every identity key (`duplicates.entry_keys`) is built from a piece of the entry's own text, at
most lower-cased and with characters that are not letters or digits dropped or changed: a folded
title, a link's host or path, an arXiv id, a DOI's suffix, an OpenReview, ACL Anthology or CVF
id, a repository's `owner/name`. So the ASCII letters and digits of that piece, lower-cased
(`letters`), appear in order and without a gap in the letters and digits of the entry's lines,
whenever those lines are ASCII and hold no `%` (an escape a key decodes) and no bracket in a
link's host (`urlsplit` refuses those, and the entry must fail as the general code fails).

The search is only a necessary condition: an entry it does not point at cannot have the key, and
the entries it points at are read by the general code and compared exactly (`listing.Listing`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Sequence
from itertools import accumulate, pairwise

_KEPT = b"abcdefghijklmnopqrstuvwxyz0123456789"
_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Lower-casing and dropping in one `bytes.translate` (it drops by the original byte, then maps):
# the same bytes as `.lower().translate(None, _DROPPED)`, in one pass over a 4 MB list instead of two.
_LOWER = bytes.maketrans(_UPPER, _UPPER.lower())
_DROPPED = bytes(code for code in range(256) if code not in _KEPT + _UPPER)
_DROPPED_BUT_LINE_BREAKS = _DROPPED.replace(b"\n", b"")
# Lines whose keys may come from text the letters do not show (besides lines outside ASCII, whose
# text is folded by Unicode rules): `%` (an escape a DOI or a query decodes), a bracket in a host.
_ESCAPE = re.compile("%")
# Possessive: the host is read once up to its first bracket or its end (no backtracking over it).
_BRACKETED_HOST = re.compile(r"//[^/?#\s\[\]]*+[\[\]]")
# Key kinds and the piece of the key that is a piece of the entry's text.
_WHOLE = frozenset({"title", "arxiv", "openreview", "anthology", "cvf", "repo"})


def letters(text: str) -> bytes:
    """The ASCII letters and digits of text, lower-cased, in order."""
    return text.encode("ascii", "ignore").translate(_LOWER, _DROPPED)


def line_letters(text: str) -> bytes:
    """`letters` of each line of the text, the line breaks kept between them."""
    return text.encode("ascii", "ignore").translate(_LOWER, _DROPPED_BUT_LINE_BREAKS)


def key_anchor(key: str) -> bytes | None:
    """What the letters of an entry with this key hold (None: nothing known, for a key kind
    not listed here). A URL key is `host + path + ?query`: its path (or, without one, its host)
    is text of the link, while the query is re-encoded; a DOI's suffix is text of the link, its
    `10.1038/` prefix may not be (a Nature article URL)."""
    kind, _, value = key.partition(":")
    if kind in _WHOLE:
        return letters(value)
    if kind == "doi":
        return letters(value.partition("/")[2] or value)
    if kind == "url":
        host, slash, path = value.partition("?")[0].partition("/")
        return letters(slash + path) or letters(host)
    return None


def may_be_close(words: Sequence[str]) -> Callable[[str], bool]:
    """A quick necessary condition for a listed title to contain the folded title of these words
    (two or more), or to be contained in it (`duplicates.title_overlaps`): an ASCII title's
    letters are its folded words' letters, so they hold all the words' letters, or are those of
    two or more words that follow each other. A title outside ASCII may always be."""
    whole = letters("".join(words))
    count = len(words)
    runs = {letters("".join(words[start:end])) for start in range(count) for end in range(start + 2, count + 1)}

    def check(title: str) -> bool:
        if not title.isascii():
            return True
        found = letters(title)
        return whole in found or found in runs

    return check


class TextAnchors:
    """A list's lines as one string of letters, searched for keys' anchors."""

    def __init__(self, lines: Sequence[str]) -> None:
        joined = "\n".join(lines)
        parts = line_letters(joined).split(b"\n")
        self._letters = b"".join(parts)
        self._ends = list(accumulate(map(len, parts)))  # where each line's letters end
        self.wild = sorted(_wild_lines(lines, joined))

    def lines_with(self, anchor: bytes) -> set[int]:
        """Indexes of the lines where the anchor's letters start."""
        found: set[int] = set()
        find, ends = self._letters.find, self._ends
        at = find(anchor)
        while at != -1:
            line = bisect.bisect_right(ends, at)
            found.add(line)
            # From the next line's letters on: this line is found already.
            at = find(anchor, ends[line]) if line < len(ends) else -1
        return found

    def candidate_lines(self, keys: Collection[str]) -> list[int] | None:
        """Sorted indexes of the lines an entry with any of the keys must include one of
        (None: every line, when a key has no anchor or an empty one)."""
        return self._lines_with_any([key_anchor(key) for key in keys])

    def title_lines(self, words: Sequence[str]) -> list[int] | None:
        """Sorted indexes of the lines an entry must include one of if its title contains the
        folded title of these words, or is contained in it (None: every line).

        Either title then holds two of the words that follow each other, and so do its letters.
        """
        return self._lines_with_any([letters(first + second) for first, second in pairwise(words)])

    def _lines_with_any(self, anchors: Sequence[bytes | None]) -> list[int] | None:
        found = set(self.wild)
        for anchor in anchors:
            if not anchor:
                return None
            found |= self.lines_with(anchor)
        return sorted(found)


def _wild_lines(lines: Sequence[str], joined: str) -> set[int]:
    """Indexes of the lines whose keys the letters may not show: outside ASCII, or with `%` or a
    bracket in a link's host (`joined`: the lines joined by line breaks)."""
    found = set() if joined.isascii() else {index for index, line in enumerate(lines) if not line.isascii()}
    patterns = (_ESCAPE, _BRACKETED_HOST) if "%" in joined else (_BRACKETED_HOST,)  # `in`: 10x a search
    marks = [match.start() for pattern in patterns for match in pattern.finditer(joined)]
    if marks:
        line_ends = list(accumulate(len(line) + 1 for line in lines))
        found.update(bisect.bisect_right(line_ends, mark) for mark in marks)
    return found
