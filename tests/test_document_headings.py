"""Tests for bot.core.document's headings: the block reader's shortcut reads exactly what mistune reads."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import make_list
from bot.core.document import ListDocument

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
