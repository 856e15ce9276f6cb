"""Tests for `TextAnchors.carried`: anchors carried from an old text to a new one answer as a fresh read.

Texts are made of hostile lines (`%`, brackets in hosts, one-byte, wider and lone surrogate
characters, Unicode spaces), papers, headings and blank lines; they are edited anywhere (runs of
lines inserted, removed or replaced, at the start and the end, a last line with or without its
line feed) and the anchors carried edit after edit. Texts are also read in pieces a few characters
long, so that carrying from a piece's mark is tried at every place. The common case, a paper
inserted into or removed from a long list, is carried, not read again.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.core.key_anchors as key_anchors
from bench.synthetic import make_list
from bot.core.key_anchors import TextAnchors, _joined_parts, letters, line_letters
from bot.core.text_change import line_change, lines_of
from tests.test_key_anchors import _other, _paper
from tests.test_key_anchors_reference import _PIECES

# A text's lines: hostile pieces (no carriage return: `line_change` compares line-feed texts only),
# paper lines, headings, blank and letterless lines.
_HOSTILE = st.lists(_PIECES.filter(lambda piece: "\r" not in piece), max_size=6).map("".join)
_PLAIN = st.sampled_from(["", "", "", "## Papers", "### 2024", "--", "  ", "a", "Ab", "ab cd", "**ab**", "%"])
_LINE = st.one_of(_PLAIN, _HOSTILE)
_BLOCK = st.one_of(st.lists(_LINE, min_size=1, max_size=3), _paper(), _other(), st.just([""]))
_LINES = st.lists(_BLOCK, max_size=6).map(lambda blocks: [line for block in blocks for line in block])
_KINDS = ("title", "arxiv", "doi", "url", "repo", "openreview", "anthology", "cvf", "other")


def _text(lines: list[str], ends_with_line_feed: bool) -> str:
    return "\n".join(lines) + ("\n" if ends_with_line_feed and lines else "")


def _joined(text: str) -> str:
    """`ListDocument.joined_lines`: the text without its last line feed."""
    return text[:-1] if text.endswith("\n") else text


def _anchors(text: str) -> TextAnchors:
    return TextAnchors(lines_of(text), _joined(text))


def _carried(anchors: TextAnchors, old: str, new: str, *, whole_text: bool = False) -> TextAnchors | None:
    """The anchors of `old` carried to `new`, given its lines joined or (`whole_text`) the text."""
    change = line_change(old, new)
    assert change is not None
    if whole_text:
        return TextAnchors.carried(anchors, lines_of(new), new, change, line_feed_after=new.endswith("\n"))
    return TextAnchors.carried(anchors, lines_of(new), _joined(new), change)


@st.composite
def _edited(draw: st.DrawFn, text: str) -> str:
    """The text with a run of its lines (maybe none) replaced by some lines (maybe none)."""
    lines = lines_of(text)
    start = draw(st.integers(0, len(lines)))
    end = draw(st.integers(start, min(len(lines), start + 4)))
    lines[start:end] = draw(st.one_of(st.lists(_LINE, max_size=4), _paper(), _other()))
    return _text(lines, draw(st.booleans()))


@st.composite
def _ranges(draw: st.DrawFn, count: int) -> list[tuple[int, int]]:
    """Line ranges (half-open, ascending, apart) among `count` lines, as `papers` are."""
    bounds = sorted(draw(st.sets(st.integers(0, count), max_size=6)))
    return list(zip(bounds[::2], bounds[1::2], strict=False))


def _words(text: str) -> list[str]:
    return text.split() or ["a"]


def _assert_answers_alike(carried: TextAnchors, fresh: TextAnchors, text: str, data: st.DataObject) -> None:
    """Every question, asked of both with inputs drawn from the text, has one answer (the carried
    line letters are compared part by part: they are not joined unless a question needs them, so
    that the next carry may splice parts of parts)."""
    assert _joined_parts(carried._line_letter_parts) == fresh._line_letters
    assert carried._letters == fresh._letters
    assert carried.wild == fresh.wild
    if "_after_letterless" in vars(carried):
        assert set(carried._after_letterless) == set(fresh._after_letterless)
        for line in lines_of(text):  # as a title's question asks
            assert (letters(line) in carried._after_letterless) == (letters(line) in fresh._after_letterless)
    _assert_marks_hold(carried, _joined(text))
    if not data.draw(st.booleans()):
        return
    words = _words(text)
    some_words = st.lists(st.sampled_from(words), min_size=0, max_size=4)
    papers = data.draw(_ranges(len(lines_of(text))))
    assert carried.wild_lines(papers) == fresh.wild_lines(papers)
    for run in data.draw(st.lists(some_words.map(lambda chosen: letters("".join(chosen))), max_size=3)):
        assert carried.lines_with(run) == fresh.lines_with(run)
        if run:
            assert carried.lines_being(run) == fresh.lines_being(run)
    keys = data.draw(st.lists(st.tuples(st.sampled_from(_KINDS), some_words.map(" ".join)), max_size=3))
    keys_text = [f"{kind}:{value}" for kind, value in keys]
    assert carried.candidate_lines(keys_text, papers) == fresh.candidate_lines(keys_text, papers)
    title = data.draw(st.one_of(some_words, st.sampled_from(lines_of(text) or [""]).map(_words)))
    assert carried.title_lines(title, papers) == fresh.title_lines(title, papers)


def _assert_marks_hold(anchors: TextAnchors, joined: str) -> None:
    """Each mark is where a line starts, with the length of the line letters before it."""
    assert anchors._mark_offsets[0] == 0
    for offset, letter in zip(anchors._mark_offsets, anchors._mark_letters, strict=True):
        assert offset == 0 or joined[offset - 1] == "\n"
        assert len(line_letters(joined[:offset])) == letter


def _in_pieces(size: int, parts: int) -> AbstractContextManager[object]:
    """Texts read in pieces of about `size` characters (marks that many characters apart), carried
    line letters joined past `parts` parts."""
    return mock.patch.multiple(key_anchors, _PIECE=size, _NEAREST_MARKS=size // 4, _MAX_PARTS=parts)


_SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_LINES, st.booleans(), st.sampled_from([1, 3, 16, 1 << 16]), st.sampled_from([1, 3, 32]), st.data())
def test_carried_anchors_answer_as_anchors_read_afresh(
    lines: list[str], ends_with_line_feed: bool, piece: int, parts: int, data: st.DataObject
) -> None:
    """Anchors carried edit after edit answer every question as anchors read from the edited text."""
    text = _text(lines, ends_with_line_feed)
    with _in_pieces(piece, parts):
        anchors = _anchors(text)
        for _ in range(data.draw(st.integers(1, 6))):
            if data.draw(st.booleans()):
                anchors.title_lines(["a", "b"])  # the letters after letterless lines read: carried too
            new = data.draw(_edited(text))
            carried = _carried(anchors, text, new, whole_text=data.draw(st.booleans()))
            fresh = _anchors(new)
            if carried is None:  # only a text without lines, whose letters are those of one empty line
                assert not lines_of(text) or not lines_of(new)
                anchors, text = fresh, new
                continue
            _assert_answers_alike(carried, fresh, new, data)
            anchors, text = carried, new


@_SETTINGS
@given(_LINES, st.booleans(), st.sampled_from([1, 16, 1 << 16]), st.data())
def test_line_letters_carried_part_by_part_are_those_of_a_fresh_read(
    lines: list[str], ends_with_line_feed: bool, piece: int, data: st.DataObject
) -> None:
    """Line letters carried edit after edit without being joined, as parts of parts, are a fresh read's."""
    text = _text(lines, ends_with_line_feed)
    with _in_pieces(piece, 1 << 10):
        anchors = _anchors(text)
        for _ in range(data.draw(st.integers(1, 8))):
            new = data.draw(_edited(text))
            carried = _carried(anchors, text, new)
            if carried is None:
                anchors, text = _anchors(new), new
                continue
            fresh = _anchors(new)
            assert all(0 <= start <= end <= len(part) for part, start, end in carried._line_letter_parts)
            assert _joined_parts(carried._line_letter_parts) == fresh._line_letters
            assert carried._letters == fresh._letters
            anchors, text = carried, new


