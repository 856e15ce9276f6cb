"""Which failed webhook deliveries to ask GitHub for again, judged from the app's delivery log.

GitHub does not redeliver a failed delivery by itself; an app may, through
`POST /app/hook/deliveries/{id}/attempts`, for deliveries of the last three days. listbot does
so for each event whose first attempt failed and that no attempt has delivered since.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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


def to_redeliver(attempts: Iterable[DeliveryAttempt]) -> list[DeliveryAttempt]:
    """The failed first attempts (oldest first) of events no attempt among `attempts` delivered
    and none has been asked for again: an event is redelivered once, never in a loop."""
    attempts = list(attempts)
    settled = {a.guid for a in attempts if a.delivered or a.redelivery}
    failed: dict[str, DeliveryAttempt] = {}
    for attempt in sorted(attempts, key=lambda a: a.id):
        if not attempt.redelivery and not attempt.delivered and attempt.guid not in settled:
            failed.setdefault(attempt.guid, attempt)
    return list(failed.values())
