"""Tests for `BlockEntries.carried`: a list's entries carried from the text read before to the text
a change made of it answer every question exactly as a fresh reading of the new text, after
edits anywhere (headings, blank lines, code fences, HTML, prose, papers, the first and last line,
a last line without line feed), carried again and again; and a paper added to, removed from or
edited in a long list's year section has only its own lines searched."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import pairwise
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synthetic import make_list
from bot.core import kind_entries
from bot.core.document import ListDocument
from bot.core.duplicates import FoundEntry
from bot.core.forms import IssueForm
from bot.core.kind_entries import BlockEntries
from bot.core.kinds import BUILTIN_KINDS, Kind
from bot.core.placement import insert_paper
from bot.core.text_change import LineChange, line_change, lines_of
from tests import test_document_fast_paths as fast_paths
from tests import test_listing as listing_tests

_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Kinds as the other tests read lists with: the built-in ones (datasets read `## Datasets`), and
# those with a field-chosen heading, a two-level path, a multi-line kind and a section two kinds read.
_CONFIGURATIONS: tuple[tuple[tuple[Kind, ...], Mapping[str, IssueForm]], ...] = (
    (BUILTIN_KINDS, {}),
    (listing_tests._KINDS, listing_tests._FORMS),
)
_EDIT_LINE = st.one_of(fast_paths._LINE, listing_tests._LINE)
# Lines that keep a section of papers one (or make it not: a line of blanks, a block of prose).
_PAPERS_LINE = st.sampled_from((*fast_paths._PAPER_LINES, "", "", " ", "Prose."))
_INSERTED = st.one_of(
    st.lists(_EDIT_LINE, max_size=4),
    st.lists(_PAPERS_LINE, max_size=4),
    fast_paths._paper_block().map(lambda block: ["", *block]),  # a paper, as placement adds one
    fast_paths._paper_block().map(lambda block: [*block, ""]),
)


@st.composite
def _paper_lists(draw: st.DrawFn) -> str:
    """A list whose sections are mostly papers (a paper rarely holds an odd line), each after one
    empty line (rarely two, or none: papers run together), with or without a last line feed."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        lines.append(draw(st.sampled_from(fast_paths._HEADINGS)))
        for block in draw(st.lists(fast_paths._paper_block(), max_size=5)):
            lines += [*draw(st.sampled_from(([""], [""], [""], ["", ""], []))), *block]
    return "\n".join(lines) + draw(st.sampled_from(("", "\n")))


_LISTS = st.one_of(
    _paper_lists(),
    _paper_lists(),
    fast_paths._list_texts().filter(lambda text: "\r" not in text),
    listing_tests._sectioned_list(),
)


@st.composite
def _edited(draw: st.DrawFn, text: str, near: Sequence[int] = ()) -> str:
    """The text with one or two runs of its lines replaced by other lines (any of them none, or as
    many), often next to a heading or to one of the lines `near`, and its last line feed sometimes
    added or dropped."""
    lines = lines_of(text)
    ends = text.endswith("\n")
    for _ in range(draw(st.sampled_from((1, 1, 1, 2)))):
        start = draw(st.integers(0, len(lines)))
        marks = [*near, *(index for index, line in enumerate(lines) if line.startswith("#"))]
        if draw(st.booleans()) and marks:  # next to a heading, where sections end and start
            start = min(max(draw(st.sampled_from(marks)) + draw(st.integers(-2, 2)), 0), len(lines))
        removed = draw(st.integers(0, min(4, len(lines) - start)))
        if draw(st.booleans()):
            inserted = draw(_INSERTED)
        else:  # as many lines: a line edited, or a few
            inserted = draw(st.lists(st.one_of(_PAPERS_LINE, _EDIT_LINE), min_size=removed, max_size=removed))
        lines = [*lines[:start], *inserted, *lines[start + removed:]]
    if draw(st.integers(0, 4)) == 0:
        ends = not ends
    return "\n".join(lines) + ("\n" if ends and lines else "")


def _shown(entries: Sequence[FoundEntry]) -> list[tuple[str, str, int, int, frozenset[str]]]:
    return [(entry.title, entry.section, entry.start, entry.end, entry.identity()) for entry in entries]


