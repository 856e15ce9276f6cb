"""Reading any kind's entries back from the list: where they sit, their values, their identity."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property, partial
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

from bot.core.document import Block, Heading, ListDocument
from bot.core.duplicates import FoundEntry, ListedEntry, found_in_block
from bot.core.entry import TITLE_LINE
from bot.core.entry_template import Reader
from bot.core.forms import IssueForm
from bot.core.kind_submission import entry_identity
from bot.core.kinds import Kind, entry_reader
from bot.core.lazy_patterns import lazy_pattern
from bot.core.textrules import unescape_inline

if TYPE_CHECKING:
    from bot.core.text_change import LineChange

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

# What is known of whether lines pass `_NOT_EVERY_BLOCK_A_PAPER` (it finds nothing about them):
# None, one of them does not; (first, stop), every one passes but maybe lines first..stop (half-open),
# every one passes when first >= stop. Plain numbers: carried, they keep nothing of a text alive.
_Unchecked = tuple[int, int] | None
_ALL_PASS: _Unchecked = (0, 0)


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
        # What is known of the papers-only answer of lines (start, end): each section's that
        # `paper_ranges` read, or those carried from the text this one was made of (`carried`).
        self._known: dict[tuple[int, int], _Unchecked] = {}

    @classmethod
    def carried(cls, old: BlockEntries, doc: ListDocument, change: LineChange) -> BlockEntries:
        """The entries of `doc`, whose text `change` made of the text `old` read (with `old`'s kinds
        and forms): answers exactly as `BlockEntries(doc, kinds, forms)` does, but what `old` knew
        of its sections' papers-only answers is carried to the lines it holds in `doc`, so
        `paper_ranges` searches the changed lines alone where `old` had found a section of papers
        around them (a 20,000-entry list's sections cost 75 M instructions). Nothing of `old` is
        kept: what is carried is numbers. `change` is between texts of LF line endings alone
        (`text_change.line_change` compares no other)."""
        entries = cls(doc, old._kinds, old._forms)
        entries._known = _carried_answers(old._known, change)
        return entries

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
            sections = _SectionAnswers(self._doc, self._known)
            papers = paper_ranges(self._doc, self._readers, sections.papers_only)
            self._known = sections.read  # a new dict: `carried` may be reading the one it replaces
            self._papers = papers
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
        papers_only = partial(_papers_only_reading(doc), doc)
    found = []
    for heading in doc.headings:
        start, end = heading.line + 1, doc.body_end(heading)
        if heading.line in readers or doc.any_verbatim(start, end):
            continue
        if papers_only(start, end):
            found.append((start, end))
    return found


_PaperCheck = Callable[[int, int], bool]


def _papers_only_reading(doc: ListDocument) -> Callable[[ListDocument, int, int], bool]:
    """How `paper_ranges` reads a section afresh: in the list's text, or, for a text with a line
    ending other than one line feed, the reference reading."""
    return every_block_a_paper if "\r" in doc.text else _every_block_a_paper_in_text


class _SectionAnswers:
    """`paper_ranges`' papers-only answers for `BlockEntries`: from what is known of a section's
    lines (`BlockEntries._known`), else read afresh; each answer kept in `read`."""

    def __init__(self, doc: ListDocument, known: Mapping[tuple[int, int], _Unchecked]) -> None:
        self._doc = doc
        self._known = known
        self.read: dict[tuple[int, int], _Unchecked] = {}

    def papers_only(self, start: int, end: int) -> bool:
        """Whether `_NOT_EVERY_BLOCK_A_PAPER` finds nothing in lines start..end framed by line breaks."""
        key = (start, end)
        if key in self._known:
            unchecked = self._known[key]
            passes = unchecked is not None and _lines_pass(self._doc, start, *unchecked)
        else:
            passes = self._fresh(start, end)
        self.read[key] = _ALL_PASS if passes else None
        return passes

    @cached_property
    def _fresh(self) -> _PaperCheck:
        return partial(_papers_only_reading(self._doc), self._doc)


def _lines_pass(doc: ListDocument, start: int, first: int, stop: int) -> bool:
    """Whether lines first..stop of the lines from `start` on (framed as `every_block_a_paper`
    frames them) pass, every other line of them known to pass.

    `_NOT_EVERY_BLOCK_A_PAPER` finds a line (each match reads one line to its line feed: its `.` and
    its blanks never match one) that holds blanks alone, or that is not a title line and starts a
    block: the first line, or one below an empty line. So whether a line passes depends on it and
    on the line above it alone; searched after that line (which passes: its own blank check is
    repeated), each of lines first..stop is read as it is in the whole."""
    if first >= stop:
        return True
    if first == start:
        return every_block_a_paper(doc, first, stop)
    framed = "\n" + "\n".join(doc.lines[first - 1:stop]) + "\n"
    return _NOT_EVERY_BLOCK_A_PAPER().search(framed) is None


def _carried_answers(
    known: Mapping[tuple[int, int], _Unchecked], change: LineChange
) -> dict[tuple[int, int], _Unchecked]:
    """What `known` says of lines of the old text, said of the new text `change` made of it.

    Lines wholly before the change are the same lines, those wholly after it the same shifted, and
    their answer depends on them alone: the reading in place starts at the line feed that ends the
    line above them, in any LF text the same character; which reading answers (in place or joined,
    alike) is chosen by their count and by whether they end the text without a line feed, both
    kept (lines before the change end with a line feed, or the texts are equal). Lines that held
    the change, all but a few known to pass, pass but maybe those few and the lines the change may
    have made fail: its new lines, and the line after them (whose line above is new). Those derived
    as wholly before or after are preferred when both name the same lines."""
    shift = change.line_shift
    carried: dict[tuple[int, int], _Unchecked] = {}
    for (start, end), unchecked in known.items():
        if unchecked is not None and start <= change.start and change.old_end <= end:
            carried[start, end + shift] = _around_change(unchecked, change, start, end + shift)
    for (start, end), unchecked in known.items():
        if end <= change.start:
            carried[start, end] = unchecked
        elif start >= change.old_end:
            carried[start + shift, end + shift] = None if unchecked is None else (
                unchecked[0] + shift, unchecked[1] + shift
            )
    return carried


def _around_change(unchecked: tuple[int, int], change: LineChange, start: int, end: int) -> tuple[int, int]:
    """The lines of new lines start..end (which hold the change) that may not pass: those from the
    change's first line to the line after its new lines, and those that maybe did not pass before
    (`unchecked`, old lines: the stretch covering both)."""
    first, stop = change.start, change.new_end + 1
    old_first, old_stop = unchecked
    if old_first < old_stop:
        first = min(first, old_first)
        if old_stop > change.old_end + 1:  # its last line is after the change's influence: shifted
            stop = old_stop + change.line_shift
    return max(first, start), min(stop, end)


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
