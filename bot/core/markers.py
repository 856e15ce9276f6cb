"""Hidden markers in listbot's PR bodies and comments: the state listbot keeps on GitHub itself."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

_MARKER = re.compile(r"<!-- listbot:(\w+) (\{.*?\}) -->")


def write_marker(kind: str, data: dict[str, Any]) -> str:
    """An HTML comment GitHub hides when rendering; `<`, `>` and `&` are escaped inside."""
    payload = json.dumps(data, sort_keys=True, separators=(",", ":"))
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"<!-- listbot:{kind} {payload} -->"


def read_marker(kind: str, text: str | None) -> dict[str, Any] | None:
    """The data of the first `kind` marker in text, or None when there is none (or it is bad)."""
    for match in _MARKER.finditer(text or ""):
        if match[1] != kind:
            continue
        try:
            data = json.loads(match[2])
        except json.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None
    return None


def fingerprint(text: str) -> str:
    """A short stable hash of text (e.g. the list a branch should hold)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
