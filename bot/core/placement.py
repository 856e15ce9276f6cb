"""Where a new paper goes in the list: its year section, its place by date, a new year if needed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from bot.core.document import PAPERS_HEADING, Heading, ListDocument, github_anchor, toc_items
from bot.core.entry import read_paper
from bot.core.rules import DEFAULT_PLACEMENT


class PlacementError(ValueError):
    """The list has no place for the entry (e.g. no `## Papers` section)."""


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class Insertion(NamedTuple):
    """The edited list and what the edit did, for PR bodies and messages."""

    text: str
    year: int | None  # the paper's year section; None for kinds without year sections
    new_year_section: bool
    line: int  # 1-based line of the entry's first line in the new text
    edits: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (line index of the old text, lines put before it)


def spliced(
    doc: ListDocument, edits: Sequence[tuple[int, Sequence[str]]], year: int | None, new_year_section: bool, line: int
) -> Insertion:
    """The insertion of `edits` into `doc`: its text and its recorded edits made from the same
    edits, so the edits always make the text (a PR marker names the text by them)."""
    kept = tuple((index, tuple(lines)) for index, lines in edits)
    text = doc.with_insertions([(index, list(lines)) for index, lines in kept])
    return Insertion(text, year, new_year_section, line, kept)


def _position_in_year(
    doc: ListDocument, year: Heading, key: tuple[int, int, int] | None, placement: str
) -> tuple[int, list[str], list[str]]:
    """Index to splice at, plus the lines to put before/after the entry."""
    blocks = doc.blocks(year.line + 1, doc.body_end(year))
    if not blocks:
        return year.line + 1, [""], []
    if placement == "top":
        return blocks[0].start, [], [""]
    if key is not None and placement == "by-date":
        for block in blocks:
            existing = read_paper(doc.block_lines(block)).sort_key()
            # Undated entries (`ICLR 2024`) cannot be compared: skip them, never move them.
            if existing is not None and existing < key:
                return block.start, [], [""]
    return blocks[-1].end, [""], []


def _new_year_position(doc: ListDocument, papers: Heading, years: list[Heading], year: int) -> tuple[int, list[str]]:
    """Index for a new `### YYYY` section (newest first) and the heading lines to insert."""
    heading = [f"### {year}", ""]
    older = next((h for h in years if h.year is not None and h.year < year), None)
    if older is not None:
        return older.line, heading
    end = doc.section_end(papers)
    needs_blank_before = end > 0 and bool(doc.lines[end - 1].strip())
    return end, [""] * needs_blank_before + heading


def _toc_insertion(doc: ListDocument, year: int) -> tuple[int, list[str]] | None:
    """Where the new year's table-of-contents line goes, under the Papers item."""
    items = toc_items(doc)
    papers = next((i for i, item in enumerate(items) if item[3] == github_anchor(PAPERS_HEADING)), None)
    if papers is None:
        return None
    _, papers_indent, _, _ = items[papers]
    children = []
    for item in items[papers + 1:]:
        if item[1] <= papers_indent:
            break
        children.append(item)
    if children:
        prefix = re.match(r"\s*", doc.lines[children[0][0]])
        indent = prefix[0] if prefix else ""
    else:
        indent = " " * (papers_indent + 2)
    line = f"{indent}- [{year}](#{github_anchor(str(year))})"
    for index, _, text, _ in children:
        if text.isdigit() and int(text) < year:
            return index, [line]
    after = children[-1][0] + 1 if children else items[papers][0] + 1
    return after, [line]


def insert_paper(
    text: str,
    entry: list[str],
    year: int,
    key: tuple[int, int, int] | None,
    *,
    doc: ListDocument | None = None,
    placement: str = DEFAULT_PLACEMENT,
) -> Insertion:
    """Insert an entry's lines into `## Papers` › `### {year}`, creating the year if needed.

    `doc` may pass the already-parsed `text` so a caller pays for one mistune parse, not two.
    `placement` is the repository's policy inside a year: `by-date` (newest first, existing
    entries never move), `top` or `bottom`.
    """
    doc = doc if doc is not None else ListDocument(text)
    papers = doc.find_heading(2, PAPERS_HEADING)
    if papers is None:
        raise PlacementError("the list has no `## Papers` section to add the paper to.")
    years = doc.year_headings()
    existing = next((h for h in years if h.year == year), None)
    edits: list[tuple[int, list[str]]] = []
    if existing is not None:
        index, before, after = _position_in_year(doc, existing, key, placement)
        edits.append((index, before + entry + after))
        entry_index = index + len(before)
    else:
        index, heading = _new_year_position(doc, papers, years, year)
        trailer = [""] if index < len(doc.lines) else []
        edits.append((index, [*heading, *entry, *trailer]))
        entry_index = index + len(heading)
        if toc := _toc_insertion(doc, year):
            edits.append(toc)
            entry_index += len(toc[1]) if toc[0] <= index else 0
    return spliced(doc, edits, year, existing is None, entry_index + 1)
