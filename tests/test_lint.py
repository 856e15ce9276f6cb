"""Tests for the list linter and fixer: one test per rule, `--fix` repairs, properties, the command."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import make_list
from bot.cli.main import main
from bot.core.document import ListDocument
from bot.core.entry import BADGE_PATTERN
from bot.core.kinds import BUILTIN_KINDS
from bot.core.lint import (
    _COMMON_URL_SHAPE,
    _HOUSE_ENTRY,
    _PLAIN_URL,
    _SUSPECT_LINK,
    FIXABLE,
    RULES,
    Finding,
    _date_vouched,
    _has_blank_pair,
    _house_run,
    _Layout,
    _lint,
    _plain_ascii,
    _plain_venue_date,
    _suspect_lines,
    _venue_vouched,
    fix,
    lint,
)
from bot.core.proposal import propose
from bot.core.urls import ARXIV_PAGE_LINK, MAX_URL_LENGTH, validate_url
from tests.factories import ROOT, TODAY, committed_list, paper_values

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lint"
CLEAN = (FIXTURES / "clean.md").read_text(encoding="utf-8")


def edited(old: str, new: str, text: str = CLEAN) -> str:
    """The text with `old` (which must occur exactly once) replaced by `new`."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def found(text: str) -> list[tuple[str, int, int]]:
    return [(f.code, f.line, f.col) for f in lint(text)]


# --- the clean lists ---------------------------------------------------------------------------


def test_clean_fixture_lints_clean() -> None:
    """A list in house style has no findings."""
    assert lint(CLEAN) == []


def test_committed_list_lints_clean() -> None:
    """The committed list/README.md has no findings."""
    assert lint(committed_list()) == []


def test_synthetic_benchmark_list_lints_clean() -> None:
    """The benchmarks' synthetic house-style list has no findings."""
    assert lint(make_list(300)) == []


def test_every_rule_is_documented() -> None:
    """Every rule code has a one-line description and the fixable codes are rules."""
    assert list(RULES) == [f"LB{n:03d}" for n in range(1, 17)]
    assert all(RULES[code] and "\n" not in RULES[code] for code in RULES)
    assert set(RULES) >= FIXABLE


# --- one test per rule -------------------------------------------------------------------------


def test_lb001_title_not_bold() -> None:
    """An entry whose first line is not a bold title is reported on that line."""
    assert found(edited("**Alpha: A Model**", "Alpha: A Model")) == [("LB001", 13, 1)]


def test_lb002_authors_not_italic() -> None:
    """An authors line that is not one italic span is reported on that line."""
    assert found(edited("*A. One, B. Two, et al.*", "A. One, B. Two, et al.")) == [("LB002", 14, 1)]


def test_lb002_authors_missing() -> None:
    """An entry without an authors line is reported where the line should be."""
    assert found(edited("*A. One, B. Two, et al.*\n", "")) == [("LB002", 14, 1)]


def test_lb003_date_not_in_house_style() -> None:
    """A date not written `DD Mon YYYY` or `Mon YYYY` is reported at the date's column."""
    text = edited("arXiv | 07 Aug 2024", "arXiv | 2024-08-07")
    assert found(text) == [("LB003", 15, 9)]
    assert "write `07 Aug 2024`" in lint(text)[0].message


def test_lb003_venue_without_date_or_year() -> None:
    """A venue line with neither a date nor a year is reported."""
    assert found(edited("arXiv | 07 Aug 2024", "arXiv")) == [("LB003", 15, 1)]


def test_lb004_link_lines_out_of_order() -> None:
    """A `[paper]` line after the `[model]` line is reported on the misplaced line."""
    text = edited(
        "[paper](https://arxiv.org/abs/2401.00002)\n[model](https://huggingface.co/lab/beta)",
        "[model](https://huggingface.co/lab/beta)\n[paper](https://arxiv.org/abs/2401.00002)",
    )
    assert found(text) == [("LB004", 23, 1)]


def test_lb004_missing_paper_link_and_stray_line() -> None:
    """An entry without a `[paper]` line and a line that is no link line are both reported."""
    text = edited("[paper](https://arxiv.org/abs/2408.00001)", "Paper: see arXiv")
    assert found(text) == [("LB004", 16, 1), ("LB004", 16, 1)]


def test_lb004_github_code_link_instead_of_badge() -> None:
    """A `[code]` link to GitHub is reported with the stars badge it should be."""
    text = edited("[code](https://gitlab.com/lab/gamma)", "[code](https://github.com/lab/gamma)")
    assert found(text) == [("LB004", 31, 1)]
    assert "https://img.shields.io/github/stars/lab/gamma.svg" in lint(text)[0].message


def test_lb005_badge_names_another_repository() -> None:
    """A stars badge whose image and link name different repositories is reported."""
    text = edited("](https://github.com/lab/alpha)", "](https://github.com/lab/other)")
    assert found(text) == [("LB005", 17, 1)]


def test_lb006_entry_in_another_years_section() -> None:
    """An entry whose date names another year is reported at its first line."""
    assert found(edited("Nature Medicine | Mar 2023", "Nature Medicine | Mar 2024")) == [("LB006", 27, 1)]


def test_lb007_year_sections_out_of_order() -> None:
    """A year section after an older one is reported (and the ToC no longer matches)."""
    papers = CLEAN[CLEAN.index("### 2024"):CLEAN.index("## Datasets")]
    y2024, y2023 = papers[:papers.index("### 2023")], papers[papers.index("### 2023"):]
    text = edited(papers, y2023 + y2024)
    assert found(text) == [("LB008", 5, 1), ("LB008", 6, 1), ("LB007", 19, 1)]


