"""Where a new entry of any kind goes: its section, its place in the kind's order, its spacing.

Papers keep their year sections (`placement.insert_paper`). Every other kind goes into an
existing section (a heading listbot never invents: a field-chosen heading must already be in
the list) at the place its order gives: `top`, `bottom`, `alphabetical` or `newest-first`.
Entries listbot cannot read are never moved and never compared; list items (`- …`) stay one
per line, other entries are separated by one blank line.
"""

from __future__ import annotations

from bot.core.document import ListDocument
from bot.core.forms import IssueForm
from bot.core.kind_entries import Unit, find_section, units
from bot.core.kind_submission import SortKey, Submission, sort_key
from bot.core.kinds import Kind, entry_reader
from bot.core.placement import Insertion, PlacementError, insert_paper, spliced
from bot.core.rules import DEFAULT_PLACEMENT


def _comes_before(kind: Kind, new: SortKey, existing: SortKey) -> bool:
    """Whether the new entry goes before an existing one in the kind's order."""
    if kind.order == "top":
        return True
    if kind.order == "bottom" or new is None or existing is None or type(new) is not type(existing):
        return False
    if kind.order == "alphabetical":
        return str(new) < str(existing)
    return existing < new  # type: ignore[operator]  # newest-first: both are date keys


def _position(kind: Kind, found: list[Unit], new: SortKey) -> tuple[Unit, bool]:
    """The entry the new one goes next to, and whether it goes before it."""
    for unit in found:
        if _comes_before(kind, new, sort_key(kind, unit.values)):
            return unit, True
    return found[-1], False


def insert_entry(
    text: str,
    submission: Submission,
    *,
    doc: ListDocument | None = None,
    form: IssueForm | None = None,
    placement: str = DEFAULT_PLACEMENT,
) -> Insertion:
    """Insert the submission's entry into its section; `placement` orders papers within a year."""
    doc = doc if doc is not None else ListDocument(text)
    kind, entry = submission.kind, submission.entry()
    if submission.paper is not None:
        paper = submission.paper
        key = paper.date.sort_key() if paper.date else None
        return insert_paper(text, entry, paper.year, key, doc=doc, placement=placement)
    heading = find_section(doc, submission.headings)
    if heading is None:
        level, name = submission.headings[-1]
        raise PlacementError(f"the list has no `{'#' * level} {name}` section to add the {kind.noun} to.")
    start, end = heading.line + 1, doc.body_end(heading)
    found = units(doc, start, end, kind, entry_reader(kind, form))
    gap = [] if kind.tight else [""]
    if found:
        unit, before = _position(kind, found, submission.sort_key)
        if before:
            index, lines, offset = unit.start, [*entry, *gap], 0
        else:
            index, lines, offset = unit.end, [*gap, *entry], len(gap)
    else:
        last = max((i for i in range(start, end) if doc.lines[i].strip()), default=heading.line)
        index, lines, offset = last + 1, ["", *entry], 1
    runs_into_next = index < len(doc.lines) and bool(doc.lines[index].strip()) and lines[-1] != ""
    if runs_into_next and not (kind.tight and found):
        lines.append("")
    return spliced(doc, [(index, lines)], None, False, index + offset + 1)
