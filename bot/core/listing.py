"""The entries already in a list, read once per list text, and the questions a submission asks of them.

A submission is checked against every listed entry for a shared identity key (a duplicate) and
for a title that contains, or is contained in, its own (a warning). The entries are found once per
list text (a bounded memo keyed by the text, the kinds and their forms) without their identity
keys, which cost most of reading them: a shared key is looked for in the few entries whose text
holds its anchor (`key_anchors`), titles through an index of folded titles built on the first
question; the answers are exactly those of `find_duplicates` and `containing_titles` over the
entries with their keys, in file order."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property, lru_cache, partial

from bot.core.document import ListDocument, parsed
from bot.core.duplicates import MIN_CONTAINED_WORDS, FoundEntry, ListedEntry, fold_title
from bot.core.forms import IssueForm
from bot.core.key_anchors import TextAnchors
from bot.core.kind_entries import found_kind_entries
from bot.core.kinds import Kind

_SEPARATOR = "\n"  # never in a folded title (folding turns every whitespace run into one space)
_MAX_RUN_LOOKUPS = 20_000  # past this many word runs of a title, one pass over the titles is cheaper


class Listing:
    """A list's entries in file order, found without their identity keys, and the two questions
    a submission asks of them.

    A shared key is looked for only in the entries whose lines hold the key's anchor
    (`key_anchors`): those few are read with their keys and compared exactly, the rest cannot
    share it. Titles are compared through an index of folded titles, built on the first question.
    """

    def __init__(self, found: Sequence[FoundEntry], lines: Sequence[str] | None = None) -> None:
        """`found`: the entries of the list whose `lines` are given (none: read every entry's keys)."""
        self.found = tuple(found)
        self._lines = lines

    @cached_property
    def entries(self) -> tuple[ListedEntry, ...]:
        """Every entry with its identity keys (all of them read)."""
        return tuple(found.listed() for found in self.found)

    @cached_property
    def by_key(self) -> dict[str, list[int]]:
        """Each identity key with the entries that have it, in file order (every entry's keys read)."""
        found: dict[str, list[int]] = {}
        for index, entry in enumerate(self.entries):
            for key in entry.keys:
                found.setdefault(key, []).append(index)
        return found

    @cached_property
    def _anchors(self) -> TextAnchors | None:
        return TextAnchors(self._lines) if self._lines is not None else None

    def sharing(self, keys: frozenset[str]) -> list[ListedEntry]:
        """The entries that share an identity key with `keys`, in file order."""
        listed = (found.listed() for found in self._candidates(keys))
        return [entry for entry in listed if not keys.isdisjoint(entry.keys)]

    def _candidates(self, keys: frozenset[str]) -> Sequence[FoundEntry]:
        """The entries that include a line the keys' anchors point at (every entry without anchors)."""
        lines = self._anchors.candidate_lines(keys) if self._anchors is not None else None
        if lines is None:
            return self.found
        if not lines:
            return []
        return [
            found for found in self.found
            if (at := bisect.bisect_left(lines, found.start)) < len(lines) and lines[at] < found.end
        ]

    def containing(self, title: str) -> list[ListedEntry]:
        """`containing_titles(title, entries)`, in file order."""
        words = fold_title(title)
        split = words.split()
        if len(split) < MIN_CONTAINED_WORDS:
            return []
        found = self._contained_in(split) | self._containers_of(words)
        return [
            self.found[index].listed() for index in sorted(found)
            if self.folded[index] != words and len(self.folded[index].split()) >= MIN_CONTAINED_WORDS
        ]

    @cached_property
    def folded(self) -> tuple[str, ...]:
        """Each entry's folded title."""
        return tuple(fold_title(found.title) for found in self.found)

    @cached_property
    def by_title(self) -> dict[str, list[int]]:
        """Folded title -> the entries with it."""
        found: dict[str, list[int]] = {}
        for index, title in enumerate(self.folded):
            found.setdefault(title, []).append(index)
        return found

    @cached_property
    def _titles(self) -> tuple[str, list[int]]:
        """Every folded title between spaces, joined by `_SEPARATOR`, and where each starts."""
        starts, offset = [], 0
        for title in self.folded:
            starts.append(offset)
            offset += len(title) + 2 + len(_SEPARATOR)
        return _SEPARATOR.join(f" {title} " for title in self.folded), starts

    def _contained_in(self, words: list[str]) -> set[int]:
        """Entries whose folded title is a run of the title's words."""
        if len(words) ** 2 > _MAX_RUN_LOOKUPS:
            joined = f" {' '.join(words)} "
            return {i for i, listed in enumerate(self.folded) if f" {listed} " in joined}
        found: set[int] = set()
        for start in range(len(words)):
            for end in range(start + MIN_CONTAINED_WORDS, len(words) + 1):
                found.update(self.by_title.get(" ".join(words[start:end]), ()))
        return found

    def _containers_of(self, words: str) -> set[int]:
        """Entries whose folded title holds the title's words as a run."""
        titles, starts = self._titles
        needle, found = f" {words} ", set()
        at = titles.find(needle)
        while at != -1:
            found.add(bisect.bisect_right(starts, at) - 1)
            at = titles.find(needle, at + 1)
        return found


def _index(entries: Sequence[ListedEntry]) -> Listing:
    """The listing of entries read already (their keys known)."""
    return Listing([
        FoundEntry(entry.title, entry.section, entry.line - 1, entry.line, partial(frozenset, entry.keys))
        for entry in entries
    ])


_Key = tuple[str, tuple[Kind, ...], tuple[tuple[str, IssueForm], ...]]


@lru_cache(maxsize=2)
def _listing(text: str, kinds: tuple[Kind, ...], forms: tuple[tuple[str, IssueForm], ...]) -> Listing:
    doc = parsed(text)
    return Listing(found_kind_entries(doc, kinds, dict(forms)), doc.lines)


def _key(doc: ListDocument, kinds: Iterable[Kind], forms: Mapping[str, IssueForm] | None) -> _Key:
    return doc.text, tuple(kinds), tuple(sorted((forms or {}).items()))


def listed(
    doc: ListDocument, kinds: Iterable[Kind], forms: Mapping[str, IssueForm] | None = None
) -> tuple[ListedEntry, ...]:
    """The document's entries as `kind_entries.listed_kind_entries` reads them, read once for the last two
    list texts asked about (a reconcile's base list and its edited one)."""
    return _listing(*_key(doc, kinds, forms)).entries


def listing(doc: ListDocument, kinds: Iterable[Kind], forms: Mapping[str, IssueForm] | None = None) -> Listing:
    """The document's entries with what answers a submission's checks (lint needs the entries alone)."""
    return _listing(*_key(doc, kinds, forms))
