"""Tests for bot.core.listing: the indexed entries answer exactly as the scans over them do."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import listing
from bot.core.duplicates import ListedEntry, containing_titles, find_duplicates
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