def _change(old: str, new: str) -> LineChange:
    change = line_change(old, new)
    assert change is not None  # LF texts alone are generated
    return change


def _assert_answers_as_fresh(carried: BlockEntries, doc: ListDocument, kinds: Sequence[Kind],
                             forms: Mapping[str, IssueForm], data: st.DataObject) -> None:
    """The carried entries' papers, entries holding some lines and every entry are a fresh reading's."""
    fresh = BlockEntries(doc, kinds, forms)
    assert carried.paper_ranges() == fresh.paper_ranges()
    for _ in range(2):
        lines = data.draw(st.lists(st.integers(-1, len(doc.lines) + 1), max_size=8))
        assert _shown(carried.including(lines)) == _shown(fresh.including(lines))
    assert _shown(carried.every()) == _shown(fresh.every())


@_SETTINGS
@given(_LISTS, st.sampled_from(_CONFIGURATIONS), st.sampled_from((0, 32)), st.data())
def test_entries_carried_to_an_edited_text_answer_as_its_fresh_reading(
    text: str, configuration: tuple[tuple[Kind, ...], Mapping[str, IssueForm]], few: int, data: st.DataObject
) -> None:
    """Whatever lines an edit replaces, the carried entries answer as the new text's fresh reading,
    whether the old reading had found its papers or not (and sections of any length read in place)."""
    kinds, forms = configuration
    new = data.draw(_edited(text))
    with patch.object(kind_entries, "_FEW_LINES", few):
        old = BlockEntries(ListDocument(text), kinds, forms)
        if data.draw(st.integers(0, 3)):
            old.paper_ranges()
        doc = ListDocument(new)
        _assert_answers_as_fresh(BlockEntries.carried(old, doc, _change(text, new)), doc, kinds, forms, data)


@_SETTINGS
@given(_LISTS, st.sampled_from(_CONFIGURATIONS), st.sampled_from((0, 32)), st.data())
def test_entries_carried_again_and_again_answer_as_the_last_texts_fresh_reading(
    text: str, configuration: tuple[tuple[Kind, ...], Mapping[str, IssueForm]], few: int, data: st.DataObject
) -> None:
    """Carried through several edits, each reading's papers found or not, the entries answer as the
    fresh reading of each text."""
    kinds, forms = configuration
    with patch.object(kind_entries, "_FEW_LINES", few):
        entries = BlockEntries(ListDocument(text), kinds, forms)
        for _ in range(data.draw(st.integers(1, 4))):
            if data.draw(st.integers(0, 3)):
                entries.paper_ranges()
            new = data.draw(_edited(text))
            doc = ListDocument(new)
            entries = BlockEntries.carried(entries, doc, _change(text, new))
            if data.draw(st.booleans()):
                _assert_answers_as_fresh(entries, doc, kinds, forms, data)
            text = new
        _assert_answers_as_fresh(entries, ListDocument(text), kinds, forms, data)


def _papers_only(doc: ListDocument, start: int, end: int) -> bool:
    """Lines start..end's papers-only answer as `paper_ranges` reads a section afresh."""
    return kind_entries._papers_only_reading(doc)(doc, start, end)


def _failing_lines(lines: Sequence[str]) -> list[int]:
    """The indexes of the lines `_NOT_EVERY_BLOCK_A_PAPER` finds, framed as `every_block_a_paper`
    frames them: a match tried at each line feed, about the line after it (a line of blanks) or
    the line after the empty one that follows it (a block's first line)."""
    framed = "\n\n" + "\n".join(lines) + "\n"
    pattern = kind_entries._NOT_EVERY_BLOCK_A_PAPER()
    found, line = [], -2  # the line after the frame's first line feed is its empty line, -1
    for at, char in enumerate(framed):
        if char == "\n":
            line += 1
            if pattern.match(framed, at):
                found.append(line + 1 if framed[at + 1] == "\n" else line)
    return sorted(set(found))


