"""Tests for quoting user text safely in PR bodies and comments, and for hidden markers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.markers import read_marker, write_marker
from bot.core.sanitize import code_block, neutralise


def test_mentions_are_broken() -> None:
    """An @mention copied from user text no longer pings anyone."""
    assert "@octocat" not in neutralise("thanks @octocat and @github/team")
    assert "@admin" not in neutralise("_@admin_ and `x`@admin")


def test_closing_keywords_are_broken() -> None:
    """`Fixes #1`, `closes: #2` and `Resolves owner/repo#3` can no longer close issues."""
    for text in ("Fixes #1", "closes: #2", "Resolves owner/repo#3", "FIXED #4"):
        assert neutralise(text).replace("\u200b", "") == text
        assert neutralise(text) != text


def test_references_inside_emphasis_are_broken() -> None:
    """A `GH-N` reference is broken wherever it stands: emphasis (`_GH-2_`) makes it a word once rendered."""
    for text in ("_GH-2_", "*GH-2*", "see GH-12", "xGH-3"):
        assert "GH-\u200b" in neutralise(text)


def test_html_is_escaped_and_lines_are_joined() -> None:
    """HTML cannot be injected and a quote stays on one line, capped in length."""
    quoted = neutralise("<img src=x onerror=alert(1)>\n### heading\u202e" + "x" * 600)
    assert "<img" not in quoted
    assert "\n" not in quoted
    assert "\u202e" not in quoted
    assert quoted.endswith("…")
    assert len(quoted) < 520


def test_code_blocks_cannot_be_closed_from_inside() -> None:
    """The fence is longer than any backtick run in the lines it wraps."""
    block = code_block(["a ``` b", "@someone"])
    assert block.startswith("````markdown\n")
    assert block.endswith("\n````")
    assert "@someone" not in block


@given(st.dictionaries(st.text(max_size=10), st.text(max_size=50) | st.integers() | st.none(), max_size=5))
def test_markers_round_trip_whatever_they_carry(data: dict[str, object]) -> None:
    """A marker reads back exactly what was written and never contains `-->` early."""
    marker = write_marker("status", data)
    assert marker.count("-->") == 1
    assert read_marker("status", f"text before\n{marker}\nafter") == data


def test_a_missing_or_broken_marker_reads_as_none() -> None:
    """Text without a marker, or with a malformed one, has no marker."""
    assert read_marker("status", "plain text") is None
    assert read_marker("status", "<!-- listbot:status {broken -->") is None
    assert read_marker("pull", write_marker("status", {"a": 1})) is None
