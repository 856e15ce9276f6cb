"""Where a text differs from one read before: one stretch of whole lines, found at memcmp speed.

A list's base text changes between reconciles by a merge, most often of one entry. Whatever was
read from the old text outside the changed lines can be carried to the new text (shifted by the
lines and characters the change adds) instead of being read again: `ListDocument.carried`,
`TextAnchors.carried` and `BlockEntries.carried` do that, each for what it reads.

Only texts whose every line ending is one line feed are compared (`line_change` answers None
otherwise): their lines are `text.split("\n")` without the empty string after a last line feed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import AnyStr, NamedTuple

_PIECE = 1 << 16  # characters compared at once: a slice each side and one memcmp
_WORTH_CARRYING = 8  # carry only when the changed lines are at most an eighth of the text


class LineChange(NamedTuple):
    """Lines `start` to `old_end` (half-open) of the old text became lines `start` to `new_end` of
    the new one; every line before and after them is the same, character for character (the lines
    from `old_end` on are the new text's lines from `new_end` on). Offsets are where those lines
    start in each text (the text's length past its last line)."""

    start: int
    old_end: int
    new_end: int
    start_offset: int
    old_end_offset: int
    new_end_offset: int

    @property
    def line_shift(self) -> int:
        """What to add to an old line index at or after `old_end` to get its index in the new text."""
        return self.new_end - self.old_end

    @property
    def offset_shift(self) -> int:
        """What to add to an old offset at or after `old_end_offset` to get it in the new text."""
        return self.new_end_offset - self.old_end_offset


def common_prefix(old: AnyStr, new: AnyStr, piece: int = _PIECE) -> int:
    """The length of the longest common prefix: pieces compared at C speed, then the first piece
    that differs halved until one character is left. Only `new`'s pieces are copied: `startswith`
    compares one in place (copying both sides was most of the cost). Texts or bytes alike."""
    size = min(len(old), len(new))
    at = 0
    while at < size and old.startswith(new[at:min(at + piece, size)], at):
        at += piece
    if at >= size:
        return size
    low, high = at, min(at + piece, size)  # the prefix ends in low..high
    while high - low > 1:
        middle = (low + high) // 2
        if old.startswith(new[low:middle], low):
            low = middle
        else:
            high = middle
    return low + (old[low] == new[low] if low < size else 0)


def common_suffix(old: AnyStr, new: AnyStr, most: int, piece: int = _PIECE) -> int:
    """The length of the longest common suffix, at most `most` characters (`new`'s pieces compared
    in place in `old` by `endswith`, as `common_prefix` does)."""
    end_old, end_new = len(old), len(new)
    at = 0
    while at < most:
        step = min(piece, most - at)
        if not old.endswith(new[end_new - at - step:end_new - at], 0, end_old - at):
            break
        at += step
    else:
        return most
    low, high = at, min(at + piece, most)  # the suffix's length is in low..high
    while high - low > 1:
        middle = (low + high) // 2
        if old.endswith(new[end_new - middle:end_new - low], 0, end_old - low):
            low = middle
        else:
            high = middle
    if low < most and old[end_old - low - 1] == new[end_new - low - 1]:
        return low + 1
    return low


def line_change(
    old: str, new: str, piece: int = _PIECE, line_at: Callable[[int], int] | None = None, *, worth_only: bool = False
) -> LineChange | None:
    """The stretch of whole lines in which `new` differs from `old` (None when a line ending in
    either is not a lone line feed). Equal texts differ in no line.

    `line_at(offset)`: the index of the line of `old` that starts at `offset`, when the caller
    knows a quicker way than counting the line feeds above it (a document knows its headings').
    `worth_only`: None too when the change is not worth carrying (`worth_carrying`), found before
    any line is counted (two changes far apart in a 20,000-entry list: the lines between them
    cost 38 M instructions to count)."""
    if "\r" in old or "\r" in new:
        return None
    if old == new:
        count = _lines_in(old, 0, len(old))
        return LineChange(count, count, count, len(old), len(old), len(old))
    # The start of the line the common prefix ends in; the suffix may reach back to it (an entry
    # inserted before one that starts alike is then the inserted lines alone).
    start_offset = old.rfind("\n", 0, common_prefix(old, new, piece)) + 1
    suffix = common_suffix(old, new, min(len(old), len(new)) - start_offset, piece)
    cut = len(old) - suffix
    if suffix and cut > 0 and len(new) > suffix and old[cut - 1] == "\n" == new[len(new) - suffix - 1]:
        kept = suffix  # the suffix starts a line in both (held back from the line the prefix ends in)
    else:  # past the first line feed in the common suffix, every line is whole and the same
        newline = old.find("\n", cut)
        kept = len(old) - newline - 1 if newline != -1 else 0
    old_end_offset, new_end_offset = len(old) - kept, len(new) - kept
    if worth_only and not small_change(new_end_offset - start_offset, len(new)):
        return None
    start = old.count("\n", 0, start_offset) if line_at is None else line_at(start_offset)
    return LineChange(
        start,
        start + _lines_in(old, start_offset, old_end_offset),
        start + _lines_in(new, start_offset, new_end_offset),
        start_offset,
        old_end_offset,
        new_end_offset,
    )


def worth_carrying(change: LineChange | None, new: str) -> bool:
    """Whether what was read from the old text is worth carrying to `new`: its changed lines are at
    most an eighth of it (past that, reading it afresh costs little more)."""
    return change is not None and small_change(change.new_end_offset - change.start_offset, len(new))


def small_change(changed: int, length: int) -> bool:
    """Whether `changed` characters (or bytes) of a new text `length` long are few enough for what
    was made of the old text to be carried to it (read, or encoded): at most an eighth. The one rule
    for everything carried or spliced from an older text."""
    return _WORTH_CARRYING * changed <= length


def _lines_in(text: str, start: int, end: int) -> int:
    """How many lines start in text[start:end], where `start` starts a line and `end` starts one
    or is the text's length: a line that starts there and runs to the text's end counts too."""
    count = text.count("\n", start, end)
    if end == len(text) and end > start and not text.endswith("\n"):
        count += 1  # the last line has no line feed of its own
    return count


def same_text(one: str, other: str) -> bool:
    """Whether two texts are equal, told without a hash of either (a str hash is a pass over a
    4 MB list, for every new text): the same string, or of one length and equal (a memcmp)."""
    return one is other or (len(one) == len(other) and one == other)


def lines_of(text: str) -> list[str]:
    """The lines `line_change` counts: `text.split("\n")` without the empty string after a last
    line feed (the lines of `document.ListDocument`)."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines
