"""Tests for the ways a list's document is read where its lines sit in its text (offsets from the
block reader, code and HTML found by bisection, paper sections searched in place): each answers
as the reference reading does, on lists with CRLF, code fences, HTML blocks, headings in code,
empty sections, blanks that are not spaces and text outside ASCII."""

from __future__ import annotations

from functools import partial
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import kind_entries, markdown_blocks
from bot.core.document import ListDocument
from bot.core.kind_entries import _every_block_a_paper_in_text, every_block_a_paper, paper_ranges
from bot.core.markdown_blocks import _OPENER_LINES, read_blocks, read_placed

_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Lines of a list's paper sections, and lines that make a section not all papers: blank lines that
# are not empty (spaces, tab, ideographic space, control blanks, NEL), title lines with blanks
# around them or `**` inside, too short to be titles, bold text with more after it, code and HTML.
_PAPER_LINES = (
    "**Chest X-ray report**", "**é model**", "  **Spaced title**  ", "**a**", "*A. Author*", "*É. Zola*",
    "arXiv | Jan 2024", "[paper](https://ex.org/a)",
)
_ODD_LINES = (
    " ", "\t", "\u3000", "\x1c", "\x0b", "\x85", "x\u2028y", "****", "*****", "**", "**bold** and more", "***",
    "text", "```", "~~~", "```python", "<div>", "</div>", "<!--", "-->", "    # indented", "> quote", "#",
)
_HEADINGS = ("# List", "## Papers", "### 2024", "### 2023", "## Datasets", "### 2024 `code`", "#### Sub")
_LINE = st.one_of(
    st.sampled_from(_PAPER_LINES), st.sampled_from(_ODD_LINES), st.sampled_from(_HEADINGS), st.just(""),
)


@st.composite
def _paper_block(draw: st.DrawFn) -> list[str]:
    """A paper as a list has it (title line first), sometimes with an odd line in it."""
    lines = [draw(st.sampled_from(_PAPER_LINES[:4]))]
    lines += draw(st.lists(st.sampled_from(_PAPER_LINES[4:]), max_size=3))
    if draw(st.integers(0, 5)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(_ODD_LINES)))
    return lines


@st.composite
def _list_texts(draw: st.DrawFn) -> str:
    """A list: headings over sections of papers separated by one (rarely two or no) empty lines,
    loose lines between them, any line ending, with or without a last one."""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        lines.append(draw(st.sampled_from(_HEADINGS)))
        for block in draw(st.lists(st.one_of(_paper_block(), st.lists(_LINE, max_size=3)), max_size=5)):
            lines += [*draw(st.sampled_from(([""], [""], ["", ""], []))), *block]
    newline = draw(st.sampled_from(("\n", "\n", "\r\n", "\r")))
    return newline.join(lines) + draw(st.sampled_from(("", newline)))


def _document(text: str, dense: int = 0) -> ListDocument:
    """The document of `text`, its marks never dense (the block reader places every heading), or
    always (`dense=64`: no heading placed)."""
    with patch.object(markdown_blocks, "_DENSE_MARKS", dense):
        return ListDocument(text)


@_SETTINGS
@given(_list_texts(), st.sampled_from((0, 64)))
def test_every_section_is_papers_only_as_the_whole_pattern_reads_it(text: str, dense: int) -> None:
    """Each section's papers-only answer read in the list's text is the joined section's."""
    doc = _document(text, dense)
    reference = partial(every_block_a_paper, doc)
    readers = {heading.line: None for heading in doc.headings[::2]}
    with patch.object(kind_entries, "_FEW_LINES", 0):  # however few its lines, a section is searched in place
        assert paper_ranges(doc, {}) == paper_ranges(doc, {}, reference)
        assert paper_ranges(doc, readers) == paper_ranges(doc, readers, reference)


@_SETTINGS
@given(_list_texts().filter(lambda text: "\r" not in text), st.data())
def test_any_lines_are_papers_only_as_the_whole_pattern_reads_them(text: str, data: st.DataObject) -> None:
    """For any lines of an LF list, the search in place answers as the search of them joined."""
    doc = _document(text)
    for _ in range(4):
        start = data.draw(st.integers(0, len(doc.lines)))
        end = data.draw(st.integers(start, len(doc.lines)))
        with patch.object(kind_entries, "_FEW_LINES", 0):
            assert _every_block_a_paper_in_text(doc, start, end) == every_block_a_paper(doc, start, end)


@_SETTINGS
@given(_list_texts().filter(lambda text: "\r" not in text), st.sampled_from((0, 64)), st.data())
def test_a_lines_offset_is_the_lengths_of_the_lines_above_it(text: str, dense: int, data: st.DataObject) -> None:
    """A line's place found from the nearest known one (a heading's, the last asked about), asked
    in any order, is the lengths of every line above it."""
    doc = _document(text, dense)
    for index in data.draw(st.permutations(range(len(doc.lines) + 2))):
        assert doc.line_offset(index) == doc._offset_by_lengths(index)


@_SETTINGS
@given(_list_texts().filter(lambda text: "\r" not in text), st.sampled_from((0, 64)))
def test_the_placed_blocks_are_the_blocks_and_each_heading_starts_where_placed(text: str, dense: int) -> None:
    """The block reader that places headings reads the same blocks, and each heading's line starts
    where it says; with marks not dense every heading is placed."""
    doc = ListDocument(text)
    with patch.object(markdown_blocks, "_DENSE_MARKS", dense):
        blocks, starts, _ = read_placed(doc.lines, text)
        found = _OPENER_LINES.placed_lines(text, doc.lines)
    placed = None if found is None else found[0]
    assert blocks == read_blocks(doc.lines)
    for line, start in starts.items():
        assert start == sum(map(len, doc.lines[:line])) + line
    if dense == 0:
        assert sorted(starts) == [heading.line for heading in blocks.headings]
        assert placed is not None
        assert [line for line, _ in placed] == list(_OPENER_LINES.lines(text))
        assert all(start == sum(map(len, doc.lines[:line])) + line for line, start in placed)


@_SETTINGS
@given(_list_texts())
def test_code_or_html_in_lines_is_found_by_bisection_as_by_each_lines_flag(text: str) -> None:
    """Whether lines (read as a slice reads them, negative indexes too) hold code or HTML is what
    each line's flag says, for every range of them."""
    doc = ListDocument(text)
    indexes = range(-len(doc.lines) - 2, len(doc.lines) + 3)
    for start in indexes:
        for end in indexes:
            assert doc.any_verbatim(start, end) == doc._verbatim_by_flags(start, end)