def _with_paper(text: str, at: Callable[[str], int]) -> str:
    """The text with a paper inserted at the line `at(text)` finds (where a block starts)."""
    where = at(text)
    paper = (
        "**Carried Paper: Report Generation with Rotating Experts**\n*J. Doe, K. Lee, et al.*\narXiv | Apr 2024\n"
        "[paper](https://arxiv.org/abs/2404.30007)\n[code](https://github.com/example/bench-7)\n\n"
    )
    return text[:where] + paper + text[where:]


def _without_paper(text: str, at: Callable[[str], int]) -> str:
    """The text without the paper whose block starts at `at(text)`."""
    where = at(text)
    return text[:where] + text[text.index("\n\n", where) + 2:]


_TOP: Callable[[str], int] = lambda text: text.index("\n**P") + 1  # noqa: E731
_MIDDLE: Callable[[str], int] = lambda text: text.index("\n**P", len(text) // 2) + 1  # noqa: E731
_END: Callable[[str], int] = lambda text: text.index("## Datasets")  # noqa: E731


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: _with_paper(text, _TOP),
        lambda text: _with_paper(text, _MIDDLE),
        lambda text: _with_paper(text, _END),
        lambda text: _without_paper(text, _TOP),
        lambda text: _without_paper(text, _MIDDLE),
        lambda text: text.replace("arXiv | Dec 2019", "Nature | Dec 2019", 1),
    ],
    ids=["inserted at the top", "inserted mid-list", "inserted at the end", "removed at the top",
         "removed mid-list", "edited"],
)
def test_a_paper_inserted_or_removed_is_carried(edit: Callable[[str], str]) -> None:
    """A paper inserted into, removed from or edited in a long list is carried, and answers as a fresh read."""
    text = make_list(1000)
    anchors = _anchors(text)
    anchors.title_lines(["report", "generation"])
    new = edit(text)
    change = line_change(text, new)
    assert change is not None
    assert change.new_end - change.start <= 6
    carried = TextAnchors.carried(anchors, lines_of(new), _joined(new), change)
    assert carried is not None
    fresh = _anchors(new)
    assert "_after_letterless" in vars(carried)
    assert (carried._line_letters, carried._letters, carried.wild) == (fresh._line_letters, fresh._letters, fresh.wild)
    assert set(carried._after_letterless) == set(fresh._after_letterless)
    _assert_marks_hold(carried, _joined(new))
    title = ["carried", "paper", "report", "generation"]
    keys = ["arxiv:2404.30007", "url:arxiv.org/abs/2404.30007", "title:carriedpaperreportgeneration"]
    assert carried.title_lines(title) == fresh.title_lines(title)
    assert carried.candidate_lines(keys) == fresh.candidate_lines(keys)


