"""The list document: its headings, sections and entries, and byte-exact line splicing."""

from __future__ import annotations

import bisect
import re
import weakref
from collections.abc import Iterator, Sequence
from functools import cached_property, lru_cache
from itertools import chain, compress
from typing import NamedTuple

from bot.core.markdown_blocks import (
    AtxHeading,
    Blocks,
    FencedBlock,
    HtmlBlock,
    LineStarts,
    count_opener_marks,
    may_open_block,
    opener_marks_dense,
    opens_html_after_text,
    opens_other_block,
    opens_shared_html_block,
    read_blocks,
    read_placed,
)
from bot.core.text_change import LineChange, line_change, lines_of, same_text, small_change

PAPERS_HEADING = "Papers"
TOC_HEADING = "Table of Contents"

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+\Z")
_LINE_END = re.compile(r"\r\n|\n|\r")
_YEAR = re.compile(r"[0-9]{4}")  # ASCII digits: `\d` would read `### ２０２４` as a year
_RUN = re.compile(rb"\x01+")
# Characters none of which can start inline markup for mistune (see `_inline_plain`).
_INLINE_INERT = re.compile(r"[^\\`*_\[\]!<>&~#]*")
_TOC_ITEM = re.compile(r"(\s*)[-*+] \[([^\]]*)\]\(#([^)]*)\)\s*")
# A line where mistune's reading of blocks may differ from the block reader's: one that starts
# (after spaces and list markers) a block quote (mistune lets a heading continue a quote lazily),
# HTML, a fence, or a link reference definition. A document without such lines and whose headings
# are plain (`## Text`) has exactly the block reader's headings, and no mistune parse is needed.
_MISTUNE_ONLY_TEXT = r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*(?:[<>`~]|\[[^\]\n]*\]:)"
_MISTUNE_ONLY = re.compile(_MISTUNE_ONLY_TEXT)
_MISTUNE_ONLY_LINES = LineStarts(_MISTUNE_ONLY_TEXT)
_REFERENCE_MARK = re.compile(r"\]:")


def mistune_only(line: str) -> bool:
    """Whether mistune's reading of blocks may differ from the block reader's at this line."""
    return _MISTUNE_ONLY.match(line) is not None


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class Heading(NamedTuple):
    """A heading mistune recognised, with the index of the line it sits on."""

    level: int
    text: str
    line: int

    @property
    def year(self) -> int | None:
        return int(self.text) if _YEAR.fullmatch(self.text) else None


class Block(NamedTuple):
    """A run of non-blank lines (an entry) inside a section, as a half-open line range (a named
    tuple: a list's blocks are made by the thousand)."""

    start: int
    end: int


def github_anchor(text: str) -> str:
    """The anchor GitHub gives a heading: lower-case, punctuation dropped, spaces to hyphens."""
    kept = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return kept.replace(" ", "-")


def split_lines(text: str) -> list[str]:
    """Split text into lines that keep their own line endings, so joining them is lossless."""
    return _LINE.findall(text)


def detect_newline(text: str) -> str:
    """The file's newline style, taken from its first line ending (LF when there is none)."""
    match = re.search(r"\r\n|\n|\r", text)
    return match[0] if match else "\n"


def strip_ending(line: str) -> str:
    return line.rstrip("\r\n")


def lines_outside(ranges: Sequence[tuple[int, int]], count: int) -> list[tuple[int, int]]:
    """The stretches of lines 0..count outside these line ranges (half-open, ascending, apart), in order."""
    stretches, at = [], 0
    for start, end in ranges:
        if start > at:
            stretches.append((at, start))
        at = max(at, end)
    if at < count:
        stretches.append((at, count))
    return stretches


def _lines_of(text: str) -> list[str]:
    """`[strip_ending(line) for line in split_lines(text)]`, split in one call (an LF-only text's
    lines are those `text_change` counts)."""
    if "\r" not in text:
        return lines_of(text)
    lines = _LINE_END.split(text)
    if lines[-1] == "":  # the text ends with a line ending (or is empty): no line follows it
        lines.pop()
    return lines


class ListDocument:
    """A parsed list file. Structure comes from mistune; edits splice lines and keep the rest."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _lines_of(text)
        self.newline = detect_newline(text)
        # Where each heading's line starts in an LF-only text, found with the headings: the offset
        # of a line is then the nearest heading's plus the lengths of the lines between.
        self._heading_starts: dict[int, int] = {}
        # The marks the search for lines that may open a block counted (None when they are dense
        # or the text has a CR): a document carried to a new text counts them there from these.
        self._opener_marks: int | None = None
        if "\r" in text:
            self.structure = read_blocks(self.lines)
        else:
            self.structure, self._heading_starts, self._opener_marks = read_placed(self.lines, text)
        self._verbatim = self.structure.verbatim_lines()
        # Whether the block reader's headings are exactly mistune's (no mistune parse was needed).
        self.plain_headings = self._plain_headings()
        self.headings = self._locate_headings()
        self._heading_lines = [heading.line for heading in self.headings]  # ascending
        self._start_memos()

    def _start_memos(self) -> None:
        """What a document remembers of the questions asked of it: nothing yet."""
        self._last_offset = (0, 0)  # the line `line_offset` was asked about last, and its offset
        self._scanned = 0  # lines `blocks` read by themselves, before the document's runs were found
        # The ranges `blocks` read by themselves, by (start, end): each plan round of a reconcile
        # places its entry again, asking for the same year section's blocks (a dict: each of its
        # operations is one step for the workers' threads, which share documents).
        self._scanned_ranges: dict[tuple[int, int], tuple[Block, ...]] = {}
        # The document this one was carried from (a weak reference: a chain of base texts is never
        # kept alive) and the change between their texts; None when read afresh.
        self._carried_from: tuple[weakref.ref[ListDocument], LineChange] | None = None

    @classmethod
    def carried(cls, old: ListDocument, text: str, change: LineChange) -> ListDocument | None:
        """The document of `text`, which is `old.text` changed in `change`'s lines (as
        `text_change.line_change(old.text, text)` finds them): `old`'s reading of the lines outside
        the change, shifted, and the changed lines read afresh — every attribute and every answer
        `ListDocument(text)` would have, at the cost of the changed lines and a copy of the lists
        of lines, not a read of the text. None when carrying might not be exact (`_carries`)."""
        changed = _lines_of(text[change.start_offset:change.new_end_offset])
        old_marks = old._opener_marks
        if old_marks is None or len(changed) != change.new_end - change.start or not old._carries(change, changed):
            return None
        doc = cls.__new__(cls)
        doc.text = text
        doc.lines = old.lines.copy()  # pointers copied at C speed
        doc.lines[change.start:change.old_end] = changed
        doc.newline = old.newline  # LF: both texts' line endings are all LF
        marks = old_marks - count_opener_marks(old.text[change.start_offset:change.old_end_offset])
        marks += count_opener_marks(text[change.start_offset:change.new_end_offset])
        dense = opener_marks_dense(marks, text)
        doc._opener_marks = None if dense else marks
        doc.structure = _shifted_blocks(old.structure, change, len(doc.lines))
        doc._heading_starts = {} if dense else {
            line: start for line, start in old._heading_starts.items() if line < change.start
        } | {
            line + change.line_shift: start + change.offset_shift
            for line, start in old._heading_starts.items() if line >= change.old_end
        }
        doc._verbatim = old._verbatim.copy()
        doc._verbatim[change.start:change.old_end] = [False] * len(changed)
        doc.plain_headings = True
        kept = bisect.bisect_left(old._heading_lines, change.start)
        doc.headings = [
            *old.headings[:kept],
            *(Heading(h.level, h.text, h.line + change.line_shift) for h in old.headings[kept:]),
        ]
        doc._heading_lines = [heading.line for heading in doc.headings]
        doc._start_memos()
        doc._carried_from = (weakref.ref(old), change)
        return doc

    def _carries(self, change: LineChange, changed: list[str]) -> bool:
        """Whether this document's reading outside `change`'s lines, shifted, is exactly the reading
        of the new text in which they became `changed`:
        - the marks of lines that may open a block were counted here (not dense, no CR), so they
          are counted in the new text from these;
        - the headings are plain, and the change lies below the first one: the new text's are
          plain too (`_plain_headings` reads the same headings, and the same banners above the
          first one, and no line in the change is `mistune_only`);
        - no changed line, old or new, may open a block (`may_open_block`): the block reader
          visits the same lines, none of them in the change;
        - no changed line is code or HTML, nor the line above them: every block ends above the
          change or starts below it, so none runs into the changed lines or on past them;
        - the line below them may not open HTML of type 7 (`opens_html_after_text`), the only
          block that depends on whether a paragraph runs into its line, which is read from the
          line above it — now a changed line, or the line above the change.
        The last two follow from the first two today (every code or HTML block of a document with
        plain headings is a banner above its first heading); they are kept so that carrying stays
        exact should `_plain_headings` ever let blocks below.
        """
        start, old_end = change.start, change.old_end
        headings = self.structure.headings
        if self._opener_marks is None or not self.plain_headings or not headings or start <= headings[0].line:
            return False
        if old_end > len(self.lines) or True in self._verbatim[start - 1:old_end]:
            return False
        if old_end < len(self.lines) and opens_html_after_text(self.lines[old_end]):
            return False
        return not any(
            may_open_block(line) or mistune_only(line) for line in chain(self.lines[start:old_end], changed)
        )

    def carried_from(self) -> tuple[ListDocument, LineChange] | None:
        """The document this one was carried from and the change between their texts (see
        `carried`); None when it was read afresh or that document is gone."""
        if self._carried_from is None:
            return None
        old, change = self._carried_from[0](), self._carried_from[1]
        return None if old is None else (old, change)

    def _line_starting_at(self, offset: int) -> int:
        """The index of the line that starts at `offset` (of an LF-only text): the line feeds
        counted from the nearest heading above it whose place is known, not from the text's start."""
        lines, starts = self._placed_heading_lines, self._placed_heading_starts
        at = bisect.bisect_right(starts, offset) - 1
        line, start = (lines[at], starts[at]) if at >= 0 else (0, 0)
        return line + self.text.count("\n", start, offset)

    def joined_lines(self) -> str:
        """`"\n".join(self.lines)`: when every line ending is LF, the text without its last one
        (one copy of the text instead of a join of 100,000 lines)."""
        if "\r" in self.text:
            return "\n".join(self.lines)
        return self.text[:-1] if self.text.endswith("\n") else self.text

    def _locate_headings(self) -> list[Heading]:
        """The document's headings: the block reader's where that is exact, else mistune's."""
        if self.plain_headings:
            return [Heading(h.level, _inline_plain(h.raw), h.line) for h in self.structure.headings]
        return self._mistune_headings()

    def _plain_headings(self) -> bool:
        """Whether the block reader's headings are exactly mistune's (see `_MISTUNE_ONLY`).

        Each heading is `#`s, one space and text with no surrounding blanks, closing `#`, tab or
        table pipe, so both read the same text; the scan for other blocks is one regex over the text.
        """
        for heading in self.structure.headings:
            raw = heading.raw
            if (
                not raw or raw != raw.strip() or raw.endswith("#") or not raw.isprintable() or "|" in raw
                or self.lines[heading.line] != f"{'#' * heading.level} {raw}"
            ):
                return False
        text = self.text if "\r" not in self.text else "\n".join(self.lines)  # `^` follows LF only
        # Every line `_MISTUNE_ONLY` matches holds one of these: most lists hold none, found at C
        # speed (`]:` by a regex, whose search skips along `]`s twice as fast as `in` does).
        if not any(mark in text for mark in ("<", ">", "`", "~")) and not _REFERENCE_MARK.search(text):
            return True
        return self._only_in_leading_html(text)

    def _only_in_leading_html(self, text: str) -> bool:
        """Whether every line `_MISTUNE_ONLY` matches in the LF-joined `text` lies in an HTML block
        above the first heading that starts a line after a blank one (or the first line) and is
        followed by a blank line (or the end): a list's banner. Nothing is open before or after
        such a block, so the rest reads as a document of its own, one the regex finds nothing in."""
        first_heading = self.structure.headings[0].line if self.structure.headings else len(self.lines)
        banners = [
            block for block in self.structure.html
            if block.end <= first_heading and self._is_banner(block.start, block.end)
        ]
        return all(
            any(block.start <= line < block.end for block in banners) for line in _MISTUNE_ONLY_LINES.lines(text)
        )

    def _is_banner(self, start: int, end: int) -> bool:
        """Whether lines start..end are an HTML block mistune reads exactly as the block reader
        does: a type 6 tag both know opens it at the first column, blank lines (or the text's
        ends) surround it, and no line in it could open a heading, a fence or an HTML block of
        another type, should the readers disagree about where it ends."""
        lines = self.lines
        return (
            lines[start].startswith("<") and opens_shared_html_block(lines[start])
            and (start == 0 or not lines[start - 1].strip())
            and (end == len(lines) or not lines[end].strip())
            and not any(opens_other_block(line) for line in lines[start + 1:end])
        )

    def _mistune_headings(self) -> list[Heading]:
        """Pair mistune's top-level headings, in order, with the lines they come from.

        mistune decides what is a heading (not code, not HTML, not inside a list); the block
        reader (`markdown_blocks`) only says on which line. Only the block pass runs: inline
        parsing of every entry would cost three times as much and tells us nothing about structure.
        """
        from bot.core.mistune_reading import atx_headings  # mistune only for the lists that need it

        located: list[Heading] = []
        candidates, next_candidate = self.structure.headings, 0
        for level, raw in atx_headings(self.text):
            # A heading the block reader did not see (it read that line as HTML) has no line to
            # give: it is left out, and the later headings are still paired.
            for index in range(next_candidate, len(candidates)):
                if candidates[index].level == level and candidates[index].raw.strip() == raw:
                    located.append(Heading(level, _inline_plain(raw), candidates[index].line))
                    next_candidate = index + 1
                    break
        return located

    # --- structure --------------------------------------------------------------------------

    def find_heading(self, level: int, text: str) -> Heading | None:
        return next((h for h in self.headings if h.level == level and h.text == text), None)

    def section_end(self, heading: Heading) -> int:
        """Index of the first line after the heading's section (next heading of level <= its)."""
        for other in self.headings:
            if other.line > heading.line and other.level <= heading.level:
                return other.line
        return len(self.lines)

    def body_end(self, heading: Heading) -> int:
        """Index of the first line after the heading's own text (the next heading of any level).

        A binary search: lint asks this for every heading, and a file of thousands of headings
        made a scan per heading quadratic.
        """
        after = bisect.bisect_right(self._heading_lines, heading.line)
        return self._heading_lines[after] if after < len(self._heading_lines) else len(self.lines)

    def year_headings(self) -> list[Heading]:
        """The `### YYYY` headings under `## Papers`, in file order."""
        papers = self.find_heading(2, PAPERS_HEADING)
        if papers is None:
            return []
        end = self.section_end(papers)
        return [
            h for h in self.headings
            if papers.line < h.line < end and h.level == 3 and h.year is not None
        ]

    def blocks(self, start: int, end: int) -> list[Block]:
        """Runs of non-blank lines between two line indexes; a code or HTML block is never split.

        The document's runs are found once (`_runs`); a range's blocks are the runs that overlap
        it, cut to it, so asking for a year section's blocks costs its blocks, not its lines.
        Until the ranges asked about add up to half the document, each is read by itself instead
        (`_scanned_blocks`, remembered by range): placing one entry asks about its year section
        alone, once in each plan round, and finding the runs of a 20,000-entry list costs more.
        """
        start = max(start, 0)
        end = max(min(end, len(self.lines)), start)
        if (scanned := self._scanned_ranges.get((start, end))) is not None:
            return list(scanned)
        if "_runs" not in self.__dict__ and self._scanned + (end - start) <= len(self.lines) // 2:
            self._scanned += end - start  # threads may race here: it only picks a way
            blocks = self._scanned_blocks(start, end)
            self._scanned_ranges[start, end] = tuple(blocks)
            return blocks
        starts, ends = self._runs
        found: list[Block] = []
        index = bisect.bisect_right(ends, start)
        while index < len(starts) and starts[index] < end and start < end:
            found.append(Block(max(starts[index], start), min(ends[index], end)))
            index += 1
        return found

    def _scanned_blocks(self, start: int, end: int) -> list[Block]:
        """`blocks(start, end)` read from those lines alone: the runs that overlap them, cut to them."""
        return [Block(start + first, start + last) for first, last in self._run_spans(start, end)]

    def _run_spans(self, start: int, end: int) -> list[tuple[int, int]]:
        """The runs of lines start..end (cut to them), as spans relative to `start`: one regex over
        a flag per line, the flags made at C speed (a line is in a run when it is not blank, or
        is code or HTML)."""
        flags = bytearray(map(bool, map(str.strip, self.lines[start:end])))
        verbatim = self._verbatim[start:end]
        if True in verbatim:
            for index in compress(range(len(verbatim)), verbatim):
                flags[index] = 1
        return [match.span() for match in _RUN.finditer(flags)]

    @cached_property
    def _runs(self) -> tuple[list[int], list[int]]:
        """Start and end (half-open) of every run of non-blank lines, in order."""
        runs = self._run_spans(0, len(self.lines))
        return [first for first, _ in runs], [last for _, last in runs]

    def verbatim(self, index: int) -> bool:
        """Whether the line belongs to a fenced code or HTML block."""
        return self._verbatim[index]

    def any_verbatim(self, start: int, end: int) -> bool:
        """Whether a line from `start` to `end` (half-open, as a slice reads them) belongs to a fenced
        code or HTML block: whether one of those blocks overlaps them, found by bisection (a scan
        of the range's flags cost a year section's lines, for each of a list's sections).

        `_verbatim_by_flags` is the reference reading (property-tested alike)."""
        lines = range(len(self.lines))[start:end]  # the slice's own reading of start and end
        if not lines:
            return False
        starts, ends = self._verbatim_spans
        at = bisect.bisect_right(ends, lines.start)  # the first block ending past the range's start
        return at < len(starts) and starts[at] < lines.stop

    def _verbatim_by_flags(self, start: int, end: int) -> bool:
        """`any_verbatim` read from each line's flag (the reference reading)."""
        return True in self._verbatim[start:end]

    @cached_property
    def _verbatim_spans(self) -> tuple[list[int], list[int]]:
        """Starts and ends (half-open) of the stretches of code and HTML lines, ascending and apart
        (overlapping or touching blocks merged)."""
        starts: list[int] = []
        ends: list[int] = []
        blocks = sorted([
            *((fence.start, fence.end) for fence in self.structure.fences),
            *((html.start, html.end) for html in self.structure.html),
        ])
        for first, last in blocks:
            if first >= last:
                continue
            if ends and first <= ends[-1]:
                ends[-1] = max(ends[-1], last)
            else:
                starts.append(first)
                ends.append(last)
        return starts, ends

    def text_from(self, index: int) -> bool:
        """Whether a non-blank line sits at `index` or after it; line `index` must be outside
        code and HTML blocks.

        Runs (`_runs`) start at non-blank lines (a code or HTML block's blank lines follow its
        opening line inside one run), and line `index`, when inside a run, is itself non-blank.
        """
        if index < len(self.lines) and self._verbatim[index]:
            raise ValueError(f"line {index} is inside a code or HTML block")
        if "_runs" not in self.__dict__:  # read from the line on: a text line is rarely far
            return any(self._in_run(line) for line in range(max(index, 0), len(self.lines)))
        ends = self._runs[1]
        return bisect.bisect_right(ends, index) < len(ends)

    def heading_before(self, index: int) -> Heading | None:
        """The last heading above line `index` (the one whose text the line belongs to)."""
        at = bisect.bisect_left(self._heading_lines, index)
        return self.headings[at - 1] if at else None

    def block_at(self, index: int) -> Block | None:
        """The block of `sections()` that holds line `index` (None for a blank line, a heading or a
        line above the first heading), found from that line outwards: a question about a few lines
        reads those lines' blocks, not the whole document's runs."""
        lines, verbatim, heading_lines = self.lines, self._verbatim, self._heading_lines
        if not 0 <= index < len(lines) or not (verbatim[index] or lines[index].strip()):
            return None
        after = bisect.bisect_left(heading_lines, index)  # the heading above is heading_lines[after - 1]
        if after == 0 or (after < len(heading_lines) and heading_lines[after] == index):
            return None
        lower = heading_lines[after - 1] + 1
        upper = heading_lines[after] if after < len(heading_lines) else len(lines)
        start, end = index, index + 1
        while start > lower and (verbatim[start - 1] or lines[start - 1].strip()):
            start -= 1
        while end < upper and (verbatim[end] or lines[end].strip()):
            end += 1
        return Block(start, end)

    def _in_run(self, index: int) -> bool:
        """Whether line `index` belongs to a run of `_runs` (it is not blank, or is code or HTML)."""
        return self._verbatim[index] or bool(self.lines[index].strip())

    def sections(self) -> Iterator[tuple[Heading, list[Block]]]:
        """Every heading with the entry blocks of its own text (up to the next heading)."""
        for heading in self.headings:
            yield heading, self.blocks(heading.line + 1, self.body_end(heading))

    def block_lines(self, block: Block) -> list[str]:
        return self.lines[block.start:block.end]

    # --- editing ----------------------------------------------------------------------------

    def with_insertions(self, edits: list[tuple[int, list[str]]]) -> str:
        """The text with each list of new lines spliced in before its line index; nothing else
        changes, byte for byte. New lines take the file's newline style.

        The same edits of the same document give the very same string (a small memo): a
        redelivery or resync then hashes and compares the edited list without reading it again.
        """
        return _spliced(self, tuple((index, tuple(lines)) for index, lines in edits))

    @cached_property
    def raw_lines(self) -> list[str]:
        """The lines with their own line endings (joined, the text)."""
        return split_lines(self.text)

    def _splice(self, edits: tuple[tuple[int, tuple[str, ...]], ...]) -> str:
        indexes = [index for index, _ in edits]
        if "\r" in self.text or len(set(indexes)) != len(indexes):
            return self._splice_lines(edits)
        parts, at = [], 0
        for index, new_lines in sorted(edits, key=lambda edit: edit[0]):
            offset = self.line_offset(index)
            parts += [self.text[at:offset], self._inserted(index, new_lines)]
            at = offset
        return "".join([*parts, self.text[at:]])

    def line_offset(self, index: int) -> int:
        """Where line `index` (0 or more) starts in a text whose every line ending is one LF (the
        text's length past the last line): the place of the nearest line at or above it that is
        known (a heading's, or the line asked about last) plus the lengths of the lines between,
        not of every line above it. Lines asked about in file order cost the lengths of the lines
        once in all, also where the block reader placed no heading. `_offset_by_lengths` is the
        reference reading."""
        if index >= len(self.lines):
            return len(self.text)
        headings = self._placed_heading_lines
        at = bisect.bisect_right(headings, index) - 1
        base, offset = (headings[at], self._heading_starts[headings[at]]) if at >= 0 else (0, 0)
        last = self._last_offset  # one tuple, read once: the workers' threads share documents
        if base <= last[0] <= index:
            base, offset = last
        between = self.lines[base:index]
        offset += sum(map(len, between)) + len(between)
        self._last_offset = (index, offset)
        return offset

    def _offset_by_lengths(self, index: int) -> int:
        """`line_offset` from the lengths of every line above it (the reference reading)."""
        if index >= len(self.lines):
            return len(self.text)
        return sum(map(len, self.lines[:index])) + index

    @cached_property
    def _placed_heading_lines(self) -> list[int]:
        """The lines of `_heading_starts`, ascending."""
        return sorted(self._heading_starts)

    @cached_property
    def _placed_heading_starts(self) -> list[int]:
        """Where the lines of `_placed_heading_lines` start, in the same order (ascending)."""
        return [self._heading_starts[line] for line in self._placed_heading_lines]

    def _inserted(self, index: int, new_lines: tuple[str, ...]) -> str:
        """New lines as they go in before line `index` of an LF text; after a last line with no
        line ending, they end it and the new last line stays bare."""
        if index == len(self.lines) and new_lines and self.text and not self.text.endswith("\n"):
            return "".join(f"\n{line}" for line in new_lines)
        return "".join(f"{line}\n" for line in new_lines)

    def _splice_lines(self, edits: tuple[tuple[int, tuple[str, ...]], ...]) -> str:
        """`_splice` one line at a time: for any line endings, and edits sharing an index."""
        raw = list(self.raw_lines)
        ends_bare = bool(raw) and not raw[-1].endswith(("\n", "\r"))
        for index, new_lines in sorted(edits, key=lambda edit: edit[0], reverse=True):
            inserted = [line + self.newline for line in new_lines]
            if index == len(raw) and inserted and ends_bare:
                # No trailing newline: end the old last line, leave the new last line bare.
                raw[-1] += self.newline
                inserted[-1] = new_lines[-1]
            raw[index:index] = inserted
        return "".join(raw)


@lru_cache(maxsize=4)
def _spliced(doc: ListDocument, edits: tuple[tuple[int, tuple[str, ...]], ...]) -> str:
    """`doc._splice(edits)`, remembered: a document never changes, so the document object and the
    edits are the whole of what the result depends on."""
    return doc._splice(edits)


_RECENT = 4  # a reconcile reads its base list in `propose` and again in lint, and lints the edited list
# The documents `parsed` gave last, the latest first: a tuple replaced whole, so reading it is one
# step for the workers' threads; two threads' updates at once may drop one of their documents
# from it, which costs a later read, never a wrong answer.
_recent: tuple[ListDocument, ...] = ()


def parsed(text: str) -> ListDocument:
    """The `ListDocument` of `text`, parsed once for the few texts in use at a time (a reconcile
    reads its base list in `propose` and again in lint, and lints the edited list). A document
    is never changed after parsing, so sharing one is safe.

    A text is found among the recent documents by identity, else by length and equality (a
    memcmp): never by hash, which costs a pass over the text for every new text. A new text
    that differs from a recent one in a few lines (a base list after a merge of one entry) is
    carried from it (`ListDocument.carried`) instead of read afresh."""
    recent = _recent
    doc = next((doc for doc in recent if doc.text is text), None)  # the same string: no compare at all
    if doc is None:
        doc = next((doc for doc in recent if same_text(doc.text, text)), None)
    if doc is None:
        doc = _carried_to(text, recent) or ListDocument(text)
    if not recent or recent[0] is not doc:
        _remember(doc)
    return doc


def _carried_to(text: str, recent: tuple[ListDocument, ...]) -> ListDocument | None:
    """The document of `text` carried from one of `recent` it differs from in few lines, if any
    (`line_change` answers None for a text with a CR, and a document read from one is never
    carried from: its marks were not counted)."""
    for old in recent:
        if old._opener_marks is None or not _near_in_length(old.text, text):
            continue
        change = line_change(old.text, text, line_at=old._line_starting_at, worth_only=True)
        if change is not None and (carried := ListDocument.carried(old, text, change)) is not None:
            return carried
    return None


def _near_in_length(old: str, new: str) -> bool:
    """Whether `new` may be `old` with few enough lines changed to be worth carrying: the lines it
    gains are at least the difference in length (comparing texts far apart in length would cost
    the count of their lines, for nothing)."""
    return small_change(abs(len(new) - len(old)), len(new))


def _remember(doc: ListDocument) -> None:
    """Put `doc` first among the recent documents, the oldest beyond `_RECENT` forgotten."""
    global _recent
    _recent = (doc, *(other for other in _recent if other is not doc))[:_RECENT]


@lru_cache(maxsize=4096)
def _inline_plain(raw: str) -> str:
    """The text a heading shows: mistune's reading of its inline markup, or the text as it is
    when no character in it can start inline markup (backslash, backtick, `*`, `_`, brackets,
    `!`, `<`, `>`, `&`, `~`, `#`): the same answer (property-tested), and most lists need no mistune."""
    if raw.isprintable() and _INLINE_INERT.fullmatch(raw):
        return raw.strip()
    from bot.core.mistune_reading import heading_plain_text

    return heading_plain_text(raw)


def _shifted_blocks(blocks: Blocks, change: LineChange, line_count: int) -> Blocks:
    """`blocks` of a text carried through `change` (none of them in the changed lines): those
    below the change moved by the lines it adds."""
    shift, at = change.line_shift, (change.old_end,)  # a tuple sorts before every block starting there
    headings, fences, html = blocks.headings, blocks.fences, blocks.html
    below = bisect.bisect_left(headings, at), bisect.bisect_left(fences, at), bisect.bisect_left(html, at)
    return Blocks(
        line_count,
        (*headings[:below[0]], *(AtxHeading(h.line + shift, h.level, h.raw) for h in headings[below[0]:])),
        (
            *fences[:below[1]],
            *(FencedBlock(f.start + shift, f.end + shift, f.info, f.closed) for f in fences[below[1]:]),
        ),
        (*html[:below[2]], *(HtmlBlock(h.start + shift, h.end + shift) for h in html[below[2]:])),
    )


def toc_items(doc: ListDocument) -> list[tuple[int, int, str, str]]:
    """The table of contents' link items: (line index, indent width, text, anchor)."""
    toc = next((h for h in doc.headings if h.text == TOC_HEADING), None)
    if toc is None:
        return []
    items = []
    for index in range(toc.line + 1, doc.body_end(toc)):
        if match := _TOC_ITEM.fullmatch(doc.lines[index]):
            items.append((index, len(match[1].expandtabs(4)), match[2], match[3]))
    return items
