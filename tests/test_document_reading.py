"""Tests for the ways bot.core.document reads part of a list without reading all of it: each
answers as the reading of the whole document does."""

from __future__ import annotations

import re
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import markdown_blocks
from bot.core.document import _MISTUNE_ONLY_TEXT, Block, ListDocument, _lines_of
from bot.core.markdown_blocks import _BLOCK_START_TEXT, _OPENER_LINES, LineStarts, read_blocks

_LINES = st.sampled_from((
    "", "", "", " ", "\t", "\u00a0", "\x0c", "# Top", "## Papers", "### 2024", "#### Sub", "**Title**", "text",
    "[paper](https://ex.org)", "- item", "1. item", "```", "~~~", "````python", "<div>", "</div>", "<!-- x", "-->",
    "<img src=x/>", "> quote", "  ```", "[ref]: https://ex.org", "<", "x\r", "\rx",
))
_TEXTS = st.lists(_LINES, max_size=40).map("\n".join)
_SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _by_runs(text: str, start: int, end: int) -> list[Block]:
    """`blocks` of a document whose runs are found first (the reading of the whole document)."""
    doc = ListDocument(text)
    doc._runs  # noqa: B018  (found before the question, so `blocks` answers from them)
    return doc.blocks(start, end)


@_SETTINGS
@given(_TEXTS, st.lists(st.tuples(st.integers(-3, 45), st.integers(-3, 45)), min_size=1, max_size=6))
def test_blocks_read_from_a_range_alone_are_those_of_the_documents_runs(
    text: str, ranges: list[tuple[int, int]]
) -> None:
    """Asked in turn (the first ones read alone, later ones from the runs), each range's blocks are
    the runs' answer."""
    doc = ListDocument(text)
    for start, end in ranges:
        assert doc.blocks(start, end) == _by_runs(text, start, end)


@_SETTINGS
@given(_TEXTS)
def test_the_block_at_a_line_is_the_block_of_its_section_holding_it(text: str) -> None:
    """`block_at` is the block `sections()` gives that holds the line, for every line (None elsewhere)."""
    doc = ListDocument(text)
    holding = {
        line: block for _, blocks in doc.sections() for block in blocks for line in range(block.start, block.end)
    }
    for line in range(-2, len(doc.lines) + 2):
        assert doc.block_at(line) == holding.get(line)


@_SETTINGS
@given(_TEXTS)
def test_line_starts_are_where_the_multiline_pattern_matches(text: str) -> None:
    """A search for the line feed before each match finds the lines `^` in MULTILINE mode finds."""
    joined = text.replace("\r", "")
    for pattern in (_BLOCK_START_TEXT, _MISTUNE_ONLY_TEXT):
        everywhere = re.compile(f"^(?:{pattern})", re.M)
        expected = [joined.count("\n", 0, match.start()) for match in everywhere.finditer(joined)]
        assert list(LineStarts(pattern).lines(joined)) == expected


_MARKED = st.lists(
    st.one_of(_LINES, st.sampled_from(("a # b", " x`", "  <", "C# and F#", "~ ~", "\t#", " \u00a0#", "x<y>", "##"))),
    max_size=40,
).map("\n".join)


@_SETTINGS
@given(_MARKED, st.sampled_from((0, 64)))
def test_the_lines_a_mark_opens_found_by_find_are_those_the_regex_finds(text: str, dense: int) -> None:
    """The lines whose first character after spaces may open a block, found from each mark's places
    (or, with marks dense, by the regex), are those `^` in MULTILINE mode finds."""
    joined = text.replace("\r", "")
    everywhere = re.compile(f"^(?:{_BLOCK_START_TEXT})", re.M)
    expected = [joined.count("\n", 0, match.start()) for match in everywhere.finditer(joined)]
    with patch.object(markdown_blocks, "_DENSE_MARKS", dense):
        assert list(_OPENER_LINES.lines(joined)) == expected


@_SETTINGS
@given(_TEXTS, st.lists(st.integers(0, 45), min_size=1, max_size=6))
def test_whether_text_follows_a_line_is_the_runs_answer(text: str, indexes: list[int]) -> None:
    """`text_from` read from the line on answers as the document's runs do (and refuses alike)."""
    doc, whole = ListDocument(text), ListDocument(text)
    whole._runs  # noqa: B018
    for index in indexes:
        try:
            expected: bool | None = whole.text_from(index)
        except ValueError:
            expected = None
        try:
            assert doc.text_from(index) == expected
        except ValueError:
            assert expected is None


@_SETTINGS
@given(_TEXTS, st.booleans())
def test_blocks_read_with_the_text_given_are_those_read_from_the_lines(text: str, ends_with_break: bool) -> None:
    """`read_blocks` given the lines' joined text (maybe with a last line feed) reads what it reads
    from the lines alone."""
    lines = _lines_of(text)
    joined = "\n".join(lines) + ("\n" if ends_with_break else "")
    assert read_blocks(lines, joined) == read_blocks(lines)
