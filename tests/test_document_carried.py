"""Tests for a list's document carried from an old text to a new one (`ListDocument.carried`,
`parsed`): whenever it is carried, every attribute and every answer is the fresh read's, under
edits of any lines (headings, fences, HTML, blanks, the start and the end, a last line without a
line feed), chained; the bot's own insertions and removals are carried; no old document is kept
alive by a new one."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bench.synthetic import make_list
from bot.core import document, markdown_blocks
from bot.core.document import ListDocument, parsed, toc_items
from bot.core.placement import insert_paper
from bot.core.text_change import LineChange, line_change, lines_of, worth_carrying
from tests.test_document_fast_paths import _HEADINGS, _ODD_LINES, _PAPER_LINES, _list_texts, _paper_block
from tests.test_markdown_blocks import _fenced, _html
from tests.test_text_change import _PIECES, _TEXTS
from tests.test_text_change import _edited as _text_edited

_SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Lines an edit puts in: mostly a paper's and blank ones (what is carried), and every kind of line
# that may open or end a block, or read differently to mistune, or end a paragraph.
_TRICKY_LINES = (
    *_ODD_LINES, *_HEADINGS, "<img src=x/>", "<span>", "  <div>", "<!-- note -->", "?>", "]]>", "</pre>", ">",
    "[ref]: https://ex.org", "a ]: b", "- > quoted", "1. `code`", "title with `code`", "x < y", "~ approx",
    "####### seven", "#hashtag", "   ```", "````", "***", "---", "===",
)
_EDIT_LINE = st.one_of(
    st.sampled_from(_PAPER_LINES), st.sampled_from(_PAPER_LINES), st.just(""), st.sampled_from(_TRICKY_LINES),
)
_BANNER = ("<div align=\"center\">", "<img src=\"logo.png\">", "</div>", "")
# How dense marks must be for the block reader to place no heading (see `markdown_blocks`): never,
# about as dense as small lists' headings make them, always but in a text without marks (a list
# as small as these has dense marks at the real density, and is never carried).
_DENSITIES = st.sampled_from((0, 0, 2, 3, 4, 64))


@contextmanager
def _density(dense: int) -> Iterator[None]:
    with patch.object(markdown_blocks, "_DENSE_MARKS", dense):
        yield


@st.composite
def _paper_lists(draw: st.DrawFn) -> str:
    """A list of headings over papers, in half of them with fenced code or HTML blocks (open or
    closed) among them: a list many of whose edits are carried."""
    blocks = st.one_of(_paper_block(), _paper_block(), _fenced(), _html()) if draw(st.booleans()) else _paper_block()
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        lines += [draw(st.sampled_from(_HEADINGS)), ""]
        for block in draw(st.lists(blocks, max_size=5)):
            lines += [*block, *draw(st.sampled_from(([""], [""], ["", ""], [])))]
    return "\n".join(lines) + draw(st.sampled_from(("", "\n")))


@st.composite
def _lf_lists(draw: st.DrawFn) -> str:
    """An LF-only list (`_list_texts`, `_paper_lists`), sometimes under an HTML banner (mistune's
    headings are then read by the block reader still)."""
    text = draw(st.one_of(_list_texts().filter(lambda text: "\r" not in text), _paper_lists()))
    return "\n".join(_BANNER) + "\n" + text if draw(st.booleans()) else text


def _edited(data: st.DataObject, text: str) -> str:
    """`text` with a run of its lines replaced by others (an insertion, a removal or both), and
    sometimes its last line feed added or removed."""
    lines = lines_of(text)
    start = data.draw(st.integers(0, len(lines)), label="start")
    stop = data.draw(st.integers(start, min(len(lines), start + 6)), label="stop")
    inserted = data.draw(st.lists(_EDIT_LINE, max_size=6), label="inserted")
    lines[start:stop] = inserted
    ends = text.endswith("\n") if data.draw(st.integers(0, 4)) else data.draw(st.booleans(), label="ends")
    return "\n".join(lines) + ("\n" if ends and lines else "")


def _change(old: ListDocument, text: str) -> LineChange:
    change = line_change(old.text, text, line_at=old._line_starting_at)
    assert change is not None
    return change


def _state(doc: ListDocument) -> dict[str, Any]:
    """What a document holds, but where it came from."""
    return {name: value for name, value in vars(doc).items() if name != "_carried_from"}


def _answers(doc: ListDocument, ranges: list[tuple[int, int]], edits: list[tuple[int, list[str]]]) -> list[object]:
    """Every question a document answers, asked in one order (answers memoised on the way are
    then the same too): about each line and heading, each range of lines, some ranges' blocks
    and some insertions."""
    count = len(doc.lines)
    answers: list[object] = [doc.joined_lines(), doc.year_headings(), toc_items(doc)]
    answers += [doc.blocks(start, end) for start, end in ranges]
    answers += [list(doc.sections()), doc.find_heading(2, "Papers")]
    for heading in doc.headings:
        answers += [doc.section_end(heading), doc.body_end(heading)]
    for index in range(-1, count + 2):
        answers += [doc.block_at(index), doc.heading_before(index), doc.line_offset(index)]
        answers.append(doc.verbatim(index) if 0 <= index < count else None)
        try:
            answers.append(doc.text_from(index))
        except (ValueError, IndexError) as error:  # a line in code or HTML; line -1 of no lines
            answers.append(repr(error))
    for start in range(-1, count + 2):
        answers += [doc.any_verbatim(start, end) for end in range(-1, count + 2)]
    answers += [doc.with_insertions(edits), doc.blocks(0, count), doc.raw_lines]
    return answers


def _assert_carried_exactly(carried: ListDocument, fresh: ListDocument, data: st.DataObject) -> None:
    """The carried document holds what the fresh one does, and answers the same questions (some
    drawn at random) as it does, remembering the same on the way."""
    assert _state(carried) == _state(fresh)
    count = len(fresh.lines)
    ranges = data.draw(st.lists(st.tuples(st.integers(-1, count + 1), st.integers(-1, count + 1)), max_size=4))
    edits = data.draw(st.lists(st.tuples(st.integers(0, count), st.lists(_EDIT_LINE, max_size=3)), max_size=3))
    assert _answers(carried, ranges, edits) == _answers(fresh, ranges, edits)
    assert _state(carried) == _state(fresh)


@_SETTINGS
@given(_lf_lists(), _DENSITIES, st.data())
def test_a_carried_document_is_the_fresh_read_of_its_text(text: str, dense: int, data: st.DataObject) -> None:
    """A document carried through a few edits in a row, each from the one before (carried or
    read afresh), holds and answers exactly what the fresh read of its text does."""
    with _density(dense):
        doc = ListDocument(text)
        for _ in range(data.draw(st.integers(1, 3), label="edits")):
            new = _edited(data, doc.text)
            fresh = ListDocument(new)
            carried = ListDocument.carried(doc, new, _change(doc, new))
            event("carried" if carried is not None else "read afresh")
            if carried is not None:
                _assert_carried_exactly(carried, fresh, data)
            doc = carried or fresh


_MARKED_LINES = ("title with `code`", "1 < 2 > 0", "p ~ q", "a # b", "x`~<#", "**é `a` #1**")


@_SETTINGS
@given(_paper_lists(), st.sampled_from((1, 2, 3)), st.data())
def test_a_carried_documents_marks_are_dense_as_the_fresh_reads(text: str, dense: int, data: st.DataObject) -> None:
    """Lines holding marks (not at their start) put in or taken out of a list make its marks dense,
    or no longer dense, in the carried document as in the fresh read (which then places no heading)."""
    lines = lines_of(text)
    with _density(dense):
        doc = ListDocument(text)
        for _ in range(3):
            start = data.draw(st.integers(0, len(lines)))
            stop = data.draw(st.integers(start, min(len(lines), start + 3)))
            lines[start:stop] = data.draw(st.lists(st.sampled_from(_MARKED_LINES), max_size=4))
            new = "\n".join([*lines, ""])
            fresh = ListDocument(new)
            carried = ListDocument.carried(doc, new, _change(doc, new))
            if carried is not None:
                event(f"marks dense: {doc._opener_marks is None} then {fresh._opener_marks is None}")
                assert _state(carried) == _state(fresh)
            doc = carried or fresh


@_SETTINGS
@given(_lf_lists(), _DENSITIES, st.data())
def test_a_line_is_found_from_the_nearest_heading_as_from_the_start(text: str, dense: int, data: st.DataObject) -> None:
    """The line starting at an offset, counted from the nearest placed heading, is the count of
    line feeds above it; and the change found with it is the change found without it."""
    with _density(dense):
        doc = ListDocument(text)
    offsets = [0, *(at + 1 for at, char in enumerate(text) if char == "\n")]
    for offset in offsets:
        assert doc._line_starting_at(offset) == text.count("\n", 0, offset)
    new = _edited(data, text)
    assert line_change(text, new, line_at=doc._line_starting_at) == line_change(text, new)


@settings(max_examples=400)
@given(_TEXTS, st.integers(0, 60), st.integers(0, 60), _TEXTS, _PIECES)
def test_a_change_found_only_when_worth_carrying_is_the_change(
    old: str, start: int, stop: int, inserted: str, piece: int
) -> None:
    """The change `line_change` finds when asked only for one worth carrying is the change when
    that is worth carrying, else none."""
    new = _text_edited(old, start, stop, inserted)
    change = line_change(old, new, piece)
    assert line_change(old, new, piece, worth_only=True) == (change if worth_carrying(change, new) else None)


# --- the bot's own edits of a large list are carried ----------------------------------------------

_ENTRY = ["**A New Paper On Chest X-ray Reports**", "*A. Author, B. Author*", "arXiv | Mar 2015",
          "[paper](https://arxiv.org/abs/1503.99999)"]


@pytest.fixture(scope="module")
def synthetic() -> ListDocument:
    return ListDocument(make_list(1000))


def _carried_exactly(old: ListDocument, new: str) -> ListDocument:
    carried = ListDocument.carried(old, new, _change(old, new))
    assert carried is not None
    assert _state(carried) == _state(ListDocument(new))
    return carried


@pytest.mark.parametrize("which", [0, 10, -1])
def test_a_paper_the_bot_inserts_is_carried(synthetic: ListDocument, which: int) -> None:
    """A paper inserted by the bot into the first, a middle or the last year section is carried."""
    year = synthetic.year_headings()[which]
    assert year.year is not None
    new = insert_paper(synthetic.text, _ENTRY, year.year, (year.year, 3, 1), doc=synthetic).text
    carried = _carried_exactly(synthetic, new)
    assert carried.carried_from() == (synthetic, _change(synthetic, new))


@pytest.mark.parametrize("which", [0, 10, -1])
def test_a_paper_removed_or_edited_is_carried(synthetic: ListDocument, which: int) -> None:
    """A paper removed from, or edited in, the first, a middle or the last year section is carried."""
    year = synthetic.year_headings()[which]
    block = synthetic.blocks(year.line + 1, synthetic.body_end(year))[1]
    lines = list(synthetic.lines)
    removed = [*lines[:block.start], *lines[block.end + 1:], ""]
    _carried_exactly(synthetic, "\n".join(removed))
    edited = [*lines[:block.start], "**An Edited Title Of A Paper**", *lines[block.start + 1:], ""]
    _carried_exactly(synthetic, "\n".join(edited))


# --- parsed: recent documents, found without hashing, carried to the next text ---------------------

@pytest.fixture
def no_recent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document, "_recent", ())


def _inserted_in_middle(text: str) -> str:
    doc = ListDocument(text)
    year = doc.year_headings()[len(doc.year_headings()) // 2]
    at = doc.line_offset(doc.blocks(year.line + 1, doc.body_end(year))[0].start)
    return text[:at] + "\n".join(_ENTRY) + "\n\n" + text[at:]


@pytest.mark.usefixtures("no_recent")
def test_parsed_carries_a_text_one_entry_from_a_recent_one() -> None:
    """The document `parsed` gives for a text one entry from one it gave before is carried from
    it and is the fresh read; an equal text gives the very same document."""
    old_text = make_list(300, seed=11)
    new_text = _inserted_in_middle(old_text)
    old = parsed(old_text)
    new = parsed(new_text)
    assert old.carried_from() is None
    assert new.carried_from() == (old, line_change(old_text, new_text))
    assert _state(new) == _state(ListDocument(new_text))
    assert parsed("".join(new_text)) is new
    assert parsed(old_text) is old


@pytest.mark.usefixtures("no_recent")
def test_parsed_remembers_the_last_few_documents() -> None:
    """`parsed` gives the same document for a text asked about among the last four, and reads
    one asked about before those afresh."""
    texts = [make_list(20 + count, seed=count) for count in range(5)]
    docs = [parsed(text) for text in texts]
    assert [parsed(text) for text in texts[1:]] == docs[1:]
    assert parsed(texts[0]) is not docs[0]
    assert parsed(texts[0]).carried_from() is None


@pytest.mark.usefixtures("no_recent")  # which restores the recent documents after the test
def test_a_carried_document_does_not_keep_the_old_one_alive() -> None:
    """Once nothing else holds the old document, it is gone, and the new one says it was carried
    from nothing."""
    old_text = make_list(300, seed=12)
    new = parsed(_inserted_in_middle(old_text))  # read afresh: nothing recent to carry from
    newer = parsed(_inserted_in_middle(new.text))
    gone = weakref.ref(new)
    assert newer.carried_from() is not None
    document._recent = (newer,)  # not by monkeypatch, which would keep the tuple it replaces
    del new
    gc.collect()
    assert gone() is None
    assert newer.carried_from() is None