def test_a_section_of_rewritten_titles_leaves_the_lines_after_letterless_ones_to_a_fresh_read() -> None:
    """A merge that rewrote many titles loses as many of the letters after letterless lines: the
    carried anchors read those afresh when a title's question asks (one search of them all, not
    one of the whole text each), and answer as a fresh read."""
    text = make_list(300)
    anchors = _anchors(text)
    anchors.title_lines(["report", "generation"])
    year = text.index("### 2015")
    section_end = text.index("### 2014")
    new = text[:year] + text[year:section_end].replace("**", "**Revised ") + text[section_end:]
    carried = _carried(anchors, text, new)
    assert carried is not None
    assert "_after_letterless" not in vars(carried)
    fresh = _anchors(new)
    title = ["revised", "report", "generation"]
    assert carried.title_lines(title) == fresh.title_lines(title)
    assert set(carried._after_letterless) == set(fresh._after_letterless)


def test_carried_anchors_do_not_keep_the_old_ones_alive() -> None:
    """Once the old anchors are dropped, nothing the carried ones hold refers to them."""
    text = make_list(50)
    anchors = _anchors(text)
    anchors.title_lines(["a", "b"])
    new = _with_paper(text, _MIDDLE)
    carried = _carried(anchors, text, new)
    gone = weakref.ref(anchors)
    del anchors
    gc.collect()
    assert carried is not None
    assert gone() is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("\nab\n\nab\n", "\nab\n"),  # left after the first line alone, which no line follows a letterless one
        ("x\n\nab\n\nab\n\ncd\n", "x\n\nab\n\ncd\n"),  # one of two removed
        ("x\n\nab\n\ncd\n", "x\n\ncd\n"),  # the only one removed
        ("x\n\nab\n", "\nab\n"),  # the line above becomes the first
        ("\nab\n", "x\n\nab\n"),  # the first line stops being the first
        ("x\nab\n", "x\n\nab\n"),  # a letterless line inserted above
    ],
)
def test_the_lines_after_letterless_ones_are_recounted_around_the_change(old: str, new: str) -> None:
    """The letters after a letterless line (not the first one) are those of a fresh read."""
    anchors = _anchors(old)
    anchors.title_lines(["a", "b"])
    carried = _carried(anchors, old, new)
    assert carried is not None
    assert set(carried._after_letterless) == set(_anchors(new)._after_letterless)
