"""Lists over GitHub's 1 MB contents limit, and the per-commit file cache bounded in bytes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.core.proposal import propose
from bot.emulator import GitHubEmulator
from bot.emulator.render import INLINE_CONTENT_LIMIT
from bot.gateway.cache import ShaCache
from tests.deployment import Deployment, deployed
from tests.factories import SEED, TODAY, paper_values

# The seed list with a maintainers' note (an HTML comment, as lists keep) taking it past 1 MB.
BIG_LIST = SEED + "\n<!--\n" + ("Kept for the record. " * 50 + "\n") * 1_100 + "-->\n"


@pytest.fixture
def big_listbot(github_emulator: GitHubEmulator) -> Iterator[Deployment]:
    """listbot deployed against a fresh emulator whose list is over 1 MB."""
    with deployed(github_emulator, list_text=BIG_LIST) as deployment:
        yield deployment


@pytest.mark.e2e
def test_a_submission_to_a_list_over_one_megabyte_gets_its_pull_request(big_listbot: Deployment) -> None:
    """A list too large for inline contents is read whole, and the PR holds exactly the new entry."""
    assert len(BIG_LIST.encode()) > INLINE_CONTENT_LIMIT
    number = big_listbot.file_issue()
    [pull] = big_listbot.open_pulls()
    assert pull.head == f"listbot/issue-{number}"
    assert big_listbot.list_on(pull.head) == propose(paper_values(), BIG_LIST, today=TODAY).after
    assert big_listbot.list_on("main") == BIG_LIST


def test_the_file_cache_holds_at_most_its_bound_in_bytes() -> None:
    """Past its bound the cache drops the least recently used files, whatever their count."""
    cache = ShaCache(max_bytes=1000)
    cache.put(("a",), "A", 400)
    cache.put(("b",), "B", 400)
    assert cache.get(("a",)) == "A"  # now the most recently used
    cache.put(("c",), "C", 400)
    assert (cache.get(("a",)), cache.get(("b",)), cache.get(("c",))) == ("A", None, "C")
    assert cache.held_bytes == 800


def test_a_file_larger_than_the_whole_bound_is_not_kept() -> None:
    """One value over the bound is not cached and evicts nothing."""
    cache = ShaCache(max_bytes=1000)
    cache.put(("a",), "A", 400)
    cache.put(("huge",), "H", 1001)
    assert (cache.get(("a",)), cache.get(("huge",))) == ("A", None)
    assert cache.held_bytes == 400
