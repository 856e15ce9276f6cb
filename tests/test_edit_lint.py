"""`edit_lint.adds_no_findings` against the full lint diff: whenever it says an insertion adds no
finding, linting the list before and after the insertion must agree."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import make_list
from bot.core.document import ListDocument
from bot.core.edit_lint import Edits, added_findings, adds_no_findings, base_line
from bot.core.kinds import BUILTIN_KINDS
from bot.core.lint import Finding, lint
from bot.core.proposal import propose
from tests.factories import TODAY, committed_list, paper_values
from tests.test_lint import _broken_lists, _entries, _house_list

_LISTED = ["**P0: Chest**", "*Team 0*", "arXiv | Jan 2023", "[paper](https://arxiv.org/abs/2301.00000)"]
_CLEAN_ENTRY = [
    "**Q9: Grounded Chest Report**",
    "*Team Q*",
    "arXiv | Jul 2023",
    "[paper](https://arxiv.org/abs/2307.99999)",
]
# Each a way an inserted entry, or its neighbourhood, may change the list's findings.
_FLAWS: dict[str, list[str]] = {
    "clean": _CLEAN_ENTRY,
    "badge": [*_CLEAN_ENTRY, "[![GitHub stars](https://img.shields.io/github/stars/q/r.svg?logo=github&label=Stars)]"
              "(https://github.com/q/r)"],
    "trailing space": ["**Q9: Grounded Chest Report** ", *_CLEAN_ENTRY[1:]],
    "tab": [*_CLEAN_ENTRY[:3], "[paper](https://arxiv.org/abs/2307.99999)\t"],
    "other year": [*_CLEAN_ENTRY[:2], "arXiv | Jul 2019", _CLEAN_ENTRY[3]],
    "no authors": [_CLEAN_ENTRY[0], *_CLEAN_ENTRY[2:]],
    "joined": [*_CLEAN_ENTRY, "**Q10: Another**", "*Team R*", "arXiv | Jul 2023", "[paper](https://x.org/q10)"],
    "same link": [*_CLEAN_ENTRY[:3], "[paper](https://arxiv.org/abs/2301.00000)"],
    "same title": ["**P0: Chest**", *_CLEAN_ENTRY[1:]],
    "bad link": [*_CLEAN_ENTRY[:3], "[paper](ftp://x.org/p)"],
    "anchor link": [*_CLEAN_ENTRY[:3], "[paper](#papers)"],
    "html": ["<div>", *_CLEAN_ENTRY],
    "html inline": [*_CLEAN_ENTRY[:3], "<b>x</b> [paper](https://x.org/p)"],
    "fence": [*_CLEAN_ENTRY, "```"],
    "tilde fence": ["~~~", *_CLEAN_ENTRY],
    "heading": [*_CLEAN_ENTRY, "### 2024"],
    "hash": ["#tag", *_CLEAN_ENTRY],
    "quote": ["> **Q9: Quoted**", *_CLEAN_ENTRY[1:]],
    "list item": ["- **Q9: Listed**", *_CLEAN_ENTRY[1:]],
    "link definition": ["[paper]: https://x.org/p", *_CLEAN_ENTRY],
    "indented": ["    **Q9: Indented**", *_CLEAN_ENTRY[1:]],
    "invisible": ["**Q9: Grounded\u200b Chest**", *_CLEAN_ENTRY[1:]],
    "mojibake": ["**Q9: Grounded â€“ Chest**", *_CLEAN_ENTRY[1:]],
    "line break": ["**Q9: Grounded\rChest**", *_CLEAN_ENTRY[1:]],
    "setext": [*_CLEAN_ENTRY, "---"],
    "table": ["| a | b |", "|---|---|", *_CLEAN_ENTRY],
    "toc item": ["  - [2031](#2031)"],
    "prose": ["Some words about the list."],
}


def _keys(findings: list[Finding]) -> Counter[tuple[str, str]]:
    """The findings as `plan` compares a list's with its edit's: by identity, counted."""
    return Counter(finding.identity for finding in findings)


@st.composite
def _bases(draw: st.DrawFn) -> str:
    """House-style lists, damaged ones, ones with a duplicate entry, without the sections after
    the papers, with a `#` line, an HTML banner, CRLF or no final newline."""
    text = draw(st.one_of(_entries().map(_house_list), _broken_lists()))
    lines = text.split("\n")
    if draw(st.booleans()):  # an entry repeated further down: LB009 findings that name a line
        first = next((i for i, line in enumerate(lines) if line.startswith("**P")), None)
        if first is not None:
            at = draw(st.integers(min_value=first, max_value=len(lines)))
            lines[at:at] = ["", *lines[first:first + 4], ""]
    if draw(st.booleans()) and "## Datasets" in lines:  # papers last, maybe blank lines at the end
        lines = [*lines[:lines.index("## Datasets")], *[""] * draw(st.integers(min_value=0, max_value=3))]
    if draw(st.booleans()):
        at = draw(st.integers(min_value=0, max_value=len(lines)))
        lines.insert(at, draw(st.sampled_from(["#tag", "## Notes", "### Misc", "", "Prose line."])))
    if draw(st.booleans()):  # an HTML banner above the headings, as many lists open
        lines[:0] = ['<p align="center">', '  <h1 align="center">L</h1>', "</p>", ""]
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text.rstrip("\r\n") if draw(st.booleans()) else text


@st.composite
def _insertions(draw: st.DrawFn, doc: ListDocument) -> Edits:
    """Where and what: mostly at a blank line or a block's start, dated for the section there and
    with the blank lines the place needs; sometimes anywhere, anything."""
    lines = doc.lines
    boundaries = [i for i in range(1, len(lines)) if not lines[i].strip() or not lines[i - 1].strip()]
    anywhere = st.integers(min_value=0, max_value=len(lines))
    near_end = st.sampled_from(boundaries[-4:])  # the end of the file has rules of its own (LB011)
    index = draw(st.one_of(st.sampled_from(boundaries), near_end, anywhere) if boundaries else anywhere)
    heading = doc.heading_before(index)
    year = str(heading.year if heading is not None and heading.year else 2023)
    flaw = draw(st.one_of(st.sampled_from(["clean", "badge"]), st.sampled_from(sorted(_FLAWS))))  # half clean
    entry = [line.replace("2023", year) for line in _FLAWS[flaw]]
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        entry = draw(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=4))
    if draw(st.integers(min_value=0, max_value=3)) and 0 < index < len(lines):  # the blank lines the place needs
        before = [""] * bool(lines[index - 1].strip())
        after = [""] * bool(lines[index].strip())
    else:
        before = [""] * draw(st.integers(min_value=0, max_value=2))
        after = [""] * draw(st.integers(min_value=0, max_value=2))
    return ((index, (*before, *entry, *after)),)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_no_findings_added_means_the_full_lint_diff_is_empty(data: st.DataObject) -> None:
    """Where `adds_no_findings` is true, every finding of the edited list is matched by a base
    finding of the same identity (each base finding matching one): the diff `plan` computes is empty."""
    base = data.draw(_bases())
    doc = ListDocument(base)
    edits = data.draw(_insertions(doc))
    if adds_no_findings(doc, edits, BUILTIN_KINDS, {}):
        after = doc.with_insertions([(index, list(lines)) for index, lines in edits])
        assert _keys(lint(after)) <= _keys(lint(base))


def test_an_entry_put_inside_a_run_of_blank_lines_is_left_to_the_full_lint() -> None:
    """Four blank lines are one LB011 finding; an entry put after the second leaves two runs of
    two, two findings: no fast answer (hypothesis found this: the check looked one line out)."""
    second = ["**P1: Lungs**", "*Team 1*", "arXiv | Jan 2023", "[paper](https://arxiv.org/abs/2301.00001)"]
    base = _house_list([(2023, [*_LISTED, "", "", "", "", *second])])
    doc = ListDocument(base)
    at = doc.lines.index(second[0]) - 2  # two blank lines above, two below
    edits: Edits = ((at, tuple(_CLEAN_ENTRY)),)
    after = doc.with_insertions([(at, _CLEAN_ENTRY)])
    assert doc.lines[at - 2:at + 2] == ["", "", "", ""]
    assert [f.code for f in lint(base)] == ["LB011"]
    assert [f.code for f in lint(after)] == ["LB011", "LB011"]
    assert not adds_no_findings(doc, edits, BUILTIN_KINDS, {})


def test_the_bots_insertion_into_the_synthetic_list_adds_no_findings() -> None:
    """The fast answer is given for the edit listbot makes (so the property above is not vacuous)."""
    text = make_list(300)
    proposal = propose(paper_values(), text, today=TODAY)
    assert adds_no_findings(ListDocument(text), proposal.insertion.edits, BUILTIN_KINDS, proposal.forms)
    assert lint(proposal.after) == lint(text) == []


@pytest.mark.parametrize("flaw", sorted(set(_FLAWS) - {"clean", "badge"}))
def test_a_flawed_entry_is_left_to_the_full_lint(flaw: str) -> None:
    """Every flaw above, put where a clean entry passes, gets no fast answer."""
    doc = ListDocument(_house_list([(2023, _LISTED)]))
    index = doc.lines.index("### 2023") + 1
    clean: Edits = ((index, ("", *_FLAWS["clean"])),)
    assert adds_no_findings(doc, clean, BUILTIN_KINDS, {})
    assert not adds_no_findings(doc, ((index, ("", *_FLAWS[flaw])),), BUILTIN_KINDS, {})


@pytest.mark.parametrize(
    ("where", "lines"),
    [
        ("two blank lines", ("", "", *_CLEAN_ENTRY)),
        ("runs into the next entry", tuple(_CLEAN_ENTRY)),
        ("in the table of contents", ("", *_CLEAN_ENTRY)),
        ("under Datasets", ("", *_CLEAN_ENTRY, "")),
        ("two edits", ("", *_CLEAN_ENTRY)),
    ],
)
def test_a_place_that_touches_other_findings_is_left_to_the_full_lint(where: str, lines: tuple[str, ...]) -> None:
    doc = ListDocument(_house_list([(2023, _LISTED)]))
    index = {
        "in the table of contents": doc.lines.index("# Table of Contents") + 1,
        "under Datasets": doc.lines.index("## Datasets") + 1,
        "runs into the next entry": doc.lines.index(_LISTED[0]),
    }.get(where, doc.lines.index("### 2023") + 1)
    edits: Edits = ((index, lines),) * (2 if where == "two edits" else 1)
    assert not adds_no_findings(doc, edits, BUILTIN_KINDS, {})


def test_the_committed_lists_insertion_adds_no_findings() -> None:
    """The committed list's HTML banner above its headings leaves its structure plain."""
    text = committed_list()
    proposal = propose(paper_values(), text, today=TODAY)
    assert adds_no_findings(ListDocument(text), proposal.insertion.edits, BUILTIN_KINDS, proposal.forms)


