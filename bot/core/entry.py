"""Paper entries in house style: rendering a submission and reading entries already in the list."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.dates import PartialDate, parse_house_date, year_in_text
from bot.core.entry_template import fill
from bot.core.kinds import PAPER
from bot.core.lazy_patterns import lazy_pattern
from bot.core.submission import PaperSubmission
from bot.core.textrules import escape_inline, unescape_inline

BADGE = (
    "[![GitHub stars](https://img.shields.io/github/stars/{owner}/{repo}.svg"
    "?logo=github&label=Stars)](https://github.com/{owner}/{repo})"
)
BADGE_PATTERN = re.compile(
    r"\[!\[GitHub stars\]\(https://img\.shields\.io/github/stars/([^/\s]+)/([^/\s]+?)\.svg"
    r"\?logo=github&label=Stars\)\]\(https://github\.com/([^/\s]+)/([^/\s)]+)\)"
)
# A paper entry's link line and title line, as read back from the list (lint checks them too).
LINK_LINE = re.compile(r"\[(paper|model|code)\]\((\S+)\)")
TITLE_LINE = re.compile(r"\*\*(.+)\*\*")
_AUTHORS_LINE = lazy_pattern(r"\*([^*].*)\*")


def paper_template_values(paper: PaperSubmission) -> dict[str, str]:
    """The paper's values for the paper kind's entry template, with its two derived lines:
    `venue_line` (`Venue | 07 Aug 2024`, or the venue alone) and `code_line` (the stars badge
    for code on GitHub, else `[code](…)`). Text that GitHub would restyle (`_x_`, `~x~`, `$x$`)
    is escaped, so it shows as submitted."""
    venue_line = escape_inline(paper.venue)
    if paper.date is not None:
        venue_line = f"{venue_line} | {paper.date.house_style()}"
    code_line = ""
    if paper.code_repo is not None:
        code_line = BADGE.format(owner=paper.code_repo.owner, repo=paper.code_repo.name)
    elif paper.code_url:
        code_line = f"[code]({paper.code_url})"
    return {
        "title": escape_inline(paper.title), "authors": escape_inline(paper.authors), "venue_line": venue_line,
        "paper_url": paper.paper_url, "model_url": paper.model_url or "", "code_line": code_line,
    }


def render_paper(paper: PaperSubmission) -> list[str]:
    """The entry's lines in house style, without line endings."""
    return fill(PAPER.template, paper_template_values(paper))


@dataclass
class ListedPaper:
    """What can be read back from an entry in the list (leniently: entries may be malformed)."""

    title: str | None = None
    venue: str | None = None
    date: PartialDate | None = None
    links: list[str] = field(default_factory=list)
    repo_urls: list[str] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        """The year the entry's date (or its venue) names."""
        if self.date is not None:
            return self.date.year
        return year_in_text(self.venue) if self.venue else None

    def sort_key(self) -> tuple[int, int, int] | None:
        """Newest-first ordering key; None when the entry carries no month."""
        return self.date.sort_key() if self.date is not None else None


def read_paper(lines: Sequence[str]) -> ListedPaper:
    """Read a paper entry's lines (no line endings) into its parts."""
    links, repo_urls = paper_links(lines)
    paper = ListedPaper(paper_title(lines), links=links, repo_urls=repo_urls)
    if len(lines) > 2 and _AUTHORS_LINE().fullmatch(lines[1].strip()):
        venue_line = lines[2].strip()
        venue, _, date_text = venue_line.partition(" | ")
        paper.venue = venue
        paper.date = parse_house_date(date_text) if date_text else None
    return paper


def paper_title(lines: Sequence[str]) -> str | None:
    """A paper entry's title: its first line is `**title**` (None when it is not)."""
    if lines and (match := TITLE_LINE.fullmatch(lines[0].strip())):
        return unescape_inline(match[1])
    return None


def paper_links(lines: Sequence[str]) -> tuple[list[str], list[str]]:
    """A paper entry's links and the repositories of its stars badges.

    One search of the whole block finds them: neither pattern can match a line break, so each
    match lies inside one line and the block's matches are each line's in turn.
    """
    text = "\n".join(lines)
    links = [url for _, url in LINK_LINE.findall(text)]
    return links, [f"https://github.com/{badge[2]}/{badge[3]}" for badge in BADGE_PATTERN.findall(text)]
