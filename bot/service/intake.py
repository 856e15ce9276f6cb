"""Webhook requests bounded before they are trusted, and deliveries that count once.

Anyone can POST to the webhook URL, so until the signature checks out a request gets only what a
small, fixed budget allows: a slot among `max_in_flight` requests, `deadline` seconds to send its
body (GitHub itself gives up after 10), and, once its body passes `large_bytes`, one of
`max_large` slots for large bodies. The HMAC is computed while the body streams in, so nothing
waits to be hashed. 20 unsigned 25 MiB uploads then hold at most `max_large` bodies in memory.

A verified delivery's `X-GitHub-Delivery` id is remembered (bounded, with a time to live), so a
delivery POSTed again byte for byte is acknowledged and ignored instead of run twice.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass
from threading import Lock

from bot.core.webhook import SignatureCheck

BODY_DEADLINE_SECONDS = 10.0  # GitHub waits 10 s for an answer; a slower upload is not GitHub
MAX_IN_FLIGHT = 64  # webhook requests being read at once
LARGE_BODY_BYTES = 1024 * 1024  # real deliveries are mostly a few KB; a push can reach MBs
MAX_LARGE_IN_FLIGHT = 2  # bodies past LARGE_BODY_BYTES held in memory at once
REMEMBERED_DELIVERIES = 10_000  # ids of verified deliveries kept to ignore replays (~1 MB)
DELIVERY_MEMORY_SECONDS = 24 * 3600.0


@dataclass(frozen=True)
class Refusal:
    """Why a body was not read: the HTTP status and the message for the sender."""

    status: int
    message: str


BUSY = Refusal(503, "listbot is reading too many webhook requests at once; GitHub's redelivery will catch up")
LARGE_BUSY = Refusal(503, "listbot is reading too many large webhook bodies at once; redeliver later")
SLOW = "the body did not arrive within {deadline:g} s (GitHub sends a delivery in well under that)"
TOO_LARGE = "payload exceeds {limit} bytes (GitHub never sends more than 25 MB)"


@dataclass(frozen=True)
class Limits:
    max_payload_bytes: int
    deadline: float = BODY_DEADLINE_SECONDS
    max_in_flight: int = MAX_IN_FLIGHT
    large_bytes: int = LARGE_BODY_BYTES
    max_large: int = MAX_LARGE_IN_FLIGHT


class Intake:
    """The budget every webhook request's body is read under (one per app, used on its event loop)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._in_flight = 0
        self._large = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def read(self, chunks: AsyncIterable[bytes], check: SignatureCheck) -> bytes | Refusal:
        """The body, hashed into `check` as it arrives, or why it was not read in full."""
        limits = self.limits
        if self._in_flight >= limits.max_in_flight:
            return BUSY
        self._in_flight += 1
        holds_large = False
        body = bytearray()
        try:
            async with asyncio.timeout(limits.deadline):
                async for chunk in chunks:
                    if len(body) + len(chunk) > limits.max_payload_bytes:
                        return Refusal(413, TOO_LARGE.format(limit=limits.max_payload_bytes))
                    if not holds_large and len(body) + len(chunk) > limits.large_bytes:
                        if self._large >= limits.max_large:
                            return LARGE_BUSY
                        self._large += 1
                        holds_large = True
                    check.update(chunk)
                    body += chunk
        except TimeoutError:
            return Refusal(408, SLOW.format(deadline=limits.deadline))
        finally:
            self._in_flight -= 1
            if holds_large:
                self._large -= 1
        return bytes(body)


class SeenDeliveries:
    """Ids of deliveries already acted on: at most `capacity`, each forgotten after `ttl` seconds."""

    def __init__(
        self, capacity: int = REMEMBERED_DELIVERIES, ttl: float = DELIVERY_MEMORY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.ttl = ttl
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = Lock()

    def first_time(self, delivery_id: str) -> bool:
        """Record the id; False when it was already recorded (and not yet forgotten)."""
        now = self._clock()
        with self._lock:
            while self._seen and (len(self._seen) >= self.capacity or next(iter(self._seen.values())) <= now):
                self._seen.popitem(last=False)
            if delivery_id in self._seen:
                return False
            self._seen[delivery_id] = now + self.ttl
            return True

    def forget(self, delivery_id: str) -> None:
        """Let the id through again (its jobs were refused, so a redelivery must run)."""
        with self._lock:
            self._seen.pop(delivery_id, None)

    def __len__(self) -> int:
        return len(self._seen)
