"""The corpus: real papers as people submit them, each with the entry a maintainer would write."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core import messages
from bot.core.document import ListDocument
from bot.core.forms import parse_issue, render_issue_body
from bot.core.lint import lint
from bot.core.proposal import Proposal, propose
from bot.core.submission import SubmissionError
from tests.factories import SEED, TODAY, paper_form

CORPUS = Path(__file__).resolve().parent / "corpus" / "submissions.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
ACCEPTED = [case for case in CASES if "error" not in case]
REFUSED = [case for case in CASES if "error" in case]
# Words of library errors that must never reach a submitter.
_LIBRARY_WORDS = re.compile(r"IPv6|Traceback|ValidationError|out of range|unconverted|codec|Errno|NoneType|object has")
# Every message says what to write instead: an instruction, usually with an example.
_INSTRUCTION = re.compile(r"\b(write|paste|give|leave|keep|retype|use|put|delete|close|fill)\b", re.IGNORECASE)


def submitted_body(case: dict[str, Any]) -> str:
    """The issue body of a case: as edited by hand, or as GitHub renders the submitted form."""
    body = case.get("body")
    return body if isinstance(body, str) else render_issue_body(case["submitted"], paper_form())


def proposal_for(case: dict[str, Any], list_text: str = SEED) -> Proposal:
    """Parse, validate, render and place one case, as listbot does for an issue."""
    parsed = parse_issue(submitted_body(case), paper_form())
    return propose(parsed.values, list_text, today=TODAY, strays=parsed.strays)


def section_lines(text: str, year: int) -> list[str]:
    """The lines of `### {year}` in the list (empty when there is no such section)."""
    doc = ListDocument(text)
    heading = next((h for h in doc.year_headings() if h.year == year), None)
    return [] if heading is None else doc.lines[heading.line + 1 : doc.body_end(heading)]


def new_findings(before: str, after: str) -> list[str]:
    """Lint findings the edit added."""
    old = {(f.code, f.message) for f in lint(before)}
    return [f"{f.code} line {f.line}: {f.message}" for f in lint(after) if (f.code, f.message) not in old]


def test_the_corpus_is_large_and_well_formed() -> None:
    """The corpus holds at least 100 cases with unique ids, each with one expected outcome."""
    assert len(CASES) >= 100
    assert len({case["id"] for case in CASES}) == len(CASES)
    for case in CASES:
        assert ("submitted" in case) != ("body" in case), case["id"]
        assert ("error" in case) != ("entry" in case), case["id"]


@pytest.mark.parametrize("case", ACCEPTED, ids=[case["id"] for case in ACCEPTED])
def test_an_accepted_case_gives_the_maintainers_entry(case: dict[str, Any]) -> None:
    """The entry, its section, the changes and warnings listed are those a maintainer expects."""
    proposal = proposal_for(case)
    assert "\n".join(proposal.entry) + "\n" == case["entry"]
    assert proposal.paper.year == case["section"]
    lines = section_lines(proposal.after, case["section"])
    assert "\n".join(proposal.entry) in "\n".join(lines), "the entry is not in its year's section"
    assert sorted(change.field for change in proposal.changes) == sorted(case.get("changes", []))
    if "warning" in case:
        assert any(case["warning"] in warning for warning in proposal.warnings), proposal.warnings
    else:
        assert proposal.warnings == ()
    assert new_findings(proposal.before, proposal.after) == []


@pytest.mark.parametrize("case", ACCEPTED, ids=[case["id"] for case in ACCEPTED])
def test_the_status_comment_lists_every_change(case: dict[str, Any]) -> None:
    """Each change and warning appears in the status comment, with the value listbot wrote."""
    proposal = proposal_for(case)
    comment = messages.proposed_comment(
        1, 2, proposal.paper.title, proposal.paper.section, proposal.changes, proposal.warnings
    )
    for change in proposal.changes:
        expected = f"as `{change.written}`" if change.written is not None else f"left out the {change.label.lower()}"
        assert expected in comment
    assert comment.count("\n- ") == len(proposal.changes) + len(proposal.warnings)


@pytest.mark.parametrize("case", REFUSED, ids=[case["id"] for case in REFUSED])
def test_a_refused_case_says_what_to_write_instead(case: dict[str, Any]) -> None:
    """The expected field is refused with the expected words, an instruction and no library text."""
    with pytest.raises(SubmissionError) as caught:
        proposal_for(case)
    found = {problem.field: problem.message for problem in caught.value.problems}
    field, says = case["error"]["field"], case["error"]["says"]
    assert field in found, found
    assert says in found[field]
    for message in found.values():
        assert not _LIBRARY_WORDS.search(message), message
        assert _INSTRUCTION.search(message) or "already listed" in message, message


def test_the_whole_corpus_in_one_list_passes_lint() -> None:
    """Every accepted case added to the same list, one after another, leaves nothing for lint."""
    text, refused = SEED, []
    for case in ACCEPTED:
        try:
            text = proposal_for(case, text).after
        except SubmissionError as error:  # a later case may be the same paper as an earlier one
            refused += [p.message for p in error.problems]
    assert all("already listed" in message for message in refused), refused
    assert new_findings(SEED, text) == []
