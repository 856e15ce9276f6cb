"""The Markdown block reader: fenced code, HTML blocks and ATX headings, with their line numbers.

mistune is the parser of record (it decides what *is* a heading) but gives no source positions,
so everything that needs to know which *line* is code, HTML or a heading asks this module. It
applies CommonMark's rules for those three kinds of block at the top level of a document:

- a fence is three or more backticks or tildes indented at most three spaces; a backtick fence's
  info string holds no backtick; it is closed by a line of the same character, at least as long,
  indented at most three spaces and with nothing after it but spaces (so a ```` ```python ````
  line inside a block cannot close it); an unclosed fence runs to the end of the document;
- HTML blocks of types 1-5 end at their end marker, types 6-7 at a blank line, and type 7 cannot
  interrupt a paragraph;
- an ATX heading is one to six `#` followed by a space, a tab or the end of the line.

Line numbers are 0-based indexes into the lines given (without their line endings).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

_OPENING_FENCE = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)\Z")
_CLOSING_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*\Z")
_BACKTICKS = re.compile(r"`+")
# The opening of an ATX heading; the rest of the line is read by `atx_heading` in one pass
# (a single regex with a lazy text group and an optional closing sequence is quadratic on
# `# x` + thousands of spaces + `#y`, a line anyone can put in an issue).
_ATX_OPENING = re.compile(r" {0,3}(#{1,6})(?=[ \t]|\Z)")
# CommonMark HTML blocks: types 1-5 end at a marker, types 6-7 at a blank line.
_HTML_WITH_END = (
    (
        re.compile(r" {0,3}<(?:script|pre|style|textarea)(?:\s|>|$)", re.I),
        re.compile(r"</(?:script|pre|style|textarea)>", re.I),
    ),
    (re.compile(r" {0,3}<!--"), re.compile(r"-->")),
    (re.compile(r" {0,3}<\?"), re.compile(r"\?>")),
    (re.compile(r" {0,3}<![A-Za-z]"), re.compile(r">")),
    (re.compile(r" {0,3}<!\[CDATA\["), re.compile(r"\]\]>")),
)
_HTML_BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|"
    "div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|"
    "li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|"
    "tfoot|th|thead|title|tr|track|ul"
)
_HTML_TYPE_6 = re.compile(rf" {{0,3}}</?(?:{_HTML_BLOCK_TAGS})(?:\s|/?>|$)", re.I)
# The type 6 openings mistune 3 reads as HTML too: its tag list predates CommonMark 0.31's `search`.
_SHARED_TYPE_6 = re.compile(rf" {{0,3}}</?(?:{_HTML_BLOCK_TAGS.replace('search|', '')})(?:\s|/?>|$)", re.I)
_HTML_TYPE_7 = re.compile(r" {0,3}</?[A-Za-z][A-Za-z0-9-]*(?:\s[^>]*)?/?>\s*$")


class LineStarts:
    """Where a pattern matches at the start of a line of an LF-joined text (the pattern must not
    match a line feed). Found by a search for the line feed before each match: `^` in MULTILINE
    mode is tried at every position of the text, five times slower over a 20,000-entry list."""

    def __init__(self, pattern: str) -> None:
        self._first = re.compile(pattern)
        self._after_break = re.compile(f"\n(?:{pattern})")

    def lines(self, text: str) -> Iterator[int]:
        """The indexes of the lines the pattern matches at the start of, in order."""
        if self._first.match(text):
            yield 0
        line, at = 0, 0
        for match in self._after_break.finditer(text):
            line += text.count("\n", at, match.start() + 1)
            at = match.start() + 1
            yield line


class MarkedLineStarts:
    """The lines whose first character after spaces is one of `marks` (`LineStarts` of the pattern
    ` *[marks]`), found from each mark's places by `str.find`, which skips along at C speed where
    a regex tries every line (a 20,000-entry list has 106,000 lines and a few dozen such marks);
    by the regex when marks are dense."""

    def __init__(self, marks: str) -> None:
        self.marks = marks
        self.pattern = " *[" + "".join(f"\\{mark}" for mark in marks) + "]"
        self._regex = LineStarts(self.pattern)

    def lines(self, text: str) -> Iterator[int]:
        """The indexes of the lines whose first character after spaces is a mark, in order."""
        found = self._starts(text)
        if found is None:
            yield from self.dense_lines(text)
            return
        line, counted = 0, 0
        for start in sorted(found[0]):
            line += text.count("\n", counted, start)
            counted = start
            yield line

    def dense_lines(self, text: str) -> Iterator[int]:
        """`lines` found by the regex, as `lines` finds them where marks are dense."""
        return self._regex.lines(text)

    def placed_lines(self, text: str, lines: Sequence[str]) -> tuple[list[tuple[int, int]], int] | None:
        """The index of each line whose first character after spaces is a mark and where it starts
        in the text, in order, and how many marks were counted (`count`) to find that they are not
        dense; `lines` are the text's lines (it is them joined by line feeds, a last one may
        follow). None when marks are dense (`dense_lines` then reads them).

        Each line is found among `lines` by its text, from the line after the last one found:
        comparing lines costs a third of counting the line feeds before it, and the first line
        from there with that text is the one (any earlier one would be a marked line too, found
        in between).
        """
        found = self._starts(text)
        if found is None:
            return None
        starts, count = found
        placed, line = [], -1
        for start in sorted(starts):
            end = text.find("\n", start)
            line = lines.index(text[start:] if end == -1 else text[start:end], line + 1)
            placed.append((line, start))
        return placed, count

    def dense(self, count: int, text: str) -> bool:
        """Whether `count` marks (see `count`) in `text` are dense: `lines` reads them by the regex then."""
        return count > len(text) >> _DENSE_MARKS

    def count(self, text: str) -> int:
        """The marks `_starts` counts in `text`: for each mark, the lines holding it (a sum over
        lines, so the count of whole lines cut from a text is theirs in it)."""
        return sum(1 for _ in self._places(text))

    def _places(self, text: str) -> Iterator[int]:
        """Where each mark first stands on each line holding it, mark by mark (`str.find` skips
        along at C speed: a later mark on a line does not come first on it)."""
        for mark in self.marks:
            at = text.find(mark)
            while at != -1:
                yield at
                line_end = text.find("\n", at)
                at = text.find(mark, line_end) if line_end != -1 else -1

    def _starts(self, text: str) -> tuple[set[int], int] | None:
        """Where the lines start whose first character after spaces is a mark, and how many marks
        were counted (see `count`); None once they are dense (`dense`): the regex costs less then."""
        starts: set[int] = set()
        count = 0
        for at in self._places(text):
            count += 1
            if self.dense(count, text):
                return None
            start = text.rfind("\n", 0, at) + 1
            if text.count(" ", start, at) == at - start:
                starts.add(start)
        return starts, count


_DENSE_MARKS = 8  # a line with a mark in more than 256 characters: the regex (a few instructions each)
# A line whose first character after spaces may start a fence, an HTML block or an ATX heading.
_OPENER_LINES = MarkedLineStarts("`~<#")
_BLOCK_START_TEXT = _OPENER_LINES.pattern
_BLOCK_START = re.compile(_BLOCK_START_TEXT)


def may_open_block(line: str) -> bool:
    """Whether the line may open a fence, an HTML block or an ATX heading; every other line is
    paragraph text or blank to the block reader."""
    return _BLOCK_START.match(line) is not None


def opens_shared_html_block(line: str) -> bool:
    """Whether the line opens an HTML block that mistune reads as one too (a type 6 block it
    knows the tag of). A type 7 tag (`<img src=x/>`, `<a !!!>`) is a paragraph to mistune 3, so
    a heading or fence under it is mistune's and inside HTML for this reader."""
    return _SHARED_TYPE_6.match(line) is not None


