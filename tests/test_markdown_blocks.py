"""Tests for bot.core.markdown_blocks: fences, HTML blocks and ATX headings by line, as mistune reads them."""

from __future__ import annotations

from typing import Any

import mistune
from hypothesis import given
from hypothesis import strategies as st

from bot.core.markdown_blocks import (
    Fence,
    FencedBlock,
    HtmlBlock,
    _Reader,
    closing_fence,
    fence_around,
    may_open_block,
    opening_fence,
    read_blocks,
)

_MARKDOWN = mistune.create_markdown(renderer=None)


def _lines(text: str) -> list[str]:
    return text.split("\n")


def test_an_info_string_line_does_not_close_a_fence() -> None:
    """A ```` ```python ```` line inside a fenced block is content; the bare fence after it closes the block."""
    blocks = read_blocks(_lines("```markdown\n```python\n# not a heading\n```\n# Heading"))
    assert blocks.fences == (FencedBlock(0, 4, "markdown", closed=True),)
    assert [(h.line, h.level, h.raw) for h in blocks.headings] == [(4, 1, "Heading")]


def test_only_the_same_character_at_least_as_long_closes_a_fence() -> None:
    """A shorter fence or one of the other character leaves the block open."""
    blocks = read_blocks(_lines("~~~~\n~~~\n```\n    ~~~~\n~~~~~ \nafter"))
    assert blocks.fences == (FencedBlock(0, 5, "", closed=True),)
    assert blocks.fenced_lines() == [True] * 5 + [False]


def test_an_unclosed_fence_runs_to_the_end() -> None:
    """A fence that is never closed holds every line after it, headings included."""
    blocks = read_blocks(_lines("text\n```\n# hidden"))
    assert blocks.fences == (FencedBlock(1, 3, "", closed=False),)
    assert blocks.headings == ()


def test_a_backtick_in_a_backtick_info_string_opens_nothing() -> None:
    """```` ``` a`b ```` is inline code, not a fence, while a tilde fence's info string may hold backticks."""
    assert opening_fence("``` a`b") is None
    assert opening_fence("~~~ a`b") == Fence("~", 3, "a`b")
    assert closing_fence("   ```` \t") == Fence("`", 4)
    assert closing_fence("    ```") is None


def test_html_blocks_hide_headings_until_their_end() -> None:
    """A comment hides headings up to `-->`; a `<div>` block up to the next blank line."""
    blocks = read_blocks(_lines("<!--\n# a\n-->\n# b\n<div>\n# c\n\n# d"))
    assert blocks.html == (HtmlBlock(0, 3), HtmlBlock(4, 6))
    assert [h.raw for h in blocks.headings] == ["b", "d"]


def test_a_lone_tag_does_not_interrupt_a_paragraph() -> None:
    """An inline tag alone on a line after paragraph text is part of the paragraph, not an HTML block."""
    blocks = read_blocks(_lines("text\n<span>\n# heading"))
    assert blocks.html == ()
    assert [h.raw for h in blocks.headings] == ["heading"]


# --- agreement with mistune over generated documents -------------------------------------------

_WORD = st.text(alphabet="abcxyz019", min_size=1, max_size=6)
_TEXT = st.lists(_WORD, min_size=1, max_size=4).map(" ".join)
_INDENT = st.sampled_from(["", " ", "  ", "   "])


@st.composite
def _heading(draw: st.DrawFn) -> list[str]:
    hashes = "#" * draw(st.integers(1, 6))
    closing = draw(st.sampled_from(["", " #", " ###"]))
    return [f"{draw(_INDENT)}{hashes} {draw(_TEXT)}{closing}"]


@st.composite
def _fence_line(draw: st.DrawFn) -> str:
    """A line that looks like a fence: either character, any length, maybe an info string."""
    marker = draw(st.sampled_from("`~")) * draw(st.integers(2, 6))
    return f"{draw(_INDENT)}{marker}{draw(st.sampled_from(['', ' ', 'python', ' md x']))}"


@st.composite
def _fenced(draw: st.DrawFn) -> list[str]:
    char = draw(st.sampled_from("`~"))
    opener = char * draw(st.integers(3, 5))
    inner = draw(st.lists(st.one_of(_TEXT, _fence_line(), _heading().map(lambda h: h[0]), st.just("")), max_size=5))
    body = [line for line in inner if not Fence(char, len(opener)).is_closed_by(closing_fence(line))]
    info = draw(st.sampled_from(["", "python", "markdown"]))
    closer = draw(_INDENT) + char * draw(st.integers(len(opener), len(opener) + 2))
    return [opener + info, *body, closer]


