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
from collections.abc import Callable, Collection, Iterator, Sequence
from functools import cached_property
from itertools import accumulate, pairwise, repeat
from operator import add

from bot.core.document import lines_outside
from bot.core.text_change import LineChange

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
# `\t-\r\x1c-\x20` are the ASCII characters `\s` matches: a bitmap, which a search tests faster
# than a class holding `\s` (a sixth less for 20,000 entries). On a line outside ASCII, where
# Unicode spaces would end a host, the answer does not matter: that line is wild already.
_BRACKETED_HOST = re.compile(r"//[^/?#\t-\r\x1c-\x20\[\]]*+[\[\]]")
# Key kinds and the piece of the key that is a piece of the entry's text.
_WHOLE = frozenset({"title", "arxiv", "openreview", "anthology", "cvf", "repo"})
# In the letters of each line (`line_letters`): a line's after a line without letters.
_AFTER_LETTERLESS = re.compile(rb"\n\n([^\n]+)")
# Past this many stretches of lines outside papers' ranges, or past a quarter of the lines in
# them, a title's word pairs are searched for in the whole text at once, not stretch by stretch.
_MAX_STRETCHES = 64
_STRETCHES_SHARE = 4
# Past this many letters of lines after a letterless one lost by a carry (a search of the whole
# text each), the carried anchors read those letters afresh instead (one search of all of them).
_MAX_LOST_RUNS = 8
_MAX_FOUND = 256  # anchors whose lines a text's anchors remember: a few for each open submission
# A text's letters are made piece by piece, each piece this many characters and the rest of its
# last line, and where each piece starts is remembered (`_mark_offsets`, `_mark_letters`): a
# carried text's letters are spliced after translating at most one piece before the change. A
# piece this size stays in the first-level cache while it is copied and translated: a 4 MB list
# in 256 pieces takes less wall-clock time than in one (5.4 against 6.7 ms; 64 KiB pieces, 8 ms).
# Marks closer than a quarter piece are not kept (a chain of carries adds some each).
_PIECE = 1 << 14
_NEAREST_MARKS = _PIECE // 4
# A carried text's line letters are parts of those it was carried from (`_Part`: bytes, where the
# part starts and ends in them), joined when a search needs them or past this many parts.
_MAX_PARTS = 32
_Part = tuple[bytes, int, int]
# Carried anchors share the letters after letterless lines of the text read afresh, with what each
# change added and removed, until those are a sixteenth of them (`_Runs`).
_MAX_CHANGED_RUNS = 16


def letters(text: str) -> bytes:
    """The ASCII letters and digits of text, lower-cased, in order."""
    return _latin1(text).translate(_LOWER, _DROPPED)


def line_letters(text: str) -> bytes:
    """`letters` of each line of the text, the line breaks kept between them."""
    return _latin1(text).translate(_LOWER, _DROPPED_BUT_LINE_BREAKS)


def _marked_line_letters(text: str, start: int, end: int) -> tuple[bytes, list[int], list[int]]:
    """`line_letters(text[start:end])`, made piece by piece, with where each piece starts: in the
    text (where a line starts: `start` and places just past a line feed) and in the letters.

    The text is encoded once, each character one byte (`?` for one past U+00FF, dropped as
    `_latin1` drops it), and cut there: a slice of bytes is one copy, of a `str` and its encoding two."""
    encoded = text[start:end].encode("latin-1", "replace")
    pieces, offsets, letter_offsets = [], [], []
    made, at = 0, 0
    while True:
        cut = encoded.find(b"\n", at + _PIECE)
        piece_end = len(encoded) if cut == -1 else cut + 1
        piece = encoded[at:piece_end].translate(_LOWER, _DROPPED_BUT_LINE_BREAKS)
        offsets.append(start + at)
        letter_offsets.append(made)
        pieces.append(piece)
        made += len(piece)
        at = piece_end
        if at >= len(encoded):
            return b"".join(pieces), offsets, letter_offsets


