"""Tests for bot.core.repeated_keys and lint's duplicate rule (LB009) built on it.

LB009's fast path reads by the general rules only the entries holding a key that the bulk
searches meet twice. Lists are generated with real duplicate pairs written differently (one arXiv
paper as its abstract page, its pdf, a version, its DOI; one DOI in two cases or escaped; one
title with other case, punctuation, hyphens or accents; one repository as a badge, with `.git`, a
trailing slash or another case), next to entries the bulk searches do not read (non-ASCII titles,
`%`-escaped links, entries off the house style, datasets, metrics, prose with links), then
damaged: `lint` must find what reading every entry finds, message for message.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synthetic import make_list
from bot.core.document import ListDocument
from bot.core.duplicates import block_keys
from bot.core.kinds import BUILTIN_KINDS, Kind
from bot.core.lint import Finding, _house_run, _Layout, _lint, lint
from bot.core.repeated_keys import BULK, HouseRun, KeyTally, house_entries_keys, house_run_keys, repeated_keys
from tests.test_lint import _outcome

_BADGE = "[![GitHub stars](https://img.shields.io/github/stars/{0}.svg?logo=github&label=Stars)](https://github.com/{0})"

# Titles of a few papers, each written in ways that fold alike (or nearly: `Chest X-ray` and
# `Chest X-rays` differ).
_TITLES = (
    ("Chest X-ray Report", "chest x ray report", "Chest XRay: Report", "CHEST X-RAY REPORT", "Chést X-ray Report",
     "Chest X\\_ray Report", "Chest X-rays Report"),
    ("Über Röntgen", "Uber Rontgen", "ÜBER RÖNTGEN", "Über-Röntgen", "Ueber Roentgen"),
    ("MAIRA-2: Grounded", "MAIRA 2 Grounded", "maira-2 grounded", "MAIRA–2: Grounded", "ＭＡＩＲＡ-2 Grounded"),
    ("Don't Stop", "Dont Stop", "Don’t stop", "Do n't Stop", "Straße", "STRASSE", "ﬁne", "fine"),
    ("a", "b", "(x)", "[y]", "1", "P1: Chest", "P2: Chest"),
    # Titles holding what the links' and badges' patterns match: the general reading finds them.
    ("See [paper](https://arxiv.org/abs/2401.12208)", "A [model](https://ex.org/p) [code](https://ex.org/q)",
     "[![GitHub stars](https://img.shields.io/github/stars/Lab/Repo.svg?logo=github&label=Stars)](https://github.com/o/r)",
     "x](y"),
)
# One paper's link written in ways that name it alike (and a few that do not).
_LINKS = (
    ("https://arxiv.org/abs/2401.12208", "https://arxiv.org/pdf/2401.12208v2", "http://arxiv.org/abs/2401.12208/",
     "https://www.arxiv.org/abs/2401.12208", "https://arxiv.org/abs/2401.12208v1", "https://arxiv.org/abs/2401.12208//",
     "https://doi.org/10.48550/arXiv.2401.12208", "https://arxiv.org/abs/2401.12208?utm_source=x",
     "https://arxiv.org/abs/2401.%3122", "https://ArXiv.org/abs/2401.12208", "https://arxiv.org/abs/2401.12209"),
    ("https://doi.org/10.1000/AbC", "https://doi.org/10.1000/abc", "https://dx.doi.org/10.1000%2FAbC",
     "https://doi.org/10.1000/AbC.", "https://www.nature.com/articles/abc", "https://doi.org/10.1038/abc"),
    ("https://openreview.net/forum?id=Zq%2Bw9", "https://openreview.net/pdf?id=Zq+w9",
     "https://aclanthology.org/2021.acl-long.459.pdf", "https://aclanthology.org/2021.acl-long.459/",
     "https://openaccess.thecvf.com/html/A_B_paper.html", "https://openaccess.thecvf.com/papers/A_B_paper.pdf"),
    ("https://ex.org/p", "https://ex.org/p/", "https://EX.org/P", "https://ex.org/p#x", "https://ex.org/caf%C3%A9",
     "https://ex.org/café", "https://[x/abs/2401.12208", "https://huggingface.co/papers/2401.12208",
     "https://ex.org/p](https://arxiv.org/abs/2401.12208", "https://ex.org/p)[model](https://doi.org/10.1000/abc"),
)
_REPOS = ("Lab/Repo", "lab/repo", "LAB/Repo", "o/r", "o-1/r.js")
_CODE_LINES = st.one_of(
    st.sampled_from(_REPOS).map(_BADGE.format),
    st.builds(
        "[code](https://github.com/{}{})".format, st.sampled_from(_REPOS), st.sampled_from(["", ".git", "/", "/tree/x"])
    ),
    st.just("[code](https://gitlab.com/lab/repo)"),
)


def _variant(pool: tuple[tuple[str, ...], ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(pool).flatmap(st.sampled_from)


@st.composite
def _paper(draw: st.DrawFn) -> list[str]:
    """A paper entry in house style (most of the time), its title and links drawn from the pools."""
    lines = [
        f"**{draw(_variant(_TITLES))}**",
        f"*{draw(st.sampled_from(['A. Tao, B. Liu, et al.', 'Team']))}*",
        draw(st.sampled_from(["arXiv | Aug 2024", "Nature | 07 Jan 2024", "ICLR 2024", "arXiv | Aug 2023"])),
        f"[paper]({draw(_variant(_LINKS))})",
    ]
    if draw(st.booleans()):
        lines.append(f"[model]({draw(_variant(_LINKS))})")
    if draw(st.booleans()):
        lines.append(draw(_CODE_LINES))
    return lines


@st.composite
def _other_entry(draw: st.DrawFn) -> list[str]:
    """An entry the bulk searches leave to the general reader: prose with links in a year section."""
    title, link = draw(_variant(_TITLES)), draw(_variant(_LINKS))
    return [draw(st.sampled_from([f"See {title} [here]({link}).", f"[x] {title} [[paper]]({link}) [[y]]({link})"]))]


@st.composite
def _lists_with_duplicates(draw: st.DrawFn) -> str:
    """Year sections of paper entries drawn from few papers (so many are duplicates, written
    differently), some prose among them, then datasets, metrics and a prose section."""
    lines = ["# L", "", "## Papers", ""]
    for year in draw(st.lists(st.sampled_from([2024, 2023, 2022]), min_size=1, max_size=3)):
        lines += [f"### {year}", ""]
        for _ in range(draw(st.integers(min_value=1, max_value=6))):
            entry = draw(st.one_of(_paper(), _paper(), _paper(), _other_entry()))
            lines += [*entry, *draw(st.sampled_from([[""], [""], [""], [], ["", ""]]))]
    for heading, template in [
        ("## Datasets", "[arXiv] {} [[paper]]({}) [[dataset]]({})"),
        ("## Evaluation Metrics", "[arXiv] {} [[paper]]({}) [[code]]({})"),
        ("## Notes", "{} is at [this page]({}), see also <{}>"),
    ]:
        if draw(st.booleans()):
            lines += [heading, ""]
            for _ in range(draw(st.integers(min_value=1, max_value=3))):
                values = (draw(_variant(_TITLES)), draw(_variant(_LINKS)), draw(_variant(_LINKS)))
                lines += [template.format(*values), ""]
    return "\n".join(lines) + "\n"


@st.composite
def _damaged(draw: st.DrawFn, lists: st.SearchStrategy[str]) -> str:
    """A list with a few characters put anywhere (escapes, accents, markup, blanks) or lines dropped."""
    lines = draw(lists).split("\n")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            del lines[index]
            if not lines:
                lines = [""]
            continue
        at = draw(st.integers(min_value=0, max_value=len(lines[index])))
        extra = draw(st.sampled_from(["%", "é", "\u200b", "[", "]", "*", "**", " ", "\t", "`", "<div>", "```", "#"]))
        lines[index] = lines[index][:at] + extra + lines[index][at:]
    return "\n".join(lines)


def _duplicates(findings: list[Finding] | str) -> list[tuple[int, str, tuple[str, str]]] | str:
    if isinstance(findings, str):
        return findings
    return [(finding.line, finding.message, finding.identity) for finding in findings if finding.code == "LB009"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_lists_with_duplicates())
def test_lb009_finds_what_reading_every_entry_finds(text: str) -> None:
    fast, reference = _outcome(text, fast=True), _outcome(text, fast=False)
    assert _duplicates(fast) == _duplicates(reference)
    assert fast == reference


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_damaged(_lists_with_duplicates()))
def test_lb009_finds_what_reading_every_entry_finds_on_damaged_lists(text: str) -> None:
    fast, reference = _outcome(text, fast=True), _outcome(text, fast=False)
    assert _duplicates(fast) == _duplicates(reference)
    assert fast == reference


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_paper(), min_size=1, max_size=8))
def test_a_house_runs_keys_are_its_entries_keys(entries: list[list[str]]) -> None:
    """`house_run_keys` of a run of entries holds each entry's keys as the general reader reads
    them (`block_keys`): every one, at least as often as entries hold it, and no other."""
    run = "".join(f"\n{chr(10).join(entry)}\n" for entry in entries)
    tally = KeyTally()
    house_run_keys(run, tally)
    found = Counter(tally.every())
    expected = Counter(chain.from_iterable(block_keys(entry) for entry in entries))
    assert set(found) == set(expected)
    assert all(found[key] >= count for key, count in expected.items())


def _in_house_style(entry: list[str]) -> bool:
    return not _house_run("".join(f"{line}\n" for line in entry)).rest


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(
    st.lists(st.tuples(_paper().filter(_in_house_style), st.sampled_from([[""], [""], ["", ""]])), max_size=8),
    st.lists(_paper(), max_size=2),
)
def test_a_runs_entries_as_its_search_reads_them_hold_its_keys(
    entries: list[tuple[list[str], list[str]]], others: list[list[str]]
) -> None:
    """`house_entries_keys` of a run as lint's search reads it counts the keys `house_run_keys`
    counts of its text, each as often, and so each entry's keys as the general reader reads them
    (house-style entries, then any: the run ends at the first that is not)."""
    lines = [line for entry, blanks in entries for line in [*entry, *blanks]]
    lines += [line for entry in others for line in [*entry, ""]]
    text = "".join(line + "\n" for line in ["", *lines])
    run = _house_run(text)
    by_search, by_text = KeyTally(), KeyTally()
    house_entries_keys(run.entries, by_search)
    house_run_keys(run.text, by_text)
    assert Counter(by_search.every()) == Counter(by_text.every())


def test_the_lists_hold_duplicates_the_fast_path_must_find() -> None:
    """The generated lists are not vacuous: duplicates written differently are found both ways."""
    entry = ["**Chest X-ray Report**", "*Team*", "arXiv | Aug 2024", "[paper](https://arxiv.org/abs/2401.12208)"]
    other = ["**Other**", "*Team*", "arXiv | Aug 2024", "[paper](https://arxiv.org/pdf/2401.12208v2)"]
    text = "\n".join(["## Papers", "", "### 2024", "", *entry, "", *other, "", "## Datasets", "",
                      "[arXiv] chest x ray report [[paper]](https://ex.org/p) [[dataset]](https://ex.org/d)", ""])
    findings = lint(text)
    assert [(f.code, f.line) for f in findings] == [("LB009", 10), ("LB009", 17)]
    assert findings == _lint(text, BUILTIN_KINDS, None, fast=False)


def test_a_house_style_list_has_no_key_twice() -> None:
    """On a house-style list without duplicates the house runs cover every year section and no
    key is met twice; with one paper's link repeated, its two keys are."""
    for text, repeated in [
        (make_list(300), frozenset()),
        (make_list(300).replace("abs/2502.00001)", "abs/2501.00000)", 1),
         frozenset({"url:arxiv.org/abs/2501.00000", "arxiv:2501.00000"})),
    ]:
        doc = ListDocument(text)
        layout = _Layout(doc, BUILTIN_KINDS, {}, fast=True)
        layout.paper_entries()
        covered = sum(run.end - run.start for run in layout.house_runs)
        assert covered > len(doc.lines) * 0.9
        assert repeated_keys(doc, BUILTIN_KINDS, {}, layout.house_runs) == repeated


