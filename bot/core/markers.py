"""Hidden markers in listbot's PR bodies and comments: the state listbot keeps on GitHub itself."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

_OPENER = "<!-- listbot:"
_CLOSER = " -->"
_BODY = re.compile(r"(\w+) (\{[^\n]*\})")
_TEXT_FINGERPRINT = re.compile(r"[0-9a-f]{20}")  # what `fingerprint` gives
# Names an edited text by its base and edits (`edit_fingerprint`). The version: a listbot that reads
# a blob's bytes into text, or splices edits into it, differently must count it up, or its names
# would match PRs an older listbot wrote for another text.
_EDIT_PREFIX = "e1:"


def write_marker(kind: str, data: dict[str, Any]) -> str:
    """An HTML comment GitHub hides when rendering; `<`, `>` and `&` are escaped inside."""
    payload = json.dumps(data, sort_keys=True, separators=(",", ":"))
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"<!-- listbot:{kind} {payload} -->"


def read_marker(kind: str, text: str | None) -> dict[str, Any] | None:
    """The data of the first `kind` marker in text, or None when there is none (or it is bad)."""
    for found, payload in _markers(text or ""):
        if found != kind:
            continue
        try:
            data = json.loads(payload)
        except json.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None
    return None


def _markers(text: str) -> Iterator[tuple[str, str]]:
    """(kind, JSON text) of each marker, in one pass over text however many openers it holds.

    A marker ends at the first ` -->` after its opener (`write_marker` escapes `>`, so its JSON
    never holds one); of several openers before one closer only the last can start a marker,
    the others are text. Each stretch of text is searched a bounded number of times, so a
    crafted body of thousands of openers costs no more than its length.
    """
    start = 0
    while (closer := text.find(_CLOSER, start)) != -1:
        opener = text.rfind(_OPENER, start, closer)
        if opener != -1 and (match := _BODY.fullmatch(text, opener + len(_OPENER), closer)):
            yield match[1], match[2]
        start = closer + len(_CLOSER)


def fingerprint(text: str) -> str:
    """A short stable hash of text (e.g. the list a branch should hold)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def is_text_fingerprint(value: object) -> bool:
    """Whether a recorded value has the shape of `fingerprint` (what PR markers held before
    `edit_fingerprint`): only then can comparing it with a text's fingerprint match."""
    return isinstance(value, str) and _TEXT_FINGERPRINT.fullmatch(value) is not None


def edit_fingerprint(base_blob_sha: str, path: str, edits: Sequence[tuple[int, Sequence[str]]]) -> str:
    """A stable name for the text `edits` make of the file at `path` whose git blob is `base_blob_sha`.

    It costs what the edits cost, not what the text costs. For texts made by splicing the edits
    into the base text (`placement.spliced` makes every insertion so), equal names mean equal
    texts in the same file: the JSON of (blob, path, edits) decodes back to them, so different
    ones never share it (nor, but for a SHA-256 collision, a name); the blob fixes the base text's
    bytes, and through them its text, newline style and last line; the edits fix the rest. The
    JSON is UTF-8 with lone surrogates passed through, not backslash-u escapes, under which a surrogate
    pair and the character it stands for would read alike. Never equal to a `fingerprint`.
    """
    canonical = json.dumps([base_blob_sha, path, edits], separators=(",", ":"), ensure_ascii=False)
    return _EDIT_PREFIX + hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