def _latin1(text: str) -> bytes:
    """The text's characters up to U+00FF as bytes: its ASCII ones and bytes that every translate
    here drops (`_DROPPED` holds all of 0x80-0xFF), so the letters are those of the ASCII encoding.
    A text whose characters all fit in a byte (an author's `é`) is copied as it is: encoding it as
    ASCII with errors ignored goes character by character (10 times the cost for 20,000 entries)."""
    return text.encode("latin-1", "ignore")


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


def word_runs(words: Sequence[str]) -> set[bytes]:
    """The letters of each run of two or more of these words that follow each other."""
    count = len(words)
    return {letters("".join(words[start:end])) for start in range(count) for end in range(start + 2, count + 1)}


def may_be_close(words: Sequence[str]) -> Callable[[str], bool]:
    """A quick necessary condition for a listed title to contain the folded title of these words
    (two or more), or to be contained in it (`duplicates.title_overlaps`): an ASCII title's
    letters are its folded words' letters, so they hold all the words' letters, or are those of
    two or more words that follow each other (`word_runs`). A title outside ASCII may always be."""
    whole = letters("".join(words))
    runs = word_runs(words)

    def check(title: str) -> bool:
        if not title.isascii():
            return True
        found = letters(title)
        return whole in found or found in runs

    return check


