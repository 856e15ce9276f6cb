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
takes its suffix's pieces from the kept file's cut `b - change` (mod 3). Only cut 0 is ever
encoded (it is what a PUT sends); cuts 1 and 2 hold what earlier files' cuts 0 made, moved there
by the changes since, and a piece a splice takes that no file made yet is made then. Inserting
40 entries one by one at random places in a 20,000-entry list (4 MB; `python -m
bench.encodings_splice`), `encode` took a median of
1.3 ms (mean 1.8 ms) against 12 ms for `b64encode`, making a median of 66 KB of base64 afresh
(mean 350 KB: a shift into a cut not yet made costs up to the rest of the file once).
"""

from __future__ import annotations

import binascii
import bisect
import threading
from collections.abc import Sequence

from bot.core.text_change import common_prefix, common_suffix, small_change

_PIECE_BYTES = 3 << 14  # 48 KiB of a file to a piece (a multiple of 3): 64 KiB of base64, sent as one
# Files kept at most: `encode` compares the new file with each kept one of a near length (half a
# millisecond for a 4 MB list), and an installation's next write is one of its last few.
_MAX_KEPT = 8
# Enough for the last few writes of a 5 MB list (each kept file counted with the base64 made of
# it); a bound in bytes, like the file cache's (`bot.gateway.cache`).
DEFAULT_ENCODING_BYTES = 64 * 1024 * 1024


class _Cut:
    """A file cut into pieces at `starts` (ascending, each `alignment` more than a multiple of 3;
    every piece but the last a multiple of 3 bytes long), with each piece's base64 once made.

    Made whole when a file is cut, and filled (`encoded`) before the file is kept: a kept file's
    cuts, which the workers' threads share, are never changed."""

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

    def shared(self, content: bytes) -> tuple[int, int] | None:
        """The lengths of the prefix and the suffix this file and `content` share, or None when
        they differ in more than an eighth of `content` (encoding it afresh then costs little
        more); told from the lengths alone when those are that far apart."""
        old = self.content
        if not small_change(abs(len(content) - len(old)), len(content)):
            return None
        prefix = common_prefix(old, content)
        suffix = common_suffix(old, content, min(len(old), len(content)) - prefix)
        if not small_change(len(content) - prefix - suffix, len(content)):
            return None
        return prefix, suffix

    def spliced(self, content: bytes, prefix: int, suffix: int, piece: int) -> _Kept:
        """`content`, which shares `prefix` and `suffix` bytes with this file, cut from its cuts."""
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
        that piece and those after it, moved by `shift` (the bytes the change added).

        New pieces span at least half a piece (a shorter stretch takes in the pieces after it), so
        pieces do not shrink however many changes fall among them: each is sent with a system call
        of its own, and a file of many small pieces is slower to splice than to encode."""
        if length <= alignment:
            return _Cut([], [])
        shift = length - len(self.content)
        head = self.cuts[alignment]
        taken = max(bisect.bisect_right(head.starts, prefix) - 1, 0)
        middle_start = head.starts[taken] if head.starts else alignment
        tail = self.cuts[(alignment - shift) % 3]
        first = bisect.bisect_left(tail.starts, max(len(self.content) - suffix, middle_start - shift))
        while first < len(tail.starts) and tail.starts[first] + shift - middle_start < piece // 2:
            first += 1
        middle_end = tail.starts[first] + shift if first < len(tail.starts) else length
        middle = _even_starts(middle_start, middle_end, piece)
        return _Cut(
            [*head.starts[:taken], *middle, *(start + shift for start in tail.starts[first:])],
            [*head.pieces[:taken], *[None] * len(middle), *tail.pieces[first:]],
        )


def _even_starts(start: int, end: int, piece: int) -> list[int]:
    """Where pieces of at most `piece` bytes start from `start` to `end`, as few as can be and of
    one length (a multiple of 3), the last perhaps shorter."""
    if end <= start:
        return []
    count = -(-(end - start) // piece)
    length = -(-(end - start) // (3 * count)) * 3
    return list(range(start, end, length))


def _within(files: list[_Kept], max_bytes: int) -> list[_Kept]:
    """The first of `files` that hold at most `max_bytes` together: each file's bytes and its
    pieces' base64, a piece two files share counted once."""
    seen: set[int] = set()
    total = 0
    for count, file in enumerate(files):
        total += len(file.content)
        for cut in file.cuts:
            for piece in cut.pieces:
                if piece is not None and id(piece) not in seen:
                    seen.add(id(piece))
                    total += len(piece)
        if total > max_bytes:
            return files[:count]
    return files


class EncodingMemory:
    """The base64 of the files encoded last: at most `_MAX_KEPT` files and `max_bytes` of them
    and their base64, the most recent first (a file over the bound alone is not kept, and drops
    none). `encode` answers a file's base64 in pieces, spliced from the kept file it differs from
    in the shortest stretch, when that stretch is short."""

    def __init__(self, max_bytes: int = DEFAULT_ENCODING_BYTES, piece: int = _PIECE_BYTES) -> None:
        if piece <= 0 or piece % 3:
            raise ValueError(f"a piece must be a positive multiple of 3 bytes, not {piece}")
        self.max_bytes = max_bytes
        self._piece = piece
        self._lock = threading.Lock()
        self._kept: list[_Kept] = []

    def encode(self, content: bytes) -> Sequence[bytes]:
        """base64(content), in pieces: joined, they are `base64.b64encode(content)`."""
        made = self._spliced(content) or _Kept.fresh(content, self._piece)
        pieces = made.cuts[0].encoded(content)
        self._keep(made)
        return pieces

    def _spliced(self, content: bytes) -> _Kept | None:
        """`content` cut from the kept file it differs from in the shortest stretch (the most
        recent first; one within a piece is as good as any), or None."""
        with self._lock:
            kept = list(self._kept)
        best: tuple[int, _Kept, int, int] | None = None
        for old in kept:
            if (shared := old.shared(content)) is None:
                continue
            changed = len(content) - shared[0] - shared[1]
            if best is None or changed < best[0]:
                best = (changed, old, *shared)
            if changed <= self._piece:
                break
        return None if best is None else best[1].spliced(content, best[2], best[3], self._piece)

    def _keep(self, made: _Kept) -> None:
        """Keep `made` first, in place of a file equal to it, and drop the oldest past the bounds."""
        with self._lock:
            others = [old for old in self._kept if old.content != made.content]
            fits = _within([made], self.max_bytes)
            self._kept = _within([*fits, *others][:_MAX_KEPT], self.max_bytes)

    @property
    def count(self) -> int:
        """How many files are kept."""
        with self._lock:
            return len(self._kept)

    @property
    def held_bytes(self) -> int:
        """What the kept files and their base64 come to (a piece they share counted once)."""
        with self._lock:
            kept = list(self._kept)
        pieces = {id(piece): piece for file in kept for cut in file.cuts for piece in cut.pieces if piece is not None}
        return sum(len(file.content) for file in kept) + sum(map(len, pieces.values()))
