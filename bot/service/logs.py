"""Structured logging: one JSON object per line, with known secrets scrubbed from every line."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterable, Mapping
from typing import IO, Any

from bot.core.logfields import FIELDS_ATTR, context_fields

REDACTED = "[redacted]"

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None)).keys()
) | {"message", "asctime", "taskName", "color_message"}



class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line; `secrets` are replaced by a marker wherever they occur."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._forms = scrub_forms(secrets)

    def format(self, record: logging.LogRecord) -> str:
        """Render `record` as a single JSON line."""
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        # The work in progress (a delivery's ids) first, so a line's own fields win, but a
        # field a line leaves empty (e.g. `delivery_id: None` on a resync) is filled from it.
        entry.update(context_fields())
        extra = getattr(record, FIELDS_ATTR, None)
        if isinstance(extra, Mapping):
            entry.update({key: value for key, value in extra.items() if value is not None or key not in entry})
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key != FIELDS_ATTR and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return self._scrub(json.dumps(entry, default=str, ensure_ascii=False))

    def _scrub(self, line: str) -> str:
        """Replace every known secret (raw or JSON-escaped) in `line`."""
        for form in self._forms:
            if form in line:
                line = line.replace(form, REDACTED)
        return line


def scrub_forms(secrets: Iterable[str]) -> tuple[str, ...]:
    """What a line is searched for, worked out once rather than for every line: each secret as
    written and as JSON escapes it (the same text for most, such as a key's base64 lines),
    without repeats, longest first so that a secret containing another is scrubbed whole."""
    kept = {secret for secret in secrets if len(secret) >= 4}
    escaped = {json.dumps(secret, ensure_ascii=ascii_only)[1:-1] for secret in kept for ascii_only in (True, False)}
    forms = kept | escaped
    return tuple(sorted(forms, key=len, reverse=True))


def configure_logging(
    level: str | int = "INFO", secrets: Iterable[str] = (), stream: IO[str] | None = None
) -> logging.Handler:
    """Send all logging (uvicorn's too) to `stream` as JSON lines; return the installed handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    return handler
