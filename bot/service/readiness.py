"""Readiness: whether GitHub accepts the app's credentials, checked in the background on a timer.

Probes read the last result from memory, so `/readyz` answers at once whatever GitHub does; the
check itself (one `GET /app`) runs on its own thread at start-up and every `interval` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.logfields import fields
from bot.service.metrics import READY

log = logging.getLogger("listbot.readiness")

NOT_CHECKED = "waiting for GitHub to answer the first credentials check (started {age:.0f} s ago)"


@dataclass(frozen=True, slots=True)
class HealthResult:
    """What a check found: whether the dependency works, and a short human detail."""

    ok: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The last check's result and when it finished (UNIX time; None before the first)."""

    ok: bool
    detail: str
    checked_at: float | None


class CredentialsWatch:
    """Runs `check` now and every `interval` seconds on a daemon thread; remembers the result."""

    def __init__(self, check: Callable[[], HealthResult], interval: float = 30.0) -> None:
        self._check = check
        self._interval = max(1.0, interval)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="listbot-readiness", daemon=True)
        self._started_at = time.monotonic()
        self._last: Verdict | None = None

    def start(self) -> None:
        if not self._thread.is_alive() and not self._stop.is_set():
            self._started_at = time.monotonic()
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def verdict(self) -> Verdict:
        """The last result, or a "not checked yet" verdict naming how long the first one takes."""
        if self._last is not None:
            return self._last
        age = time.monotonic() - self._started_at
        return Verdict(False, NOT_CHECKED.format(age=age), None)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._run_once()
            if self._stop.wait(self._interval):
                return

    def _run_once(self) -> None:
        try:
            result = self._check()
        except Exception as error:  # a bug in a check must not end the loop
            log.exception("credentials check raised")
            result = HealthResult(False, f"credentials check raised {type(error).__name__}")
        previous = self._last
        self._last = Verdict(result.ok, result.detail, time.time())
        READY.set(1 if result.ok else 0)
        if previous is None or previous.ok != result.ok:
            level = logging.INFO if result.ok else logging.WARNING
            log.log(level, "readiness changed", extra=fields(ready=result.ok, detail=result.detail))