@st.composite
def _known(draw: st.DrawFn, doc: ListDocument) -> dict[tuple[int, int], kind_entries._Unchecked]:
    """What may be known of some lines of the document (any lines, empty ones too, or next to each
    other): that one does not pass, that all do, or that all do but maybe a stretch holding
    every one that does not."""
    count = len(doc.lines)
    cuts = sorted(draw(st.lists(st.integers(0, count), min_size=2, max_size=8)))
    ranges = list(pairwise(cuts))
    for start, length in draw(st.lists(st.tuples(st.integers(0, count), st.integers(0, 6)), max_size=6)):
        ranges.append((start, min(start + length, count)))
    known: dict[tuple[int, int], kind_entries._Unchecked] = {}
    for start, end in ranges:
        failing = [start + line for line in _failing_lines(doc.lines[start:end])]
        assert (not failing) == _papers_only(doc, start, end)  # the reading this test's claims rest on
        if draw(st.booleans()) and failing:
            known[start, end] = None
        else:
            first = draw(st.integers(start, failing[0] if failing else end))
            known[start, end] = (first, draw(st.integers(failing[-1] + 1 if failing else first, end)))
    return known


@_SETTINGS
@given(_LISTS, st.sampled_from((0, 32)), st.data())
def test_what_is_known_of_lines_carried_to_an_edited_text_is_true_of_them(
    text: str, few: int, data: st.DataObject
) -> None:
    """For any lines whose papers-only answer is known (sections or not), carried through edits,
    what is said of the lines they became holds: searched where not said to pass, they answer
    as they are read afresh."""
    with patch.object(kind_entries, "_FEW_LINES", few):
        known = data.draw(_known(ListDocument(text)))
        for _ in range(data.draw(st.integers(1, 3))):
            near = [line for unchecked in known.values() if unchecked is not None for line in unchecked]
            new = data.draw(_edited(text, near))
            known = kind_entries._carried_answers(known, _change(text, new))
            doc, text = ListDocument(new), new
            for (start, end), unchecked in known.items():
                assert 0 <= start <= end <= len(doc.lines)
                if unchecked is not None and unchecked[0] < unchecked[1]:
                    assert start <= unchecked[0] < unchecked[1] <= end
                passes = unchecked is not None and kind_entries._lines_pass(doc, start, *unchecked)
                assert passes == _papers_only(doc, start, end), (start, end, unchecked)


def test_a_line_not_known_to_pass_stays_so_when_a_change_comes_just_before_it() -> None:
    """Lines known to pass but for one, a line added two lines above that one leaves it to be
    searched (in the lines the change made, which pass, it is not)."""
    old = "## A\n**T**\narXiv\n\nProse.\n## B\n"
    new = "## A\n**T**\narXiv\n*A. Author*\n\nProse.\n## B\n"
    known = kind_entries._carried_answers({(1, 5): (4, 5)}, _change(old, new))
    assert known[1, 6] == (3, 6)
    assert not kind_entries._lines_pass(ListDocument(new), 1, *known[1, 6])


# --- a long list's common change: a paper added, removed or edited ---------------------------------

_PAPER = ["**Carried Chest X-ray Report Model**", "*A. Author, B. Author*", "arXiv | Mar 2024",
          "[paper](https://arxiv.org/abs/2403.99999)"]


class _Reads:
    """What `paper_ranges` searched: sections read afresh and lines searched around a change."""

    def __init__(self) -> None:
        self.sections: list[tuple[int, int]] = []
        self.lines = 0


@contextmanager
def _recorded() -> Iterator[_Reads]:
    """The searches `paper_ranges` makes while the block runs."""
    reads = _Reads()
    fresh_reading, lines_pass = kind_entries._papers_only_reading, kind_entries._lines_pass

    def reading(doc: ListDocument) -> Callable[[ListDocument, int, int], bool]:
        def read(doc: ListDocument, start: int, end: int) -> bool:
            reads.sections.append((start, end))
            return fresh_reading(doc)(doc, start, end)
        return read

    def searched(doc: ListDocument, start: int, first: int, stop: int) -> bool:
        reads.lines += max(stop - first, 0)
        return lines_pass(doc, start, first, stop)

    with patch.object(kind_entries, "_papers_only_reading", reading), \
            patch.object(kind_entries, "_lines_pass", searched):
        yield reads