class TextAnchors:
    """A list's lines as one string of letters, searched for keys' anchors."""

    def __init__(self, lines: Sequence[str], joined: str | None = None) -> None:
        """`joined`: the lines joined by line feeds, when the caller has that text already."""
        joined = "\n".join(lines) if joined is None else joined
        self._lines = lines
        self._line_letters, self._mark_offsets, self._mark_letters = _marked_line_letters(joined, 0, len(joined))
        self._line_letter_parts = _whole(self._line_letters)
        self._letters = self._line_letters.replace(b"\n", b"")
        self.wild = sorted(_wild_lines(lines, joined))

    @classmethod
    def carried(
        cls, old: TextAnchors, lines: Sequence[str], joined: str, change: LineChange, *, line_feed_after: bool = False
    ) -> TextAnchors | None:
        """What `TextAnchors(lines, joined)` would be, made from `old`, the anchors of the text that
        `change` (`text_change.line_change(old text, new text)`) turned into the one of these lines
        (None: read them afresh). Only the changed lines are read: every line's letters and
        wildness are its own, and the rest is spliced and shifted at memcpy speed; the letters
        after a letterless line, which depend on the line above, are recounted around the change.
        Nothing of `old` is kept but immutable bytes.

        `line_feed_after`: `joined` is followed by one more line feed (it is the list's text, which
        spares the caller a copy of the text without it: only the changed lines are read)."""
        size = len(joined) - line_feed_after  # the length of the lines joined
        if not _fits(change, len(old._lines), len(lines), size):
            return None
        carried = cls.__new__(cls)
        carried._lines = lines
        start = _line_start(old, joined, change.start_offset, change.start == len(lines), size)
        old_end = start + _terminated_letters(old._lines[change.start:change.old_end])
        middle, offsets, letter_offsets = _middle_letters(joined, change, len(lines), size)
        if change.new_end < len(lines):  # the line after the change starts a piece of the rest
            offsets.append(change.new_end_offset)
            letter_offsets.append(len(middle))
        parts = _spliced_line_letters(old, start, middle, old_end, change)
        carried._line_letter_parts = parts if len(parts) <= _MAX_PARTS else _whole(_joined_parts(parts))
        carried._letters = b"".join((
            memoryview(old._letters)[:start - change.start],
            middle.replace(b"\n", b""),
            memoryview(old._letters)[old_end - change.old_end:],
        ))
        carried._mark_offsets, carried._mark_letters = _carried_marks(
            old, change, offsets, [start + at for at in letter_offsets], start + len(middle) - old_end
        )
        carried.wild = _carried_wild(old.wild, lines, change)
        if "_after_letterless" in vars(old):  # read for a title's question: read again around the change
            after_letterless = _carried_after_letterless(old, carried, change)
            if after_letterless is not None:  # else read afresh when a title's question asks
                carried._after_letterless = after_letterless
        return carried

    @cached_property
    def _line_letters(self) -> bytes:
        """The letters of each line, line breaks between them: joined from the parts carried (a
        carry reads none: `_letters` are searched), once a search needs them."""
        joined = _joined_parts(self._line_letter_parts)
        self._line_letter_parts = _whole(joined)  # the parts' bytes are not kept twice
        return joined

    @cached_property
    def _ends(self) -> list[int]:
        """Where each line's letters end: made when a search first finds something (most of a new
        submission's find nothing in a list of 20,000 entries)."""
        return list(accumulate(map(len, self._line_letters.split(b"\n"))))

    def lines_with(self, anchor: bytes) -> set[int]:
        """Indexes of the lines where the anchor's letters start (each anchor searched for once:
        a submission's title is a key's anchor and its title question's too, and each search
        reads the whole list's letters)."""
        found = self._found.get(anchor)
        if found is None:
            at = self._letters.find(anchor)
            found = frozenset() if at == -1 else frozenset(_lines_from(self._letters, self._ends, anchor, at))
            if len(self._found) >= _MAX_FOUND:
                self._found.clear()
            self._found[anchor] = found
        return set(found)

    @cached_property
    def _found(self) -> dict[bytes, frozenset[int]]:
        """`lines_with`'s answers by anchor (a dict: each operation one step for the workers'
        threads, which share anchors; two may search for one anchor twice, alike)."""
        return {}

    def lines_being(self, run: bytes) -> set[int]:
        """Indexes of the lines whose letters are exactly `run` (not empty)."""
        framed, needle = self._framed, b"\n" + run + b"\n"
        found: set[int] = set()
        line, counted = 0, 0
        at = framed.find(needle)
        while at != -1:  # `at`: the line break before a line being `run`, the `line`-th one
            line += framed.count(b"\n", counted, at)
            counted = at
            found.add(line)
            at = framed.find(needle, at + len(needle) - 1)  # its line break may open the next one
        return found

    @cached_property
    def _after_letterless(self) -> _Runs:
        """The letters of each line after a line without letters (a blank one, say): where a
        block starts (asked for by a title's question alone: fewer than every line's)."""
        return _Runs(frozenset(_AFTER_LETTERLESS.findall(self._line_letters)))

    def _is_after_letterless(self, run: bytes) -> bool:
        """Whether `run` (letters, not empty) is in `_after_letterless`, found by one search: a line
        break, a letterless line (not the first: no line break before it in the line letters) and
        a line being `run`."""
        return self._framed.find(b"\n\n" + run + b"\n", 1) != -1

    @cached_property
    def _framed(self) -> bytes:
        """The letters of each line, each line between two line breaks."""
        return b"\n" + self._line_letters + b"\n"

    def candidate_lines(self, keys: Collection[str], papers: Sequence[tuple[int, int]] = ()) -> list[int] | None:
        """Sorted indexes of the lines an entry with any of the keys must include one of
        (None: every line, when a key has no anchor or an empty one); `papers` as for
        `title_lines` (there only a block's first line and link lines can hold keys)."""
        return self._lines_with_any([key_anchor(key) for key in keys], self.wild_lines(papers))

    def wild_lines(self, papers: Sequence[tuple[int, int]] = ()) -> list[int]:
        """`wild` lines that may hold a key: in `papers` (as for `title_lines`), a paper's keys
        are read from its first line and from links, `](` within one line (`entry.paper_links`),
        so a wild line that is neither cannot change them (an author's name outside ASCII)."""
        if not papers or not self.wild:
            return self.wild
        lines, starts = self._lines, [start for start, _ in papers]
        kept = []
        for line in self.wild:
            at = bisect.bisect_right(starts, line) - 1
            inside = at >= 0 and line < papers[at][1]
            if not inside or line == starts[at] or not lines[line - 1].strip() or "](" in lines[line]:
                kept.append(line)
        return kept

    def title_lines(self, words: Sequence[str], papers: Sequence[tuple[int, int]] = ()) -> list[int] | None:
        """Sorted indexes of the lines an entry must include one of if its title contains the
        folded title of these words (two or more), or is contained in it, and passes
        `may_be_close` (None: every line).

        Either title then holds two of the words that follow each other, and so do its letters.
        `papers`: line ranges (half-open, ascending, apart) whose every entry is a paper whose
        title's letters are those of its first line (`kind_entries.BlockEntries.paper_ranges`).
        Most of a long list is such papers, whose titles often share a pair of words with the
        submitted one; there only a line whose letters hold all the words' letters (found
        anywhere) or are those of a run of them (`word_runs`) can be such a title's, by
        `may_be_close`, so the pairs are searched for in the rest of the text alone.
        """
        pairs = [letters(first + second) for first, second in pairwise(words)]
        if not all(pairs):
            return None
        found = set(self.wild_lines(papers)) | self.lines_with(letters("".join(words)))
        # A paper's first line follows a blank line or opens its range: a hash look-up each, as
        # most runs are no such line's letters.
        runs, after_letterless = word_runs(words), self._after_letterless
        openers = {run for run in runs if run in after_letterless}
        openers |= runs & {letters(self._lines[start]) for start, end in papers if start < end}
        for run in openers:
            found |= self.lines_being(run)
        stretches = lines_outside(papers, len(self._lines))
        if len(stretches) > _MAX_STRETCHES or _STRETCHES_SHARE * sum(e - s for s, e in stretches) > len(self._lines):
            stretches = []  # most of the text: the pairs are searched for in all of it
            for pair in pairs:
                found |= self.lines_with(pair)
        for start, end in stretches:  # an entry lies in one of them, whose letters are read alone
            found.update(start + line for line in _lines_holding(self._lines[start:end], pairs))
        return sorted(found)

    def _lines_with_any(self, anchors: Sequence[bytes | None], wild: Sequence[int]) -> list[int] | None:
        found = set(wild)
        kept = [anchor for anchor in anchors if anchor]
        if len(kept) < len(anchors):
            return None
        for anchor in _holding_no_other(kept):
            found |= self.lines_with(anchor)
        return sorted(found)


