"""Files read at a given commit, cached: a commit never changes, so this can never be stale."""

from __future__ import annotations

import threading
from collections import OrderedDict


class ShaCache:
    """Files read at a given commit (the list, the repository config): a commit never changes,
    so caching by its SHA can never serve stale data."""

    def __init__(self, size: int = 256) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, ...], object] = OrderedDict()
        self._size = size

    def get(self, key: tuple[str, ...]) -> object | None:
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: tuple[str, ...], value: object) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
