"""Files read at a given commit, cached: a commit never changes, so this can never be stale."""

from __future__ import annotations

import threading
from collections import OrderedDict

# Enough for a dozen copies of a 5 MB list (the list and the base config at a few commits);
# a bound in bytes, because a bound in entries lets a large list multiply memory by the count.
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024


class ShaCache:
    """Files read at a given commit (the list, the repository config): a commit never changes,
    so caching by its SHA can never serve stale data. Holds at most `max_bytes` of values, as
    the caller measures them, dropping the least recently used first."""

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, ...], tuple[object, int]] = OrderedDict()
        self.max_bytes = max_bytes
        self.held_bytes = 0

    def get(self, key: tuple[str, ...]) -> object | None:
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key][0]

    def put(self, key: tuple[str, ...], value: object, size: int) -> None:
        """Keep `value` (about `size` bytes) unless it alone is over the bound."""
        with self._lock:
            if key in self._entries:
                self.held_bytes -= self._entries.pop(key)[1]
            if size > self.max_bytes:
                return
            self._entries[key] = (value, size)
            self.held_bytes += size
            while self.held_bytes > self.max_bytes:
                self.held_bytes -= self._entries.popitem(last=False)[1][1]