@st.composite
def _html(draw: st.DrawFn) -> list[str]:
    inner = draw(st.lists(st.one_of(_TEXT, _heading().map(lambda h: h[0])), max_size=3))
    if draw(st.booleans()):
        return ["<!--", *inner, "-->"]
    return ["<div>", *inner]  # ends at the blank line that follows every block


_BLOCK = st.one_of(_TEXT.map(lambda t: [t]), _heading(), _fenced(), _html())


@st.composite
def _document(draw: st.DrawFn) -> list[str]:
    """Top-level blocks separated by blank lines, the last fence sometimes left open."""
    lines: list[str] = []
    for block in draw(st.lists(_BLOCK, max_size=8)):
        lines += [*block, ""]
    if draw(st.booleans()):
        lines += draw(_fenced())[:-1]
    return lines


def _mistune_tokens(lines: list[str]) -> list[dict[str, Any]]:
    """mistune's block pass (the full parse replaces a heading's raw text by inline children)."""
    state = _MARKDOWN.block.state_cls()
    state.process("\n".join(lines) + "\n")
    _MARKDOWN.block.parse(state)
    return list(state.tokens)


@given(_document())
def test_headings_agree_with_mistune(lines: list[str]) -> None:
    """The reader finds exactly the ATX headings mistune finds, in order, with the same level and text."""
    ours = [(h.level, h.raw.strip()) for h in read_blocks(lines).headings]
    theirs = [
        (t["attrs"]["level"], str(t.get("text", "")).strip())
        for t in _mistune_tokens(lines)
        if t["type"] == "heading" and t.get("style") == "atx"
    ]
    assert ours == theirs


@given(_document())
def test_fenced_blocks_agree_with_mistune(lines: list[str]) -> None:
    """The reader's fenced blocks hold exactly the code mistune reads from them, with the same info string."""
    ours = []
    for block in read_blocks(lines).fences:
        content = lines[block.start + 1:block.end - 1 if block.closed else block.end]
        ours.append((block.info or None, "".join(line + "\n" for line in content)))
    theirs = [
        (t.get("attrs", {}).get("info"), t["raw"])
        for t in _mistune_tokens(lines)
        if t["type"] == "block_code" and t.get("style") == "fenced"
    ]
    assert ours == theirs


@given(st.lists(st.text(alphabet="`~# <>!-\tax", max_size=12), max_size=30))
def test_any_lines_are_read_without_overlap(lines: list[str]) -> None:
    """Whatever the text, fenced and HTML blocks never overlap and no heading sits inside one."""
    blocks = read_blocks(lines)
    covered = [0] * len(lines)
    spans: list[FencedBlock | HtmlBlock] = [*blocks.fences, *blocks.html]
    for block in spans:
        assert 0 <= block.start < block.end <= len(lines)
        for index in range(block.start, block.end):
            covered[index] += 1
    assert max(covered, default=0) <= 1
    assert all(covered[h.line] == 0 for h in blocks.headings)


@given(_document())
def test_html_blocks_agree_with_mistune(lines: list[str]) -> None:
    """The reader's HTML blocks hold exactly the lines mistune reads as raw HTML blocks."""
    ours = ["".join(line + "\n" for line in lines[b.start:b.end]) for b in read_blocks(lines).html]
    theirs = [t["raw"] for t in _mistune_tokens(lines) if t["type"] == "block_html"]
    assert ours == theirs


@given(st.lists(st.text(alphabet="`~ ax#", max_size=10), max_size=8))
def test_a_fence_around_any_lines_holds_them_all(lines: list[str]) -> None:
    """`fence_around` gives a fence no line of the text can close, so the block holds every line."""
    fence = fence_around("\n".join(lines))
    blocks = read_blocks([f"{fence}markdown", *lines, fence])
    assert blocks.fences == (FencedBlock(0, len(lines) + 2, "markdown", closed=True),)


@given(st.lists(st.text(alphabet="`~#< \t\nax\u2028", max_size=8), max_size=20))
def test_the_lines_that_may_open_a_block_are_found_by_one_regex(lines: list[str]) -> None:
    """The reader visits exactly the lines `may_open_block` names, also when a line holds a line feed."""
    assert list(_Reader(lines)._openers()) == [i for i, line in enumerate(lines) if may_open_block(line)]
