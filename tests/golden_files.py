"""Golden-file comparison: compare bytes, or rewrite the file when LISTBOT_UPDATE_GOLDEN=1."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(name: str, actual: str) -> None:
    """Assert `actual` equals golden file `name` byte for byte (regenerate on request)."""
    path = GOLDEN / name
    data = actual.encode("utf-8")
    if os.environ.get("LISTBOT_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"golden file {name} is missing; run with LISTBOT_UPDATE_GOLDEN=1"
    assert data == path.read_bytes(), f"output differs from golden file {name}"
