"""Golden-file tests for house-style rendering and section-aware insertion."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.entry import render_paper
from bot.core.proposal import propose
from bot.core.submission import validate_paper
from tests.factories import SEED, TODAY, paper_values
from tests.golden_files import assert_golden

RENDER_CASES: dict[str, dict[str, Any]] = {
    "github_code": {},
    "model_and_github_code": {"model_url": "https://huggingface.co/example/radrotator-7b"},
    "code_elsewhere": {"code_url": "https://gitlab.com/example/radrotator"},
    "no_code": {"code_url": None},
    "conference_without_date": {"venue": "MICCAI 2023", "date": None},
    "journal_day_date": {"venue": "Nature Medicine", "date": "07 Aug 2024"},
}


def test_rendering_matches_golden() -> None:
    """Each kind of entry renders exactly in the list's house style."""
    rendered = []
    for name, overrides in RENDER_CASES.items():
        lines = render_paper(validate_paper(paper_values(**overrides), TODAY))
        rendered.append(f"<!-- {name} -->\n" + "\n".join(lines) + "\n")
    assert_golden("render.md", "\n".join(rendered))


INSERT_CASES: dict[str, dict[str, Any]] = {
    "existing_year": {"date": "2024-03-15"},
    "existing_year_newest": {"date": "2024-09-01", "title": "Newest paper of 2024"},
    "existing_year_oldest": {"date": "2023-01-02", "title": "Oldest paper of 2023"},
    "empty_year": {"date": "Feb 2025"},
    "new_year_before_existing": {"date": "2026-10-01"},
    "new_year_after_existing": {"date": "2021-06", "venue": "arXiv"},
    "venue_year_only": {"date": None, "venue": "ECCV 2024"},
}


@pytest.mark.parametrize("case", sorted(INSERT_CASES))
def test_insertion_matches_golden(case: str) -> None:
    """The entry lands in its year section, newest first, and nothing else changes."""
    proposal = propose(paper_values(**INSERT_CASES[case]), SEED, today=TODAY)
    assert_golden(f"insert_{case}.md", proposal.after)


@pytest.mark.parametrize("placement", ["top", "bottom"])
def test_placement_policy_puts_the_entry_at_the_top_or_bottom_of_its_year(placement: str) -> None:
    """With a `top` or `bottom` policy the entry goes first or last in its year, by policy alone."""
    proposal = propose(paper_values(date="2024-03-15"), SEED, today=TODAY, placement=placement)
    assert_golden(f"insert_placement_{placement}.md", proposal.after)


def test_crlf_list_keeps_crlf() -> None:
    """A CRLF list gets CRLF entry lines and keeps every other byte."""
    crlf = SEED.replace("\n", "\r\n")
    proposal = propose(paper_values(date="2026-10-01"), crlf, today=TODAY)
    assert "\n" not in proposal.after.replace("\r\n", "")
    assert_golden("insert_crlf.md", proposal.after)


def test_list_without_trailing_newline_keeps_it_that_way() -> None:
    """A list whose papers section ends the file without a newline gains no trailing newline."""
    text = "## Papers\n\n### 2024\n\n**Old**\n*A*\narXiv | Jan 2024\n[paper](https://a.org/x)"
    after = propose(paper_values(date="2023-05"), text, today=TODAY).after
    assert not after.endswith("\n")
    assert after.startswith(text + "\n\n### 2023\n\n**RadRotator")


def test_a_year_heading_inside_an_html_block_is_not_mistaken_for_the_real_one() -> None:
    """`### 2023` inside `<details>` is HTML, so the entry goes under the real `### 2023`."""
    text = (
        "## Papers\n\n<details>\n### 2023\n</details>\n\n### 2023\n\n"
        "**Old**\n*A*\narXiv | Jan 2023\n[paper](https://a.org/x)\n"
    )
    after = propose(paper_values(date="2023-05"), text, today=TODAY).after
    assert after.startswith("## Papers\n\n<details>\n### 2023\n</details>\n\n### 2023\n\n**RadRotator")


def test_an_entry_never_lands_inside_a_fenced_block_with_blank_lines() -> None:
    """An example entry in a code block with blank lines is code: a new entry never goes inside the block."""
    fence = "```markdown\nLike this:\n\n**Example**\n*A. Person*\narXiv | Jan 2022\n[paper](https://a.org/y)\n```\n"
    text = f"## Papers\n\n### 2023\n\n{fence}\n**Old**\n*A*\narXiv | Jan 2023\n[paper](https://a.org/x)\n"
    after = propose(paper_values(date="2023-05"), text, today=TODAY).after
    assert fence in after
