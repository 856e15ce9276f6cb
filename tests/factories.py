"""Shared builders for test data: valid paper values, issue bodies and the committed list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bot.core.forms import IssueForm, form_from_yaml, render_issue_body
from bot.core.template import render_template

ROOT = Path(__file__).resolve().parent.parent
LIST_PATH = ROOT / "list" / "README.md"
SEED_PATH = Path(__file__).resolve().parent / "fixtures" / "list_seed.md"
# The list as it stood when the golden files were made: tests edit this, never the live list.
SEED = SEED_PATH.read_bytes().decode("utf-8")
TODAY = dt.date(2026, 11, 28)


def committed_list() -> str:
    """The list as committed, read byte-exactly (no newline translation)."""
    return LIST_PATH.read_bytes().decode("utf-8")


def paper_form() -> IssueForm:
    """The paper submission form generated from the schema."""
    return form_from_yaml(render_template())


def paper_values(**overrides: Any) -> dict[str, Any]:
    """Valid form values for a new paper; keyword arguments replace or (with None) drop fields."""
    values: dict[str, Any] = {
        "title": "RadRotator: Chest X-ray Report Generation with Rotating Experts",
        "authors": "J. Doe, K. Lee, et al.",
        "venue": "arXiv",
        "date": "2024-03-15",
        "paper_url": "https://arxiv.org/abs/2403.12345",
        "code_url": "https://github.com/example/radrotator",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def issue_body(**overrides: Any) -> str:
    """The issue body GitHub would write for `paper_values(**overrides)`."""
    return render_issue_body(paper_values(**overrides), paper_form())