def opens_other_block(line: str) -> bool:
    """Whether the line opens an ATX heading, a fence or an HTML block of types 1-5: what may end
    a paragraph, or an HTML block, differently for a reader that disagrees about what came before."""
    return bool(
        _ATX_OPENING.match(line) or _OPENING_FENCE.match(line)
        or any(opener.match(line) for opener, _ in _HTML_WITH_END)
    )


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class Fence(NamedTuple):
    """A fence line: its character (`` ` `` or `~`), its length and, when it opens, its info string."""

    char: str
    length: int
    info: str = ""

    def is_closed_by(self, closer: Fence | None) -> bool:
        """Whether a closing fence (see `closing_fence`) ends a block this fence opened."""
        return closer is not None and closer.char == self.char and closer.length >= self.length


def opening_fence(line: str) -> Fence | None:
    """The fence a line opens, or None when it cannot open one."""
    match = _OPENING_FENCE.match(line)
    if match is None:
        return None
    marker, info = match[2], match[3]
    if marker[0] == "`" and "`" in info:
        return None  # a backtick fence's info string has no backticks: this is inline code
    return Fence(marker[0], len(marker), info.strip())


def fence_around(text: str) -> str:
    """The shortest backtick fence nothing in `text` can close: longer than its longest backtick run."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    return "`" * max(3, longest + 1)


def closing_fence(line: str) -> Fence | None:
    """The bare fence a line is (nothing after it but spaces), or None: only such a line can close."""
    match = _CLOSING_FENCE.match(line)
    return None if match is None else Fence(match[1][0], len(match[1]))


def atx_heading(line: str) -> tuple[int, str] | None:
    """An ATX heading's level and text (closing `#`s and surrounding blanks removed), or None.

    Linear in the line's length. A text made only of `#`s is kept as the text, as CommonMark's
    lazy reading of `# ##` gives.
    """
    opening = _ATX_OPENING.match(line)
    if opening is None:
        return None
    text = line[opening.end():].strip(" \t")
    unclosed = text.rstrip("#")
    if unclosed and unclosed != text and unclosed[-1] in " \t":
        text = unclosed.rstrip(" \t")
    return len(opening[1]), text


class AtxHeading(NamedTuple):
    """An ATX heading line: its index, its level and its text as written (closing `#`s removed)."""

    line: int
    level: int
    raw: str


class FencedBlock(NamedTuple):
    """A fenced code block as the half-open line range from its opening fence to past its closing one."""

    start: int
    end: int
    info: str
    closed: bool


class HtmlBlock(NamedTuple):
    """An HTML block as a half-open line range."""

    start: int
    end: int


class Blocks(NamedTuple):
    """Where a document's fenced code, HTML blocks and ATX headings are."""

    line_count: int
    headings: tuple[AtxHeading, ...]
    fences: tuple[FencedBlock, ...]
    html: tuple[HtmlBlock, ...]

    def fenced_lines(self) -> list[bool]:
        """For each line, whether it is inside (or is a fence of) a fenced code block."""
        return self._covered(self.fences)

    def verbatim_lines(self) -> list[bool]:
        """For each line, whether it belongs to a fenced code or HTML block (blank lines there split nothing)."""
        return self._covered((*self.fences, *self.html))

    def _covered(self, ranges: Iterable[FencedBlock | HtmlBlock]) -> list[bool]:
        inside = [False] * self.line_count
        for block in ranges:
            inside[block.start:block.end] = [True] * (block.end - block.start)
        return inside


