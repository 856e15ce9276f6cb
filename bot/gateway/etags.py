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
from collections.abc import Mapping
from dataclasses import dataclass

from bot.gateway.cache import BoundedCache

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
        self._store: BoundedCache[tuple[str, str], Stored] = BoundedCache(max_bytes, largest=LARGEST_KEPT)

    @property
    def held_bytes(self) -> int:
        return self._store.held_bytes

    def get(self, key: tuple[str, str]) -> Stored | None:
        return self._store.get(key)

    def put(self, key: tuple[str, str], stored: Stored) -> None:
        self._store.put(key, stored, _footprint(key, stored))

    def drop(self, key: tuple[str, str]) -> None:
        self._store.drop(key)

    def __len__(self) -> int:
        return self._store.count
