"""A listing of a base list one merge from a recent one is made from that one's (`listing._carried`):
the same answers as a listing read afresh, without keeping the old one alive."""

from __future__ import annotations

import gc
import weakref

import pytest

from bench.synthetic import make_list
from bot.core import document, listing
from bot.core.document import ListDocument, parsed
from bot.core.key_anchors import TextAnchors
from bot.core.kind_entries import BlockEntries
from bot.core.kind_forms import builtin_forms
from bot.core.kinds import BUILTIN_KINDS
from bot.core.listing import Listing
from bot.core.text_change import lines_of
from tests.test_document_carried import _ENTRY, _inserted_in_middle

# Keys a submission's checks ask about: one listed (the entry inserted), one listed before, none.
_INSERTED_KEYS = frozenset({"arxiv:1503.99999"})
_TITLES = ("A New Paper On Chest X-ray Reports", "Chest X-ray Report Generation With Memory", "Nothing Like It")


@pytest.fixture(autouse=True)
def nothing_recent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document, "_recent", ())
    monkeypatch.setattr(listing, "_recent", ())


def _fresh(text: str) -> Listing:
    doc = ListDocument(text)
    return Listing(BlockEntries(doc, BUILTIN_KINDS, {}), doc.lines, doc.joined_lines)


def _asked(found: Listing, keys: list[frozenset[str]]) -> list[object]:
    """The answers to the questions a submission asks: who shares each key set, who holds each title."""
    return [*(found.sharing(each) for each in keys), *(found.containing(title) for title in _TITLES)]


def _listed_keys(text: str, count: int) -> list[frozenset[str]]:
    """The keys of a few entries listed in the text, and the inserted entry's."""
    every = _fresh(text).entries
    return [every[index].keys for index in range(0, len(every), max(1, len(every) // count))] + [_INSERTED_KEYS]


def test_a_listing_one_entry_from_a_recent_one_answers_as_a_fresh_one() -> None:
    """The listing of a base list with one entry merged is carried from the listing of the list
    before it (its anchors made already) and answers every question as a fresh listing does."""
    old_text = make_list(400, seed=21)
    new_text = _inserted_in_middle(old_text)
    keys = _listed_keys(new_text, 6)
    old = listing.listing(parsed(old_text), BUILTIN_KINDS, {})
    _asked(old, keys)  # as the reconcile on the old base did
    new = listing.listing(parsed(new_text), BUILTIN_KINDS, {})
    assert new.made_anchors() is not None  # carried, not waiting to be read from the whole text
    assert _asked(new, keys) == _asked(_fresh(new_text), keys)
    assert new.sharing(_INSERTED_KEYS)[0].title == _ENTRY[0].strip("*")


def test_a_chain_of_merges_is_carried_and_answers_as_fresh_listings() -> None:
    """Each of several merges in a row is carried from the listing before it, exactly."""
    text = make_list(300, seed=22)
    listing.listing(parsed(text), BUILTIN_KINDS, {}).containing(_TITLES[1])
    for _ in range(3):
        text = _inserted_in_middle(text)
        keys = _listed_keys(text, 4)
        carried = listing.listing(parsed(text), BUILTIN_KINDS, {})
        assert carried.made_anchors() is not None
        assert _asked(carried, keys) == _asked(_fresh(text), keys)


def test_equal_texts_share_one_listing() -> None:
    """Two documents of equal texts (not the same string) share one listing."""
    text = make_list(50, seed=23)
    first = listing.listing(ListDocument(text), BUILTIN_KINDS, {})
    assert listing.listing(ListDocument("".join(text)), BUILTIN_KINDS, {}) is first


def test_a_carried_listing_does_not_keep_the_old_one_alive() -> None:
    """Once the recent listings no longer hold the old listing, it is gone."""
    old_text = make_list(200, seed=24)
    old = listing.listing(parsed(old_text), BUILTIN_KINDS, {})
    old.containing(_TITLES[1])
    new = listing.listing(parsed(_inserted_in_middle(old_text)), BUILTIN_KINDS, {})
    assert new.made_anchors() is not None
    gone = weakref.ref(old)
    listing._recent = listing._recent[:1]  # the new listing's alone
    document._recent = ()
    del old
    gc.collect()
    assert gone() is None


def test_a_listing_asked_again_stays_held() -> None:
    """A listing asked about again is held longer than ones asked about before it."""
    docs = [ListDocument(make_list(20 + count, seed=count)) for count in range(5)]
    first = listing.listing(docs[0], BUILTIN_KINDS, {})
    for doc in docs[1:4]:
        listing.listing(doc, BUILTIN_KINDS, {})
    assert listing.listing(docs[0], BUILTIN_KINDS, {}) is first
    listing.listing(docs[4], BUILTIN_KINDS, {})  # the fifth: the one asked about longest ago goes
    assert listing.listing(docs[0], BUILTIN_KINDS, {}) is first
    assert listing._held(docs[1], listing._key(BUILTIN_KINDS, {})) is None


def test_listings_of_one_text_share_its_anchors() -> None:
    """A listing of a text with other forms uses the anchors another listing of that text made,
    and answers as a listing of its own would."""
    text = make_list(200, seed=25)
    doc = parsed(text)
    first = listing.listing(doc, BUILTIN_KINDS, {})
    first.containing(_TITLES[1])
    other_forms = builtin_forms(BUILTIN_KINDS)
    second = listing.listing(doc, BUILTIN_KINDS, other_forms)
    assert second is not first
    keys = _listed_keys(text, 4)
    assert _asked(second, keys) == _asked(_fresh(text), keys)
    assert second.made_anchors() is first.made_anchors()


def test_an_anchor_found_is_searched_for_once_and_answered_afresh_each_time() -> None:
    """The lines an anchor is found on are remembered per text; the set given back is the
    caller's to change."""
    anchors = TextAnchors(lines_of("x\n\nchest xray\n"), "x\n\nchest xray")
    found = anchors.lines_with(b"chestxray")
    assert found == {2}
    found.add(99)
    assert anchors.lines_with(b"chestxray") == {2}