def test_a_list_mistune_must_read_is_left_to_the_full_lint() -> None:
    """A quote below a heading may take a heading into it: the insertion is not reasoned about."""
    text = _house_list([(2023, _LISTED)]).replace("## Papers\n", "> a quote\n\n## Papers\n")
    doc = ListDocument(text)
    index = doc.lines.index("### 2023") + 1
    assert not doc.plain_headings
    assert not adds_no_findings(doc, ((index, ("", *_CLEAN_ENTRY)),), BUILTIN_KINDS, {})


def test_blank_lines_ending_the_file_are_not_split() -> None:
    """An entry put inside the blank lines that end the file would turn "at the end of the file"
    into "in a row" (LB011) for the blank lines above it."""
    lines = _house_list([(2023, _LISTED)]).split("\n")
    doc = ListDocument("\n".join([*lines[:lines.index("## Datasets")], "", "", ""]))
    last = len(doc.lines) - 1
    assert not doc.text_from(last)
    assert not adds_no_findings(doc, ((last, tuple(_CLEAN_ENTRY)),), BUILTIN_KINDS, {})


def test_a_duplicate_pair_below_the_place_gets_the_fast_answer() -> None:
    """LB009 names the earlier entry's line: an entry put above a pair moves it, and the message
    with it, but not the finding's identity, which is what `plan` compares; a pair above the
    place stays as it is."""
    pair = [(2024, [*_LISTED[:2], "arXiv | Jan 2024", _LISTED[3]]), (2024, ["**P1: Other**", *_LISTED[1:]])]
    doc = ListDocument(_house_list([*pair, (2023, ["**P2: Third**", "*Team 2*", "arXiv | Jan 2023",
                                                   "[paper](https://arxiv.org/abs/2301.00002)"])]))
    above, below = doc.lines.index("### 2024") + 1, doc.lines.index("### 2023") + 1
    for index, entry in ((above, [line.replace("2023", "2024") for line in _CLEAN_ENTRY]), (below, _CLEAN_ENTRY)):
        assert adds_no_findings(doc, ((index, ("", *entry)),), BUILTIN_KINDS, {})
        after = lint(doc.with_insertions([(index, ["", *entry])]))
        assert _keys(after) == _keys(lint(doc.text)) != Counter()
        assert (index == above) == ({f.message for f in after} != {f.message for f in lint(doc.text)})


