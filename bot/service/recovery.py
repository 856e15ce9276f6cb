"""Failed webhook deliveries recovered through the app's delivery log.

GitHub logs every attempt to deliver an event to the app and never retries a failed one by
itself. At start-up and every `LISTBOT_REDELIVERY_INTERVAL` seconds listbot reads the log entries
made since its last look (`GET /app/hook/deliveries`, with the app's JWT) and asks for each
event whose delivery failed and that nothing delivered since (`POST …/{id}/attempts`; when and how
often again after a failed redelivery: `bot.core.redelivery`). The
redelivery arrives as an ordinary delivery, so the missed work is done as a webhook's would be and
the full resync (which finds the same work at a cost per open submission) can run rarely.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Protocol

from bot.core.logfields import fields
from bot.core.redelivery import DeliveryAttempt, DeliveryBook
from bot.gateway.errors import NotFound, Rejected
from bot.gateway.transport import Cancelled, cancellable
from bot.service.metrics import REDELIVERIES

log = logging.getLogger("listbot.redeliver")

START_LOOKBACK = dt.timedelta(hours=24)  # how far back the first look reaches (GitHub keeps 3 days)
FIRST_LOOK_MOST = 1000  # log entries the first look reads (ten pages): the newest of the 24 hours


class DeliveryLog(Protocol):
    """The app's delivery log (`bot.gateway.app.GitHubApp`)."""

    def hook_deliveries(
        self, newer_than: int | None, since: dt.datetime, limit: int | None
    ) -> list[DeliveryAttempt]: ...

    def redeliver(self, delivery_id: int) -> None: ...


class DeliveryRecovery:
    """Looks at the delivery log since its last look and redelivers what failed (see
    `bot.core.redelivery` for how often)."""

    def __init__(
        self,
        deliveries: DeliveryLog,
        lookback: dt.timedelta = START_LOOKBACK,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._log = deliveries
        self._since = clock() - lookback
        self._newest: int | None = None  # the newest log entry already looked at
        self._book = DeliveryBook()  # what the entries looked at say is still undelivered
        self.checking = False
        self.redelivered = 0

    def check(self) -> int:
        """One look: redeliver each failed delivery logged since the last; how many were asked for."""
        # Later looks read everything since the last one, however much: a limit would leave a gap.
        limit = FIRST_LOOK_MOST if self._newest is None else None
        attempts = self._log.hook_deliveries(self._newest, self._since, limit)
        self._book.read(attempts)
        if attempts:  # the book remembers them: a look that fails below asks for the rest when run again
            self._newest = max(attempt.id for attempt in attempts)
        chosen = [attempt for attempt in self._book.to_redeliver() if self._redeliver(attempt)]
        if chosen:
            log.warning("failed deliveries redelivered", extra=fields(
                redelivered=len(chosen), deliveries=[attempt.guid for attempt in chosen],
                events=sorted({attempt.event for attempt in chosen}),
            ))
        return len(chosen)

    def _redeliver(self, attempt: DeliveryAttempt) -> bool:
        """Ask for one delivery again; False when GitHub refuses this one (gone, or older than
        it redelivers). Such a refusal is given up: raised, it would stop every later look at the
        same entry, and no failed delivery after it would be asked for again."""
        try:
            self._log.redeliver(attempt.id)
        except (NotFound, Rejected) as error:
            self._book.refused(attempt.guid)
            log.warning("GitHub refused to redeliver a failed delivery; its work waits for the next resync",
                        extra=fields(delivery=attempt.guid, event=attempt.event, status=error.status))
            return False
        self._book.asked(attempt.guid)
        self.redelivered += 1
        REDELIVERIES.inc()
        return True

    def run(self, interval: float, stop: threading.Event, retrying: Callable[[Callable[[], int]], int]) -> None:
        """Look now and every `interval` seconds (0: only now) until `stop`; `retrying` runs a look
        under the one retry layer."""
        with contextlib.suppress(Cancelled), cancellable(stop):  # Cancelled: shutting down
            while not stop.is_set():
                self.checking = True
                try:
                    retrying(self.check)
                except Exception:
                    log.exception("reading the delivery log failed; it is read again at the next interval")
                finally:
                    self.checking = False
                if interval <= 0 or stop.wait(interval):
                    return
