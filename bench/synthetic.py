"""A synthetic list in house style with any number of paper entries, for benchmarks."""

from __future__ import annotations

import random

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WORDS = (
    "Chest", "X-ray", "Report", "Generation", "Radiology", "Foundation", "Model", "Vision",
    "Language", "Grounded", "Contrastive", "Transformer", "Clinical", "Learning", "Medical",
)


# Venues of a list whose entries name where each paper appeared, dated by the day (`varied`).
_VENUES = (
    "arXiv", "Nature Medicine", "Radiology", "NeurIPS", "MICCAI", "Medical Image Analysis", "CVPR", "ICLR",
    "IEEE TMI", "npj Digital Medicine", "Lancet Digital Health", "ACL",
)


def _venue_line(index: int, month: str, year: int, *, varied: bool) -> str:
    if not varied:
        return f"arXiv | {month} {year}"
    return f"{_VENUES[index // 5 % len(_VENUES)]} | {index % 28 + 1:02d} {month} {year}"


def _entry(index: int, year: int, rng: random.Random, *, varied: bool = False) -> list[str]:
    title = " ".join(rng.choice(_WORDS) for _ in range(6))
    month = _MONTHS[11 - (index % 12)]
    lines = [
        f"**P{index}: {title}**",
        "*A. Author, B. Author, et al.*",
        _venue_line(index, month, year, varied=varied),
        f"[paper](https://arxiv.org/abs/{year % 100:02d}{(index % 12) + 1:02d}.{index:05d})",
    ]
    if index % 3 == 0:
        lines.append(
            f"[![GitHub stars](https://img.shields.io/github/stars/lab{index}/repo{index}.svg"
            f"?logo=github&label=Stars)](https://github.com/lab{index}/repo{index})"
        )
    return lines


def make_list(n_entries: int, years: range = range(2025, 2005, -1), seed: int = 7, *, varied: bool = False) -> str:
    """A list with `n_entries` papers spread over `years` (newest first), ToC and Datasets.

    `varied`: each paper's venue line names one of a dozen venues and a day (`Radiology | 07 Aug
    2024`), as a list that records where papers appeared reads, instead of `arXiv | Aug 2024`."""
    rng = random.Random(seed)
    year_list = list(years)
    per_year = -(-n_entries // len(year_list))
    toc = ["# Table of Contents", "  - [Papers](#papers)"]
    toc += [f"    - [{year}](#{year})" for year in year_list]
    toc += ["  - [Datasets](#datasets)", ""]
    body = ["## Papers", ""]
    index = 0
    for year in year_list:
        body += [f"### {year}", ""]
        for _ in range(per_year):
            if index >= n_entries:
                break
            body += [*_entry(index, year, rng, varied=varied), ""]
            index += 1
    body += ["## Datasets", "", "[arXiv] Synthetic Dataset [[paper]](https://example.org/p) "
             "[[dataset]](https://example.org/d)", ""]
    return "\n".join(["# Synthetic list", "", *toc, *body])
