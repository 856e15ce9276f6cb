"""Duplicate detection: the same paper, title or code repository already in the list."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.core.document import ListDocument
from bot.core.entry import paper_identity
from bot.core.submission import PaperSubmission
from bot.core.urls import identity_keys

_DATASET = re.compile(r"\[[^\]]*\]\s*(.+?)\s*\[\[")
_ANY_LINK = re.compile(r"\]\((https?://[^)\s]+)\)")
# `fold_title` for ASCII text: what its per-character rule does to each ASCII character (NFKD and
# combining marks change nothing there), applied in one `str.translate`.
_ASCII_FOLD = {
    code: ("" if char in "'`" else " ")
    for code, char in ((code, chr(code)) for code in range(128))
    if not (char.isalnum() or char.isspace())
}
# Bounds of the memos below: a 20,000-entry list has ~20,000 titles and ~30,000 links, and one
# reconcile reads the base list and the edited one, so the second reading finds every entry here.
_MEMO_SIZE = 1 << 16


@dataclass(frozen=True)
class ListedEntry:
    """An entry already in the list, reduced to what identifies it."""

    title: str
    section: str
    line: int  # 1-based
    keys: frozenset[str]


@dataclass(frozen=True)
class Duplicate:
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
        return " ".join(title.lower().translate(_ASCII_FOLD).split())
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
        listed = fold_title(entry.title)
        if listed != words and len(listed.split()) >= MIN_CONTAINED_WORDS and (
            f" {words} " in f" {listed} " or f" {listed} " in f" {words} "
        ):
            yield entry


def listed_entries(doc: ListDocument) -> Iterator[ListedEntry]:
    """Every entry of every section: papers read in house style, other entries by their links."""
    parent = ""
    for heading, blocks in doc.sections():
        if heading.level <= 2:
            parent = heading.text
        section = f"{parent} › {heading.text}" if heading.level > 2 and parent else heading.text
        for block in blocks:
            identity = _block_identity(tuple(doc.block_lines(block)))
            if identity is not None:
                yield ListedEntry(identity[0], section, block.start + 1, identity[1])


@lru_cache(maxsize=_MEMO_SIZE)
def _block_identity(lines: tuple[str, ...]) -> tuple[str, frozenset[str]] | None:
    """A block's title and identity keys (None for prose): computed once per entry text, however
    many times the list is read (a reconcile reads the base list and the edited one)."""
    title, links, repos = paper_identity(lines)
    if title is None:
        text = " ".join(lines)
        match = _DATASET.match(text)
        title = match[1] if match else text[:80]
        links, repos = _ANY_LINK.findall(text), []
        if not links:
            return None  # prose, not an entry
    return title, entry_keys(title, links, repos)


def block_keys(lines: Sequence[str]) -> frozenset[str]:
    """The identity keys `listed_entries` reads from a block of these lines (none for prose)."""
    identity = _block_identity(tuple(lines))
    return identity[1] if identity is not None else frozenset()


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
