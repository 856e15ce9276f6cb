"""Which identity keys two entries of a list may share, found without reading every entry.

LB009 (lint's duplicate entries) needs the entries that share an identity key
(`duplicates.entry_keys`) with another. Reading each of 20,000 entries' keys one by one costs
most of a lint; most lists share none. So the keys are gathered in bulk:

- the house-style paper entries lint has found in runs: their titles' letters, their links and
  their stars badges, as lint's one search of each run gives them (`HouseEntries`,
  `house_entries_keys`), or as whole-text searches of a run's text find them (`house_run_keys`),
  at C speed either way (only a link that is not an arXiv abstract page is keyed one by one, as
  `identity_keys` keys it);
- every other entry is read by the general reader (`kind_entries.found_kind_entries`) from the
  list with those runs cut out, and keyed by the general rules.

A key met twice in all of them (`repeated_keys`) may be shared; one met once is not. The
answer holds every shared key (and may hold more, such as a key two links of one entry give):
the entries holding one are then read and compared by the general rules.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import compress
from typing import NamedTuple

from bot.core.document import ListDocument
from bot.core.duplicates import entry_keys
from bot.core.entry import BADGE_PATTERN, LINK_LINE, paper_title
from bot.core.forms import IssueForm
from bot.core.key_anchors import line_letters
from bot.core.kind_entries import found_kind_entries
from bot.core.kinds import Kind
from bot.core.lazy_patterns import lazy_pattern
from bot.core.markdown_blocks import FencedBlock, HtmlBlock
from bot.core.urls import ARXIV_PAGE_LINK, identity_keys

# A house entry's title line is the only line of a run that starts with `**` (the authors line
# starts with one `*`, the venue line with neither `*` nor `[`). Searched for after a line
# break, a literal: `^` would be tried at every character.
_TITLE_LINES = lazy_pattern(r"\n(\*\*[^\n]*)")
# A house entry's link line, as an arXiv abstract page's id (a link listbot writes for an arXiv
# paper, which `urls.identity_keys` keys at once) or any other link, or its badge line, as the
# repository it links to (the one it shows: the run's pattern has them equal).
_LINK_LINES = lazy_pattern(
    rf"\n\[(?:(?:paper|model)\]\((?:{ARXIV_PAGE_LINK.pattern}|(\S+))\)"
    r"|!\[GitHub stars\]\([^\n]*\]\(https://github\.com/([^\n]*)\))(?=\n)"
)


class HouseEntries(NamedTuple):
    """What keys the house-style paper entries of a run, as one search of the run reads them:
    each sequence holds a value per item the search met (a blank line gives "" in each), in any
    order. `titles`: each entry's title, the text between the `**`; `arxiv_ids` and `other_urls`:
    each `[paper]` or `[model]` link as the id of an arXiv abstract page (`ARXIV_PAGE_LINK`) or
    else as the URL; `owners` and `repos`: each stars badge's repository (the one it shows and
    links to). Such an entry holds no other `](` than its link lines' and its badge's (its title,
    authors and venue line hold no `]`, its links no `]`, `(` or `)`), so these are all the
    links and badges `entry.paper_links` finds in it."""

    titles: Sequence[str]
    arxiv_ids: Sequence[str]
    other_urls: Sequence[str]
    owners: Sequence[str]
    repos: Sequence[str]


class HouseRun(NamedTuple):
    """Lines `start` to `end` (half-open) of a section, blank or house-style paper entries, each
    entry one block of the section (blank lines or the section's ends around it); `text`: those
    lines, each ended by a line break; `entries`: what keys them, when the search that found
    the run read it (else `house_run_keys` reads `text`)."""

    start: int
    end: int
    text: str
    entries: HouseEntries | None = None


# The keys counted in bulk, by kind: the prefixes of the keys each value stands for (an arXiv
# abstract page's id stands for its link's key and its arXiv key). No key has two of them.
BULK: dict[str, tuple[str, ...]] = {
    "title": ("title:",), "repo": ("repo:",), "arxiv page": ("arxiv:", "url:arxiv.org/abs/"),
}


class KeyTally:
    """Identity keys met, with repeats: read one by one as keys, or in bulk as values (`BULK`),
    so the 60,000 keys of a 20,000-entry list are not each built as a string."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.values: dict[str, list[str]] = {kind: [] for kind in BULK}

    def every(self) -> list[str]:
        """Every key met, as often as it was met."""
        bulk = [prefix + value for kind, values in self.values.items() for prefix in BULK[kind] for value in values]
        return [*self.keys, *bulk]

    def repeated(self) -> frozenset[str]:
        """The keys met twice or more."""
        counts = Counter(self.keys)
        found = {key for key, count in counts.items() if count > 1}
        for kind, values in self.values.items():
            distinct = set(values)
            repeats = len(distinct) < len(values)
            twice = [value for value, count in Counter(values).items() if count > 1] if repeats else []
            for prefix in BULK[kind]:
                found.update(prefix + value for value in twice)
                found.update(key for key in counts if key.startswith(prefix) and key[len(prefix):] in distinct)
        return frozenset(found)


def house_run_keys(run: str, tally: KeyTally) -> None:
    """Count the identity keys of the house-style paper entries in `run` (such entries and
    blank lines, each line ended by a line break) in `tally`: each entry's (a key an entry holds
    twice counts twice).

    Such an entry is one block that `duplicates.found_entries` reads as a paper titled by its
    first line, `**title**`: its keys are the title's, every `LINK_LINE` link's and every stars
    badge's (`entry.paper_links`; neither pattern matches across a line break, so the whole
    run's matches are its entries' in turn).
    """
    text = "\n" + run  # every line after a line break: searches for a literal line start
    _count_titles(_TITLE_LINES().findall(text), tally, bold=True)
    link_lines = _LINK_LINES().findall(text)
    arxiv_ids, others, repos = map(list, zip(*link_lines, strict=True)) if link_lines else ([], [], [])
    badge_lines = len(repos) - repos.count("")
    if text.count("](") != len(link_lines) + badge_lines:
        # A `](` besides a link line's one and a badge line's two (a link in a title, say) may
        # start another match of `LINK_LINE` or `BADGE_PATTERN`: each is read on its own.
        # Else their only matches are those lines, each whole.
        pages = [(url, ARXIV_PAGE_LINK.fullmatch(url)) for _, url in LINK_LINE.findall(run)]
        arxiv_ids = [page[1] for _, page in pages if page]
        others = [url for url, page in pages if not page]
        repos = [f"{owner}/{name}" for *_, owner, name in BADGE_PATTERN.findall(run)]
    tally.values["arxiv page"] += filter(None, arxiv_ids)
    for url in filter(None, others):
        tally.keys += identity_keys(url)
    tally.values["repo"] += filter(None, "\n".join(repos).lower().split("\n"))


def house_entries_keys(entries: HouseEntries, tally: KeyTally) -> None:
    """Count the identity keys of a run's house-style paper entries, read as `entries`, in
    `tally`: what `house_run_keys` counts of the run's text (property-tested)."""
    _count_titles(entries.titles, tally, bold=False)  # (an empty title has no key: no letters, and ASCII)
    tally.values["arxiv page"] += filter(None, entries.arxiv_ids)
    for url in filter(None, entries.other_urls):
        tally.keys += identity_keys(url)
    badges = compress(zip(entries.owners, entries.repos, strict=True), entries.owners)
    tally.values["repo"] += filter(None, "\n".join(map("/".join, badges)).lower().split("\n"))


def _count_titles(titles: Sequence[str], tally: KeyTally, *, bold: bool) -> None:
    """Count the title keys of these `**title**` lines (`bold`) or of the titles between their
    `**`: an ASCII title's key is its letters and digits, lower-cased (`duplicates.fold_title`
    keeps nothing else, `letters` drops the `*`, and unescaping drops only `\\`); any other title
    is keyed by the general rules."""
    joined = "\n".join(titles)
    others: Sequence[str] = ()
    if not joined.isascii():
        others = [title for title in titles if not title.isascii()]
        joined = "\n".join(title for title in titles if title.isascii())
    tally.values["title"] += filter(None, line_letters(joined).decode("ascii").split("\n"))
    lines = others if bold else [f"**{title}**" for title in others]
    tally.keys += [key for line in lines for key in entry_keys(paper_title((line,)), (), ())]


def repeated_keys(
    doc: ListDocument,
    kinds: Sequence[Kind],
    forms: Mapping[str, IssueForm],
    house_runs: Sequence[HouseRun],
) -> frozenset[str] | None:
    """Every identity key two entries of the list share, and maybe a few more; None when it
    cannot be told this way (then every entry must be read).

    `house_runs`: runs of the list apart from each other, in sections without code or HTML
    blocks that no other kind reads (`found_kind_entries` reads each of their entries as a paper).
    """
    tally = KeyTally()
    for run in house_runs:
        if run.entries is None:
            house_run_keys(run.text, tally)
        else:
            house_entries_keys(run.entries, tally)
    rest = _without(doc, sorted((run.start, run.end) for run in house_runs))
    if rest is None:
        return None
    for found in found_kind_entries(rest, kinds, forms):
        tally.keys += found.identity()
    return tally.repeated()


def _without(doc: ListDocument, runs: Sequence[tuple[int, int]]) -> ListDocument | None:
    """The document with each run (sorted, apart) replaced by one blank line, when that changes
    no other entry: the same headings, code and HTML blocks, at the same lines once mapped back
    (so the same sections, holding the same other blocks); None if not.

    A run holds whole blocks, each followed by a blank line or its section's end, so cutting it
    joins no blocks and splits none; the rest of a 20,000-entry list is a few hundred lines."""
    if not runs:
        return doc  # (a list of other kinds' entries alone is not parsed twice)
    lines: list[str] = []
    starts: list[int] = []  # where each kept piece starts in the new document
    origins: list[int] = []  # and in `doc`
    at = 0
    for start, end in runs:
        starts.append(len(lines))
        origins.append(at)
        lines += [*doc.lines[at:start], ""]  # the lines up to the run, then the run as a blank line
        at = end
    starts.append(len(lines))
    origins.append(at)
    lines += doc.lines[at:]
    rest = ListDocument("\n".join(lines) + "\n")

    def origin(line: int) -> int:
        piece = bisect.bisect_right(starts, line) - 1
        return origins[piece] + line - starts[piece]

    same = (
        [(h.level, h.text, origin(h.line)) for h in rest.headings] == [(h.level, h.text, h.line) for h in doc.headings]
        and _mapped(rest.structure.fences, origin) == _spans(doc.structure.fences)
        and _mapped(rest.structure.html, origin) == _spans(doc.structure.html)
    )
    return rest if same else None


def _spans(blocks: Sequence[FencedBlock | HtmlBlock]) -> list[tuple[int, int]]:
    return [(block.start, block.end) for block in blocks]


def _mapped(blocks: Sequence[FencedBlock | HtmlBlock], origin: Callable[[int], int]) -> list[tuple[int, int]]:
    return [(origin(block.start), origin(block.end - 1) + 1) for block in blocks]