class _Reader:
    """One pass over the lines; each line either continues the open block or may start one."""

    def __init__(self, lines: Sequence[str], joined: str | None = None) -> None:
        self.lines = lines
        self._joined = joined
        self.headings: list[AtxHeading] = []
        self.fences: list[FencedBlock] = []
        self.html: list[HtmlBlock] = []
        self.starts: dict[int, int] = {}  # where in `joined` lines visited start, when found there
        self.marks: int | None = None  # the marks counted in `joined` when they are not dense

    def read(self) -> Blocks:
        """Every other line is paragraph text or blank: only the lines that may open a block are
        visited, and whether a paragraph runs into one is read from the line above it."""
        index, quiet = 0, True  # quiet: the line above `index` ended a block or is a heading
        for start in self._openers():
            if start < index:
                continue  # inside a block already read
            line = self.lines[start]
            in_paragraph = start > 0 and not (start == index and quiet) and bool(self.lines[start - 1].strip())
            if fence := opening_fence(line):
                index, quiet = self._fenced(start, fence), True
            elif html_end := self._html(start, in_paragraph):
                index, quiet = html_end, True
            else:
                heading = atx_heading(line)
                if heading:
                    self.headings.append(AtxHeading(start, *heading))
                index, quiet = start + 1, heading is not None
        return Blocks(len(self.lines), tuple(self.headings), tuple(self.fences), tuple(self.html))

    def _openers(self) -> Iterator[int]:
        """The indexes of the lines that may open a block (`may_open_block`), in order: found by one
        regex over the joined lines when no line holds a line feed of its own."""
        if self._joined is not None:
            found = _OPENER_LINES.placed_lines(self._joined, self.lines)
            if found is None:  # dense marks, counted already: straight to the regex
                yield from _OPENER_LINES.dense_lines(self._joined)
                return
            placed, self.marks = found
            for line, start in placed:
                self.starts[line] = start
                yield line
            return
        joined = "\n".join(self.lines)
        if joined.count("\n") != max(len(self.lines) - 1, 0):
            yield from (index for index, line in enumerate(self.lines) if may_open_block(line))
            return
        yield from _OPENER_LINES.lines(joined)

    def _fenced(self, start: int, fence: Fence) -> int:
        """Record the fenced block opened at `start`; the index of the first line after it."""
        for index in range(start + 1, len(self.lines)):
            if fence.is_closed_by(closing_fence(self.lines[index])):
                self.fences.append(FencedBlock(start, index + 1, fence.info, closed=True))
                return index + 1
        self.fences.append(FencedBlock(start, len(self.lines), fence.info, closed=False))
        return len(self.lines)

    def _html(self, start: int, in_paragraph: bool) -> int | None:
        """Record the HTML block starting at `start`, if one does; the index of the first line after it."""
        line = self.lines[start]
        end = len(self.lines)
        for opener, end_marker in _HTML_WITH_END:
            if opened := opener.match(line):
                if end_marker.search(line, opened.end()):
                    end = start + 1
                else:
                    found = (i for i in range(start + 1, len(self.lines)) if end_marker.search(self.lines[i]))
                    end = next(found, len(self.lines) - 1) + 1
                break
        else:
            if not (_HTML_TYPE_6.match(line) or (not in_paragraph and _HTML_TYPE_7.match(line))):
                return None
            blank = (i for i in range(start + 1, len(self.lines)) if not self.lines[i].strip())
            end = next(blank, len(self.lines))
        self.html.append(HtmlBlock(start, end))
        return end


