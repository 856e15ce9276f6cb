"""The base64 of the files listbot wrote last, kept in pieces, so that a file which differs from one
of them in one stretch is encoded by splicing: only that stretch is encoded afresh.

A contents API PUT carries the whole file in base64 (GitHub documents no other body), and for a
4 MB list `b64encode` alone takes 10 ms of CPU: the largest part of a new submission's reconcile
that grows with the list. Yet the file each submission writes is its base list plus one entry,
and that base is most often the file of a PR listbot wrote before (now merged), or the base of
the file it wrote last: a few hundred bytes differ.

Base64 turns each 3 bytes into 4 characters on their own, so base64(a + b) is base64(a) followed
by base64(b) whenever len(a) is a multiple of 3. A kept file's base64 is in pieces, each the
base64 of a stretch of the file (every stretch but the last a multiple of 3 bytes long). A new
file that shares a prefix and a suffix with a kept one takes the kept pieces that lie in the
prefix, encodes the changed stretch, and takes the kept pieces that lie in the suffix: they moved
by the change's length, and where that is not a multiple of 3 they no longer start on a multiple
of 3. So each file is kept cut three ways (`_Cut`): cut `a` starts its pieces at offsets that are
`a` more than a multiple of 3 (its pieces are the base64 of file[a:]), and the new file's cut `b`
takes its suffix's pieces from the kept file's cut `b - change` (mod 3). A piece is encoded only
when a base64 that holds it is asked for: cuts 1 and 2 cost nothing until a change needs them,
and once made they are carried from file to file like cut 0.
"""

from __future__ import annotations

import binascii
import bisect
import threading
from collections.abc import Sequence

from bot.core.text_change import common_prefix, common_suffix

_PIECE = 3 << 14  # 48 KiB of a file to a piece (a multiple of 3): 64 KiB of base64, sent as one
_WORTH_SPLICING = 8  # splice when the changed stretch is at most an eighth of the new file
# Enough for the last few writes of a 5 MB list (each kept file counted with its base64); a bound
# in bytes, like the file cache's (`bot.gateway.cache`).
DEFAULT_ENCODING_BYTES = 64 * 1024 * 1024


class _Cut:
    """A file cut into pieces at `starts` (ascending, each `alignment` more than a multiple of 3;
    every piece but the last a multiple of 3 bytes long), with each piece's base64 once made.

    The lists are never resized once made, only filled in: threads that fill one piece at once
    write the same bytes."""

    __slots__ = ("pieces", "starts")

    def __init__(self, starts: list[int], pieces: list[bytes | None]) -> None:
        self.starts = starts
        self.pieces = pieces

    @classmethod
    def fresh(cls, length: int, alignment: int, piece: int) -> _Cut:
        starts = list(range(alignment, length, piece))
        return cls(starts, [None] * len(starts))

    def encoded(self, content: bytes) -> list[bytes]:
        """The pieces' base64, made where it is not yet (`content` is the file these cuts are of)."""
        view = memoryview(content)
        ends = [*self.starts[1:], len(content)]
        made: list[bytes] = []
        for index, piece in enumerate(self.pieces):
            if piece is None:
                piece = self.pieces[index] = binascii.b2a_base64(view[self.starts[index]:ends[index]], newline=False)
            made.append(piece)
        return made

    def made_bytes(self) -> int:
        return sum(len(piece) for piece in self.pieces if piece is not None)


class _Kept:
    """A file and its three cuts."""

    __slots__ = ("content", "cuts")

    def __init__(self, content: bytes, cuts: tuple[_Cut, _Cut, _Cut]) -> None:
        self.content = content
        self.cuts = cuts

    @classmethod
    def fresh(cls, content: bytes, piece: int) -> _Kept:
        length = len(content)
        return cls(content, (_Cut.fresh(length, 0, piece), _Cut.fresh(length, 1, piece), _Cut.fresh(length, 2, piece)))

    def spliced(self, content: bytes, piece: int) -> _Kept | None:
        """`content` cut from this file's cuts, or None when the two differ in more than an eighth
        of `content` (encoding it afresh then costs little more)."""
        old = self.content
        prefix = common_prefix(old, content)
        suffix = common_suffix(old, content, min(len(old), len(content)) - prefix)
        if _WORTH_SPLICING * (len(content) - prefix - suffix) > len(content):
            return None
        cuts = (
            self._spliced_cut(0, len(content), prefix, suffix, piece),
            self._spliced_cut(1, len(content), prefix, suffix, piece),
            self._spliced_cut(2, len(content), prefix, suffix, piece),
        )
        return _Kept(content, cuts)

    def _spliced_cut(self, alignment: int, length: int, prefix: int, suffix: int, piece: int) -> _Cut:
        """The new file's cut `alignment`: the pieces of this file's cut `alignment` that end in
        the shared prefix (never its last piece, which may be short), new pieces from there to the
        first piece of this file's cut `alignment - shift` that starts in the shared suffix, and
        that piece and those after it, moved by `shift` (the bytes the change added)."""
        if length <= alignment:
            return _Cut([], [])
        shift = length - len(self.content)
        head = self.cuts[alignment]
        taken = max(bisect.bisect_right(head.starts, prefix) - 1, 0)
        middle_start = head.starts[taken] if head.starts else alignment
        tail = self.cuts[(alignment - shift) % 3]
        first = bisect.bisect_left(tail.starts, max(len(self.content) - suffix, middle_start - shift))
        middle_end = tail.starts[first] + shift if first < len(tail.starts) else length
        middle = list(range(middle_start, middle_end, piece))
        return _Cut(
            [*head.starts[:taken], *middle, *(start + shift for start in tail.starts[first:])],
            [*head.pieces[:taken], *[None] * len(middle), *tail.pieces[first:]],
        )

    def held_bytes(self) -> int:
        return len(self.content) + sum(cut.made_bytes() for cut in self.cuts)


class EncodingMemory:
    """The base64 of the files encoded last, at most `max_bytes` of files and their base64 held
    (the most recent first; a file over the bound is not kept). `encode` answers a file's base64
    in pieces, spliced from the most recent kept file it differs from in one short stretch."""

    def __init__(self, max_bytes: int = DEFAULT_ENCODING_BYTES, piece: int = _PIECE) -> None:
        if piece <= 0 or piece % 3:
            raise ValueError(f"a piece must be a positive multiple of 3 bytes, not {piece}")
        self.max_bytes = max_bytes
        self._piece = piece
        self._lock = threading.Lock()
        self._kept: list[_Kept] = []

    def encode(self, content: bytes) -> Sequence[bytes]:
        """base64(content), in pieces: joined, they are `base64.b64encode(content)`."""
        with self._lock:
            kept = list(self._kept)
        made = next((spliced for old in kept if (spliced := old.spliced(content, self._piece)) is not None), None)
        if made is None:
            made = _Kept.fresh(content, self._piece)
        pieces = made.cuts[0].encoded(content)
        self._keep(made)
        return pieces

    def _keep(self, made: _Kept) -> None:
        """Keep `made` first, in place of a file equal to it, and drop the oldest past the bound."""
        with self._lock:
            held = [made, *(old for old in self._kept if old.content != made.content)]
            sizes = [kept.held_bytes() for kept in held]
            while held and sum(sizes) > self.max_bytes:
                held.pop()
                sizes.pop()
            self._kept = held

    @property
    def held_bytes(self) -> int:
        """What the kept files and their base64 come to (a piece two files share counted twice)."""
        with self._lock:
            return sum(kept.held_bytes() for kept in self._kept)