def test_lb007_non_year_and_repeated_sections() -> None:
    """A `###` under Papers that is not a year, or a year that appears twice, is reported."""
    text = edited("### 2023\n", "### 2024\n")
    assert ("LB007", 25, 1) in found(text)
    text = edited("### 2023\n", "### Older\n")
    assert ("LB007", 25, 1) in found(text)


def test_fullwidth_digits_are_not_house_style() -> None:
    """`\\d` reads fullwidth digits as digits (and `int` takes them): a year heading or a date
    written with them is reported, and the date's hint is written in ASCII."""
    text = edited("arXiv | 07 Aug 2024", "arXiv | \uff10\uff17 Aug \uff12\uff10\uff12\uff14")
    assert found(text) == [("LB003", 15, 9)]
    assert "write `07 Aug 2024`" in lint(text)[0].message
    assert ("LB007", 25, 1) in found(edited("### 2023\n", "### \uff12\uff10\uff12\uff13\n"))


def test_lb007_no_papers_section() -> None:
    """A list without `## Papers` is reported on line 1."""
    assert ("LB007", 1, 1) in found("# A list\n\nNothing here.\n")


def test_lb008_toc_misses_a_heading() -> None:
    """A heading missing from the table of contents is reported where its item belongs."""
    assert found(edited("    - [2023](#2023)\n", "")) == [("LB008", 6, 1)]


def test_lb008_toc_names_a_missing_heading() -> None:
    """A table-of-contents item that names no heading is reported on its line."""
    text = edited("  - [Datasets](#datasets)\n", "  - [Datasets](#datasets)\n  - [Toolkits](#toolkits)\n")
    assert found(text) == [("LB008", 8, 1)]


def test_lb009_duplicate_entry() -> None:
    """An entry naming the same arXiv paper as an earlier entry is reported at its first line."""
    text = edited("[paper](https://www.nature.com/articles/s41591-023-00003-3)",
                  "[paper](https://arxiv.org/abs/2408.00001v2)")
    assert found(text) == [("LB009", 27, 1)]
    assert "line 13" in lint(text)[0].message


def test_a_findings_identity_does_not_name_lines() -> None:
    """Lines put above a duplicate pair change LB009's message (it names the earlier entry's line)
    but not the identity the findings of a list and of its edit are matched by."""
    text = edited("[paper](https://www.nature.com/articles/s41591-023-00003-3)",
                  "[paper](https://arxiv.org/abs/2408.00001v2)")
    moved = text.replace("\n## Papers\n", "\nA line of prose.\n\n## Papers\n", 1)
    [before], [after] = lint(text), lint(moved)
    assert (after.line, after.message) != (before.line, before.message)
    assert after.identity == before.identity
    assert "line" not in before.identity[1]
    others = lint(edited("\n## Papers\n", "\n## Papers \n", moved))  # a message naming no line is its identity
    named = [f for f in others if f.code != "LB009"]
    assert [f.identity for f in named] == [(f.code, f.message) for f in named]
    assert {f.code for f in others} == {"LB009", "LB012"}


def test_lb010_entries_run_together() -> None:
    """An entry with no blank line before it is reported at its title."""
    text = edited("lab/beta)\n\n### 2023", "lab/beta)\n### 2023")
    assert found(text) == [("LB010", 24, 1)]
    text = edited("\n**Beta: Another Model**", "**Beta: Another Model**")
    assert found(text) == [("LB010", 18, 1)]


def test_lb011_extra_blank_lines() -> None:
    """Two blank lines in a row, or blank lines ending the file, are reported."""
    assert found(edited("\n**Beta: Another Model**", "\n\n**Beta: Another Model**")) == [("LB011", 19, 1)]
    assert found(CLEAN + "\n\n") == [("LB011", 36, 1)]


def test_lb012_trailing_whitespace() -> None:
    """Trailing whitespace is reported at its first column."""
    assert found(edited("*Beta Team*", "*Beta Team* \t")) == [("LB012", 20, 12)]


def test_lb013_misdecoded_text() -> None:
    """Text that was UTF-8 read as cp1252 is reported at the run, with the repaired text."""
    text = edited("**Alpha: A Model**", "**Alpha: A Vision\u00e2\u20ac\u201cLanguage Model \u00f0\u0178\u201d\u00a5**")
    findings = lint(text)
    assert [(f.code, f.line, f.col) for f in findings] == [("LB013", 13, 18), ("LB013", 13, 36)]
    assert "`–`" in findings[0].message
    assert "`🔥`" in findings[1].message


def test_lb013_leaves_real_accents_alone() -> None:
    """Accented text that is not mis-decoded UTF-8 is not reported."""
    assert lint(edited("*C. Three*", "*C. Müller, É. Núñez, ß*")) == []


def test_lb014_invisible_characters() -> None:
    """Zero-width and bidi-control characters are reported at their column."""
    text = edited("**Alpha: A Model**", "**Alpha:\u200b A \u202eModel**")
    assert found(text) == [("LB014", 13, 9), ("LB014", 13, 13)]


def test_lb015_link_not_absolute_http() -> None:
    """A link that is relative or not http(s) is reported at the link target."""
    text = edited("[code](https://gitlab.com/lab/gamma)", "[code](gitlab.com/lab/gamma)")
    assert found(text) == [("LB015", 31, 8)]
    text = edited("[model](https://huggingface.co/lab/beta)", "[model](javascript:alert(1))")
    assert found(text) == [("LB015", 23, 9)]


def test_lb015_balanced_parentheses_and_toc_anchors_are_fine() -> None:
    """A URL with balanced parentheses and the ToC's `#anchor` links are not reported."""
    text = edited("[code](https://gitlab.com/lab/gamma)", "[code](https://en.wikipedia.org/wiki/X_(y))")
    assert lint(text) == []


