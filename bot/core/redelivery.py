"""Which failed webhook deliveries to ask GitHub for again, judged from the app's delivery log.

GitHub does not redeliver a failed delivery by itself; an app may, through
`POST /app/hook/deliveries/{id}/attempts`, for deliveries of the last three days. listbot does
so for each event whose first attempt failed and that no attempt has delivered since.

A redelivery can fail too: the listbot process is up (it is the one asking) but the way in to it
may not be (a proxy, a tunnel, DNS). Asked again at once it would fail again, so an event whose
redelivery failed is asked for again only once the log shows a later delivery that got through,
and at most `MOST_ASKS` times in all: never in a loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

MOST_ASKS = 3  # redeliveries of one event, counting everyone's (a maintainer's from the settings page too)
MOST_REMEMBERED = 10_000  # undelivered events followed across looks; the oldest are forgotten first


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One entry of `GET /app/hook/deliveries`: one attempt to deliver one event (its `guid`)."""

    id: int
    guid: str
    status_code: int  # 0 when nothing answered
    redelivery: bool
    event: str = ""

    @property
    def delivered(self) -> bool:
        return 200 <= self.status_code < 300


@dataclass(slots=True)
class Undelivered:
    """An event no attempt has delivered yet, as far as the log read so far shows."""

    first: DeliveryAttempt  # its oldest attempt seen: the one asked for again
    last: DeliveryAttempt  # its newest attempt seen (failed)
    redeliveries: int = 0  # redelivery attempts logged
    asked: bool = False  # listbot asked, and the redelivery is not in the log yet


@dataclass
class DeliveryBook:
    """The events the delivery log shows undelivered, kept across looks (each look reads only
    the entries logged since the previous one)."""

    events: dict[str, Undelivered] = field(default_factory=dict)
    delivered: dict[str, None] = field(default_factory=dict)  # events some attempt delivered (ordered set)
    newest_success: int = 0  # id of the newest attempt seen that delivered

    def read(self, attempts: Iterable[DeliveryAttempt]) -> None:
        """Take in newly logged attempts (any order)."""
        for attempt in sorted(attempts, key=lambda a: a.id):
            if attempt.delivered:
                self.events.pop(attempt.guid, None)
                self.delivered[attempt.guid] = None
                self.newest_success = max(self.newest_success, attempt.id)
            elif attempt.guid not in self.delivered:
                self._failed(attempt)
        for book in (self.events, self.delivered):
            while len(book) > MOST_REMEMBERED:
                del book[next(iter(book))]

    def _failed(self, attempt: DeliveryAttempt) -> None:
        known = self.events.get(attempt.guid)
        if known is None:
            known = self.events[attempt.guid] = Undelivered(attempt, attempt)
        known.last = attempt
        if attempt.redelivery:
            known.redeliveries += 1
            known.asked = False

    def to_redeliver(self) -> list[DeliveryAttempt]:
        """The events to ask for now (oldest first): failed and never redelivered, or whose last
        redelivery failed before a delivery that got through. Events redelivered `MOST_ASKS`
        times are given up (the next resync finds their work)."""
        for guid in [guid for guid, event in self.events.items() if event.redeliveries >= MOST_ASKS]:
            del self.events[guid]
        chosen = [
            event.first for event in self.events.values()
            if not event.asked and (event.redeliveries == 0 or self.newest_success > event.last.id)
        ]
        return sorted(chosen, key=lambda attempt: attempt.id)

    def asked(self, guid: str) -> None:
        """listbot asked for this event: not again until its redelivery is in the log."""
        if (event := self.events.get(guid)) is not None:
            event.asked = True

    def refused(self, guid: str) -> None:
        """GitHub will not redeliver this event: forget it."""
        self.events.pop(guid, None)


def to_redeliver(attempts: Iterable[DeliveryAttempt]) -> list[DeliveryAttempt]:
    """What one look at `attempts` alone asks for (see `DeliveryBook`)."""
    book = DeliveryBook()
    book.read(attempts)
    return book.to_redeliver()
