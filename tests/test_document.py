"""Tests for bot.core.document: headings (the block reader's shortcut reads exactly what mistune reads) and blocks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import make_list
from bot.core.document import _MISTUNE_ONLY, Block, ListDocument, split_lines, strip_ending
from tests.factories import committed_list

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


_BANNER_FRAGMENTS = (
    *_FRAGMENTS, '<p align="center">', '  <h1 align="center">T</h1>', "</p>", "<pre>", "</pre>", "<!-- c -->",
    "<?x", "?>", "<![CDATA[", "]]>", "<x-y>", "<b>x</b>", "[a]: b",
    # Tags mistune 3 reads as a paragraph (type 7, `search`, an invalid attribute), and what may
    # interrupt that paragraph right under them.
    '<img src="logo.png"/>', "<search>x", "<a !!!>", "<div>", "# Awesome List", "```", "~~~",
)


@settings(max_examples=600)
@given(st.lists(st.sampled_from(_BANNER_FRAGMENTS), max_size=14), st.sampled_from(["\n", "\r\n", "\r"]))
def test_html_banners_above_the_first_heading_keep_mistunes_headings(lines: list[str], newline: str) -> None:
    """HTML of every type and lines only mistune reads alike, above and below headings: where the
    shortcut applies (banners above the first heading among them), its headings are mistune's."""
    doc = ListDocument(newline.join(lines))
    assert _headings(doc) == [(h.level, h.text, h.line) for h in doc._mistune_headings()]


_OPENING_TAGS = (
    '<p align="center">', '<img src="logo.png"/>', "<search>x", "<a !!!>", "<div>", "<x-y>", "<pre>", "<!-- c",
)
_UNDER_A_TAG = ("# Awesome List", "## Papers", "```", "~~~", "text", "<div>", "</p>", "- item", "> quote", "-->")


@settings(max_examples=400)
@given(
    st.sampled_from(_OPENING_TAGS), st.lists(st.sampled_from(_UNDER_A_TAG), max_size=3),
    st.lists(st.sampled_from(_BANNER_FRAGMENTS), max_size=10),
)
def test_a_banner_and_what_follows_its_tag_keep_mistunes_headings(tag: str, under: list[str], rest: list[str]) -> None:
    """A list that opens with a tag, a few lines under it, a blank line and the rest: where the
    block reader and mistune disagree about the tag, a heading or fence under it must not be lost."""
    doc = ListDocument("\n".join([tag, *under, "", *rest]))
    assert _headings(doc) == [(h.level, h.text, h.line) for h in doc._mistune_headings()]


def test_the_committed_lists_banner_needs_no_mistune_parse() -> None:
    """The committed list opens with an HTML banner (`<p align="center">` … `</p>`) and a blank line."""
    doc = ListDocument(committed_list())
    assert doc.plain_headings
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


@settings(max_examples=300)
@given(st.lists(st.sampled_from((*_FRAGMENTS, "  ", "\t")), max_size=16), st.data())
def test_blocks_asked_again_in_any_order_are_still_the_runs_of_their_range(
    lines: list[str], data: st.DataObject
) -> None:
    """Ranges asked for again, overlapping or after the document's runs were found, keep the line-by-line reading."""
    doc = ListDocument("\n".join(lines))
    ranges = data.draw(st.lists(st.tuples(st.integers(0, len(doc.lines)), st.integers(0, len(doc.lines))), max_size=6))
    for start, end in [*ranges, *ranges]:
        start, end = min(start, end), max(start, end)
        blocks = doc.blocks(start, end)
        assert blocks == _blocks_line_by_line(doc, start, end)
        blocks.clear()  # a caller's list is its own


# --- reading and splicing at C speed --------------------------------------------------------------

_TEXTS = st.lists(st.sampled_from((*_FRAGMENTS, " ", "x\u2028y", "\x85", "\x0c")), max_size=12).flatmap(
    lambda lines: st.tuples(st.just(lines), st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines),
                                                     max_size=len(lines)), st.booleans())
).map(lambda drawn: "".join(line + end for line, end in zip(drawn[0], drawn[1], strict=True))
      + ("tail" if drawn[2] else ""))


@settings(max_examples=400)
@given(_TEXTS)
def test_the_joined_lines_are_the_lines_joined_by_line_feeds(text: str) -> None:
    """For any mix of endings, with or without a last one, the joined lines are the join of the lines."""
    doc = ListDocument(text)
    assert doc.joined_lines() == "\n".join(doc.lines)


@settings(max_examples=400)
@given(_TEXTS)
def test_lines_are_the_split_lines_without_their_endings(text: str) -> None:
    """One split gives the lines `split_lines` gives, each without its ending, for any mix of endings."""
    assert ListDocument(text).lines == [strip_ending(line) for line in split_lines(text)]


@settings(max_examples=400)
@given(_TEXTS, st.data())
def test_splicing_by_offset_gives_what_splicing_lines_gives(text: str, data: st.DataObject) -> None:
    """Edits of an LF text spliced by character offset are the line-by-line splice, also at the
    end of a text with no final line ending (and edits sharing an index go line by line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc = ListDocument(text)
    edit = st.tuples(st.integers(min_value=0, max_value=len(doc.lines)), st.lists(st.sampled_from(["", "a", "## b"])))
    edits = tuple((index, tuple(lines)) for index, lines in data.draw(st.lists(edit, max_size=3)))
    assert doc._splice(edits) == doc._splice_lines(edits)


@settings(max_examples=400)
@given(st.text(alphabet="<>`~]:[ \t-*+1.)\nax#", max_size=30))
def test_a_line_mistune_must_read_holds_a_mark_looked_for_first(text: str) -> None:
    """`_plain_headings` skips the regex when the text holds none of `<>`~` and `]:`: no match then."""
    if _MISTUNE_ONLY.search(text) is not None:
        assert any(mark in text for mark in ("<", ">", "`", "~", "]:"))
