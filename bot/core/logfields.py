"""The shape of a structured log call: fields attached to a record through `extra=`."""

from __future__ import annotations

from typing import Any

# The record attribute that carries the fields; the service's JSON formatter reads it.
FIELDS_ATTR = "fields"


def fields(**values: object) -> dict[str, Any]:
    """Build the `extra=` mapping that attaches structured fields to one log call."""
    return {FIELDS_ATTR: values}