def _lines_from(text_letters: bytes, ends: Sequence[int], anchor: bytes, at: int) -> set[int]:
    """Indexes of the lines where the anchor's letters start in `text_letters`, the letters of
    lines ending at `ends`, from its first place `at` on."""
    found: set[int] = set()
    find = text_letters.find
    while at != -1:
        line = bisect.bisect_right(ends, at)
        found.add(line)
        # From the next line's letters on: this line is found already.
        at = find(anchor, ends[line]) if line < len(ends) else -1
    return found


def _lines_holding(lines: Sequence[str], anchors: Collection[bytes]) -> set[int]:
    """Indexes of the lines (of these few) where one of the anchors' letters start."""
    parts = line_letters("\n".join(lines)).split(b"\n")
    text_letters, ends = b"".join(parts), list(accumulate(map(len, parts)))
    found: set[int] = set()
    for anchor in anchors:
        at = text_letters.find(anchor)
        if at != -1:
            found |= _lines_from(text_letters, ends, anchor, at)
    return found


def _holding_no_other(anchors: Collection[bytes]) -> set[bytes]:
    """The anchors that hold no other one. Text holding an anchor holds any anchor inside it,
    which starts on a line of the same entry: searching for that one finds the entry (a
    submission's repository and its GitHub link have one anchor; an arXiv id's is in its page's)."""
    distinct = set(anchors)
    return {anchor for anchor in distinct if not any(other != anchor and other in anchor for other in distinct)}


def _fits(change: LineChange, old_count: int, new_count: int, size: int) -> bool:
    """Whether `change` turns a text of `old_count` lines into one of `new_count`, `size`
    characters without its last line feed (both some lines: the letters of no line and of one
    empty line are alike)."""
    return (
        old_count > 0 and new_count > 0 and new_count - old_count == change.line_shift
        and 0 <= change.start <= min(change.old_end, change.new_end) and change.old_end <= old_count
        and 0 <= change.start_offset <= change.new_end_offset <= size + 1
    )


def _line_start(old: TextAnchors, joined: str, offset: int, at_end: bool, size: int) -> int:
    """Where the line starting at `offset` (`at_end`: past the last line) starts in `old`'s line
    letters, each line there counted with a line break after it; `joined` holds the same text up
    to `offset`, its lines joined in its first `size` characters. Only the text from the nearest
    mark on is translated."""
    mark = bisect.bisect_right(old._mark_offsets, offset) - 1
    since = old._mark_offsets[mark]
    # Past the last line, the lines joined lack the last line's line feed, which is counted.
    return old._mark_letters[mark] + len(line_letters(joined[since:min(offset, size)])) + int(at_end and since < offset)


