"""Lint what an edit can touch: whether inserting a paper entry adds a finding to the list.

A submission may only add findings that the base list does not already have (`plan`): findings
are matched by `Finding.identity` (code and a subject naming no line), counted. Linting the base
and the edited list to learn that costs two whole-list lints per submission, and on a
20,000-entry list they were most of a reconcile.

For the bot's common edit, one entry put between blank lines inside a year section of a list
whose structure needs no mistune parse, every finding of the edited list is a base finding moved
down by the inserted lines, with the same identity, once the entry itself is clean:

- the block structure is the base's, shifted: the inserted lines open no code block, HTML block
  or heading (`_inert`), no code or HTML block spans the place, and the line after it is read as
  before (`_same_reading_after`); so the headings are too (`ListDocument.plain_headings`), and with
  them the year order (LB007), the table of contents (LB008) and the heading anchors LB015 accepts;
- the entry is its own block (blank lines on both sides, no two blank lines in a row, a
  non-blank line after it), so every other entry keeps its lines and its section (LB001-LB006),
  no separation changes (LB010, LB011), and no line but the inserted ones is new (LB012-LB015);
- no kind's section holds the place (LB016);
- the entry shares no identity key with a listed entry, so it duplicates nothing and no other
  entry's LB009 changes (its message names the earlier entry's line, which may move, but its
  identity does not).

`adds_no_findings` checks exactly these conditions; anything else is left to the full lint diff,
`added_findings`. `tests/test_edit_lint.py` checks the two against each other on generated lists
and insertions.

`added_findings` counts by identity (a third copy of a problem the base has twice is new) and,
of an identity's copies, blames the ones not where the base had one, those on the inserted lines
first: the line a submitter is shown is the entry's, not a listed copy's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise

from bot.core.document import PAPERS_HEADING, TOC_HEADING, Heading, ListDocument, mistune_only
from bot.core.duplicates import block_keys
from bot.core.forms import IssueForm
from bot.core.kind_entries import kind_sections
from bot.core.kinds import Kind
from bot.core.lint import Finding, paper_block_clean
from bot.core.listing import listing
from bot.core.markdown_blocks import may_open_block

Edits = tuple[tuple[int, tuple[str, ...]], ...]  # (line index of the base text, lines put before it)


def adds_no_findings(
    doc: ListDocument, edits: Edits, kinds: Sequence[Kind], forms: Mapping[str, IssueForm]
) -> bool:
    """Whether every finding `lint` reports for `doc` with `edits` applied is matched by one it
    reports for `doc` (`Finding.identity`, each base finding matching one). False also means
    "not known": lint both then."""
    if len(edits) != 1 or not any(kind.builtin and kind.name == "paper" for kind in kinds):
        return False
    index, lines = edits[0]
    entry = _entry_of(lines)
    if entry is None or not doc.plain_headings or not 0 < index < len(doc.lines):
        return False
    heading = doc.heading_before(index)
    papers = doc.find_heading(2, PAPERS_HEADING)
    if heading is None or papers is None or not papers.line <= heading.line < doc.section_end(papers):
        return False
    section_year = heading.year if heading.level == 3 else None
    return (
        _structure_kept(doc, index, lines, heading)
        and _own_block(doc, index, lines)
        and not _in_kind_section(doc, heading.line, kinds, forms)
        and heading.text != TOC_HEADING
        and paper_block_clean(entry, section_year)
        and not listing(doc, kinds, forms).sharing(block_keys(entry))
    )


def _entry_of(lines: Sequence[str]) -> list[str] | None:
    """The non-blank lines of `[""]? entry [""]?`, each inert; None for any other shape."""
    start = 1 if lines[:1] == ("",) else 0
    end = len(lines) - 1 if len(lines) > start and lines[-1] == "" else len(lines)
    entry = list(lines[start:end])
    if not entry or not all(line.strip() and _inert(line) for line in entry):
        return None
    return entry


def _inert(line: str) -> bool:
    """A non-blank line the block reader reads as paragraph text wherever it stands, which keeps
    the list's headings the block reader's (`mistune_only`) and holds no line break."""
    return not (
        line[:1].isspace() or may_open_block(line) or mistune_only(line) or "\r" in line or "\n" in line
    )


def _structure_kept(doc: ListDocument, index: int, lines: Sequence[str], heading: Heading) -> bool:
    """Whether the block reader reads the base lines after the place as before: no code or HTML
    block spans it, and the line after it starts what it started (an HTML block that cannot
    interrupt a paragraph depends on whether a paragraph runs into it). `heading` is the last
    heading above the place."""
    if doc.verbatim(index - 1) or doc.verbatim(index):
        return False
    paragraph_before = bool(doc.lines[index - 1].strip()) and heading.line != index - 1
    paragraph_after = bool(lines[-1].strip())
    return paragraph_before == paragraph_after or doc.lines[index].lstrip(" ")[:1] != "<"


def _own_block(doc: ListDocument, index: int, lines: Sequence[str]) -> bool:
    """Whether the inserted entry stands between blank lines, with no two blank lines in a row
    around it, splits no block and is followed by a non-blank line somewhere (so no blank run
    before it becomes the end of the file).

    The window reaches two base lines to each side: put inside a run of blank lines, the entry
    splits it in two, and a run of four would become two runs of two, each an LB011 finding
    where the base had one."""
    above, below = doc.lines[max(0, index - 2):index], doc.lines[index:index + 2]
    window = [*above, *lines, *below]
    blank = [not line.strip() for line in window]
    first = len(above) + (lines[0] == "")  # index in `window` of the entry's first line
    last = len(above) + len(lines) - 1 - (lines[-1] == "")  # ... and of its last
    return (
        blank[first - 1] and blank[last + 1]
        and not any(a and b for a, b in pairwise(blank))
        and (blank[len(above) - 1] or blank[len(above) + len(lines)])
        and doc.text_from(index)
    )


def _in_kind_section(doc: ListDocument, line: int, kinds: Sequence[Kind], forms: Mapping[str, IssueForm]) -> bool:
    """Whether the heading at `line` lies in a section another kind's entries live in."""
    for kind in kinds:
        if kind.builtin and kind.name == "paper":
            continue
        for section in kind_sections(doc, kind, forms.get(kind.name)):
            if section.line <= line < doc.section_end(section):
                return True
    return False