_TALLIED = st.sampled_from(["a", "b", "A", "title:a", "arxiv:a", "url:arxiv.org/abs/a", "repo:a", "repo:b", "doi:a"])


@given(st.lists(_TALLIED), st.lists(st.tuples(st.sampled_from(list(BULK)), st.sampled_from(["a", "b", "A"]))))
def test_a_tally_repeats_the_keys_met_twice(keys: list[str], values: list[tuple[str, str]]) -> None:
    """Keys counted one by one and values counted under prefixes are the same keys."""
    tally = KeyTally()
    tally.keys += keys
    for prefix, value in values:
        tally.values[prefix].append(value)
    counts = Counter(tally.every())
    assert tally.repeated() == {key for key, count in counts.items() if count > 1}


def test_runs_whose_cutting_would_change_the_structure_leave_every_entry_to_read() -> None:
    """The rest of the list is read only when cutting the runs keeps its headings, code and HTML
    blocks where they were; a range that holds a fence's opening line does not."""
    text = "\n".join(["## Papers", "", "### 2024", "", "```", "**A**", "", "```", "", "## Notes", "", "x", ""])
    doc = ListDocument(text)
    assert repeated_keys(doc, BUILTIN_KINDS, {}, [HouseRun(4, 5, "```\n")]) is None
    assert repeated_keys(doc, BUILTIN_KINDS, {}, []) == frozenset()


# A kind that reads a year section's entries (in the paper's house shape) by their authors alone.
_BY_AUTHORS = Kind(
    name="by-authors", section=("## Papers", "### 2024"),
    template=("**{title}**", "*{authors}*", "{venue}", "[paper]({url})"), identity=("authors",), links=("url",),
)


def test_a_year_section_another_kind_reads_is_read_by_that_kinds_rules() -> None:
    """House runs are only looked for where papers are read as papers: in a year section
    another kind reads, entries are that kind's (here two sharing their authors are duplicates)."""
    entries = [
        ["**A**", "*Team*", "arXiv | Aug 2024", "[paper](https://arxiv.org/abs/2401.00001)"],
        ["**B**", "*Team*", "arXiv | Aug 2024", "[paper](https://arxiv.org/abs/2401.00002)"],
    ]
    text = "\n".join(["## Papers", "", "### 2024", "", *entries[0], "", *entries[1], ""])
    kinds = (*BUILTIN_KINDS, _BY_AUTHORS)
    fast = _lint(text, kinds, None, fast=True)
    assert fast == _lint(text, kinds, None, fast=False)
    assert [(finding.code, finding.line) for finding in fast if finding.code == "LB009"] == [("LB009", 10)]
