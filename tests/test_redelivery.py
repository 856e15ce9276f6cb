"""Which failed deliveries are asked for again: each failed event once, none delivered since."""

from __future__ import annotations

from bot.core.redelivery import DeliveryAttempt, to_redeliver


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
