"""Tests for bot.core.document: headings (the block reader's shortcut reads exactly what mistune reads) and blocks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import make_list
from bot.core.document import Block, ListDocument

# Lines that make block structure hard: quotes, lists, fences, HTML, tables, reference definitions,
# setext underlines, indented code, and headings plain or odd (closing #s, tabs, pipes, indents).
_FRAGMENTS = (
    "", "text", "## Papers", "### 2024", "# Title", "#", "# ##", "## a ##", "##\tTab", "  ## Indented",
    "## a | b", "> quote", "> # quoted", "- item", "  continued", "- # in item", "1. one", "   # three",
    "    # code", "```", "~~~", "```python", "<div>", "</div>", "<!--", "-->", "| a | b |", "|---|---|",
    "[ref]: https://example.org", "===", "---", "* [x](#x)", "\t# tabbed", "## Ünïcode ✓", "## *bold* `x`",
    "#no space", "####### seven", "\r",
)


def _headings(doc: ListDocument) -> list[tuple[int, str, int]]:
    return [(h.level, h.text, h.line) for h in doc.headings]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=14), st.sampled_from(["\n", "\r\n", "\r"]))
def test_the_block_reader_shortcut_finds_mistunes_headings(lines: list[str], newline: str) -> None:
    """Whenever the shortcut applies, its headings are mistune's, line for line and word for word."""
    doc = ListDocument(newline.join(lines))
    assert _headings(doc) == [(h.level, h.text, h.line) for h in doc._mistune_headings()]


def test_a_house_style_list_needs_no_mistune_parse() -> None:
    """The synthetic list (headings `## Text`, a ToC of list items, entries) takes the shortcut."""
    doc = ListDocument(make_list(200))
    assert doc._plain_headings()
    assert ("Papers", 2) in [(h.text, h.level) for h in doc.headings]


def test_a_quote_before_a_heading_falls_back_to_mistune() -> None:
    """mistune reads `# b` after a quote as part of the quote, so the shortcut must not apply."""
    doc = ListDocument("> a\n# b\n")
    assert not doc._plain_headings()
    assert doc.headings == []


def _blocks_line_by_line(doc: ListDocument, start: int, end: int) -> list[Block]:
    """The definition: runs of lines that are not blank, or are inside a fenced code or HTML block."""
    verbatim = doc.structure.verbatim_lines()
    found: list[Block] = []
    block_start: int | None = None
    for index in range(start, end):
        blank = not doc.lines[index].strip() and not verbatim[index]
        if not blank and block_start is None:
            block_start = index
        elif blank and block_start is not None:
            found.append(Block(block_start, index))
            block_start = None
    if block_start is not None:
        found.append(Block(block_start, end))
    return found


@settings(max_examples=300)
@given(st.lists(st.sampled_from((*_FRAGMENTS, "  ", "\t")), max_size=16), st.data())
def test_blocks_of_any_range_are_its_runs_of_non_blank_lines(lines: list[str], data: st.DataObject) -> None:
    """Blocks cut from the document's runs equal the line-by-line reading of the range."""
    doc = ListDocument("\n".join(lines))
    start = data.draw(st.integers(0, len(doc.lines)))
    end = data.draw(st.integers(start, len(doc.lines)))
    assert doc.blocks(start, end) == _blocks_line_by_line(doc, start, end)
