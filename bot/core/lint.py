"""The list's own linter and fixer: house-style findings with stable codes, and safe repairs.

======  =====  ==================================================================================
Code    Fix    Rule
======  =====  ==================================================================================
LB001   no     A paper entry's first line is its bold title: ``**Title**``.
LB002   no     A paper entry's second line is its italic authors: ``*A. Tao, B. Liu, et al.*``.
LB003   no     The third line is ``Venue | 07 Aug 2024`` / ``Venue | Aug 2024``, or a venue naming its year.
LB004   no     Link lines are ``[paper](url)``, ``[model](url)``, then ``[code](url)`` or the stars badge.
LB005   no     The stars badge names the same ``owner/repo`` as the GitHub link it points to.
LB006   yes    An entry sits in the ``### YYYY`` section of the year its date (or venue) names.
LB007   no     ``## Papers`` exists and holds only ``### YYYY`` sections, newest first, each once.
LB008   yes    The table of contents mirrors the ``##`` and ``###`` headings below it.
LB009   no     No two entries name the same paper, title, DOI, arXiv id or repository.
LB010   yes    Entries and headings are separated by a blank line (nothing runs together).
LB011   yes    Never more than one blank line in a row, and none at the end of the file.
LB012   yes    No trailing whitespace.
LB013   yes    No mis-decoded text (UTF-8 read as cp1252, e.g. ``ðŸ”¥`` for 🔥, ``â€“`` for –).
LB014   no     No invisible, bidi-control or other control characters.
LB015   no     Every link is an absolute http(s) URL (anchors to the list's own headings excepted).
LB016   no     An entry under a kind's section has the kind's shape (``[Venue] Title [[paper]](url) …``).
======  =====  ==================================================================================

`lint(text, kinds, forms)` checks each kind's entries against its template (the built-in kinds
by default; a list's own from its `.github/listbot.yml`); it is pure and fast: one mistune
parse (`ListDocument`) and linear scans of the lines.
`fix(text)` repairs the rules marked "yes" and never changes an entry's words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import chain
from typing import NamedTuple, overload

from bot.core.dates import DateError, parse_date, parse_house_date, year_in_text
from bot.core.document import (
    PAPERS_HEADING,
    TOC_HEADING,
    Block,
    Heading,
    ListDocument,
    github_anchor,
    lines_outside,
    parsed,
    toc_items,
)
from bot.core.duplicates import ListedEntry, find_duplicates
from bot.core.entry import BADGE, BADGE_PATTERN, LINK_LINE, TITLE_LINE, read_paper
from bot.core.entry_template import template_pattern
from bot.core.forms import IssueForm
from bot.core.kind_entries import candidate_ranges, kind_sections
from bot.core.kinds import BUILTIN_KINDS, PAPER, Kind, entry_reader
from bot.core.lazy_patterns import lazy_pattern
from bot.core.listing import listed, listing
from bot.core.placement import insert_paper
from bot.core.repeated_keys import HouseEntries, HouseRun, repeated_keys
from bot.core.textrules import invisible_columns as _invisible_columns
from bot.core.textrules import mojibake_runs as _mojibake
from bot.core.textrules import repair_mojibake, trailing_whitespace
from bot.core.urls import ARXIV_PAGE_LINK, MAX_URL_LENGTH, UrlError, github_repo, validate_url

RULES: dict[str, str] = {
    "LB001": "a paper entry's first line is its bold title `**Title**`",
    "LB002": "a paper entry's second line is its italic authors `*A. Tao, B. Liu, et al.*`",
    "LB003": "the venue line is `Venue | 07 Aug 2024`, `Venue | Aug 2024` or a venue naming its year",
    "LB004": "link lines are `[paper](url)`, `[model](url)`, then `[code](url)` or the stars badge",
    "LB005": "the stars badge names the same `owner/repo` as its GitHub link",
    "LB006": "an entry sits in the `### YYYY` section of the year its date (or venue) names",
    "LB007": "`## Papers` holds only `### YYYY` sections, newest first, each once",
    "LB008": "the table of contents mirrors the `##` and `###` headings below it",
    "LB009": "no two entries name the same paper, title, DOI, arXiv id or repository",
    "LB010": "entries and headings are separated by a blank line",
    "LB011": "never more than one blank line in a row, none at the end of the file",
    "LB012": "no trailing whitespace",
    "LB013": "no mis-decoded text (UTF-8 read as cp1252, e.g. `ðŸ”¥` for 🔥)",
    "LB014": "no invisible, bidi-control or other control characters",
    "LB015": "every link is an absolute http(s) URL",
    "LB016": "an entry under a kind's section has the kind's shape, e.g. `[Venue] Title [[paper]](url)`",
}
FIXABLE = frozenset({"LB006", "LB008", "LB010", "LB011", "LB012", "LB013"})

_TITLE = lazy_pattern(r"\*\*(?![\s*])(?:(?!\*\*).)*(?<![\s*])\*\*")
_AUTHORS = lazy_pattern(r"\*(?![\s*])[^*]*(?<![\s*])\*")
# An http(s) URL validate_url certainly accepts (lower-case host, no port, no parentheses, at most
# MAX_URL_LENGTH characters: the host has at most 253, the path at most the rest), ending where
# `{end}` says: at the end of the string for a URL alone, at the end of a link target in text.
_PLAIN_PATH_LENGTH = MAX_URL_LENGTH - len("https://") - 253 - 1
_PLAIN_PATH_SHAPE = rf"(?:[/?#][A-Za-z0-9._~%!$&'*+,;=:@/?#-]{{{{0,{_PLAIN_PATH_LENGTH}}}}})?{{end}}"
_PLAIN_URL_SHAPE = (
    r"https?://(?=[^/?#]{{1,253}}(?:[/?#]|{end}))(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+[a-z]{{2,63}}"
    + _PLAIN_PATH_SHAPE
)
# Such a URL on the hosts most of a list's links name, tried first: a literal host is matched at
# once, where the general host pattern tries each label (it about halves the search of a
# 20,000-entry list, whose 47,000 links are nearly all there).
_COMMON_URL_SHAPE = r"https://(?:arxiv\.org|github\.com|img\.shields\.io)" + _PLAIN_PATH_SHAPE
_PLAIN_URL = re.compile(_PLAIN_URL_SHAPE.format(end=r"\Z"))
_SIMPLE_TARGET = re.compile(r"[^\s()]*")
# Where a line's rules may fire, found in the whole text at once: a character that is not
# printable ASCII, a blank ending a line, or an inline link whose target is not a plain URL that
# ends the target (`_SIMPLE_TARGET` stops there and no `(` follows). A line with none of them has
# no LB012-LB015 finding.
_TARGET_END = r"(?=[\s)]|\Z)"
_SUSPECT_CHARACTER = lazy_pattern(r"[^\x20-\x7e\r\n]| (?=[\r\n]|\Z)")
_PRINTABLE_ASCII_AND_BREAKS = bytes(range(0x20, 0x7F)) + b"\r\n"
_SUSPECT_LINK = re.compile(
    rf"\]\((?!{_COMMON_URL_SHAPE.format(end=_TARGET_END)}|{_PLAIN_URL_SHAPE.format(end=_TARGET_END)})"
)
_LINK_RANK = {"paper": 0, "model": 1, "code": 2}
_TITLE_EXAMPLE = "`**CheXagent: Towards a Foundation Model for Chest X-Ray Interpretation**`"
_AUTHORS_EXAMPLE = "`*A. Tao, B. Liu, et al.*` or `*Stanford AIMI Team*`"
_DATE_EXAMPLE = "`07 Aug 2024` or `Aug 2024`"
_VENUE_EXAMPLE = "`Nature Medicine | 07 Aug 2024`, `arXiv | May 2024` or `ICLR 2024`"
_LINKS_EXAMPLE = "`[paper](url)`, `[model](url)`, then `[code](url)` or the stars badge"
_LIST_MARKER = lazy_pattern(r"\s{0,3}(?:[-*+]|\d+[.)])\s")
_MAX_FIX_ROUNDS = 8
_BLANK_RUN = lazy_pattern(r" {2,}")
# Two blank lines in a row in a text whose lines end in LF (after a line, or first in the text).
_BLANK_PAIR = lazy_pattern(r"\n[^\S\n]*\n[^\S\n]*(?:\n|\Z)")
_BLANK_PAIR_FIRST = lazy_pattern(r"[^\S\n]*\n[^\S\n]*(?:\n|\Z)")
# The house style's common paper entry, as the paper template writes it, each field in a form the
# rules accept: title and authors without `*` or `]` and with blanks only inside; a venue line that
# does not start like a link, a title or authors and holds no `]`; link lines to a plain URL
# (`_PLAIN_URL_SHAPE`, an arXiv abstract page's id read apart); the stars badge naming the
# repository it links to (owner and name in GitHub's characters: no `/`, `?` or `)`, so
# `BADGE_PATTERN` reads them as written). No line but the first reads as a title, so such a block
# is one entry, and no line ends in a blank, so the rules see it as written. A run of blank lines
# and such entries, each followed by a blank line, in a year section without code or HTML blocks,
# then has no LB001-LB006 finding and no entry running into another once its venue lines pass
# (`_run_vouched`); its only `](` are its link lines' and badges', each before a plain URL, so
# none is a link `_SUSPECT_LINK` finds (LB015).
_PLAIN_WORDS = r"[^\s*\]][^*\]\n]*(?<!\s)"  # (the form quickest to match: no optional group to backtrack into)
_GITHUB_NAMES = {"owner": "[A-Za-z0-9-]{1,100}", "repo": "[A-Za-z0-9_.-]{1,100}"}
_HOUSE_BADGE = template_pattern((BADGE,), _GITHUB_NAMES, one_line=True, optional=())
_LINKED_URL = r"(?=\))"
# A link's URL: an arXiv abstract page (its id the group `ARXIV_PAGE_LINK` holds), else any plain
# URL (the second group), the commonest hosts tried first.
_HOUSE_URL = (
    rf"(?:{ARXIV_PAGE_LINK.pattern}"
    rf"|({_COMMON_URL_SHAPE.format(end=_LINKED_URL)}|{_PLAIN_URL_SHAPE.format(end=_LINKED_URL)}))"
)
_HOUSE_FIELDS = {
    "title": _PLAIN_WORDS, "authors": _PLAIN_WORDS, "venue_line": r"[^\s*\[\]][^\]\n]*(?<!\s)",
    "paper_url": _HOUSE_URL, "model_url": _HOUSE_URL, "code_line": _HOUSE_BADGE,
}
_HOUSE_OPTIONAL = {"model_url", "code_line"}
_HOUSE_UNREAD = {"paper_url", "model_url", "code_line"}  # (read from the groups inside, or not at all)
_HOUSE_ENTRY = template_pattern(
    PAPER.template, _HOUSE_FIELDS, one_line=False, optional=_HOUSE_OPTIONAL, uncaptured=_HOUSE_UNREAD
)
# (Both searches below are compiled when first used, by `re`'s cache: a command that lints no list
# of papers does not pay for them.)
# A text read as a run of blank lines and house-style entries, one item a match of `findall`: an
# entry after any blank lines (and followed by a blank line or the end), blank lines, or, at the
# first line that starts neither, the rest of the text (the last group). Each item starts where
# the one before ends, so the items before the rest are the run `(?:\n|ENTRY\n(?=\n|\Z))*+`
# matches (an entry starts with `*`: the blank lines before one are those the run takes first).
_HOUSE_ITEMS = rf"\n*+{_HOUSE_ENTRY}\n(?=\n|\Z)|\n+|([\s\S]+)"
# The same with the title, authors and venue line taking any character but the `*` and `]` their
# fields refuse inside (a repeat of one character the search skips at once, a third faster): where
# none of its items holds one, it has read the same items (`_house_run`).
_QUICK_WORDS = r"[^\s*\]][^\n]*(?<!\s)"
_QUICK_FIELDS = {
    **_HOUSE_FIELDS, "title": _QUICK_WORDS, "authors": _QUICK_WORDS, "venue_line": r"[^\s*\[\]][^\n]*(?<!\s)",
}
_QUICK_ENTRY = template_pattern(
    PAPER.template, _QUICK_FIELDS, one_line=False, optional=_HOUSE_OPTIONAL, uncaptured=_HOUSE_UNREAD
)
_QUICK_HOUSE_ITEMS = rf"\n*+{_QUICK_ENTRY}\n(?=\n|\Z)|\n+|([\s\S]+)"
# The items' columns, in the order of their groups: the named ones, each link's arXiv id and other
# URL (`_HOUSE_URL`'s groups) and the rest (property-tested).
_COLUMN = {
    name: index for index, name in enumerate(
        ("title", "authors", "venue_line", "paper_id", "paper_url", "model_id", "model_url", "owner", "repo", "rest")
    )
}
# A paper entry around a venue line, clean in every other line (see `_venue_vouched`).
_MODEL_HEAD, _MODEL_TAIL = ("**Title**", "*Authors*"), ("[paper](https://example.org/p)",)
# Bound of the per-entry and per-line memos: a 20,000-entry list has ~20,000 entries and ~27,000
# link lines; linting a reconcile's edited list then finds the base list's ones remembered.
_MEMO_SIZE = 1 << 16


@dataclass(frozen=True, order=True)
class Finding:
    """One rule violation at a 1-based line and column."""

    line: int
    col: int
    code: str
    message: str
    # What the finding is about, wherever the list's lines stand; empty: the message says it. A
    # message naming another line's number gives one without it, since lines move when an entry
    # is added and `identity` must stay.
    subject: str = field(default="", compare=False, repr=False)

    @property
    def identity(self) -> tuple[str, str]:
        """Code and subject: how a list's findings are matched with its edited version's."""
        return self.code, self.subject or self.message

    @property
    def fixable(self) -> bool:
        return self.code in FIXABLE

    def format(self, path: str) -> str:
        """The `PATH:LINE:COL: CODE message` shape editors and CI understand."""
        return f"{path}:{self.line}:{self.col}: {self.code} {self.message}"


# --- small scanners ---------------------------------------------------------------------------


def _link_targets(line: str) -> Iterator[tuple[int, str]]:
    """(index, target) of each inline link `](target)`, parentheses inside the target balanced."""
    start = line.find("](")
    while start != -1:
        begin = start + 2
        match = _SIMPLE_TARGET.match(line, begin)
        end = match.end() if match else begin
        if end < len(line) and line[end] == "(":
            end = _balanced_end(line, begin)
        yield begin, line[begin:end].removeprefix("<").removesuffix(">")
        start = line.find("](", end)


def _balanced_end(line: str, begin: int) -> int:
    depth, end = 0, begin
    while end < len(line):
        char = line[end]
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        elif char.isspace():
            break
        end += 1
    return end


def _url_problem(url: str) -> str | None:
    """Why the link is not an absolute http(s) URL, or None when it is."""
    if _PLAIN_URL.fullmatch(url):
        return None
    try:
        validate_url(url)
    except UrlError as error:
        return str(error)
    return None


def _blank(line: str) -> bool:
    return not line.strip()


# --- the document's regions -------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """A paper entry: a half-open line range and the year of the section it sits in."""

    start: int
    end: int
    section_year: int | None
    whole_block: bool
    joined: bool  # starts inside a block, right after another entry's last line


class _StrippedLines(Sequence[str]):
    """The document's lines without trailing whitespace, each stripped when read (the fast paths
    read few of them)."""

    def __init__(self, lines: Sequence[str]) -> None:
        self._lines = lines

    def __len__(self) -> int:
        return len(self._lines)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [line.rstrip() for line in self._lines[index]]
        return self._lines[index].rstrip()


class _Layout:
    """The parts of a parsed list the rules look at, computed once.

    With `fast`, the paper entries of a year section that have the house style's common shape
    (see `_HOUSE_ITEMS`) are vouched for without reading them one by one; without it, every
    entry goes through the rules (the property tests compare the two).
    """

    def __init__(
        self, doc: ListDocument, kinds: Sequence[Kind], forms: Mapping[str, IssueForm], *, fast: bool = False
    ) -> None:
        self.doc = doc
        self.kinds = kinds
        self.forms = forms
        self.fast = fast
        self.lines = _StrippedLines(doc.lines)  # trailing whitespace is LB012's alone
        has_papers = any(kind.builtin and kind.name == "paper" for kind in kinds)
        self.papers = doc.find_heading(2, PAPERS_HEADING) if has_papers else None
        self.checks_papers = has_papers
        self.toc = next((h for h in doc.headings if h.text == TOC_HEADING), None)
        self._entries: list[_Entry] | None = None
        self.kind_headings = [
            (kind, heading)
            for kind in kinds if not (kind.builtin and kind.name == "paper")
            for heading in kind_sections(doc, kind, forms.get(kind.name))
        ]
        # The house runs `paper_entries` meets with `fast` (runs of blank lines and
        # house-style entries, each one block), outside other kinds' sections: LB009 reads them in bulk.
        self.house_runs: list[HouseRun] = []
        # The line ranges of every such match, other kinds' sections included (no link there is
        # LB015's), and the text of their titles, authors and venue lines (see `plain`).
        self.house_lines: list[tuple[int, int]] = []
        self.house_words: list[str] = []
        self._kind_heading_lines = {heading.line for _, heading in self.kind_headings}

    @cached_property
    def plain(self) -> bool:
        """`_plain_ascii` of the text, which the blank-line and the line rules' fast paths both ask.

        It holds when every line is printable ASCII without a trailing blank. With `fast`, it is
        asked of the lines between the house runs and of the runs' titles, authors and venue lines
        alone (whether they are printable): a house run's other lines are blank, or link lines to
        plain URLs and badges in GitHub's characters, and none of its lines ends in a blank
        (property-tested).
        """
        if not self.fast:
            return _plain_ascii(self.doc.text)
        self.paper_entries()  # finds the house runs
        # (No word ends in a blank: the runs' words need only be printable.)
        words = all(_printable_ascii(text) for text in self.house_words)
        return words and all(_plain_ascii(text) for _, text in self.apart)

    @cached_property
    def apart(self) -> list[tuple[int, str]]:
        """The first line and the text (lines joined by LF) of each range of lines between the
        house runs, which `fast` finds (the whole text's lines when there is none)."""
        self.paper_entries()  # finds the house runs
        ranges = lines_outside(sorted(self.house_lines), len(self.doc.lines))
        return [(first, "\n".join(self.doc.lines[first:last])) for first, last in ranges]

    def paper_headings(self) -> list[Heading]:
        """`## Papers` and every heading inside its section."""
        if self.papers is None:
            return []
        end = self.doc.section_end(self.papers)
        return [h for h in self.doc.headings if self.papers.line <= h.line < end]

    def paper_entries(self) -> list[_Entry]:
        """The paper entries the rules must read, blocks that run together split at their title
        lines (read once: the entry rules and the separation rules both walk them). With `fast`,
        entries a house run vouches for are left out: they have no finding and run into nothing."""
        if self._entries is None:
            self._entries = list(self._read_paper_entries())
        return self._entries

    def _read_paper_entries(self) -> Iterator[_Entry]:
        for heading in self.paper_headings():
            year = heading.year if heading.level == 3 else None
            start, end = heading.line + 1, self.doc.body_end(heading)
            blocks = self._unvouched_blocks(heading, end, year) if self.fast else self.doc.blocks(start, end)
            for block in blocks:
                starts = [block.start + offset for offset in _entry_starts(self.lines[block.start:block.end])]
                whole = len(starts) == 1
                for first, last in zip(starts, [*starts[1:], block.end], strict=True):
                    yield _Entry(first, last, year, whole, first > block.start)

    def _unvouched_blocks(self, heading: Heading, end: int, year: int | None) -> list[Block]:
        """The blocks of a `### year` section (`heading`'s text, up to line `end`) that a house
        run (`_HOUSE_ITEMS`) does not vouch for; the runs are kept in `house_runs` and
        `house_lines` too.

        The section's lines are searched as one text, each line ended by a newline: its first
        run of blank lines and house-style entries is vouched for when its venue lines pass too;
        after it, each block is searched on its own (so an odd block costs its own reading).
        """
        start = heading.line + 1
        if year is None or self.doc.any_verbatim(start, end):  # blank lines there split nothing
            return self.doc.blocks(start, end)  # blocks split by blank lines alone: not here
        runs = [] if heading.line in self._kind_heading_lines else self.house_runs
        run = _house_run("\n".join([*self.doc.lines[start:end], ""]))  # (one copy of the section, not two)
        stop = end - run.rest.count("\n")  # a blank line or the start of a block (the rest is whole lines)
        if stop > start:
            runs.append(HouseRun(start, stop, run.text, run.entries))
            self.house_lines.append((start, stop))
            self.house_words.append(run.words)
        found = [] if _run_vouched(run.venue_lines, year) else self.doc.blocks(start, stop)
        for block in self.doc.blocks(stop, end):
            block_run = _house_run("\n".join([*self.doc.lines[block.start:block.end], ""]))
            if block_run.rest:
                found.append(block)
                continue
            runs.append(HouseRun(block.start, block.end, block_run.text, block_run.entries))
            self.house_lines.append((block.start, block.end))
            self.house_words.append(block_run.words)
            if not _run_vouched(block_run.venue_lines, year):
                found.append(block)
        return found

    def kind_candidates(self) -> Iterator[tuple[Kind, int, int]]:
        """(kind, start, end) of each line range under a kind's section that may be its entry."""
        for kind, section in self.kind_headings:
            end = self.doc.section_end(section)
            for heading in self.doc.headings:
                if section.line <= heading.line < end:
                    for first, last in candidate_ranges(self.doc, heading.line + 1, self.doc.body_end(heading), kind):
                        yield kind, first, last

    def spaced_from(self) -> int:
        """First line of the part of the list where headings must stand between blank lines."""
        lines = [h.line for h in (self.papers,) if h is not None] + [h.line for _, h in self.kind_headings]
        return min(lines) if lines else len(self.doc.lines)

    def toc_body(self) -> range:
        if self.toc is None:
            return range(0)
        return range(self.toc.line + 1, self.doc.body_end(self.toc))


def _entry_starts(block: Sequence[str]) -> list[int]:
    """Where each paper entry of a block (lines without trailing whitespace) starts: its first
    line, and every later title line (entries that run together)."""
    return [0] + [i for i in range(1, len(block)) if TITLE_LINE.fullmatch(block[i])]


# --- rules ------------------------------------------------------------------------------------


def _check_paper(lines: list[str], start: int) -> Iterator[Finding]:
    """LB001-LB005 for one entry whose first line has index `start`."""
    title = lines[0]
    if not _TITLE().fullmatch(title):
        yield Finding(start + 1, 1, "LB001", f"the entry's first line must be its title in bold, like {_TITLE_EXAMPLE}")
    i = 1
    if i < len(lines) and _AUTHORS().fullmatch(lines[i]):
        i += 1
    elif i < len(lines) and (lines[i].startswith("*") or _venue_follows(lines, i)):
        yield Finding(start + i + 1, 1, "LB002", f"the authors line must be one italic span, like {_AUTHORS_EXAMPLE}")
        i += 1
    else:
        yield Finding(
            start + i + 1, 1, "LB002", f"the authors line is missing after the title; add one like {_AUTHORS_EXAMPLE}"
        )
    if i < len(lines) and not lines[i].startswith("["):
        yield from _check_venue(lines[i], start + i)
        i += 1
    else:
        yield Finding(
            start + i + 1, 1, "LB003", f"the venue line is missing after the authors; add one like {_VENUE_EXAMPLE}"
        )
    yield from _check_links(lines[i:], start + i)


def _venue_follows(lines: list[str], index: int) -> bool:
    """Whether the line after `index` reads as a venue line (so `index` is a malformed authors line)."""
    following = lines[index + 1] if index + 1 < len(lines) else "["
    return not following.startswith("[") and (" | " in following or year_in_text(following) is not None)


def _check_venue(line: str, index: int) -> Iterator[Finding]:
    venue, sep, date_text = line.partition(" | ")
    if not sep:
        if year_in_text(line) is None:
            yield Finding(
                index + 1, 1, "LB003",
                f"the venue line `{line[:60]}` has no date; write it like {_VENUE_EXAMPLE}",
            )
        return
    if not venue.strip() or venue != venue.strip() or "|" in date_text:
        yield Finding(index + 1, 1, "LB003", f"the venue line must be `Venue | date`, like {_VENUE_EXAMPLE}")
        return
    if parse_house_date(date_text) is None:
        try:
            hint = f"`{parse_date(date_text, today=dt.date.max).house_style()}`"
        except DateError:
            hint = _DATE_EXAMPLE
        yield Finding(
            index + 1, len(venue) + 4, "LB003",
            f"the date `{date_text[:40]}` is not in house style; write {hint} (`DD Mon YYYY` or `Mon YYYY`)",
        )


def _check_links(lines: list[str], start: int) -> Iterator[Finding]:
    last_rank, last_kind, has_paper = -1, "", False
    for offset, line in enumerate(lines):
        number = start + offset + 1
        if badge := BADGE_PATTERN.fullmatch(line):
            kind = "code"
            shown, linked = f"{badge[1]}/{badge[2]}", f"{badge[3]}/{badge[4]}"
            if shown.lower() != linked.lower():
                yield Finding(
                    number, 1, "LB005",
                    f"the stars badge shows `{shown}` but links to `{linked}`; both must name the same repository",
                )
        elif link := LINK_LINE.fullmatch(line):
            kind = link[1]
            if kind == "code" and _github_key(link[2]) is not None:
                yield Finding(
                    number, 1, "LB004",
                    f"code on GitHub is shown as the stars badge: `{_badge_for(link[2])}`",
                )
        else:
            yield Finding(number, 1, "LB004", f"`{line[:60]}` is not a link line; link lines are {_LINKS_EXAMPLE}")
            continue
        rank = _LINK_RANK[kind]
        if rank <= last_rank:
            order = "appears twice" if rank == last_rank else f"comes after `[{last_kind}]`"
            yield Finding(number, 1, "LB004", f"the `[{kind}]` link {order}; link lines go paper, model, code")
        last_rank, last_kind = max(rank, last_rank), kind if rank >= last_rank else last_kind
        has_paper = has_paper or kind == "paper"
    if not has_paper:
        yield Finding(start + 1, 1, "LB004", "the entry has no `[paper](url)` line; add it after the venue line")


class _HouseRun(NamedTuple):
    """A text's leading run of blank lines and house-style entries, as `_HOUSE_ITEMS` reads it."""

    text: str  # the run's text: the start of the text searched
    rest: str  # the text after it
    venue_lines: set[str]  # its entries' venue lines, each once
    entries: HouseEntries  # what keys its entries
    words: str  # its titles, authors and venue lines, joined by LF


def _house_run(text: str) -> _HouseRun:
    """The leading run of a text (lines each ended by a line break), as `_HOUSE_ITEMS` reads it:
    read by `_QUICK_HOUSE_ITEMS` unless a field it read holds a character `_HOUSE_ITEMS` refuses."""
    columns = dict(zip(_COLUMN, _house_columns(_QUICK_HOUSE_ITEMS, text), strict=True))
    venue_lines = set(columns["venue_line"])
    words = "\n".join(chain(columns["title"], columns["authors"], venue_lines))
    if _refused(words):
        columns = dict(zip(_COLUMN, _house_columns(_HOUSE_ITEMS, text), strict=True))
        venue_lines = set(columns["venue_line"])
        words = "\n".join(chain(columns["title"], columns["authors"], venue_lines))
    venue_lines.discard("")
    entries = HouseEntries(
        titles=columns["title"],
        arxiv_ids=columns["paper_id"] + columns["model_id"],
        other_urls=columns["paper_url"] + columns["model_url"],
        owners=columns["owner"],
        repos=columns["repo"],
    )
    rest = columns["rest"][-1] if columns["rest"] else ""
    return _HouseRun(text[:len(text) - len(rest)], rest, venue_lines, entries, words)


def _house_columns(items: str, text: str) -> list[tuple[str, ...]]:
    """The columns of the items a pattern like `_HOUSE_ITEMS` finds in the text."""
    pattern = re.compile(items)
    found = pattern.findall(text)
    return list(zip(*found, strict=True)) if found else [()] * pattern.groups


def _refused(words: str) -> bool:
    """Whether a title, authors or venue line (joined in `words`) holds a `*` or `]`: what
    `_HOUSE_ITEMS` refuses there (it takes a `*` inside a venue line, which only sends the run
    to it too), found at C speed."""
    return "*" in words or "]" in words


def _run_vouched(venue_lines: set[str], year: int) -> bool:
    """Whether the entries of a house run in the `### year` section, with these venue lines, have
    no finding: the rest of each has passed already, so it comes down to its venue line (each
    distinct one asked once, or only its date when the venue is written plainly: a list dated by
    the day has thousands of venue lines but a few hundred dates a year)."""
    dates: set[str] = set()
    others: set[str] = set()
    for line in venue_lines:
        date = _plain_venue_date(line)
        if date is None:
            others.add(line)
        else:
            dates.add(date)
    return all(_date_vouched(date, year) for date in dates) and all(_venue_vouched(line, year) for line in others)


def _plain_venue_date(line: str) -> str | None:
    """The date of a venue line whose venue before ` | ` is written plainly (not blank, no blank
    around it) and whose date holds no `|`; None for any other line."""
    venue, sep, date = line.partition(" | ")
    return date if sep and venue and venue == venue.strip() and "|" not in date else None


def _date_vouched(date: str, year: int) -> bool:
    """`_venue_vouched` of a venue line with a plain venue and this date: only the date can then
    bring LB003 (not in house style) or LB006 (another year than the section's). Property-tested
    against `_venue_vouched(f"Venue | {date}", year)`."""
    found = parse_house_date(date)
    return found is not None and found.year == year


def _venue_vouched(line: str, year: int) -> bool:
    """Whether an entry of `_HOUSE_ENTRY`'s shape with this venue line has no finding in the
    `### year` section: the rules' answer for a model entry that differs from it only there
    (its title, authors and links pass, so only the venue line can bring LB003 or LB006)."""
    return not _paper_problems((*_MODEL_HEAD, line, *_MODEL_TAIL), year)


def _github_key(url: str) -> str | None:
    try:
        repo = github_repo(url)
    except UrlError:
        return None
    return f"{repo.owner}/{repo.name}" if repo else None


def _badge_for(url: str) -> str:
    owner, _, name = (_github_key(url) or "owner/repo").partition("/")
    return BADGE.format(owner=owner, repo=name)


def _entry_year(lines: list[str]) -> int | None:
    paper = read_paper(lines)
    if paper.title is None or paper.venue is None:
        return None
    return paper.year


def _misplaced(layout: _Layout) -> Iterator[tuple[_Entry, int]]:
    """Entries whose year is known and is not their section's year."""
    for entry in layout.paper_entries():
        year = _entry_year(layout.lines[entry.start:entry.end])
        if year is not None and year != entry.section_year:
            yield entry, year


def _year_findings(layout: _Layout) -> Iterator[Finding]:
    if layout.papers is None:
        yield Finding(1, 1, "LB007", "the list has no `## Papers` section; papers go under `## Papers` › `### YYYY`")
        return
    previous: Heading | None = None
    seen: set[int] = set()
    for heading in layout.paper_headings():
        if heading.level != 3:
            continue
        if heading.year is None:
            yield Finding(
                heading.line + 1, 1, "LB007",
                f"`### {heading.text}` under Papers is not a year; sections there are `### YYYY`",
            )
            continue
        if heading.year in seen:
            yield Finding(heading.line + 1, 1, "LB007", f"`### {heading.year}` appears twice; merge the sections")
        elif previous is not None and previous.year is not None and heading.year > previous.year:
            yield Finding(
                heading.line + 1, 1, "LB007",
                f"`### {heading.year}` comes after `### {previous.year}`; year sections go newest first",
            )
        seen.add(heading.year)
        previous = heading


def _entry_findings(layout: _Layout) -> Iterator[Finding]:
    lines = layout.lines
    for entry in layout.paper_entries():
        for offset, col, code, message in _paper_problems(tuple(lines[entry.start:entry.end]), entry.section_year):
            yield Finding(entry.start + offset + 1, col, code, message)
    yield from _kind_entry_findings(layout)


@lru_cache(maxsize=_MEMO_SIZE)
def _paper_problems(lines: tuple[str, ...], section_year: int | None) -> tuple[tuple[int, int, str, str], ...]:
    """LB001-LB006 of one entry as (line offset, column, code, message): they depend only on its
    lines and its section's year, so linting the edited list finds the base list's entries here."""
    entry_lines = list(lines)
    found = [(finding.line - 1, finding.col, finding.code, finding.message) for finding in _check_paper(entry_lines, 0)]
    year = _entry_year(entry_lines)
    if year is not None and year != section_year:
        where = f"the {section_year} section" if section_year else "no year section"
        found.append((0, 1, "LB006", f"the entry is dated {year} but sits in {where}; it belongs under `### {year}`"))
    return tuple(found)


def _kind_entry_findings(layout: _Layout) -> Iterator[Finding]:
    """LB016: what reads as an entry under a kind's section has the kind's shape."""
    lines = layout.lines
    for kind, start, end in layout.kind_candidates():
        reader = entry_reader(kind, layout.forms.get(kind.name))
        if reader.read("\n".join(lines[start:end])) is not None or not _reads_as_entry(layout, kind, start, end):
            continue
        shape = "is one line" if kind.one_line or kind.tight else "reads"
        yield Finding(start + 1, 1, "LB016", f"{kind.a_noun} entry {shape} like `{kind.example()}`")


def _reads_as_entry(layout: _Layout, kind: Kind, start: int, end: int) -> bool:
    """Whether text under a kind's section is meant as an entry (prose without links is not)."""
    lines = layout.lines
    if any(_link_count(line) or "://" in line for line in lines[start:end]):
        return True
    if kind.tight:
        return bool(_LIST_MARKER().match(lines[start]))
    if kind.one_line:  # a line run together with others is a malformed entry
        return (start > 0 and not _blank(lines[start - 1])) or (end < len(lines) and not _blank(lines[end]))
    return False


def _link_count(line: str) -> int:
    return line.count("](")


def _expected_toc(layout: _Layout) -> list[str] | None:
    """The table of contents' item lines as they should read; None when there is no ToC."""
    if layout.toc is None:
        return None
    doc = layout.doc
    used: dict[str, int] = {}
    wanted: list[tuple[int, str, str]] = []
    for heading in doc.headings:
        anchor = github_anchor(heading.text)
        count = used.get(anchor, 0)
        used[anchor] = count + 1
        if heading.line > layout.toc.line and heading.level in (2, 3):
            wanted.append((heading.level, heading.text, f"{anchor}-{count}" if count else anchor))
    if not wanted:
        return []
    top = min(level for level, _, _ in wanted)
    items = toc_items(doc)
    # The outermost items' indent: kept from the ToC as written (2 spaces in house style).
    base = max(items[0][1] - 2 * (wanted[0][0] - top), 0) if items else 2
    return [f"{' ' * (base + 2 * (level - top))}- [{text}](#{anchor})" for level, text, anchor in wanted]


def _toc_findings(layout: _Layout) -> Iterator[Finding]:
    expected = _expected_toc(layout)
    if expected is None or layout.toc is None:
        return
    items = toc_items(layout.doc)
    actual = [layout.lines[index] for index, *_ in items]
    if actual == expected:  # the usual case: no edit script to find, and no difflib to import
        return
    import difflib  # ~5 ms of every `listbot lint` start, needed only for a table of contents out of step

    after_last = items[-1][0] + 1 if items else layout.toc.line + 1
    matcher = difflib.SequenceMatcher(None, actual, expected, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for k in range(a1, a2):
            if op == "replace" and k - a1 < b2 - b1:
                want = expected[b1 + k - a1]
                indent = len(want) - len(want.lstrip())
                message = f"the table of contents item should read `{want.strip()}` (indented {indent} spaces)"
            elif actual[k] in expected:
                message = f"the table of contents item `{actual[k].strip()}` is out of the headings' order"
            else:
                message = f"the table of contents item `{actual[k].strip()}` names no heading; remove it"
            yield Finding(items[k][0] + 1, 1, "LB008", message)
        extra = expected[b1 + (a2 - a1):b2] if op == "replace" else expected[b1:b2] if op == "insert" else []
        at = items[a2][0] + 1 if a2 < len(items) else after_last + 1
        for want in extra:
            why = "in the headings' order" if want in actual else "to mirror the headings"
            yield Finding(at, 1, "LB008", f"the table of contents needs `{want.strip()}` here {why}")


def _separations(layout: _Layout) -> list[tuple[int, str]]:
    """Lines that need a blank line inserted before them, with why."""
    doc, lines = layout.doc, layout.lines
    found: list[tuple[int, str]] = []
    spaced_from = layout.spaced_from()
    for heading in doc.headings:
        if heading.line < spaced_from:
            continue
        if heading.line > 0 and not _blank(lines[heading.line - 1]):
            found.append((heading.line, f"a blank line must come before the heading `{lines[heading.line]}`"))
        if heading.line + 1 < len(lines) and not _blank(lines[heading.line + 1]):
            found.append((heading.line + 1, f"a blank line must follow the heading `{lines[heading.line]}`"))
    for entry in layout.paper_entries():
        if entry.joined:
            found.append((entry.start, "this entry runs into the one above; separate entries with one blank line"))
    previous: tuple[Kind, int] | None = None
    for kind, start, end in layout.kind_candidates():
        matched = entry_reader(kind, layout.forms.get(kind.name)).read("\n".join(lines[start:end])) is not None
        if matched and not kind.tight and previous == (kind, start - 1):
            found.append((start, f"this {kind.noun} runs into the one above; separate entries with one blank line"))
        previous = (kind, end - 1) if matched else None
    return sorted(set(found))


def _extra_blanks(lines: list[str]) -> list[int]:
    """Indexes of blank lines that follow another blank line or end the file (runs of blank
    lines found by one regex over a string of one flag per line)."""
    flags = "".join(" " if _blank(line) else "x" for line in lines)
    extra = {i for run in _BLANK_RUN().finditer(flags) for i in range(run.start() + 1, run.end())}
    last = len(flags.rstrip(" "))
    return sorted({*extra, *range(last, len(lines))})


def _may_have_extra_blanks(doc: ListDocument, *, plain: bool) -> bool:
    """Whether `_extra_blanks` may find a blank line, asked of the text: only if it has a CR, two
    blank lines in a row (`_has_blank_pair`) or a blank last line. `plain`: `_plain_ascii` of it."""
    text = doc.text
    return "\r" in text or _has_blank_pair(text, plain=plain) or (bool(doc.lines) and _blank(doc.lines[-1]))


def _has_blank_pair(text: str, *, plain: bool) -> bool:
    """Whether two blank lines follow each other in a text without CR (`_BLANK_PAIR`, or
    `_BLANK_PAIR_FIRST` at its start). In a `plain` text (`_plain_ascii`) a blank line is an
    empty one (no blank but the space, which never ends a line), so literal searches answer."""
    if plain:
        return "\n\n\n" in text or text.endswith("\n\n") or text.startswith("\n\n") or text == "\n"
    return _BLANK_PAIR().search(text) is not None or _BLANK_PAIR_FIRST().match(text) is not None


def _line_findings(layout: _Layout) -> Iterator[Finding]:
    doc = layout.doc
    if layout.fast:
        layout.paper_entries()  # finds the house runs, whose links need no search
        indexes: Sequence[int] = _suspect_lines(doc, layout.apart, plain=layout.plain)
    else:
        indexes = range(len(doc.lines))
    if not indexes:
        return
    fenced = doc.structure.fenced_lines()
    toc_body = layout.toc_body()
    anchors = {github_anchor(heading.text) for heading in doc.headings}
    for index in indexes:
        line = doc.lines[index]
        if line.isascii() and line.isprintable() and "](" not in line and not line.endswith(" "):
            continue  # no trailing blank, mis-decoded, invisible or control character, and no link
        number = index + 1
        for col, code, message in _text_problems(line):
            yield Finding(number, col, code, message)
        if "](" in line and not fenced[index]:
            for start, target, problem in _link_problems(line):
                if target.startswith("#") and (index in toc_body or target[1:] in anchors):
                    continue  # a link to one of the list's own headings
                if problem:
                    yield Finding(
                        number, start + 1, "LB015",
                        f"the link `{target[:60]}` is not an absolute http(s) URL: {problem}",
                    )


def _suspect_lines(
    doc: ListDocument, apart: Sequence[tuple[int, str]] | None = None, *, plain: bool | None = None
) -> list[int]:
    """Indexes of the lines where `_SUSPECT_CHARACTER` or `_SUSPECT_LINK` finds something, in order.

    `apart`: the lines between the house runs (`_Layout.apart`), where `_SUSPECT_LINK` finds
    nothing: it searches them instead of the whole text (each range's lines joined by LF: a line
    break, CR or LF, ends a link target alike). `plain`: `_plain_ascii` of the text, when known.
    """
    text = doc.text
    found = set() if (_plain_ascii(text) if plain is None else plain) else set(_match_lines(text, _SUSPECT_CHARACTER()))
    for first, piece in [(0, text)] if apart is None else apart:
        found.update(first + index for index in _match_lines(piece, _SUSPECT_LINK))
    return sorted(found)


def _match_lines(text: str, pattern: re.Pattern[str]) -> Iterator[int]:
    """The index of the line each match of a pattern that never starts at a line break starts on."""
    line, counted = 0, 0
    for match in pattern.finditer(text):  # never at a line break: no `\r\n` lies across `counted`
        position = match.start()
        line += text.count("\n", counted, position) + text.count("\r", counted, position)
        line -= text.count("\r\n", counted, position)
        counted = position
        yield line


def _plain_ascii(text: str) -> bool:
    """Whether `_SUSPECT_CHARACTER` finds nothing in the text, asked with faster string operations."""
    return (
        _printable_ascii(text)
        and " \n" not in text and ("\r" not in text or " \r" not in text) and not text.endswith(" ")
    )


def _printable_ascii(text: str) -> bool:
    """Whether the text holds only printable ASCII characters and line breaks."""
    return text.isascii() and not text.encode("ascii").translate(None, _PRINTABLE_ASCII_AND_BREAKS)


@lru_cache(maxsize=_MEMO_SIZE)
def _text_problems(line: str) -> tuple[tuple[int, str, str], ...]:
    """LB012-LB014 of a line as (column, code, message): they depend only on its text."""
    found = []
    if blanks := trailing_whitespace(line):
        found.append((len(line) - len(blanks) + 1, "LB012", "trailing whitespace; remove it"))
    for start, run, repaired in _mojibake(line):
        found.append(
            (start + 1, "LB013", f"mis-decoded text `{run}` (UTF-8 read as cp1252); it should read `{repaired}`")
        )
    for start, name in _invisible_columns(line):
        found.append((start + 1, "LB014", f"invisible or control character {name}; delete it or retype the text"))
    return tuple(found)


@lru_cache(maxsize=_MEMO_SIZE)
def _link_problems(line: str) -> tuple[tuple[int, str, str | None], ...]:
    """Each link target of a line with why it is not an absolute http(s) URL (None: it is)."""
    return tuple((start, target, _url_problem(target)) for start, target in _link_targets(line))


def _blank_findings(layout: _Layout) -> Iterator[Finding]:
    lines = layout.doc.lines
    for index, why in _separations(layout):
        yield Finding(index + 1, 1, "LB010", why)
    extra = _extra_blanks(lines) if not layout.fast or _may_have_extra_blanks(layout.doc, plain=layout.plain) else []
    for index in extra:
        if index - 1 not in extra:
            where = "at the end of the file" if all(_blank(x) for x in lines[index:]) else "in a row"
            yield Finding(index + 1, 1, "LB011", f"more than one blank line {where}; keep exactly one")


def _duplicate_findings(layout: _Layout) -> Iterator[Finding]:
    """Entries sharing an identity key with an earlier entry (the rules submissions use)."""
    first_with: dict[str, ListedEntry] = {}
    for entry in _sharing_candidates(layout) if layout.fast else listed(layout.doc, layout.kinds, layout.forms):
        hits = [first_with[key] for key in entry.keys if key in first_with]
        if hits:  # most entries share no key with an earlier one
            earlier = {hit.line: hit for hit in hits}
            for duplicate in find_duplicates(entry.keys, [earlier[line] for line in sorted(earlier)])[:1]:
                yield Finding(
                    entry.line, 1, "LB009",
                    f"duplicate entry: “{duplicate.entry.title}” (line {duplicate.entry.line}) has "
                    f"{duplicate.reason}; keep one of them",
                    subject=f"“{entry.title}” duplicates “{duplicate.entry.title}”: {duplicate.reason}",
                )
        for key in entry.keys:
            first_with.setdefault(key, entry)


def _sharing_candidates(layout: _Layout) -> list[ListedEntry]:
    """The entries holding a key another entry holds too, in order, read by the general rules
    only where `repeated_keys` finds a key twice (most lists have none): every entry holding
    a shared key holds one of those, so `_sharing_entries` of them is that of every entry."""
    layout.paper_entries()  # finds the house runs
    repeated = repeated_keys(layout.doc, layout.kinds, layout.forms, layout.house_runs)
    if repeated is None:
        return _sharing_entries(listed(layout.doc, layout.kinds, layout.forms))
    if not repeated:
        return []
    return _sharing_entries(listing(layout.doc, layout.kinds, layout.forms).sharing(repeated))


def _sharing_entries(entries: Sequence[ListedEntry]) -> list[ListedEntry]:
    """The entries holding a key another entry holds too, in order: an entry whose keys are its
    own is nobody's duplicate and has none (most lists have no duplicate, so most are dropped)."""
    keys = list(chain.from_iterable([entry.keys for entry in entries]))
    if len(set(keys)) == len(keys):
        return []
    counts = Counter(keys)
    return [entry for entry in entries if any(counts[key] > 1 for key in entry.keys)]


def lint(
    text: str, kinds: Sequence[Kind] = BUILTIN_KINDS, forms: Mapping[str, IssueForm] | None = None
) -> list[Finding]:
    """Every house-style finding in the list text, sorted by line and column.

    `kinds` are the list's kinds (their forms in `forms`, which a kind whose section a form field
    picks needs): papers are checked only when `paper` is one of them.
    """
    return _lint(text, kinds, forms, fast=True)


def _lint(text: str, kinds: Sequence[Kind], forms: Mapping[str, IssueForm] | None, *, fast: bool) -> list[Finding]:
    """`lint`, with the fast paths for the common shapes (`fast`) or with every rule read everywhere."""
    doc = parsed(text)
    layout = _Layout(doc, kinds, forms or {}, fast=fast)
    findings = [
        *(_year_findings(layout) if layout.checks_papers else ()),
        *_entry_findings(layout),
        *_toc_findings(layout),
        *_duplicate_findings(layout),
        *_blank_findings(layout),
        *_line_findings(layout),
    ]
    return sorted(set(findings))


def paper_block_clean(block: Sequence[str], section_year: int | None) -> bool:
    """Whether `lint` finds nothing in a paper block of the `section_year` section: one entry
    (LB010), LB001-LB006 and, outside code blocks, LB012-LB015 on each line. `block` is a run of
    non-blank lines as the list holds them; `bot.core.edit_lint` asks this of an inserted entry."""
    rows = [line.rstrip() for line in block]
    if len(_entry_starts(rows)) != 1 or _paper_problems(tuple(rows), section_year):
        return False
    return not any(_text_problems(line) or any(problem for *_, problem in _link_problems(line)) for line in block)


# --- fixes ------------------------------------------------------------------------------------


def _join(doc: ListDocument, lines: list[str]) -> str:
    """Lines joined in the file's newline style, keeping whether the file ended with one."""
    if lines == doc.lines:
        return doc.text
    ends = not doc.raw_lines or doc.raw_lines[-1].endswith(("\n", "\r"))
    return doc.newline.join(lines) + (doc.newline if ends and lines else "")


def _fix_lines(text: str) -> str:
    """LB012, LB013: strip trailing whitespace and repair mis-decoded runs."""
    doc = ListDocument(text)
    return _join(doc, [repair_mojibake(line).rstrip() for line in doc.lines])


def _fix_blanks(text: str, kinds: Sequence[Kind], forms: Mapping[str, IssueForm]) -> str:
    """LB010, LB011: one blank line between entries and around headings, never two."""
    doc = ListDocument(text)
    before = {index for index, _ in _separations(_Layout(doc, kinds, forms))}
    drop = set(_extra_blanks(doc.lines))
    lines: list[str] = []
    for index, line in enumerate(doc.lines):
        if index in before:
            lines.append("")
        if index not in drop:
            lines.append(line)
    return _join(doc, lines)


def _fix_years(text: str, kinds: Sequence[Kind], forms: Mapping[str, IssueForm]) -> str:
    """LB006: move each whole entry whose year is known into its year's section."""
    doc = ListDocument(text)
    moves = [(entry, year) for entry, year in _misplaced(_Layout(doc, kinds, forms)) if entry.whole_block]
    if not moves:
        return text
    lines = list(doc.lines)
    taken: list[tuple[list[str], int]] = []
    for entry, year in reversed(moves):
        taken.append((lines[entry.start:entry.end], year))
        end = entry.end + 1 if entry.end < len(lines) and _blank(lines[entry.end]) else entry.end
        blank_before = entry.start > 0 and _blank(lines[entry.start - 1])
        start = entry.start - 1 if end == entry.end and blank_before else entry.start
        del lines[start:end]
    result = _join(doc, lines)
    for entry_lines, year in reversed(taken):
        result = insert_paper(result, entry_lines, year, read_paper(entry_lines).sort_key()).text
    return result


def _fix_toc(text: str, kinds: Sequence[Kind], forms: Mapping[str, IssueForm]) -> str:
    """LB008: rewrite the table of contents' items from the headings."""
    doc = ListDocument(text)
    layout = _Layout(doc, kinds, forms)
    expected = _expected_toc(layout)
    if expected is None or layout.toc is None:
        return text
    items = toc_items(doc)
    if [doc.lines[index] for index, *_ in items] == expected:
        return text
    if items:
        first, last = items[0][0], items[-1][0] + 1
        item_lines = {index for index, *_ in items}
        kept = [doc.lines[i] for i in range(first, last) if i not in item_lines and not _blank(doc.lines[i])]
    else:
        first = last = layout.toc.line + 1
        kept = []
    return _join(doc, [*doc.lines[:first], *expected, *kept, *doc.lines[last:]])


def fix(text: str, kinds: Sequence[Kind] = BUILTIN_KINDS, forms: Mapping[str, IssueForm] | None = None) -> str:
    """The text with every fixable finding repaired; entries' words are never changed.

    Repairs run in rounds until nothing changes, so `fix(fix(text)) == fix(text)`.
    """
    known = forms or {}
    for _ in range(_MAX_FIX_ROUNDS):
        spaced = _fix_blanks(_fix_lines(text), kinds, known)
        fixed = _fix_toc(_fix_blanks(_fix_years(spaced, kinds, known), kinds, known), kinds, known)
        if fixed == text:
            break
        text = fixed
    return text
