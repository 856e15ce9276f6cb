"""Property tests: any valid submission only adds its entry, and never goes in twice."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.document import ListDocument
from bot.core.proposal import propose
from bot.core.submission import SubmissionError
from bot.core.textrules import mojibake_runs
from tests.factories import SEED, TODAY

_WORD = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=12)
# Titles lint would flag as mis-decoded (`ÂŒ`) are refused, so they are not valid values.
_TITLE = st.lists(_WORD, min_size=2, max_size=8).map(" ".join).filter(
    lambda t: not t[0].isdigit() and not list(mojibake_runs(t))
)
_DATE = st.dates(min_value=dt.date(2015, 1, 1), max_value=TODAY)


@st.composite
def valid_values(draw: st.DrawFn) -> dict[str, Any]:
    """Form values that pass validation, in every shape the form allows."""
    arxiv = f"{draw(st.integers(1501, 2611))}.{draw(st.integers(10000, 99999))}"
    date = draw(_DATE)
    values: dict[str, Any] = {
        "title": draw(_TITLE),
        "authors": draw(st.sampled_from(["A. Tao, B. Liu, et al.", "Stanford AIMI Team"])),
        "venue": draw(st.sampled_from(["arXiv", "Nature Medicine", "Radiology"])),
        "date": draw(st.sampled_from([date.isoformat(), date.strftime("%b %Y"), date.strftime("%Y-%m")])),
        "paper_url": draw(st.sampled_from(["https://arxiv.org/abs/", "http://arxiv.org/pdf/"])) + arxiv,
    }
    if draw(st.booleans()):
        values["code_url"] = f"https://github.com/owner{arxiv.replace('.', '')}/repo"
    if draw(st.booleans()):
        values["model_url"] = f"https://huggingface.co/org/model-{arxiv}"
    if draw(st.booleans()):
        values["venue"], values["date"] = f"MICCAI {date.year}", ""
    return values


def added_lines(before: str, after: str) -> list[str]:
    """Lines the edit added, failing if it removed or replaced any."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    added: list[str] = []
    for op, _, _, j1, j2 in matcher.get_opcodes():
        assert op in {"equal", "insert"}, f"the edit did {op} existing lines"
        if op == "insert":
            added.extend(after.splitlines()[j1:j2])
    return added


@settings(max_examples=60, deadline=None)
@given(valid_values(), st.sampled_from(["\n", "\r\n"]))
def test_a_valid_submission_only_adds_its_entry(values: dict[str, Any], newline: str) -> None:
    """The diff adds exactly the entry lines, plus a heading and ToC line for a new year."""
    before = SEED.replace("\n", newline)
    proposal = propose(values, before, today=TODAY)
    added = [line for line in added_lines(before, proposal.after) if line]
    year = proposal.paper.year
    extra = [f"    - [{year}](#{year})", f"### {year}"] if proposal.insertion.new_year_section else []
    assert sorted(added) == sorted(proposal.entry + extra)
    if newline == "\r\n":
        assert "\n" not in proposal.after.replace("\r\n", "")


@settings(max_examples=40, deadline=None)
@given(valid_values())
def test_the_same_submission_is_refused_the_second_time(values: dict[str, Any]) -> None:
    """Applying a submission to the list it produced is refused as a duplicate."""
    first = propose(values, SEED, today=TODAY)
    with pytest.raises(SubmissionError, match="already listed"):
        propose(values, first.after, today=TODAY)


@settings(max_examples=40, deadline=None)
@given(st.lists(valid_values(), min_size=1, max_size=6, unique_by=lambda v: v["title"].casefold()))
def test_year_sections_stay_newest_first(batch: list[dict[str, Any]]) -> None:
    """After any sequence of submissions the year headings are still newest first."""
    text = SEED
    for values in batch:
        try:
            text = propose(values, text, today=TODAY).after
        except SubmissionError:
            continue  # a generated paper may share a repo or link with an earlier one
    years = [h.year or 0 for h in ListDocument(text).year_headings()]
    assert years == sorted(years, reverse=True)


@given(st.text(max_size=2000))
def test_the_document_reader_never_raises(text: str) -> None:
    """Any text can be read as a list document."""
    doc = ListDocument(text)
    assert "".join(doc.raw_lines) == text