def _terminated_letters(lines: Sequence[str]) -> int:
    """How long the letters of these lines are, each with a line break after it."""
    return len(line_letters("\n".join(lines))) + 1 if lines else 0  # the breaks between them and the last


def _middle_letters(joined: str, change: LineChange, count: int, size: int) -> tuple[bytes, list[int], list[int]]:
    """The line letters of the changed lines of the new text (`joined`, of `count` lines joined in
    its first `size` characters), each with a line break after it, and where its pieces start
    (none when no line is there)."""
    if change.new_end == change.start:
        return b"", [], []
    end = min(change.new_end_offset, size)
    middle, offsets, letter_offsets = _marked_line_letters(joined, change.start_offset, end)
    return (middle + b"\n" if change.new_end == count else middle), offsets, letter_offsets


def _spliced_line_letters(
    old: TextAnchors, start: int, middle: bytes, old_end: int, change: LineChange
) -> list[_Part]:
    """`old`'s line letters with those from `start` to `old_end` (each line counted with a line
    break after it) replaced by `middle` (the same): the new text's, without a break after its
    last line, as parts of `old`'s and `middle` (nothing copied)."""
    parts = old._line_letter_parts
    size = sum(end - at for _, at, end in parts)
    past_last = start > size  # the change starts past the old text's last line
    if change.old_end < len(old._lines):
        return [*_cut(parts, 0, start), *([(middle, 0, len(middle))] if middle else []), *_cut(parts, old_end, size)]
    if middle:
        return [*_cut(parts, 0, start), *([(b"\n", 0, 1)] if past_last else []), (middle, 0, len(middle) - 1)]
    return _cut(parts, 0, size if past_last else start - 1)


def _joined_parts(parts: Sequence[_Part]) -> bytes:
    """The parts' bytes, end to end."""
    if len(parts) == 1 and parts[0][1] == 0 and parts[0][2] == len(parts[0][0]):
        return parts[0][0]  # whole bytes: not copied
    return b"".join(memoryview(data)[start:end] for data, start, end in parts)


def _whole(data: bytes) -> list[_Part]:
    """These bytes as parts: one part, all of them."""
    return [(data, 0, len(data))]


def _cut(parts: Sequence[_Part], start: int, end: int) -> list[_Part]:
    """What lies from `start` to `end` in these parts put end to end, as parts (none empty)."""
    found, at = [], 0
    for data, first, last in parts:
        low, high = max(start - at, 0), min(end - at, last - first)
        if low < high:
            found.append((data, first + low, first + high))
        at += last - first
        if at >= end:
            break
    return found


def _carried_marks(
    old: TextAnchors, change: LineChange, offsets: list[int], letter_offsets: list[int], letters_shift: int
) -> tuple[list[int], list[int]]:
    """`old`'s marks before the change, the changed lines' (`offsets`, `letter_offsets`), and
    `old`'s after the change shifted; marks closer than `_NEAREST_MARKS` to the one before dropped."""
    before = bisect.bisect_left(old._mark_offsets, change.start_offset)
    after = bisect.bisect_right(old._mark_offsets, change.old_end_offset)
    every_offset = [
        *old._mark_offsets[:before], *offsets, *(at + change.offset_shift for at in old._mark_offsets[after:])
    ]
    every_letter = [
        *old._mark_letters[:before], *letter_offsets, *(at + letters_shift for at in old._mark_letters[after:])
    ]
    kept_offsets, kept_letters = every_offset[:1], every_letter[:1]
    for offset, letter in zip(every_offset[1:], every_letter[1:], strict=True):
        if offset - kept_offsets[-1] >= _NEAREST_MARKS:
            kept_offsets.append(offset)
            kept_letters.append(letter)
    return kept_offsets, kept_letters