def added_findings(before: Iterable[Finding], after: Iterable[Finding], edits: Edits) -> list[Finding]:
    """The findings of the edited list (`after`) that `edits` added to the base list's (`before`),
    in line order: of each identity, as many as the edited list has more than the base.

    Which copies: one standing where the base had a copy of it (its line moved by the inserted
    lines only) is the base's; of the others, the base's remaining copies excuse the ones on base
    lines first, so the inserted lines' copies are the ones blamed."""
    at_place = Counter((finding.identity, finding.line) for finding in before)  # the one pass over `before`
    left: Counter[tuple[str, str]] = Counter()
    for (identity, _line), count in at_place.items():
        left[identity] += count
    elsewhere: list[tuple[bool, Finding]] = []
    for finding in after:
        line = base_line(edits, finding.line)
        if line is not None and at_place[finding.identity, line]:
            at_place[finding.identity, line] -= 1
            left[finding.identity] -= 1
        else:
            elsewhere.append((line is None, finding))
    added = []
    # Base lines' copies first (False sorts first; the sort is stable): the base's spare copies
    # excuse them before any inserted line's.
    for _inserted, finding in sorted(elsewhere, key=lambda pair: pair[0]):
        if left[finding.identity]:
            left[finding.identity] -= 1
        else:
            added.append(finding)
    return sorted(added)


def base_line(edits: Edits, line: int) -> int | None:
    """The base list's 1-based line number that line `line` of the edited list was, or None for
    a line `edits` inserted."""
    shift = 0
    for index, lines in sorted(edits, key=lambda edit: edit[0]):
        first = index + shift + 1  # the edited list's number of the edit's first inserted line
        if line < first:
            break
        if line < first + len(lines):
            return None
        shift += len(lines)
    return line - shift
