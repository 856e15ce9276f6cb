"""The entries already in a list, and the questions a submission asks of them.

A submission is checked against every listed entry for a shared identity key (a duplicate) and
for a title that contains, or is contained in, its own (a warning). A shared key, or a title, is
looked for in the entries whose text holds its anchor (`key_anchors`), found by searches of the
whole text; only the blocks holding those lines are read (`kind_entries.BlockEntries`, once per
list text: a memo of the last few listings, each made from an older text's listing when the
document was carried from that text, `text_change`), and those few entries are compared by the
general rules, so the answers are exactly those of `find_duplicates` and `containing_titles` over
every entry with its keys, in file order."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property, partial
from itertools import pairwise
from typing import Protocol

from bot.core.document import ListDocument
from bot.core.duplicates import MIN_CONTAINED_WORDS, FoundEntry, ListedEntry, fold_title, title_overlaps
from bot.core.forms import IssueForm
from bot.core.key_anchors import TextAnchors, may_be_close
from bot.core.kind_entries import BlockEntries
from bot.core.kinds import Kind
from bot.core.text_change import same_text

_MAX_ANSWERS = 256  # questions remembered per listing: two for each open submission on its list
_MAX_RUN_LOOKUPS = 64  # past this many words of a title, comparing every title costs less than its word runs


class Entries(Protocol):
    """A list's entries, in file order: all of them, or those that include given lines."""

    def every(self) -> Sequence[FoundEntry]:
        """Every entry."""
        ...

    def including(self, lines: Sequence[int]) -> Sequence[FoundEntry]:
        """The entries that include one of these line indexes (ascending)."""
        ...

    def paper_ranges(self) -> Sequence[tuple[int, int]]:
        """Line ranges (half-open, ascending, apart) whose every entry is a paper titled by its
        first line, `**title**` (`kind_entries.BlockEntries.paper_ranges`; may be none)."""
        ...


class FoundList:
    """Entries found already (`Entries`): each line's entry found by bisection when no two
    entries share a line, so a question about a few lines does not walk 20,000 entries."""

    def __init__(self, found: Sequence[FoundEntry]) -> None:
        self.found = tuple(found)

    def every(self) -> Sequence[FoundEntry]:
        return self.found

    def including(self, lines: Sequence[int]) -> Sequence[FoundEntry]:
        if not lines:
            return []
        if self._by_start is None:
            return [
                found for found in self.found
                if (at := bisect.bisect_left(lines, found.start)) < len(lines) and lines[at] < found.end
            ]
        starts, order = self._by_start
        picked: set[int] = set()
        for line in lines:
            at = bisect.bisect_right(starts, line) - 1
            if at >= 0 and line < self.found[order[at]].end:
                picked.add(order[at])
        return [self.found[index] for index in sorted(picked)]

    def paper_ranges(self) -> Sequence[tuple[int, int]]:
        return ()  # the entries' lines are not known

    @cached_property
    def _by_start(self) -> tuple[list[int], list[int]] | None:
        """The entries' first lines, ascending, and each one's entry (None when two entries share
        a line: a line then has no single entry to find)."""
        order = sorted(range(len(self.found)), key=lambda index: self.found[index].start)
        for before, after in pairwise(order):
            if self.found[before].end > self.found[after].start:
                return None
        return [self.found[index].start for index in order], order