def test_lb015_ignores_links_in_a_fence_that_an_info_string_line_cannot_close(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`listbot lint` prints nothing for a link after a ```` ```python ```` line inside a fenced block."""
    example = "```markdown\nCite it like this:\n```python\n[how to cite](docs/cite.md)\n```\n"
    path = tmp_path / "README.md"
    path.write_text(edited("# A list\n", f"# A list\n\n{example}"), encoding="utf-8")
    assert main(["lint", str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_lb016_dataset_not_in_house_style() -> None:
    """A dataset entry without its `[[dataset]]` link is reported."""
    text = edited(" [[dataset]](https://example.org/delta)", " (https://example.org/delta)")
    assert found(text) == [("LB016", 35, 1)]


# --- fixes -------------------------------------------------------------------------------------


def test_fix_rewrites_the_table_of_contents() -> None:
    """`fix` rewrites a stale table of contents from the headings."""
    stale = edited("    - [2023](#2023)\n  - [Datasets](#datasets)\n", "  - [Toolkits](#toolkits)\n")
    assert fix(stale) == CLEAN


def test_fix_fills_an_empty_table_of_contents() -> None:
    """`fix` fills an empty table of contents with items indented two spaces per level."""
    empty = edited(CLEAN[CLEAN.index("  - [Papers]"):CLEAN.index("\n## Papers")], "")
    assert fix(empty) == CLEAN


def test_fix_repairs_whitespace_and_blank_lines() -> None:
    """`fix` strips trailing whitespace, collapses blank runs and separates run-together entries."""
    broken = edited("*Beta Team*", "*Beta Team*  ")
    broken = edited("\n**Beta: Another Model**", "**Beta: Another Model**", broken)
    broken = edited("### 2023\n\n", "### 2023\n\n\n\n", broken)
    broken = edited("## Datasets\n\n", "## Datasets\n", broken) + "\n\n"
    assert fix(broken) == CLEAN


def test_fix_moves_an_entry_to_its_year() -> None:
    """`fix` moves an entry into the section of its year, creating the section and its ToC item."""
    misplaced = edited("Nature Medicine | Mar 2023", "Nature Medicine | Mar 2022")
    expected = edited("### 2023\n\n**Gamma", "### 2023\n\n### 2022\n\n**Gamma", misplaced)
    expected = edited("    - [2023](#2023)\n", "    - [2023](#2023)\n    - [2022](#2022)\n", expected)
    assert fix(misplaced) == expected
    assert lint(expected) == []


def test_fix_moves_an_entry_into_an_existing_year() -> None:
    """`fix` moves an entry into its existing year section, by date among dated entries."""
    misplaced = edited("Nature Medicine | Mar 2023", "Nature Medicine | Sep 2024")
    gamma = misplaced[misplaced.index("**Gamma"):misplaced.index("## Datasets")]
    expected = edited(gamma, "", misplaced)
    expected = edited("**Alpha", gamma + "**Alpha", expected)
    assert fix(misplaced) == expected
    assert lint(expected) == []


def test_fix_repairs_misdecoded_text() -> None:
    """`fix` turns mis-decoded runs back into the characters they were."""
    broken = edited("A Model**", "A Vision\u00e2\u20ac\u201cLanguage Model \u00f0\u0178\u201d\u00a5**")
    assert fix(broken) == edited("**Alpha: A Model**", "**Alpha: A Vision–Language Model 🔥**")


def test_fix_repairs_the_seed_list() -> None:
    """`fix` repairs the originally published list's mojibake and table of contents."""
    seed = (FIXTURES / "seed.md").read_text(encoding="utf-8")
    expected = (FIXTURES / "seed.fixed.md").read_text(encoding="utf-8")
    assert fix(seed) == expected
    assert lint(expected) == []


def test_fix_keeps_crlf_and_a_missing_trailing_newline() -> None:
    """`fix` keeps CRLF line endings and a file that ends without a newline."""
    broken = edited("*Beta Team*", "*Beta Team* ").rstrip("\n").replace("\n", "\r\n")
    assert fix(broken) == CLEAN.rstrip("\n").replace("\n", "\r\n")


def test_fix_leaves_judgement_calls_reported() -> None:
    """`fix` does not touch findings that need judgement, such as a duplicate or a bad date."""
    text = edited("arXiv | 07 Aug 2024", "arXiv | 2024-08-07")
    assert fix(text) == text


# --- properties --------------------------------------------------------------------------------

_WORDS = st.sampled_from(["Chest", "X-ray", "Report", "Model", "Vision", "Grounded", "Radiology", "CXR"])


@st.composite
def _entries(draw: st.DrawFn) -> list[tuple[int, list[str]]]:
    count = draw(st.integers(min_value=1, max_value=8))
    entries = []
    for index in range(count):
        year = draw(st.integers(min_value=2019, max_value=2025))
        month = draw(st.sampled_from(["Jan", "Apr", "Jul", "Oct"]))
        title = " ".join(draw(st.lists(_WORDS, min_size=1, max_size=4)))
        lines = [f"**P{index}: {title}**", f"*Team {index}*", f"arXiv | {month} {year}",
                 f"[paper](https://arxiv.org/abs/{year % 100}01.{index:05d})"]
        if draw(st.booleans()):
            lines.append(f"[![GitHub stars](https://img.shields.io/github/stars/o{index}/r.svg"
                         f"?logo=github&label=Stars)](https://github.com/o{index}/r)")
        entries.append((year, lines))
    return entries


def _house_list(entries: list[tuple[int, list[str]]]) -> str:
    years = sorted({year for year, _ in entries}, reverse=True)
    lines = ["# L", "", "# Table of Contents", "  - [Papers](#papers)"]
    lines += [f"    - [{year}](#{year})" for year in years] + ["  - [Datasets](#datasets)", "", "## Papers", ""]
    for year in years:
        lines += [f"### {year}", ""]
        for entry_year, entry in entries:
            if entry_year == year:
                lines += [*entry, ""]
    lines += ["## Datasets", "", "[arXiv] D [[paper]](https://example.org/p) [[dataset]](https://example.org/d)"]
    return "\n".join(lines) + "\n"


@st.composite
def _broken_lists(draw: st.DrawFn) -> str:
    """A house-style list, then damaged in ways `fix` can repair without judgement."""
    entries = draw(_entries())
    lines = _house_list(entries).split("\n")
    papers = lines.index("## Papers")
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        index = draw(st.integers(min_value=papers, max_value=len(lines) - 1))
        damage = draw(st.sampled_from(["blank", "unblank", "space", "toc", "move"]))
        if damage == "blank" and not lines[index - 1].strip():
            lines.insert(index, "")
        elif damage == "unblank" and not lines[index].strip() and index > papers:
            del lines[index]
        elif damage == "space":
            lines[index] += draw(st.sampled_from([" ", "\t", "  "]))
        elif damage == "toc" and lines[3].lstrip().startswith("- ["):
            del lines[3]
            papers -= 1
        elif damage == "move" and lines[index].startswith("**P"):
            # The entry ends at a blank line or a heading: a blank removed by "unblank" must not
            # carry the `## Datasets` heading along with the entry (that is no longer a repair).
            end = next((i for i in range(index, len(lines)) if not lines[i].strip() or lines[i].startswith("#")),
                       len(lines))
            block = lines[index:end]
            del lines[index:end]
            papers = next(i for i, line in enumerate(lines) if line.rstrip() == "## Papers")
            lines[papers + 1:papers + 1] = ["", *block]
    return "\n".join(lines)


def _entry_words(text: str) -> Counter[str]:
    """The words of every line below `## Papers` that is neither a heading nor blank."""
    doc = ListDocument(text)
    papers = doc.find_heading(2, "Papers")
    assert papers is not None
    heading_lines = {h.line for h in doc.headings}
    words: Counter[str] = Counter()
    for index in range(papers.line, len(doc.lines)):
        if index not in heading_lines:
            words.update(doc.lines[index].split())
    return words


@settings(max_examples=150, deadline=None)
@given(_broken_lists())
def test_fix_is_idempotent_and_keeps_entry_words(text: str) -> None:
    """`fix` reaches a fixed point in one call and never changes the multiset of entry words."""
    fixed = fix(text)
    assert fix(fixed) == fixed
    assert _entry_words(fixed) == _entry_words(text)
    assert lint(fixed) == []


# --- the bot's own edits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"date": "2026-01-02"},
        {"date": "2022-05"},
        {"date": None, "venue": "MICCAI 2023"},
        {"code_url": "https://gitlab.com/lab/x", "model_url": "https://huggingface.co/lab/x"},
        {"code_url": None, "date": "2024-12-30"},
    ],
)
def test_inserting_a_valid_submission_keeps_the_list_clean(overrides: dict[str, Any]) -> None:
    """Rendering and inserting a valid submission into the committed list lints clean."""
    proposal = propose(paper_values(**overrides), committed_list(), today=TODAY)
    assert lint(proposal.after) == []


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=TODAY), st.booleans())
def test_any_dated_submission_inserts_clean(date: dt.date, by_month: bool) -> None:
    """A valid submission of any date, inserted into the committed list, lints clean."""
    when = date.strftime("%Y-%m" if by_month else "%Y-%m-%d")
    proposal = propose(paper_values(date=when), committed_list(), today=TODAY)
    assert lint(proposal.after) == []


