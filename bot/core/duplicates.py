"""Duplicate detection: the same paper, title or code repository already in the list."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.core.document import ListDocument
from bot.core.entry import read_paper
from bot.core.submission import PaperSubmission
from bot.core.urls import identity_keys

_DATASET = re.compile(r"\[[^\]]*\]\s*(.+?)\s*\[\[")
_ANY_LINK = re.compile(r"\]\((https?://[^)\s]+)\)")


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

    def message(self, noun: str = "paper") -> str:
        """What the submitter reads; `noun` is what the submission is (its kind's noun)."""
        return (
            f"this {noun} is already listed: “{self.entry.title}” in {self.entry.section} "
            f"(line {self.entry.line}) has {self.reason}."
        )


def fold_title(title: str) -> str:
    """Title folded for comparison: case, accents, punctuation and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    letters = "".join(ch for ch in decomposed if ch.isalnum() or ch.isspace())
    return " ".join(letters.split())


def entry_keys(title: str | None, links: Iterable[str], repos: Iterable[str]) -> frozenset[str]:
    """The identity keys of one entry: its folded title, its links' keys and its repositories."""
    keys: set[str] = set()
    if title and (folded := fold_title(title)):
        keys.add(f"title:{folded}")
    for link in links:
        keys |= identity_keys(link)
    for repo in repos:
        keys.add("repo:" + "/".join(repo.rstrip("/").split("/")[-2:]).lower())
    return frozenset(keys)


def submission_keys(paper: PaperSubmission) -> frozenset[str]:
    """The identity keys of a submission, comparable with `entry_keys`."""
    repos = [paper.code_repo.url] if paper.code_repo else []
    links = [url for url in (paper.paper_url, paper.model_url) if url]
    if paper.code_url and not paper.code_repo:
        links.append(paper.code_url)
    return entry_keys(paper.title, links, repos)


def listed_entries(doc: ListDocument) -> Iterator[ListedEntry]:
    """Every entry of every section: papers read in house style, other entries by their links."""
    parent = ""
    for heading, blocks in doc.sections():
        if heading.level <= 2:
            parent = heading.text
        section = f"{parent} › {heading.text}" if heading.level > 2 and parent else heading.text
        for block in blocks:
            lines = doc.block_lines(block)
            paper = read_paper(lines)
            if paper.title is not None:
                title, links, repos = paper.title, paper.links, paper.repo_urls
            else:
                text = " ".join(lines)
                match = _DATASET.match(text)
                title = match[1] if match else text[:80]
                links, repos = _ANY_LINK.findall(text), []
                if not links:
                    continue  # prose, not an entry
            yield ListedEntry(title, section, block.start + 1, entry_keys(title, links, repos))


_REASONS = {
    "title": "the same title",
    "arxiv": "the same arXiv paper",
    "doi": "the same DOI",
    "openreview": "the same OpenReview paper",
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
            found.append(Duplicate(entry, reason))
    return found