# --- added_findings: which of the edited list's findings the edit added ---------------------------

# Identities whose copies look alike; LB009's message names another line, its subject does not.
_ALIKE = [("LB012", "trailing whitespace; remove it", ""), ("LB013", "mis-decoded text `â€“`", ""),
          ("LB009", "duplicate entry: “A” (line {line}) has the same title", "“A” duplicates “A”: the same title")]


@st.composite
def _edited(draw: st.DrawFn) -> tuple[list[str], Edits, list[str]]:
    """Base lines `b0`, `b1`, …; up to three edits (some at one index) of lines `i0`, `i1`, …;
    and the edited list's lines as `ListDocument.with_insertions` writes them."""
    base = [f"b{j}" for j in range(draw(st.integers(min_value=0, max_value=12)))]
    count = iter(range(100))
    edits = tuple(
        (index, tuple(f"i{next(count)}" for _ in range(size)))
        for index, size in draw(st.lists(st.tuples(st.integers(0, len(base)), st.integers(0, 3)), max_size=3))
    )
    doc = ListDocument("".join(f"{line}\n" for line in base))
    return base, edits, doc.with_insertions([(index, list(lines)) for index, lines in edits]).splitlines()


def _finding(line: int, alike: tuple[str, str, str]) -> Finding:
    code, message, subject = alike
    return Finding(line, 1, code, message.format(line=line), subject=subject)