def read_blocks(lines: Sequence[str], joined: str | None = None) -> Blocks:
    """Locate the fenced code, HTML blocks and ATX headings of a document's lines (no line endings).

    `joined`: the lines joined by line feeds (a last one may follow), when the caller has that
    text already and no line holds a line feed of its own: the lines are not joined again.
    """
    return _Reader(lines, joined).read()


class PlacedBlocks(NamedTuple):
    """A document's blocks, where in its text each heading's line starts (all of them unless the
    marks of lines that may open a block are dense, else none), and the marks counted (`MarkedLineStarts.count`
    of the text; None when dense)."""

    blocks: Blocks
    heading_starts: dict[int, int]
    marks: int | None


def read_placed(lines: Sequence[str], joined: str) -> PlacedBlocks:
    """`read_blocks(lines, joined)`, with where in `joined` each heading's line starts (for the
    headings whose place the search for lines that may open a block found: all of them, unless
    such lines are dense) and the marks counted (see `PlacedBlocks`)."""
    reader = _Reader(lines, joined)
    blocks = reader.read()
    starts = reader.starts
    placed = {heading.line: starts[heading.line] for heading in blocks.headings if heading.line in starts}
    return PlacedBlocks(blocks, placed, reader.marks)


def opens_html_after_text(line: str) -> bool:
    """Whether the line might open an HTML block only where no paragraph runs into it (a type 7
    tag): its first character after spaces is `<`. Read conservatively: any such line."""
    return line.lstrip(" ").startswith("<")


def count_opener_marks(text: str) -> int:
    """The marks the search for lines that may open a block counts in `text` (`MarkedLineStarts.count`):
    a sum over lines, so whole lines cut from a text count as they do in it."""
    return _OPENER_LINES.count(text)


def opener_marks_dense(count: int, text: str) -> bool:
    """Whether `count` such marks in `text` are dense: the block reader then places no heading."""
    return _OPENER_LINES.dense(count, text)
