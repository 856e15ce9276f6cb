"""Byte-bounded memories of what GitHub answered: files at a commit (`ShaCache`) and, through
`bot.gateway.etags`, the last answer of each repeatable read. One mechanism for both."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

# Enough for a dozen copies of a 5 MB list (the list and the base config at a few commits);
# a bound in bytes, because a bound in entries lets a large list multiply memory by the count.
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most `max_bytes` of values, as the caller measures them, the least recently used
    dropped first; a value over `largest` (default: the whole bound) is not kept at all."""

    def __init__(self, max_bytes: int, largest: int | None = None) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self.max_bytes = max_bytes
        self.largest = max_bytes if largest is None else min(largest, max_bytes)
        self.held_bytes = 0

    def get(self, key: K) -> V | None:
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key][0]

    def put(self, key: K, value: V, size: int) -> None:
        """Keep `value` (about `size` bytes) unless it alone is over `largest`."""
        with self._lock:
            self._forget(key)
            if size > self.largest:
                return
            self._entries[key] = (value, size)
            self.held_bytes += size
            while self.held_bytes > self.max_bytes:
                self.held_bytes -= self._entries.popitem(last=False)[1][1]

    def drop(self, key: K) -> None:
        with self._lock:
            self._forget(key)

    def _forget(self, key: K) -> None:
        if (found := self._entries.pop(key, None)) is not None:
            self.held_bytes -= found[1]

    @property
    def count(self) -> int:
        """How many values are kept. (Not `__len__`: an empty cache must stay truthy, as callers
        pass a shared one around and `cache or ShaCache()` would quietly replace it.)"""
        with self._lock:
            return len(self._entries)


class ShaCache(BoundedCache[tuple[str, ...], object]):
    """Files read at a given commit (the list, the repository config): a commit never changes,
    so caching by its SHA can never serve stale data."""

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        super().__init__(max_bytes)
