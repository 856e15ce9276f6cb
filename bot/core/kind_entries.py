"""Reading any kind's entries back from the list: where they sit, their values, their identity."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from bot.core.document import Heading, ListDocument
from bot.core.duplicates import FoundEntry, ListedEntry, found_entries
from bot.core.entry_template import Reader
from bot.core.forms import IssueForm
from bot.core.kind_submission import entry_identity
from bot.core.kinds import Kind, entry_reader
from bot.core.textrules import unescape_inline


@dataclass(frozen=True)
class Unit:
    """One entry of a kind in a section: a half-open line range and its field values."""

    start: int
    end: int
    values: Mapping[str, str]


def candidate_ranges(doc: ListDocument, start: int, end: int, kind: Kind) -> Iterator[tuple[int, int]]:
    """The line ranges that could hold one entry: each line for a one-line kind, else each block."""
    for block in doc.blocks(start, end):
        if kind.one_line or kind.tight:
            for index in range(block.start, block.end):
                yield index, index + 1
        else:
            yield block.start, block.end


def units(doc: ListDocument, start: int, end: int, kind: Kind, reader: Reader) -> list[Unit]:
    """The kind's entries between two line indexes, in file order."""
    found = []
    for first, last in candidate_ranges(doc, start, end, kind):
        values = reader.read("\n".join(doc.lines[first:last]))
        if values is not None:
            found.append(Unit(first, last, _plain(kind, values)))
    return found


def _plain(kind: Kind, values: Mapping[str, str]) -> dict[str, str]:
    """The values an entry shows: its text unescaped (`Submission.entry` escapes `_ ~ $`)."""
    return {name: value if name in kind.links else unescape_inline(value) for name, value in values.items()}


def find_section(doc: ListDocument, path: Sequence[tuple[int, str]]) -> Heading | None:
    """The heading at the end of a section path (each heading inside the one before it)."""
    lower, upper = 0, len(doc.lines)
    found: Heading | None = None
    for level, text in path:
        found = next(
            (h for h in doc.headings if lower <= h.line < upper and h.level == level and h.text == text), None
        )
        if found is None:
            return None
        lower, upper = found.line, doc.section_end(found)
    return found


def kind_sections(doc: ListDocument, kind: Kind, form: IssueForm | None) -> list[Heading]:
    """The headings this kind's entries live under (for a field-chosen heading, each heading
    whose text is one of the field's dropdown options)."""
    fields = kind.section_fields()
    if not fields:
        heading = find_section(doc, kind.headings({}))
        return [heading] if heading is not None else []
    if form is None or len(fields) != 1:
        return []
    try:
        options = form.field(fields[0]).options
    except KeyError:
        return []
    found = []
    for option in options:
        heading = find_section(doc, kind.headings({fields[0]: option}))
        if heading is not None:
            found.append(heading)
    return found


def _section_names(doc: ListDocument) -> dict[int, str]:
    """Each heading's line mapped to its name as duplicates report it (`Papers › 2024`)."""
    names: dict[int, str] = {}
    parent = ""
    for heading in doc.headings:
        if heading.level <= 2:
            parent = heading.text
        names[heading.line] = f"{parent} › {heading.text}" if heading.level > 2 and parent else heading.text
    return names


def listed_kind_entries(
    doc: ListDocument, kinds: Sequence[Kind], forms: Mapping[str, IssueForm] | None = None
) -> list[ListedEntry]:
    """Every entry in the list, with its identity keys (`found_kind_entries`)."""
    return [found.listed() for found in found_kind_entries(doc, kinds, forms)]


def found_kind_entries(
    doc: ListDocument, kinds: Sequence[Kind], forms: Mapping[str, IssueForm] | None = None
) -> list[FoundEntry]:
    """Every entry in the list: kinds' entries read with their templates (one per list item),
    the rest (papers, prose with links) as `found_entries` reads them."""
    forms = forms or {}
    names = _section_names(doc)
    read: list[FoundEntry] = []
    covered: set[int] = set()  # first lines of blocks that hold kinds' entries
    for kind in kinds:
        if kind.builtin and kind.name == "paper":
            continue
        reader = entry_reader(kind, forms.get(kind.name))
        for heading in kind_sections(doc, kind, forms.get(kind.name)):
            body_end = doc.body_end(heading)
            for block in doc.blocks(heading.line + 1, body_end):
                for unit in units(doc, block.start, block.end, kind, reader):
                    covered.add(block.start)
                    identity = partial(entry_identity, kind, unit.values)
                    read.append(FoundEntry(_title(unit.values), names[heading.line], unit.start, unit.end, identity))
    rest = [found for found in found_entries(doc) if found.start not in covered]
    return sorted([*read, *rest], key=lambda found: found.start)


def _title(values: Mapping[str, str]) -> str:
    for name in ("title", "name"):
        if values.get(name):
            return values[name]
    return next((value for value in values.values() if value), "")