def _without_paper(text: str, year: int, index: int) -> str:
    """The list without the `index`th paper of a year's section (its lines and the empty line after it)."""
    lines = text.split("\n")
    at = lines.index(f"### {year}") + 2
    for _ in range(index):
        at = lines.index("", at) + 1
    return "\n".join([*lines[:at], *lines[lines.index("", at) + 1:]])


def _retitled(text: str, year: int) -> str:
    """The list with the title of the first paper of a year's section edited."""
    lines = text.split("\n")
    at = lines.index(f"### {year}") + 2
    lines[at] = lines[at].replace("**P", "**Edited P", 1)
    return "\n".join(lines)


_LONG = make_list(1000)
_CHANGES = {
    "added to the first year, at its top": insert_paper(_LONG, _PAPER, 2025, None, placement="top").text,
    "added to a middle year, by date": insert_paper(_LONG, _PAPER, 2016, (2016, 6, 15)).text,
    "added to the last year, at its end": insert_paper(_LONG, _PAPER, 2006, None, placement="bottom").text,
    "removed from a middle year": _without_paper(_LONG, 2015, 20),
    "removed from the last year's end": _without_paper(_LONG, 2006, 49),
    "edited in the first year": _retitled(_LONG, 2025),
}


def test_a_paper_added_removed_or_edited_has_only_its_lines_searched() -> None:
    """In a 1,000-entry list whose papers were found, a paper added to a year section (at the top,
    by date, at the end), removed from one, or edited, leaves every section's answer carried and
    only the changed lines (and the line after them) searched; the papers are a fresh reading's."""
    old = BlockEntries(ListDocument(_LONG), BUILTIN_KINDS, {})
    fresh_papers = old.paper_ranges()
    assert len(fresh_papers) == 22  # every year section is papers only (and two empty ones)
    for name, new in _CHANGES.items():
        doc = ListDocument(new)
        change = _change(_LONG, new)
        with _recorded() as reads:
            carried = BlockEntries.carried(old, doc, change).paper_ranges()
        assert carried == BlockEntries(doc, BUILTIN_KINDS, {}).paper_ranges(), name
        assert reads.sections == [], name
        assert reads.lines <= change.new_end - change.start + 1, name


def test_a_section_made_not_all_papers_is_no_paper_range() -> None:
    """A prose line added to a year section of papers makes it no paper range, found in the
    changed lines alone; removed again, the section is a paper range again."""
    old = BlockEntries(ListDocument(_LONG), BUILTIN_KINDS, {})
    old.paper_ranges()
    lines = _LONG.split("\n")
    at = lines.index("### 2016") + 2
    new = "\n".join([*lines[:at], "Some prose.", "", *lines[at:]])
    doc = ListDocument(new)
    with _recorded() as reads:
        carried = BlockEntries.carried(old, doc, _change(_LONG, new))
        papers = carried.paper_ranges()
    assert (at - 1, lines.index("### 2015") + 2) not in papers  # the 2016 section's lines, two added
    assert papers == BlockEntries(doc, BUILTIN_KINDS, {}).paper_ranges()
    assert len(papers) == 21
    assert reads.sections == []
    back = BlockEntries.carried(carried, ListDocument(_LONG), _change(new, _LONG))
    with _recorded() as reads:
        assert back.paper_ranges() == old.paper_ranges()
    assert reads.sections == [(at - 1, lines.index("### 2015"))]  # not all papers before: read afresh


def test_carried_entries_keep_nothing_of_the_old_reading_alive() -> None:
    """Once the old entries and document are dropped, nothing the carried entries hold refers to them."""
    new = _CHANGES["added to a middle year, by date"]
    old_doc = ListDocument(_LONG)
    old = BlockEntries(old_doc, BUILTIN_KINDS, {})
    old.paper_ranges()
    old.including([100, 200])
    doc_ref, old_ref = weakref.ref(old_doc), weakref.ref(old)
    carried = BlockEntries.carried(old, ListDocument(new), _change(_LONG, new))
    del old, old_doc
    gc.collect()
    assert doc_ref() is None
    assert old_ref() is None
    assert len(carried.paper_ranges()) == 22