def _on_inserted_lines(findings: list[Finding], edits: Edits) -> Counter[tuple[str, str]]:
    return _keys([finding for finding in findings if base_line(edits, finding.line) is None])


def _check_added(before: list[Finding], after: list[Finding], edits: Edits) -> None:
    """`added_findings` gives, of each identity, as many of the edited list's copies as it has
    more than the base, and of those as many as there are on the inserted lines are those."""
    added = added_findings(before, after, edits)
    assert not Counter(added) - Counter(after)
    surplus = _keys(after) - _keys(before)
    assert _keys(added) == surplus
    on_inserted = _on_inserted_lines(after, edits)
    wanted = Counter({identity: min(count, on_inserted[identity]) for identity, count in surplus.items()})
    assert _on_inserted_lines(added, edits) == +wanted  # unary +: without the zero counts


@given(_edited())
def test_base_line_names_the_base_line_each_edited_line_was(case: tuple[list[str], Edits, list[str]]) -> None:
    """Each line of the edited list maps to the base line it was, and each inserted line to None."""
    base, edits, edited = case
    mapped = [base_line(edits, number) for number in range(1, len(edited) + 1)]
    assert [None if line.startswith("i") else line for line in edited] == [
        None if was is None else base[was - 1] for was in mapped
    ]


@settings(max_examples=500, deadline=None)
@given(_edited(), st.data())
def test_the_copies_an_edit_added_are_the_surplus_the_inserted_lines_first(
    case: tuple[list[str], Edits, list[str]], data: st.DataObject
) -> None:
    """Of each identity, the edited list's copies beyond the base's count are added, those on the
    inserted lines first."""
    base, edits, edited = case
    drawn = data.draw(st.lists(st.tuples(st.integers(1, max(len(base), 1)), st.sampled_from(_ALIKE)), max_size=6))
    listed = [(line, alike) for line, alike in drawn if base]
    before = [_finding(line, alike) for line, alike in listed]
    moved = [_finding(edited.index(base[line - 1]) + 1, alike) for line, alike in listed if data.draw(st.booleans())]
    inserted = [number for number, line in enumerate(edited, 1) if line.startswith("i")]
    anywhere = st.integers(1, max(len(edited), 1))
    lines = st.one_of(st.sampled_from(inserted), anywhere) if inserted else anywhere  # half on inserted lines
    new = [_finding(line, alike) for line, alike in data.draw(st.lists(st.tuples(lines, st.sampled_from(_ALIKE)),
                                                                        max_size=4)) if edited]
    _check_added(before, sorted([*moved, *new]), edits)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_the_findings_an_insertion_adds_to_a_list_are_the_inserted_copies_first(data: st.DataObject) -> None:
    """On generated lists and insertions, the findings added are the identity diff's count, the
    inserted lines' copies first."""
    base = data.draw(_bases())
    doc = ListDocument(base)
    edits = data.draw(_insertions(doc))
    _check_added(lint(base), lint(doc.with_insertions([(index, list(lines)) for index, lines in edits])), edits)


def test_findings_given_as_iterators_read_as_lists_do() -> None:
    """Findings handed over as one-pass iterators give the same added findings as lists."""
    trailing = [Finding(line, 1, "LB012", "trailing whitespace") for line in (3, 5)]
    edited = [Finding(line, 1, "LB012", "trailing whitespace") for line in (3, 4, 6)]
    edits: Edits = ((3, ("new",)),)
    assert added_findings(iter(trailing), iter(edited), edits) == added_findings(trailing, edited, edits) == [
        Finding(4, 1, "LB012", "trailing whitespace")
    ]
