"""Which failed deliveries are asked for again: each failed event once, none delivered since."""

from __future__ import annotations

from bot.core.redelivery import MOST_ASKS, DeliveryAttempt, DeliveryBook, to_redeliver


def attempt(id: int, guid: str, status: int, redelivery: bool = False) -> DeliveryAttempt:
    return DeliveryAttempt(id, guid, status, redelivery, "issues")


def test_each_failed_event_is_asked_for_once_unless_something_delivered_it() -> None:
    log = [
        attempt(9, "lost", 0),
        attempt(8, "answered-503", 503),
        attempt(7, "fine", 200),
        attempt(6, "later-ok", 502),
        attempt(10, "later-ok", 202, redelivery=True),
        attempt(5, "asked-already", 0),
        attempt(11, "asked-already", 0, redelivery=True),
        attempt(4, "twice", 0),
        attempt(12, "twice", 500),
    ]
    assert [(a.id, a.guid) for a in to_redeliver(log)] == [(4, "twice"), (8, "answered-503"), (9, "lost")]


def test_nothing_failed_nothing_asked() -> None:
    assert to_redeliver([attempt(1, "a", 200), attempt(2, "b", 204)]) == []


def test_a_failed_redelivery_is_asked_again_once_a_later_delivery_got_through() -> None:
    """The way in to listbot was down: its redelivery failed too. Asked again at once it would fail
    again; once a later delivery got through, it is asked again, up to MOST_ASKS in all."""
    book = DeliveryBook()
    book.read([attempt(1, "lost", 0)])
    assert [a.id for a in book.to_redeliver()] == [1]
    book.asked("lost")
    assert book.to_redeliver() == []  # asked, its redelivery not logged yet
    book.read([attempt(2, "lost", 0, redelivery=True)])
    assert book.to_redeliver() == []  # nothing got through since: still unreachable
    book.read([attempt(3, "other", 202)])
    for n in range(2, MOST_ASKS + 1):
        assert [a.id for a in book.to_redeliver()] == [1]
        book.asked("lost")
        book.read([attempt(10 * n, "lost", 502, redelivery=True), attempt(10 * n + 1, f"other-{n}", 200)])
    assert book.to_redeliver() == []  # given up after MOST_ASKS redeliveries
    assert book.to_redeliver() == []


def test_an_event_once_delivered_is_never_asked_for_again() -> None:
    book = DeliveryBook()
    book.read([attempt(1, "e", 0), attempt(2, "e", 202, redelivery=True)])
    book.read([attempt(3, "e", 0, redelivery=True), attempt(4, "x", 200)])  # someone redelivered it again
    assert book.to_redeliver() == []


def test_a_refused_event_is_forgotten() -> None:
    book = DeliveryBook()
    book.read([attempt(1, "old", 0)])
    book.refused("old")
    book.read([attempt(2, "x", 200)])
    assert book.to_redeliver() == []
