"""Tests for bot.core.listing: the indexed entries answer exactly as the scans over them do."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import listing
from bot.core.duplicates import FoundEntry, ListedEntry, containing_titles, find_duplicates
from bot.core.listing import _index

_WORDS = ("Chest", "X-ray", "x ray", "Report", "MAIRA-2", "model", "Model", "’s", "é", "a", "--", "CXR:")
_KEYS = ("title:a", "url:x", "arxiv:1", "doi:2", "repo:o/r", "url:y")

_titles = st.lists(st.sampled_from(_WORDS), max_size=6).map(" ".join)
_entries = st.lists(
    st.builds(
        lambda title, keys, line: ListedEntry(title, "Papers › 2024", line, frozenset(keys)),
        _titles, st.frozensets(st.sampled_from(_KEYS), max_size=3), st.integers(1, 10_000),
    ),
    max_size=12,
)


@settings(max_examples=300)
@given(_entries, _titles)
def test_containing_titles_from_the_index_equals_the_scan(entries: list[ListedEntry], title: str) -> None:
    """Titles containing the submission's, or contained in it, word for word: the same entries in the same order."""
    expected = list(containing_titles(title, entries))
    assert _index(entries).containing(title) == expected
    with patch.object(listing, "_MAX_RUN_LOOKUPS", 0):  # a title of very many words: one pass instead
        assert _index(entries).containing(title) == expected


@settings(max_examples=300)
@given(_entries, st.frozensets(st.sampled_from(_KEYS), max_size=3))
def test_duplicates_from_the_index_equal_the_scan(entries: list[ListedEntry], keys: frozenset[str]) -> None:
    """Only entries sharing a key can be duplicates, so checking those alone finds the same duplicates."""
    assert find_duplicates(keys, _index(entries).sharing(keys)) == find_duplicates(keys, entries)


_spans = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 6)), max_size=12).map(
    lambda spans: [FoundEntry("t", "Papers", start, start + length, frozenset) for start, length in spans]
)


@settings(max_examples=400)
@given(_spans, st.lists(st.integers(0, 70), max_size=8).map(lambda lines: sorted(set(lines))))
def test_the_entries_including_lines_are_those_a_walk_over_every_entry_finds(
    found: list[FoundEntry], lines: list[int]
) -> None:
    """Found by bisection (entries apart, in any order) or by the walk (entries sharing lines)."""
    walked = [entry for entry in found if any(entry.start <= line < entry.end for line in lines)]
    assert list(listing.Listing(found)._including(lines)) == walked


def test_a_question_asked_again_has_the_first_answer_even_after_many_others() -> None:
    """Answers are remembered per listing (a bounded number): asked again, after more questions
    than it remembers, a question still gets the answer a fresh listing gives."""
    entries = [
        ListedEntry(f"Chest X-ray report model {n}", "Papers › 2024", n + 1, frozenset({f"url:{n}"})) for n in range(5)
    ]
    remembering = _index(entries)
    first = (remembering.sharing(frozenset({"url:3"})), remembering.containing("Chest X-ray report model"))
    for n in range(listing._MAX_ANSWERS + 10):
        remembering.sharing(frozenset({f"url:other{n}"}))
    again = (remembering.sharing(frozenset({"url:3"})), remembering.containing("Chest X-ray report model"))
    fresh = _index(entries)
    assert first == again == (fresh.sharing(frozenset({"url:3"})), fresh.containing("Chest X-ray report model"))
    assert [entry.line for entry in first[0]] == [4]
