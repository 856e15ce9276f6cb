"""GitHub Actions workflow commands (`::error file=…::message`), escaped as the runner expects.

The runner unescapes `%25`, `%0D` and `%0A` in a command's data, and additionally `%3A` and
`%2C` in its properties (`@actions/core`, `command.ts`); anything left unescaped would end the
command early or split it into a second one.
"""

from __future__ import annotations

from collections.abc import Mapping


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (which also may not hold `:` or `,`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(name: str, properties: Mapping[str, str | int], message: str) -> str:
    """One `::name key=value,…::message` line, every part escaped."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}" if props else f"::{name}::{escape_data(message)}"


def error_annotation(path: str, line: int, col: int, title: str, message: str) -> str:
    """An error annotation on `path` (relative to the repository root) at a 1-based line and column."""
    return workflow_command("error", {"file": path, "line": line, "col": col, "title": title}, message)