class Listing:
    """A list's entries in file order, found without their identity keys, and the two questions
    a submission asks of them.

    A shared key or a close title is looked for only in the entries whose lines hold its anchor
    (`key_anchors`): those few are read and compared exactly, the rest cannot match (and, for a
    list read block by block, are not even found).
    """

    def __init__(
        self,
        entries: Entries,
        lines: Sequence[str] | None = None,
        joined: Callable[[], str] | None = None,
        anchors: TextAnchors | None = None,
        made_elsewhere: Callable[[], TextAnchors | None] | None = None,
    ) -> None:
        """`entries`: the entries of the list whose `lines` are given (none: read every entry's keys);
        `joined` gives those lines joined by line feeds (asked once, not kept: it is the list's size);
        `anchors`: those lines' anchors, when made already (carried from an older text's);
        `made_elsewhere` gives them when another listing of the same text made them (anchors depend
        on the text alone, not on the kinds and forms a listing reads entries with)."""
        self.block_entries = entries
        self._lines = lines
        self._joined = joined
        self._made_elsewhere = made_elsewhere
        if anchors is not None:
            self.__dict__["_anchors"] = anchors  # what the cached property would have made
        # Answers are remembered per listing: every reconcile of an open submission asks its two
        # questions again, and each search of a 20,000-entry list's letters costs more than the
        # rest of a reconcile that writes nothing. A plain dict, not lru_cache on bound methods
        # (a reference cycle would keep an evicted listing until the cyclic collector ran); each
        # of its operations is one step for the workers' threads, which share listings.
        self._answers: dict[tuple[str, object], tuple[ListedEntry, ...]] = {}

    @cached_property
    def entries(self) -> tuple[ListedEntry, ...]:
        """Every entry with its identity keys (all of them read)."""
        return tuple(found.listed() for found in self.block_entries.every())

    @cached_property
    def _anchors(self) -> TextAnchors | None:
        if self._lines is None:
            return None
        if self._made_elsewhere is not None and (made := self._made_elsewhere()) is not None:
            return made
        return TextAnchors(self._lines, self._joined() if self._joined is not None else None)

    def made_anchors(self) -> TextAnchors | None:
        """The anchors, if a question has made them (None otherwise: they are not made for this)."""
        made = self.__dict__.get("_anchors")
        return made if isinstance(made, TextAnchors) else None

    def sharing(self, keys: frozenset[str]) -> list[ListedEntry]:
        """The entries that share an identity key with `keys`, in file order."""
        return self._remembered(("sharing", keys), lambda: self._sharing(keys))

    def _remembered(
        self, question: tuple[str, object], work: Callable[[], tuple[ListedEntry, ...]]
    ) -> list[ListedEntry]:
        """`work()`'s answer to the question, remembered (all answers are forgotten at once when
        `_MAX_ANSWERS` are held: nothing to order, so no step another thread could interleave)."""
        answer = self._answers.get(question)
        if answer is None:
            answer = work()
            if len(self._answers) >= _MAX_ANSWERS:
                self._answers.clear()
            self._answers[question] = answer
        return list(answer)

    def _sharing(self, keys: frozenset[str]) -> tuple[ListedEntry, ...]:
        listed = (found.listed() for found in self._candidates(keys))
        return tuple(entry for entry in listed if not keys.isdisjoint(entry.keys))

    def _candidates(self, keys: frozenset[str]) -> Sequence[FoundEntry]:
        """The entries that include a line the keys' anchors point at (every entry without anchors)."""
        if self._anchors is None:
            return self._including(None)
        return self._including(self._anchors.candidate_lines(keys, self.block_entries.paper_ranges()))

    def _including(self, lines: list[int] | None) -> Sequence[FoundEntry]:
        """The entries that include one of these sorted line indexes (every entry for None), in file order."""
        return self.block_entries.every() if lines is None else self.block_entries.including(lines)

    def containing(self, title: str) -> list[ListedEntry]:
        """`containing_titles(title, entries)`, in file order (`_containing`, remembered)."""
        return self._remembered(("containing", title), lambda: self._containing(title))

    def _containing(self, title: str) -> tuple[ListedEntry, ...]:
        """`containing_titles(title, entries)`, in file order.

        A listed title that contains the title's words holds its first two, and one contained in
        it holds two words that follow each other in it, so only entries whose text holds two such
        words and whose title passes `may_be_close` are compared (where a paper's title is its
        first line, that line must pass: `TextAnchors.title_lines`), unless the title has too
        many words to search for.
        """
        words = fold_title(title)
        split = words.split()
        if len(split) < MIN_CONTAINED_WORDS:
            return ()
        if self._anchors is None or len(split) > _MAX_RUN_LOOKUPS:
            return tuple(found.listed() for found in self.block_entries.every() if title_overlaps(words, found.title))
        close = may_be_close(split)
        lines = self._anchors.title_lines(split, self.block_entries.paper_ranges())
        return tuple(
            found.listed() for found in self._including(lines)
            if close(found.title) and title_overlaps(words, found.title)
        )


def _index(entries: Sequence[ListedEntry]) -> Listing:
    """The listing of entries read already (their keys known)."""
    return Listing(FoundList([
        FoundEntry(entry.title, entry.section, entry.line - 1, entry.line, partial(frozenset, entry.keys))
        for entry in entries
    ]))


