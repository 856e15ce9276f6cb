"""Conditional GETs: the last 200 answer of each repeatable read, kept with its `ETag`.

A resync reads the same issues, comments and PR lists again and again, and most have not
changed. Sent with `If-None-Match`, such a read costs GitHub a 304 with no body, which does not
count against the rate limit when the request is authorised; the stored answer then stands in
for it. `bot.gateway.transport` does the sending; this module only remembers, within a bound.

The key is the URL and the `Accept` header, not the credentials: installation tokens change every
hour, and a 304 says the stored answer is the one GitHub would send to this very request (with a
different body its ETag would differ), so serving it cannot leak or mislead.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

# Reads a resync repeats for every open submission or repository (path templates, see
# `transport.path_template`). Files are not here: they are read at a commit and cached by SHA.
REPEATABLE = frozenset({
    "/repos/{owner}/{repo}/issues",
    "/repos/{owner}/{repo}/issues/{id}",
    "/repos/{owner}/{repo}/issues/{id}/comments",
    "/repos/{owner}/{repo}/pulls",
    "/repos/{owner}/{repo}/pulls/{id}",
    "/repos/{owner}/{repo}/branches/{branch}",
    "/repos/{owner}/{repo}/git/matching-refs/heads/{branch}",
    "/installation/repositories",
    "/app/installations",
})
DEFAULT_ETAG_BYTES = 32 * 1024 * 1024  # a few thousand issues with their comments
LARGEST_KEPT = 1024 * 1024  # one answer over this is not worth a slot


@dataclass(frozen=True, slots=True)
class Stored:
    """A 200 answer as PyGithub reads it: its ETag, headers and body text."""

    etag: str
    headers: Mapping[str, str]
    text: str


def _footprint(key: tuple[str, str], stored: Stored) -> int:
    """What one entry holds in memory, roughly: its body, and its headers and key, which for a
    small answer (an empty comment list) weigh a thousand times its body."""
    strings = (*key, stored.etag, stored.text, *stored.headers.keys(), *stored.headers.values())
    return sum(sys.getsizeof(s) for s in strings) + sys.getsizeof(stored.headers)


class EtagCache:
    """Stored answers by (URL, Accept), at most `max_bytes` of them (bodies, headers and keys),
    least recently used dropped first."""

    def __init__(self, max_bytes: int = DEFAULT_ETAG_BYTES) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str], tuple[Stored, int]] = OrderedDict()
        self.max_bytes = max_bytes
        self.held_bytes = 0

    def get(self, key: tuple[str, str]) -> Stored | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: tuple[str, str], stored: Stored) -> None:
        size = _footprint(key, stored)
        with self._lock:
            if key in self._entries:
                self.held_bytes -= self._entries.pop(key)[1]
            if size > min(LARGEST_KEPT, self.max_bytes):
                return
            self._entries[key] = (stored, size)
            self.held_bytes += size
            while self.held_bytes > self.max_bytes:
                self.held_bytes -= self._entries.popitem(last=False)[1][1]

    def drop(self, key: tuple[str, str]) -> None:
        with self._lock:
            if (found := self._entries.pop(key, None)) is not None:
                self.held_bytes -= found[1]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
