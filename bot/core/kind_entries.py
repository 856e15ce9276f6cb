"""Reading any kind's entries back from the list: where they sit, their values, their identity."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from operator import attrgetter
from typing import NamedTuple

from bot.core.document import Block, Heading, ListDocument
from bot.core.duplicates import FoundEntry, ListedEntry, found_in_block
from bot.core.entry import TITLE_LINE
from bot.core.entry_template import Reader
from bot.core.forms import IssueForm
from bot.core.kind_submission import entry_identity
from bot.core.kinds import Kind, entry_reader
from bot.core.lazy_patterns import lazy_pattern
from bot.core.textrules import unescape_inline

# In a section's text framed as "\n\n" + text + "\n" (its heading's end and a blank line before
# it, a line break after it): a blank line that is not empty, or the first line of a block (a line
# after an empty one) that is not a paper's title line, `TITLE_LINE` once stripped (`[^\S\n]` is
# what `str.strip` strips, `.` never a line break). Neither found, every block there is a paper
# titled by its first line; the text is searched once, at C speed, not each block read.
_FIRST_LINE_NOT_A_TITLE = rf"\n(?=[^\n])(?![^\S\n]*{TITLE_LINE.pattern}[^\S\n]*\n)"
_NOT_EVERY_BLOCK_A_PAPER = lazy_pattern(rf"\n(?:[^\S\n]+\n|{_FIRST_LINE_NOT_A_TITLE})")
# The pattern's second half alone: a block's first line (after an empty line) not a title line.
_BLOCK_NOT_A_PAPER = lazy_pattern(rf"\n{_FIRST_LINE_NOT_A_TITLE}")
_FEW_LINES = 32  # sections of so many lines or fewer are joined and searched as they always were


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class Unit(NamedTuple):
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


def kind_readers(
    doc: ListDocument, kinds: Sequence[Kind], forms: Mapping[str, IssueForm]
) -> dict[int, list[tuple[Kind, Reader]]]:
    """Each heading (by its line) whose section kinds read, with those kinds and their readers in
    the order `found_kind_entries` reads them (a kind twice when two of its options lead there)."""
    readers: dict[int, list[tuple[Kind, Reader]]] = {}
    for kind in kinds:
        if kind.builtin and kind.name == "paper":
            continue
        reader = entry_reader(kind, forms.get(kind.name))
        for heading in kind_sections(doc, kind, forms.get(kind.name)):
            readers.setdefault(heading.line, []).append((kind, reader))
    return readers


def block_entries(
    doc: ListDocument, block: Block, section: str, readers: Sequence[tuple[Kind, Reader]]
) -> list[FoundEntry]:
    """The entries `found_kind_entries` reads from one block of the section named `section`: the
    units of the kinds that read the section (`readers`) or, when the block holds none, the entry
    `found_entries` reads there. Sorted by first line as `found_kind_entries` sorts them (stably:
    entries of one first line keep the kinds' order)."""
    read = [
        FoundEntry(_title(unit.values), section, unit.start, unit.end, partial(entry_identity, kind, unit.values))
        for kind, reader in readers
        for unit in units(doc, block.start, block.end, kind, reader)
    ]
    if read:
        return sorted(read, key=attrgetter("start"))
    found = found_in_block(doc, block, section)
    return [] if found is None else [found]


class BlockEntries:
    """A list's entries as `found_kind_entries` reads them, each block read only when a question
    is about one of its lines (and remembered): a submission's checks look at the few entries
    their anchors point at, and reading all 20,000 of a long list cost more than the rest of a
    reconcile. Entries belong to one block each (a block never spans two sections), so the
    entries of the blocks asked about, in file order, are exactly those of the full reading."""

    def __init__(self, doc: ListDocument, kinds: Sequence[Kind], forms: Mapping[str, IssueForm]) -> None:
        self._doc = doc
        self._kinds = tuple(kinds)
        self._forms = forms
        self._names = _section_names(doc)
        self._readers = kind_readers(doc, kinds, forms)
        # Each block's entries by its first line; a dict, whose every operation is one step for the
        # workers' threads, which share listings (two threads may read a block twice, alike).
        self._read: dict[int, tuple[FoundEntry, ...]] = {}
        self._every: tuple[FoundEntry, ...] | None = None
        self._papers: list[tuple[int, int]] | None = None

    def every(self) -> tuple[FoundEntry, ...]:
        """Every entry, in file order (`found_kind_entries`, read once)."""
        if self._every is None:
            self._every = tuple(found_kind_entries(self._doc, self._kinds, self._forms))
        return self._every

    def including(self, lines: Sequence[int]) -> list[FoundEntry]:
        """The entries that include one of these line indexes, in file order."""
        ordered = sorted(set(lines))
        picked: list[FoundEntry] = []
        block: Block | None = None
        for at, line in enumerate(ordered):
            if block is not None and block.start <= line < block.end:
                continue  # the block's entries were picked at its first line asked about
            block = self._doc.block_at(line)
            if block is None:
                continue
            found = self._of(block)
            if len(found) == 1 and found[0].start == block.start and found[0].end == block.end:
                picked.append(found[0])  # the block's one entry includes every line of it (most blocks)
            else:
                held = ordered[at:bisect.bisect_left(ordered, block.end, at)]  # its lines asked about
                picked += (entry for entry in found if _includes_one(entry, held))
        return picked

    def paper_ranges(self) -> list[tuple[int, int]]:
        """Line ranges (half-open, ascending, apart) each block of which is one entry: a paper
        titled by its first line, `**title**` (`entry.paper_title`). They are the text of the
        sections no kind reads, without code or HTML blocks, whose every block starts with such a
        line (there `block_entries` is `found_in_block`'s paper); found once."""
        if self._papers is None:
            self._papers = paper_ranges(self._doc, self._readers)
        return self._papers

    def _of(self, block: Block) -> tuple[FoundEntry, ...]:
        """The block's entries (`block_entries`), remembered."""
        found = self._read.get(block.start)
        if found is None:
            heading = self._doc.heading_before(block.start)  # never None: a block lies in a section
            line = -1 if heading is None else heading.line
            found = tuple(block_entries(self._doc, block, self._names.get(line, ""), self._readers.get(line, ())))
            self._read[block.start] = found
        return found


def paper_ranges(
    doc: ListDocument, readers: Mapping[int, object], papers_only: _PaperCheck | None = None
) -> list[tuple[int, int]]:
    """`BlockEntries.paper_ranges` of the document whose sections `readers` (by heading line) are
    read by kinds: each other section's own text (its lines up to the next heading) when it holds
    no code or HTML block and `_NOT_EVERY_BLOCK_A_PAPER` finds nothing in it (`papers_only(start,
    end)` answers that: by default `_every_block_a_paper_in_text` for a text whose every line ending
    is one line feed, the reference `every_block_a_paper` otherwise)."""
    if papers_only is None:
        reading = every_block_a_paper if "\r" in doc.text else _every_block_a_paper_in_text
        papers_only = partial(reading, doc)
    found = []
    for heading in doc.headings:
        start, end = heading.line + 1, doc.body_end(heading)
        if heading.line in readers or doc.any_verbatim(start, end):
            continue
        if papers_only(start, end):
            found.append((start, end))
    return found


_PaperCheck = Callable[[int, int], bool]


def every_block_a_paper(doc: ListDocument, start: int, end: int) -> bool:
    """Whether `_NOT_EVERY_BLOCK_A_PAPER` finds nothing in lines start..end framed by line breaks
    (the reference reading: the lines joined into a new text, searched by the whole pattern)."""
    return _NOT_EVERY_BLOCK_A_PAPER().search("\n\n" + "\n".join(doc.lines[start:end]) + "\n") is None


def _every_block_a_paper_in_text(doc: ListDocument, start: int, end: int) -> bool:
    """`every_block_a_paper`, read where the lines are in the list's text, without a joined copy
    of them: the pattern's first half finds a line that holds only blanks (`str.isspace` of each
    line, at C speed), its second half (`_BLOCK_NOT_A_PAPER`) the lines' first line in their
    frame, or, from the line feed that ends the line above them, any other block's. The second
    half's search stops at blank lines only (`\n\n` is its literal prefix), the whole pattern's
    at every line: at 20,000 entries 50 M instructions and 20 M for the blanks, where the whole
    pattern took 79 M and the joined copies 18 M.

    For a text whose every line ending is one line feed; read so when a line is above the lines,
    their last one has a line feed and they are more than a few (the reference reading otherwise:
    for a few lines, one search of them joined costs less than three searches)."""
    text = doc.text
    if start < 1 or end - start <= _FEW_LINES or (end >= len(doc.lines) and not text.endswith("\n")):
        return every_block_a_paper(doc, start, end)
    lines = doc.lines[start:end]
    if not lines:
        return True
    return not (
        _BLOCK_NOT_A_PAPER().match(f"\n\n{lines[0]}\n")
        or _BLOCK_NOT_A_PAPER().search(text, doc.line_offset(start) - 1, doc.line_offset(end))
        or any(map(str.isspace, lines))
    )


def _includes_one(entry: FoundEntry, lines: list[int]) -> bool:
    """Whether the entry includes one of these sorted line indexes."""
    at = bisect.bisect_left(lines, entry.start)
    return at < len(lines) and lines[at] < entry.end


def listed_kind_entries(
    doc: ListDocument, kinds: Sequence[Kind], forms: Mapping[str, IssueForm] | None = None
) -> list[ListedEntry]:
    """Every entry in the list, with its identity keys (`found_kind_entries`)."""
    return [found.listed() for found in found_kind_entries(doc, kinds, forms)]


def found_kind_entries(
    doc: ListDocument, kinds: Sequence[Kind], forms: Mapping[str, IssueForm] | None = None
) -> list[FoundEntry]:
    """Every entry in the list, in file order: in each block, the entries of the kinds that read
    its section, read with their templates (one per list item), else the paper or prose entry
    `found_entries` reads there (`block_entries`, which `BlockEntries` reads one block at a time)."""
    readers = kind_readers(doc, kinds, forms or {})
    names = _section_names(doc)
    return [
        entry
        for heading, blocks in doc.sections()
        for block in blocks
        for entry in block_entries(doc, block, names[heading.line], readers.get(heading.line, ()))
    ]


def _title(values: Mapping[str, str]) -> str:
    for name in ("title", "name"):
        if values.get(name):
            return values[name]
    return next((value for value in values.values() if value), "")
