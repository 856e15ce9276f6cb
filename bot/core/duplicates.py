"""Duplicate detection: the same paper, title or code repository already in the list."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache, partial
from typing import NamedTuple

from bot.core.document import Block, ListDocument
from bot.core.entry import paper_links, paper_title
from bot.core.submission import PaperSubmission
from bot.core.urls import identity_keys

_DATASET = re.compile(r"\[[^\]]*\]\s*(.+?)\s*\[\[")
_ANY_LINK = re.compile(r"\]\((https?://[^)\s]+)\)")
# `fold_title` for ASCII text: what its per-character rule does to each ASCII character (NFKD and
# combining marks change nothing there; `_ASCII_DROPPED` are deleted), applied in one `bytes.translate`.
_ASCII_FOLD = bytes(
    ord(char.lower()) if char.isalnum() or char.isspace() else ord(" ") for char in map(chr, range(128))
) + bytes(range(128, 256))  # never met: only ASCII text is folded this way
_ASCII_DROPPED = b"'`"
# Bounds of the memos below: a 20,000-entry list has ~20,000 titles and ~30,000 links, and one
# reconcile reads the base list and the edited one, so the second reading finds every entry here.
_MEMO_SIZE = 1 << 16


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class ListedEntry(NamedTuple):
    """An entry already in the list, reduced to what identifies it."""

    title: str
    section: str
    line: int  # 1-based
    keys: frozenset[str]


class Duplicate(NamedTuple):
    """A submission that matches an entry already listed (or already proposed)."""

    entry: ListedEntry
    reason: str
    shared: frozenset[str] = frozenset()  # the identity keys both have

    def message(self, noun: str = "paper") -> str:
        """What the submitter reads; `noun` is what the submission is (its kind's noun)."""
        return (
            f"this {noun} is already listed: “{self.entry.title}” in {self.entry.section} "
            f"(line {self.entry.line}) has {self.reason}."
        )


@lru_cache(maxsize=_MEMO_SIZE)
def fold_title(title: str) -> str:
    """Title folded to its words: case, accents and punctuation ignored, and a hyphen counts as a
    space (`LLM-CXR: Instruction-Finetuned` and `LLM CXR: Instruction Finetuned` fold alike)."""
    if title.isascii():
        return " ".join(title.encode().translate(_ASCII_FOLD, _ASCII_DROPPED).decode().split())
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    kept = "".join(
        ch if ch.isalnum() or ch.isspace() else ("" if ch in "'’`" else " ")
        for ch in decomposed if not unicodedata.combining(ch)
    )
    return " ".join(kept.split())


def _title_key(title: str) -> str:
    """The folded title without spaces, so `X-Ray`, `X Ray` and `XRay` are the same title."""
    return fold_title(title).replace(" ", "")


def entry_keys(title: str | None, links: Iterable[str], repos: Iterable[str]) -> frozenset[str]:
    """The identity keys of one entry: its folded title, its links' keys and its repositories."""
    keys: set[str] = set()
    if title and (folded := _title_key(title)):
        keys.add(f"title:{folded}")
    for link in links:
        keys |= _link_keys(link)
    for repo in repos:
        keys.add("repo:" + "/".join(repo.rstrip("/").split("/")[-2:]).lower())
    return frozenset(keys)


@lru_cache(maxsize=_MEMO_SIZE)
def _link_keys(url: str) -> frozenset[str]:
    """`identity_keys`, computed once per link (every reading of the list meets the same links)."""
    return frozenset(identity_keys(url))


def field_keys(paper: PaperSubmission) -> dict[str, frozenset[str]]:
    """The identity keys of each field of a submission, comparable with `entry_keys`, so a match
    can be reported against the field that caused it."""
    keys = {"title": entry_keys(paper.title, [], [])}
    for field_id in ("paper_url", "model_url"):
        if url := getattr(paper, field_id):
            keys[field_id] = entry_keys(None, [url], [])
    if paper.code_repo is not None:
        keys["code_url"] = entry_keys(None, [], [paper.code_repo.url])
    elif paper.code_url:
        keys["code_url"] = entry_keys(None, [paper.code_url], [])
    return keys


def submission_keys(paper: PaperSubmission) -> frozenset[str]:
    """The identity keys of a submission, comparable with `entry_keys`."""
    return frozenset().union(*field_keys(paper).values())


MIN_CONTAINED_WORDS = 2


def containing_titles(title: str, entries: Iterable[ListedEntry]) -> Iterator[ListedEntry]:
    """Listed entries whose title contains this one, or is contained in it, word for word
    (`MAIRA-2` in `MAIRA-2: Grounded Radiology Report Generation`): maybe the same paper."""
    words = fold_title(title)
    if len(words.split()) < MIN_CONTAINED_WORDS:
        return
    for entry in entries:
        if title_overlaps(words, entry.title):
            yield entry


def title_overlaps(words: str, title: str) -> bool:
    """Whether a listed title contains the folded title `words`, or is contained in it, word for
    word, and is not the same title (`containing_titles`)."""
    listed = fold_title(title)
    return listed != words and len(listed.split()) >= MIN_CONTAINED_WORDS and (
        f" {words} " in f" {listed} " or f" {listed} " in f" {words} "
    )


class FoundEntry(NamedTuple):
    """An entry found in the list, whose identity keys are computed only when asked for: a
    submission's checks need the keys of a few entries (a named tuple: 20,000 are made at once)."""

    title: str
    section: str
    start: int  # index of its first line
    end: int  # index after its last line
    identity: Callable[[], frozenset[str]]

    def listed(self) -> ListedEntry:
        """The entry with its identity keys."""
        return ListedEntry(self.title, self.section, self.start + 1, self.identity())


def found_entries(doc: ListDocument) -> Iterator[FoundEntry]:
    """Every entry of every section: papers read in house style, other entries by their links."""
    parent = ""
    for heading, blocks in doc.sections():
        if heading.level <= 2:
            parent = heading.text
        section = f"{parent} › {heading.text}" if heading.level > 2 and parent else heading.text
        for block in blocks:
            found = found_in_block(doc, block, section)
            if found is not None:
                yield found


def found_in_block(doc: ListDocument, block: Block, section: str) -> FoundEntry | None:
    """The entry `found_entries` reads from one block of the section named `section` (none for prose)."""
    lines = tuple(doc.block_lines(block))
    reading = _block_reading(lines)
    if reading is None:
        return None
    return FoundEntry(reading[0], section, block.start, block.end, partial(_block_keys, lines, *reading))


def listed_entries(doc: ListDocument) -> Iterator[ListedEntry]:
    """`found_entries` with their identity keys."""
    return (found.listed() for found in found_entries(doc))


def _block_reading(lines: tuple[str, ...]) -> tuple[str, bool] | None:
    """A block's title and whether it is a paper (`**title**` first), or None for prose (no link)."""
    title = paper_title(lines)
    if title is not None:
        return title, True
    text = " ".join(lines)
    if _ANY_LINK.search(text) is None:
        return None
    match = _DATASET.match(text)
    return (match[1] if match else text[:80]), False


@lru_cache(maxsize=_MEMO_SIZE)
def _block_keys(lines: tuple[str, ...], title: str, paper: bool) -> frozenset[str]:
    """A block's identity keys: computed once per entry text, however many times the list is
    read (a reconcile reads the base list and the edited one)."""
    links, repos = paper_links(lines) if paper else (_ANY_LINK.findall(" ".join(lines)), [])
    return entry_keys(title, links, repos)


def block_keys(lines: Sequence[str]) -> frozenset[str]:
    """The identity keys `listed_entries` reads from a block of these lines (none for prose)."""
    block = tuple(lines)
    reading = _block_reading(block)
    return _block_keys(block, *reading) if reading is not None else frozenset()


_REASONS = {
    "title": "the same title",
    "arxiv": "the same arXiv paper",
    "doi": "the same DOI",
    "openreview": "the same OpenReview paper",
    "anthology": "the same ACL Anthology paper",
    "cvf": "the same CVF paper",
    "url": "the same link",
    "repo": "the same code repository",
}


def find_duplicates(keys: frozenset[str], entries: Iterable[ListedEntry]) -> list[Duplicate]:
    """Entries sharing any identity key with the submission, with the reason for each."""
    found = []
    for entry in entries:
        shared = keys & entry.keys
        if shared:
            kinds = sorted({key.split(":", 1)[0] for key in shared}, key=list(_REASONS).index)
            reason = " and ".join(_REASONS[kind] for kind in kinds[:2])
            found.append(Duplicate(entry, reason, frozenset(shared)))
    return found