_Key = tuple[tuple[Kind, ...], tuple[tuple[str, IssueForm], ...]]
_RECENT_LISTINGS = 4  # a reconcile asks about its base list and its edited one, each with two form sets
# The last few listings made, newest first: (document, kinds and forms, listing). Looked up by the
# document and, failing that, by its text's length and equality, never by a hash of the text (a
# str hash of a 4 MB list is a pass over it, for every new base). The tuple is replaced whole, one
# step for the workers' threads, which share listings (two threads may make one listing twice).
_recent: tuple[tuple[ListDocument, _Key, Listing], ...] = ()


def _key(kinds: Iterable[Kind], forms: Mapping[str, IssueForm] | None) -> _Key:
    return tuple(kinds), tuple(sorted((forms or {}).items()))


def _held(doc: ListDocument, key: _Key) -> tuple[ListDocument, _Key, Listing] | None:
    """The recent listing of this document's text with these kinds and forms, if one is held."""
    for held in _recent:
        held_doc, held_key, _ = held
        if same_text(held_doc.text, doc.text) and held_key == key:
            return held
    return None


def _anchors_made_for(doc: ListDocument) -> TextAnchors | None:
    """The anchors a recent listing of this document's text made already, if one did (a reconcile
    asks its base list with the submitted kind's form and with the repository's forms: both
    listings share one reading of the letters, and one answer to each search of them)."""
    for held_doc, _, held in _recent:
        if same_text(held_doc.text, doc.text) and (anchors := held.made_anchors()) is not None:
            return anchors
    return None


def _listing(doc: ListDocument, kinds: Iterable[Kind], forms: Mapping[str, IssueForm] | None) -> Listing:
    """The listing of the document with these kinds and forms: a recent one (put first again, so
    the listings in use stay held), or one made now, from the listing of the text the document
    was carried from when that one is still held."""
    global _recent
    key = _key(kinds, forms)
    held = _held(doc, key)
    if held is None:
        held = (doc, key, _carried(doc, key) or _made(doc, key))
    if not _recent or _recent[0] is not held:
        _recent = (held, *(other for other in _recent if other is not held))[:_RECENT_LISTINGS]
    return held[2]


def _made(doc: ListDocument, key: _Key) -> Listing:
    kinds, forms = key
    entries = BlockEntries(doc, kinds, dict(forms))
    return Listing(entries, doc.lines, doc.joined_lines, made_elsewhere=partial(_anchors_made_for, doc))


def _carried(doc: ListDocument, key: _Key) -> Listing | None:
    """The listing of a document carried from a recent one (`ListDocument.carried_from`), made from
    that one's: its paper ranges and its anchors' letters carried (`BlockEntries.carried`,
    `TextAnchors.carried`), not read again from the whole text."""
    origin = doc.carried_from()
    if origin is None:
        return None
    old_doc, change = origin
    held = _held(old_doc, key)
    old = None if held is None else held[2]
    if old is None or not isinstance(old.block_entries, BlockEntries):
        return None
    anchors = _anchors_made_for(doc)  # a listing of this text with other forms carried them already
    if anchors is None and (old_anchors := old.made_anchors()) is not None:
        # The document's text, not its lines joined: a copy of the 4 MB text spared (only the changed lines are read).
        anchors = TextAnchors.carried(old_anchors, doc.lines, doc.text, change, line_feed_after=doc.text.endswith("\n"))
    return Listing(
        BlockEntries.carried(old.block_entries, doc, change), doc.lines, doc.joined_lines, anchors,
        made_elsewhere=partial(_anchors_made_for, doc),
    )


def listed(
    doc: ListDocument, kinds: Iterable[Kind], forms: Mapping[str, IssueForm] | None = None
) -> tuple[ListedEntry, ...]:
    """The document's entries as `kind_entries.listed_kind_entries` reads them, read once for the last
    few list texts asked about (a reconcile's base list and its edited one)."""
    return _listing(doc, kinds, forms).entries


def listing(doc: ListDocument, kinds: Iterable[Kind], forms: Mapping[str, IssueForm] | None = None) -> Listing:
    """The document's entries with what answers a submission's checks (lint needs the entries alone)."""
    return _listing(doc, kinds, forms)