def _carried_wild(wild: Sequence[int], lines: Sequence[str], change: LineChange) -> list[int]:
    """The new text's wild lines: each line's wildness is its own (a `%` or a bracketed host is
    looked for within a line), so the old's before and after the change and the changed lines'."""
    before, after = bisect.bisect_left(wild, change.start), bisect.bisect_left(wild, change.old_end)
    changed = lines[change.start:change.new_end]
    return [
        *wild[:before],
        *sorted(change.start + line for line in _wild_lines(changed, "\n".join(changed))),
        *(line + change.line_shift for line in wild[after:]),
    ]


class _Runs:
    """Letters of lines, as a set: one made by a fresh read, shared by the anchors carried from it
    (not copied: 20,000 of them), with the runs each change added and removed (few)."""

    __slots__ = ("_added", "_removed", "_shared")

    def __init__(
        self, shared: frozenset[bytes], added: frozenset[bytes] = frozenset(), removed: frozenset[bytes] = frozenset()
    ) -> None:
        """The runs are `shared`'s but `removed`, and `added`."""
        self._shared, self._added, self._removed = shared, added, removed

    def __contains__(self, run: object) -> bool:
        return run in self._added or (run in self._shared and run not in self._removed)

    def __iter__(self) -> Iterator[bytes]:
        yield from self._added
        yield from (run for run in self._shared if run not in self._removed and run not in self._added)

    def changed(self, added: Collection[bytes], removed: Collection[bytes]) -> _Runs:
        """These runs with `added` (none of `removed`) and without `removed`; when the changes
        held come to a sixteenth of the shared runs, one set again."""
        new = [run for run in added if run not in self]
        now_added, now_removed = self._added.difference(removed).union(new), self._removed.union(removed)
        if _MAX_CHANGED_RUNS * (len(now_added) + len(now_removed)) > len(self._shared) + _MAX_CHANGED_RUNS:
            return _Runs(self._shared.difference(now_removed).union(now_added))
        return _Runs(self._shared, now_added, now_removed)


def _carried_after_letterless(old: TextAnchors, carried: TextAnchors, change: LineChange) -> _Runs | None:
    """The `_after_letterless` of `carried`, the text `change` made of `old`'s: `old`'s with the
    changed lines' (from the line above the change to the line below it, whose pair's first line
    may become or stop being the text's first line, which no pair starts on). One that the old
    lines held and the new ones do not may be held elsewhere too: one search of the whole text
    each tells (a merge of one entry loses one at most). None past `_MAX_LOST_RUNS` of them: a
    merge that rewrote a section's titles lost one each, and a search for each cost 25-60 times
    the fresh read (the caller leaves the set to be read afresh)."""
    before = set(_after_letterless_around(old._lines, change.start, change.old_end))
    after = set(_after_letterless_around(carried._lines, change.start, change.new_end))
    gone = before - after
    if len(gone) > _MAX_LOST_RUNS:
        return None
    lost = [run for run in gone if not carried._is_after_letterless(run)]
    return old._after_letterless.changed(after, lost)


def _after_letterless_around(lines: Sequence[str], start: int, end: int) -> list[bytes]:
    """The letters of the lines after a letterless line (the first line not counting as one) among
    lines start - 1 to end + 1."""
    first = max(start - 1, 0)
    letters_of = line_letters("\n".join(lines[first:end + 2])).split(b"\n")
    return [
        after for line, (before, after) in enumerate(pairwise(letters_of), first)
        if line >= 1 and not before and after
    ]


def _wild_lines(lines: Sequence[str], joined: str) -> set[int]:
    """Indexes of the lines whose keys the letters may not show: outside ASCII, or with `%` or a
    bracket in a link's host (`joined`: the lines joined by line breaks)."""
    found = set() if joined.isascii() else {index for index, line in enumerate(lines) if not line.isascii()}
    patterns = (_ESCAPE, _BRACKETED_HOST) if "%" in joined else (_BRACKETED_HOST,)  # `in`: 10x a search
    marks = [match.start() for pattern in patterns for match in pattern.finditer(joined)]
    if marks:
        line_ends = list(accumulate(map(add, map(len, lines), repeat(1))))  # each past its line break
        found.update(bisect.bisect_right(line_ends, mark) for mark in marks)
    return found
