"""The entries already in a list, indexed by identity key and folded title, read once per list text.

A submission is checked against every listed entry for a shared identity key (a duplicate) and
for a title that contains, or is contained in, its own (a warning). Scanning 20,000 entries for
both on every reconcile cost more than everything else a reconcile of an already-right PR does, so
the entries are read once per list text (a bounded memo keyed by the text, the kinds and their
forms) and both questions are answered from indexes, with exactly the answers of
`find_duplicates` and `containing_titles` over the entries in file order.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.core.document import ListDocument, parsed
from bot.core.duplicates import MIN_CONTAINED_WORDS, ListedEntry, fold_title
from bot.core.forms import IssueForm
from bot.core.kind_entries import listed_kind_entries
from bot.core.kinds import Kind

_SEPARATOR = "\n"  # never in a folded title (folding turns every whitespace run into one space)
_MAX_RUN_LOOKUPS = 20_000  # past this many word runs of a title, one pass over the titles is cheaper


@dataclass(frozen=True)
class Listing:
    """A list's entries in file order, with where each identity key and folded title occurs."""

    entries: tuple[ListedEntry, ...]
    by_key: Mapping[str, tuple[int, ...]]
    by_title: Mapping[str, tuple[int, ...]]  # folded title -> entries with it
    folded: tuple[str, ...]
    titles: str  # every folded title between spaces, joined by `_SEPARATOR`
    starts: tuple[int, ...]  # where each entry's part of `titles` starts
    longest: int  # the most words of any folded title

    def sharing(self, keys: frozenset[str]) -> list[ListedEntry]:
        """The entries that share an identity key with `keys`, in file order."""
        found = {index for key in keys for index in self.by_key.get(key, ())}
        return [self.entries[index] for index in sorted(found)]

    def containing(self, title: str) -> list[ListedEntry]:
        """`containing_titles(title, self.entries)`, in file order."""
        words = fold_title(title)
        split = words.split()
        if len(split) < MIN_CONTAINED_WORDS:
            return []
        found = self._contained_in(split) | self._containers_of(words)
        return [
            self.entries[index] for index in sorted(found)
            if self.folded[index] != words and len(self.folded[index].split()) >= MIN_CONTAINED_WORDS
        ]

    def _contained_in(self, words: list[str]) -> set[int]:
        """Entries whose folded title is a run of the title's words."""
        longest = min(self.longest, len(words))
        if len(words) * longest > _MAX_RUN_LOOKUPS:
            joined = f" {' '.join(words)} "
            return {i for i, listed in enumerate(self.folded) if f" {listed} " in joined}
        found: set[int] = set()
        for start in range(len(words)):
            for end in range(start + MIN_CONTAINED_WORDS, min(start + longest, len(words)) + 1):
                found.update(self.by_title.get(" ".join(words[start:end]), ()))
        return found

    def _containers_of(self, words: str) -> set[int]:
        """Entries whose folded title holds the title's words as a run."""
        needle, found = f" {words} ", set()
        at = self.titles.find(needle)
        while at != -1:
            found.add(bisect.bisect_right(self.starts, at) - 1)
            at = self.titles.find(needle, at + 1)
        return found


def _index(entries: Sequence[ListedEntry]) -> Listing:
    by_key: dict[str, list[int]] = {}
    by_title: dict[str, list[int]] = {}
    folded = tuple(fold_title(entry.title) for entry in entries)
    for index, entry in enumerate(entries):
        for key in entry.keys:
            by_key.setdefault(key, []).append(index)
        by_title.setdefault(folded[index], []).append(index)
    parts = [f" {title} " for title in folded]
    starts, offset = [], 0
    for part in parts:
        starts.append(offset)
        offset += len(part) + len(_SEPARATOR)
    return Listing(
        tuple(entries),
        {key: tuple(found) for key, found in by_key.items()},
        {title: tuple(found) for title, found in by_title.items()},
        folded,
        _SEPARATOR.join(parts),
        tuple(starts),
        max((len(title.split()) for title in folded), default=0),
    )


_Key = tuple[str, tuple[Kind, ...], tuple[tuple[str, IssueForm], ...]]


@lru_cache(maxsize=2)
def _entries(text: str, kinds: tuple[Kind, ...], forms: tuple[tuple[str, IssueForm], ...]) -> tuple[ListedEntry, ...]:
    return tuple(listed_kind_entries(parsed(text), kinds, dict(forms)))


@lru_cache(maxsize=2)
def _listing(text: str, kinds: tuple[Kind, ...], forms: tuple[tuple[str, IssueForm], ...]) -> Listing:
    return _index(_entries(text, kinds, forms))


def _key(doc: ListDocument, kinds: Iterable[Kind], forms: Mapping[str, IssueForm] | None) -> _Key:
    return doc.text, tuple(kinds), tuple(sorted((forms or {}).items()))


def listed(
    doc: ListDocument, kinds: Iterable[Kind], forms: Mapping[str, IssueForm] | None = None
) -> tuple[ListedEntry, ...]:
    """The document's entries as `listed_kind_entries` reads them, read once for the last two
    list texts asked about (a reconcile's base list and its edited one)."""
    return _entries(*_key(doc, kinds, forms))


def listing(doc: ListDocument, kinds: Iterable[Kind], forms: Mapping[str, IssueForm] | None = None) -> Listing:
    """`listed` with the indexes a submission's checks use (lint needs the entries alone)."""
    return _listing(*_key(doc, kinds, forms))
