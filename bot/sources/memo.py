"""Answers cached by identifier, and pacing so a source sees no more requests than it allows."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from bot.core.lookups import Lookup, Status

T = TypeVar("T")


class Pacer:
    """At most one request every `interval` seconds, across threads (arXiv asks for 3 s)."""

    def __init__(
        self, interval: float, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> None:
        """Block until this caller may send its request, and reserve the slot."""
        with self._lock:
            now = self.clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self.sleep(start - now)


class LookupCache(Generic[T]):
    """Lookups by identifier: answers are kept for `ttl` seconds, an unavailable source never
    (so the next resync asks again)."""

    def __init__(self, ttl: float, size: int = 2048, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, Lookup[T]]] = OrderedDict()

    def get(self, key: str) -> Lookup[T] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < self.clock():
                self._items.pop(key, None)
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, lookup: Lookup[T]) -> None:
        if lookup.status is Status.UNAVAILABLE:
            return
        with self._lock:
            self._items[key] = (self.clock() + self.ttl, lookup)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def lookup(self, key: str, fetch: Callable[[], Lookup[T]]) -> tuple[Lookup[T], bool]:
        """The cached lookup, else `fetch()`'s (cached); and whether it was fetched now."""
        cached = self.get(key)
        if cached is not None:
            return cached, False
        fresh = fetch()
        self.put(key, fresh)
        return fresh, True
