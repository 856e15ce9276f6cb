"""The shape of a structured log call: fields attached to a record through `extra=`, and the
fields of the work in progress (a delivery's ids) that every line logged meanwhile carries."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

# The record attribute that carries the fields; the service's JSON formatter reads it.
FIELDS_ATTR = "fields"

_CONTEXT: ContextVar[Mapping[str, Any] | None] = ContextVar("listbot_log_context", default=None)


def fields(**values: object) -> dict[str, Any]:
    """Build the `extra=` mapping that attaches structured fields to one log call."""
    return {FIELDS_ATTR: values}


@contextlib.contextmanager
def log_context(**values: object) -> Iterator[None]:
    """Within this block (and this thread), every log line also carries `values` (None skipped)."""
    token = _CONTEXT.set({**context_fields(), **{k: v for k, v in values.items() if v is not None}})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def context_fields() -> Mapping[str, Any]:
    """The fields of the work this thread is doing now (empty outside any `log_context`)."""
    return _CONTEXT.get() or {}