# --- the command -------------------------------------------------------------------------------


def test_command_prints_findings_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`listbot lint PATH` prints `PATH:LINE:COL: CODE message` lines and exits 1."""
    path = tmp_path / "README.md"
    path.write_text(edited("*Beta Team*", "*Beta Team* "), encoding="utf-8")
    assert main(["lint", str(path)]) == 1
    assert capsys.readouterr().out == f"{path}:20:12: LB012 trailing whitespace; remove it\n"


def test_command_exits_0_when_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`listbot lint PATH` prints nothing and exits 0 on a clean list."""
    path = tmp_path / "README.md"
    path.write_text(CLEAN, encoding="utf-8")
    assert main(["lint", str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_command_lints_the_committed_list_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`listbot lint` with no path lints list/README.md, which is clean."""
    monkeypatch.chdir(ROOT)
    assert main(["lint"]) == 0
    assert capsys.readouterr().out == ""


def test_command_exits_2_on_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`listbot lint` on a file that does not exist is a usage error."""
    assert main(["lint", str(tmp_path / "nope.md")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_command_fix_writes_crlf_and_reports_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`listbot lint --fix` rewrites the file in its CRLF style and prints what it cannot fix."""
    path = tmp_path / "README.md"
    broken = edited("arXiv | 07 Aug 2024", "arXiv | 2024-08-07")
    broken = edited("*Beta Team*", "*Beta Team* ", broken)
    path.write_bytes(broken.replace("\n", "\r\n").encode("utf-8"))
    assert main(["lint", str(path), "--fix"]) == 1
    assert path.read_bytes() == edited("*Beta Team* ", "*Beta Team*", broken).replace("\n", "\r\n").encode()
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" ", 2)[:2] for line in out] == [[f"{path}:15:9:", "LB003"]]


def test_command_fix_leaves_a_clean_file_untouched(tmp_path: Path) -> None:
    """`listbot lint --fix` does not rewrite a file that needs no repair."""
    path = tmp_path / "README.md"
    path.write_text(CLEAN, encoding="utf-8")
    before = path.stat().st_mtime_ns
    assert main(["lint", str(path), "--fix"]) == 0
    assert path.stat().st_mtime_ns == before


# --- the fast paths: exactly the rules' answers ------------------------------------------------

_BADGE_LINE = "[![GitHub stars](https://img.shields.io/github/stars/{}/{}.svg?logo=github&label=Stars)](https://github.com/{}/{})"
_TITLE_CASES = [
    "**P: Chest X-ray**", "**P**", "** P**", "**P **", "**P*Q**", "**P**Q**", "**P\u00a0**", "**\u00a0P**",
    "**P\\_x**", "**<b>P</b>**", "**P [x](https://a.org)**", "*P*", "P", "**Ünïcode ðŸ”¥**", "**P\u200bQ**",
    "**P\tQ**", "****", "**P\x0bQ**", "**P** ", "***P***",
]
_TITLES = st.sampled_from(_TITLE_CASES)
_AUTHOR_CASES = [
    "*A. Tao, B. Liu, et al.*", "*A*", "* A*", "*A *", "**A**", "*A*B*", "A", "*A\u00a0*", "*Ā*", "",
    "*A\x0bB*", "*A* ", "[paper](https://a.org)",
]
_AUTHORS = st.sampled_from(_AUTHOR_CASES)
_VENUE_CASES = [
    "arXiv | Aug 2024", "arXiv | 07 Aug 2024", "arXiv | 31 Feb 2024", "arXiv | 29 Feb 2024", "arXiv | 28 Feb 2023",
    "arXiv | 00 Aug 2024", "arXiv | aug 2024", "arXiv | August 2024", "arXiv | Aug 2023", "ICLR 2024", "ICLR 2023",
    "MICCAI'24", "arXiv:2401.12345", "arXiv", " arXiv | Aug 2024", "arXiv  | Aug 2024", "arXiv | Aug 2024 | x",
    " | Aug 2024", "[arXiv] | Aug 2024", "*arXiv* | Aug 2024", "arXiv | Aug 2024 ", "Nature\u00a0| Aug 2024",
    "arXiv | 2024-08-07", "**arXiv** | Aug 2024", "arXiv | Aug 2024\u00a0", "Vol. 2024 | Aug 2024", "# 2024",
    "``` | Aug 2024", "~~~ | Aug 2024", "<!-- | Aug 2024", "<div> | Aug 2024", "<x-y> | Aug 2024", "> | Aug 2024",
    "- arXiv | Aug 2024", "1. arXiv | Aug 2024", "    arXiv | Aug 2024",
]
_VENUES = st.sampled_from(_VENUE_CASES)
_URL_CASES = [
    "https://arxiv.org/abs/2401.1", "http://example.org", "https://Example.org/x", "HTTPS://a.org",
    "https://a.org/x?y=1#z", "https://a.org/%41/", "https://a.org/(x)", "https://a.org/x)", "<https://a.org>",
    "#papers", "#nowhere", "ftp://a.org", "https://a.org/ x", "https://user@a.org", "https://a.org:8080/",
    "https://a.org/é", "https://a..org", "https://a.org/" + "x" * 2000, "https://a.org/x(y", "https://a.b",
    "https://github.com/o/r", "https://GitHub.com/o/r/", "a.org", "", "https://a.org/[x]", "https://a.org/\\x",
    "https://a.org/" + "x" * (MAX_URL_LENGTH - 14), "https://a.org/" + "x" * (MAX_URL_LENGTH - 13),
    "https://a.org/x( y",
    "https://" + "a" * 250 + ".org/", "https://" + "a" * 64 + ".org", "https://a.org/x\x0b", "https://a-.org",
]
_URLS = st.sampled_from(_URL_CASES)
_OWNERS = st.sampled_from(["o", "O", "o-1", "o.x", "o?", "o)", "ö"])
_REPOS = st.sampled_from(["r", "R", "r.js", "r_x", "r)", "r.svg", "r/s"])
_STRAY_CASES = [
    "", "   ", "```", "~~~", "<div>", "<!--", "-->", "# x", "### 2022", "- item", "text", "**Q**",
    "[paper](https://a.org) [model](https://b.org)", "    indented", "\u00a0",
]
_STRAYS = st.sampled_from(_STRAY_CASES)


_ODD_TEXT = st.text(alphabet="ab *\u00a0\t_\\<>[]()|#\u200b", max_size=6)
_ODD_DATES = st.sampled_from(["31 Feb 2024", "29 Feb 2024", "29 Feb 2023", "Aug 2023", "aug 2024", "2024", "Aug 2024 "])


@st.composite
def _house_entry(draw: st.DrawFn, year: int) -> list[str]:
    """A paper entry in house style dated in `year`, with or without its model link and badge."""
    day = draw(st.sampled_from(["", "07 ", "28 ", "31 "]))
    lines = [
        f"**{draw(st.sampled_from(['P: Chest X-ray', 'P', 'P*Q', 'Ünï', 'a_b (c) [d]']))}**",
        f"*{draw(st.sampled_from(['A. Tao, B. Liu, et al.', 'A', 'Team']))}*",
        draw(st.sampled_from([f"arXiv | {day}Aug {year}", f"Nature Medicine | {day}Jan {year}", f"ICLR {year}"])),
        f"[paper]({draw(st.sampled_from(['https://arxiv.org/abs/2401.1', 'https://a.org/x?y=1#z', 'https://a.b']))})",
    ]
    if draw(st.booleans()):
        lines.append("[model](https://huggingface.co/x/y)")
    if draw(st.booleans()):
        owner, repo = draw(_OWNERS.filter(str.isalnum)), draw(st.sampled_from(["r", "R", "r.js", "r_x"]))
        lines.append(_BADGE_LINE.format(owner, repo, owner, repo))
    return lines


@st.composite
def _odd_line(draw: st.DrawFn, role: int) -> str:
    """A line that may break the house style in the place of line `role` of an entry."""
    if role == 0:
        return draw(st.one_of(_TITLES, _TITLES, _ODD_TEXT.map(lambda text: f"**{text}**")))
    if role == 1:
        return draw(st.one_of(_AUTHORS, _AUTHORS, _ODD_TEXT.map(lambda text: f"*{text}*")))
    if role == 2:
        return draw(st.one_of(_VENUES, _VENUES, st.builds("{} | {}".format, _ODD_TEXT, _ODD_DATES)))
    if role == 3:
        return f"[paper]({draw(_URLS)})"
    owner, repo = draw(_OWNERS), draw(_REPOS)
    linked = (owner, repo) if draw(st.booleans()) else (draw(_OWNERS), draw(_REPOS))
    shape = draw(st.sampled_from(["paper", "model", "code"]))
    return draw(st.sampled_from([_BADGE_LINE.format(owner, repo, *linked), f"[{shape}]({draw(_URLS)})", *_ODD_BADGES]))


# Badges naming one repository twice, in characters `BADGE_PATTERN` reads differently or not at all.
_ODD_BADGES = [
    _BADGE_LINE.format(owner, repo, owner, repo)
    for owner, repo in [
        ("o)", "r"), ("o", "r)"), ("o?", "r"), ("o", "r?x"), ("ö", "r"), ("o", "r.svg"),
        ("o", "r.svg?logo=github&label=Stars)](https:"), ("o", "x.svg?logo=github&label=Stars)](https://github.com/o/x"),
    ]
] + [_BADGE_LINE.format("o", "r", "O", "R"), _BADGE_LINE.format("o", "r", "o", "r") + ")"]


@st.composite
def _nasty_entry(draw: st.DrawFn, year: int) -> list[str]:
    """A paper entry of house style, or one odd line away from it (a line changed, added or
    dropped): the cases where a fast path and the rules could part."""
    lines = draw(_house_entry(year))
    change = draw(st.sampled_from(["none", "none", "none", "replace", "replace", "replace", "insert", "drop"]))
    at = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    if change == "replace":
        lines[at] = draw(_odd_line(at))
    elif change == "insert":
        lines.insert(at, draw(st.one_of(_STRAYS, _odd_line(at))))
    elif change == "drop":
        del lines[at]
    return lines


@st.composite
def _nasty_lists(draw: st.DrawFn) -> str:
    """A list of year sections whose entries, separators and characters may be anything odd."""
    lines = [*draw(st.sampled_from([[], [], [""], ["", ""], [" ", "\t"]])), "# L", "", "# Table of Contents",
             "  - [Papers](#papers)", "    - [2024](#2024)", "", "## Papers", ""]
    headings = st.sampled_from(["### 2024", "### 2023", "### 2024", "### 2023", "### Misc", "#### 2024", "### 0000"])
    for heading in draw(st.lists(headings, min_size=1, max_size=3)):
        lines += [heading, ""]
        year = int(heading[-4:]) if heading[-4:].isdigit() else 2024
        for _ in range(draw(st.integers(min_value=1, max_value=5))):
            odd_separators: list[list[str]] = [["", ""], [], ["  "], ["", "```"], ["", "<div>"]]
            separator = draw(st.sampled_from([[""]] * 12 + odd_separators))
            lines += [*draw(_nasty_entry(draw(st.sampled_from([year, year, year, 2022])))), *separator]
    for _ in range(draw(st.integers(min_value=0, max_value=2))):  # damage any character of any line
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        at = draw(st.one_of(st.just(len(lines[index])), st.integers(min_value=0, max_value=len(lines[index]))))
        extra = draw(st.sampled_from([" ", "\t", "\u200b", "\x07", "Ã©", "ðŸ”¥", "\u00a0", "\x0c", "](#x)", "*", "|"]))
        lines[index] = lines[index][:at] + extra + lines[index][at:]
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline, newline * 2, " "]))


@st.composite
def _lists_one_line_off(draw: st.DrawFn) -> str:
    """A house-style list with one line of one entry replaced by an odd one, or an odd line added:
    each boundary case of the fast paths, met in the middle of entries they vouch for."""
    years = draw(st.lists(st.sampled_from([2024, 2023, 2020]), min_size=1, max_size=3, unique=True))
    sections = [(year, [draw(_house_entry(year)) for _ in range(draw(st.integers(1, 3)))]) for year in years]
    _, entries = draw(st.sampled_from(sections))
    entry = draw(st.sampled_from(entries))
    role = draw(st.integers(min_value=0, max_value=len(entry) + 1))
    odd = draw(_odd_line(min(role, 4)))
    if role < len(entry) and draw(st.booleans()):
        entry[role] = odd
    else:
        entry.insert(min(role, len(entry)), odd)
    lines = ["# L", "", "## Papers", ""]
    for year, year_entries in sections:
        lines += [f"### {year}", ""] + [line for lines_ in year_entries for line in [*lines_, ""]]
    return "\n".join(lines)


def _outcome(text: str, *, fast: bool) -> list[Finding] | str:
    """The findings, or the error both paths meet alike (LB009's reading of links is shared)."""
    try:
        return _lint(text, BUILTIN_KINDS, None, fast=fast)
    except ValueError as error:
        return repr(error)


@settings(max_examples=400, deadline=None)
@given(_nasty_lists())
def test_the_fast_paths_find_what_the_rules_find_on_odd_lists(text: str) -> None:
    """House-style runs of entries and lines the whole-text searches clear have no finding the
    rules would report: `lint` with its fast paths equals every rule read everywhere."""
    assert _outcome(text, fast=True) == _outcome(text, fast=False)


@settings(max_examples=400, deadline=None)
@given(_lists_one_line_off())
def test_the_fast_paths_find_what_the_rules_find_one_line_off_house_style(text: str) -> None:
    """The same on house-style lists with one odd line (each boundary case among vouched entries)."""
    assert _outcome(text, fast=True) == _outcome(text, fast=False)


def test_the_fast_paths_find_what_the_rules_find_for_every_odd_line() -> None:
    """Each boundary case of the catalogue above, in each place of an entry between two
    house-style entries (replacing a line or added before it): the same findings both ways."""
    house = ["**P: Chest X-ray**", "*A. Tao*", "arXiv | Aug 2024", "[paper](https://a.org/p)",
             _BADGE_LINE.format("o", "r", "o", "r")]
    odd_lines = {
        *_TITLE_CASES, *_AUTHOR_CASES, *_VENUE_CASES, *_STRAY_CASES, *_ODD_BADGES,
        *(f"[{kind}]({url})" for kind in ("paper", "model", "code") for url in _URL_CASES),
    }
    for odd in sorted(odd_lines):
        for role in range(len(house) + 1):
            for replace in (True, False):
                entry = [*house]
                if replace and role < len(house):
                    entry[role] = odd
                else:
                    entry.insert(role, odd)
                text = "\n".join(["## Papers", "", "### 2024", "", *house, "", *entry, "", *house, ""])
                assert _outcome(text, fast=True) == _outcome(text, fast=False), (odd, role, replace)


@settings(max_examples=100, deadline=None)
@given(_broken_lists())
def test_the_fast_paths_find_what_the_rules_find_on_damaged_lists(text: str) -> None:
    """The same on house-style lists damaged as `fix` repairs them."""
    assert lint(text) == _lint(text, BUILTIN_KINDS, None, fast=False)


def test_the_fast_paths_vouch_for_a_house_style_list() -> None:
    """The comparisons above are not empty: a house-style list has no entry or line left for the
    rules to read one by one (only the table of contents' links to the list's own headings)."""
    doc = ListDocument(make_list(300))
    layout = _Layout(doc, BUILTIN_KINDS, {}, fast=True)
    assert layout.paper_entries() == []
    assert all(doc.lines[index].lstrip().startswith("- [") for index in _suspect_lines(doc))
    assert lint(doc.text) == _lint(doc.text, BUILTIN_KINDS, None, fast=False) == []


_LONG_HOST = ".".join(["a" * 63] * 3 + ["a" * 61])  # 253 characters, the most a host may have


@given(
    st.sampled_from(["http://", "https://"]),
    st.one_of(st.just(_LONG_HOST), st.from_regex(r"[a-z0-9-]{1,8}(\.[a-z0-9-]{1,8}){0,3}\.[a-z]{2,4}", fullmatch=True)),
    st.one_of(
        st.just(""),
        st.builds(lambda mark, path: mark + path, st.sampled_from("/?#"),
                  st.text(alphabet="aZ09._~%!$&'*+,;=:@/?#-", max_size=12)),
        st.integers(min_value=1700, max_value=1760).map(lambda length: "/" + "x" * length),
    ),
)
def test_a_plain_url_is_one_validate_url_accepts(scheme: str, host: str, path: str) -> None:
    """`_PLAIN_URL` (and so the line fast path's link search) only vouches for links that
    `validate_url` accepts, the longest ones included."""
    url = scheme + host + path
    if _PLAIN_URL.fullmatch(url):
        validate_url(url)


@given(
    st.sampled_from(["arxiv.org", "github.com", "img.shields.io"]),
    st.one_of(
        st.just(""),
        st.builds(lambda mark, path: mark + path, st.sampled_from("/?#"),
                  st.text(alphabet="aZ09._~%!$&'*+,;=:@/?#-()[] é", max_size=12)),
        st.integers(min_value=1700, max_value=1760).map(lambda length: "/" + "x" * length),
    ),
)
def test_a_common_url_is_a_plain_url(host: str, path: str) -> None:
    """The line fast path tries links to the commonest hosts first (`_COMMON_URL_SHAPE`): each
    is one the general shape vouches for too, so trying them first changes no answer."""
    url = "https://" + host + path
    if re.fullmatch(_COMMON_URL_SHAPE.format(end=r"\Z"), url):
        assert _PLAIN_URL.fullmatch(url)


_MONTHS = ["Jan", "Feb", "Aug", "Dec", "aug", "AUG", "Sept", "May."]
_DATES = st.one_of(
    st.builds("{:02d} {} {}".format, st.integers(0, 32), st.sampled_from(_MONTHS), st.integers(2019, 2026)),
    st.builds("{} {}".format, st.sampled_from(_MONTHS), st.integers(2019, 2026)),
    st.builds("{} {} {}".format, st.sampled_from(["7", "007", "29", "31", "\u0663\u0661"]), st.sampled_from(_MONTHS),
              st.sampled_from(["2024", "24", "2024.", "\u0662\u0660\u0662\u0664"])),
    st.text(alphabet=" 0123456789JanFebAug-,.\u00a0", min_size=1, max_size=14),
).filter(lambda date: "|" not in date and date == date.rstrip())


@given(_DATES, st.sampled_from([2023, 2024, 2025]))
def test_a_plain_venues_date_is_vouched_for_as_the_rules_answer(date: str, year: int) -> None:
    """A run's venue lines with a plain venue are vouched for by their date alone
    (`_date_vouched`): the rules' answer for the model entry with such a venue line."""
    assert _date_vouched(date, year) == _venue_vouched(f"Venue | {date}", year)
    assert _plain_venue_date(f"Nature Medicine | {date}") == date


@pytest.mark.parametrize("link", ["https://arxiv.org/abs/", "https://github.com/"])
def test_a_link_urlsplit_refuses_is_a_finding_not_a_crash(link: str) -> None:
    """A hand-edited list may hold a paper or code link such as `https://[x/…` (a bracket that
    opens no IPv6 host): lint names it (LB015) and reads the rest of the list, as apply and
    reconcile do."""
    text = make_list(5)
    assert link in text
    assert "LB015" in [finding.code for finding in lint(text.replace(link, "https://[x/", 1))]


# The run the house search must read: `_HOUSE_ENTRY`'s entries and blank lines, matched one at a time.
_REFERENCE_RUN = re.compile(rf"(?:\n|{_HOUSE_ENTRY}\n(?=\n|\Z))*+")


def _read_one_by_one(run: str) -> dict[str, Counter[str]]:
    """What keys and vouches for a run's entries, read from each entry's lines."""
    read: dict[str, Counter[str]] = {name: Counter() for name in ("title", "venue", "arxiv", "url", "repo")}
    for block in filter(None, re.split(r"\n\n+", run.strip("\n"))):
        lines = block.split("\n")
        read["title"][lines[0][2:-2]] += 1
        read["venue"][lines[2]] += 1
        for line in lines[3:]:
            if badge := BADGE_PATTERN.fullmatch(line):
                read["repo"][f"{badge[3]}/{badge[4]}"] += 1
            else:
                url = line[line.index("(") + 1:-1]
                page = ARXIV_PAGE_LINK.fullmatch(url)
                read["arxiv" if page else "url"][page[1] if page else url] += 1
    return read


@st.composite
def _entries_and_blanks(draw: st.DrawFn) -> str:
    """Entries of house style or one odd line away, and separators, as a section's text (lines
    each ended by a line feed)."""
    lines: list[str] = draw(st.sampled_from([[], [""]]))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        lines += [*draw(_nasty_entry(2024)), *draw(st.sampled_from([[""], [""], [""], [], ["", ""], ["  "]]))]
    return "".join(line + "\n" for line in lines)


@settings(max_examples=400, deadline=None)
@given(_entries_and_blanks())
def test_the_house_search_reads_the_run_its_entries_make(text: str) -> None:
    """`_house_run` (a quick search, checked, then the strict one if need be) reads the run the
    house entry's pattern matches entry by entry, with each entry's title, venue line, links and
    badge; no link in it is one `_SUSPECT_LINK` finds."""
    run = _house_run(text)
    expected = _REFERENCE_RUN.match(text)
    assert expected is not None
    assert (run.text, run.rest) == (expected[0], text[expected.end():])
    read = _read_one_by_one(run.text)
    assert run.venue_lines == set(read["venue"])
    entries = run.entries
    assert Counter(filter(None, entries.titles)) == read["title"]
    assert Counter(filter(None, entries.arxiv_ids)) == read["arxiv"]
    assert Counter(filter(None, entries.other_urls)) == read["url"]
    badges = [f"{owner}/{repo}" for owner, repo in zip(entries.owners, entries.repos, strict=True) if owner]
    assert Counter(badges) == read["repo"]
    assert _SUSPECT_LINK.search(run.text) is None


def test_the_house_search_falls_back_where_a_field_holds_what_the_house_style_refuses() -> None:
    """A title, authors or venue line holding a `*` or `]` ends the run where the quick search
    would have read on: the strict search reads it."""
    entry = ["**P**", "*A*", "arXiv | Aug 2024", "[paper](https://arxiv.org/abs/2401.12345)"]
    for role, odd in [(0, "**P*Q**"), (0, "**P] x**"), (1, "*A*B*"), (1, "*A]*"), (2, "arXiv] | Aug 2024")]:
        odd_entry = [*entry]
        odd_entry[role] = odd
        text = "".join(line + "\n" for line in ["", *entry, "", *odd_entry, "", *entry])
        run = _house_run(text)
        assert run.text == "".join(line + "\n" for line in ["", *entry, ""])
        assert run.venue_lines == {"arXiv | Aug 2024"}


@settings(max_examples=300, deadline=None)
@given(st.one_of(_nasty_lists(), _lists_one_line_off()))
def test_the_link_search_between_house_runs_finds_every_suspect_line(text: str) -> None:
    """Searching for suspect links only between the house runs finds the lines a search of the
    whole text finds."""
    doc = ListDocument(text)
    layout = _Layout(doc, BUILTIN_KINDS, {}, fast=True)
    assert _suspect_lines(doc, layout.apart) == _suspect_lines(doc)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_nasty_lists(), _lists_one_line_off()))
def test_a_text_is_plain_as_its_lines_between_house_runs_and_its_runs_words_are(text: str) -> None:
    """Whether the text is printable ASCII without trailing blanks, asked of the lines between
    the house runs and of the runs' titles, authors and venue lines, is the answer the whole
    text gives."""
    doc = ListDocument(text)
    assert _Layout(doc, BUILTIN_KINDS, {}, fast=True).plain == _plain_ascii(text)


@given(st.text(alphabet=" \n\ta.", max_size=12))
def test_a_plain_texts_blank_pairs_are_found_by_literal_searches(text: str) -> None:
    """In a text `_plain_ascii` clears (and without CR), the literal searches for two blank
    lines in a row answer as the regular expressions do."""
    if _plain_ascii(text):
        assert _has_blank_pair(text, plain=True) == _has_blank_pair(text, plain=False)
