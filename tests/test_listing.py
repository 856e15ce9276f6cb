"""Tests for bot.core.listing: the indexed entries answer exactly as the scans over them do, and a
list read block by block as the full reading."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import key_anchors, listing
from bot.core.document import ListDocument, parsed
from bot.core.duplicates import FoundEntry, ListedEntry, containing_titles, find_duplicates
from bot.core.entry import paper_title
from bot.core.forms import form_from_yaml
from bot.core.kind_entries import BlockEntries, found_kind_entries
from bot.core.kinds import BUILTIN_KINDS, DATASET, Kind
from bot.core.listing import _index

_WORDS = ("Chest", "X-ray", "x ray", "Report", "MAIRA-2", "model", "Model", "’s", "é", "a", "--", "CXR:")
_KEYS = ("title:a", "url:x", "arxiv:1", "doi:2", "repo:o/r", "url:y")

_titles = st.lists(st.sampled_from(_WORDS), max_size=6).map(" ".join)
_entries = st.lists(
    st.builds(
        lambda title, keys, line: ListedEntry(title, "Papers › 2024", line, frozenset(keys)),
        _titles, st.frozensets(st.sampled_from(_KEYS), max_size=3), st.integers(1, 10_000),
    ),
    max_size=12,
)


@settings(max_examples=300)
@given(_entries, _titles)
def test_containing_titles_from_the_index_equals_the_scan(entries: list[ListedEntry], title: str) -> None:
    """Titles containing the submission's, or contained in it, word for word: the same entries in the same order."""
    expected = list(containing_titles(title, entries))
    assert _index(entries).containing(title) == expected
    with patch.object(listing, "_MAX_RUN_LOOKUPS", 0):  # a title of very many words: one pass instead
        assert _index(entries).containing(title) == expected


@settings(max_examples=300)
@given(_entries, st.frozensets(st.sampled_from(_KEYS), max_size=3))
def test_duplicates_from_the_index_equal_the_scan(entries: list[ListedEntry], keys: frozenset[str]) -> None:
    """Only entries sharing a key can be duplicates, so checking those alone finds the same duplicates."""
    assert find_duplicates(keys, _index(entries).sharing(keys)) == find_duplicates(keys, entries)


_spans = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 6)), max_size=12).map(
    lambda spans: [FoundEntry("t", "Papers", start, start + length, frozenset) for start, length in spans]
)


@settings(max_examples=400)
@given(_spans, st.lists(st.integers(0, 70), max_size=8).map(lambda lines: sorted(set(lines))))
def test_the_entries_including_lines_are_those_a_walk_over_every_entry_finds(
    found: list[FoundEntry], lines: list[int]
) -> None:
    """Found by bisection (entries apart, in any order) or by the walk (entries sharing lines)."""
    walked = [entry for entry in found if any(entry.start <= line < entry.end for line in lines)]
    assert list(listing.FoundList(found).including(lines)) == walked


def test_a_question_asked_again_has_the_first_answer_even_after_many_others() -> None:
    """Answers are remembered per listing (a bounded number): asked again, after more questions
    than it remembers, a question still gets the answer a fresh listing gives."""
    entries = [
        ListedEntry(f"Chest X-ray report model {n}", "Papers › 2024", n + 1, frozenset({f"url:{n}"})) for n in range(5)
    ]
    remembering = _index(entries)
    first = (remembering.sharing(frozenset({"url:3"})), remembering.containing("Chest X-ray report model"))
    for n in range(listing._MAX_ANSWERS + 10):
        remembering.sharing(frozenset({f"url:other{n}"}))
    again = (remembering.sharing(frozenset({"url:3"})), remembering.containing("Chest X-ray report model"))
    fresh = _index(entries)
    assert first == again == (fresh.sharing(frozenset({"url:3"})), fresh.containing("Chest X-ray report model"))
    assert [entry.line for entry in first[0]] == [4]


# --- a list read block by block answers as the full reading ---------------------------------------
#
# `kind_entries.BlockEntries` reads only the blocks that hold the lines a question is about. Lists
# are generated with several kinds' sections (a field-chosen heading, a two-level path, a
# multi-line kind, two kinds reading one section), papers, prose with and without links, fences
# and HTML blocks (with blank lines and headings inside), repeated headings, blank-looking lines
# and entries that run together; every answer must be the full reading's (`found_kind_entries`).

_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "awesome-list"
_TOOL = Kind(
    name="tool", section=("## {category}",), template=("- [{name}]({url}) - {description}",),
    identity=("name", "url"), links=("url",), order="alphabetical", order_by="name",
)
_TALK = Kind(
    name="talk", section=("## Media", "### Talks"), template=("**{title}**", "[video]({url})"),
    identity=("title", "url"), links=("url",),
)
_SAME_AS_DATASET = Kind(  # reads the datasets' section as DATASET does: entries sharing a first line
    name="also", section=DATASET.section, template=DATASET.template, identity=("paper_url",),
    links=DATASET.links, one_line=True,
)
_KINDS = (*BUILTIN_KINDS, _TOOL, _TALK, _SAME_AS_DATASET)
_FORMS = {"tool": form_from_yaml((_EXAMPLE / ".github/ISSUE_TEMPLATE/tool.yml").read_text(encoding="utf-8"))}

_HEADINGS = (
    "# Awesome", "## Papers", "### 2024", "### 2023", "## Datasets", "## Evaluation Metrics", "## Generators",
    "## Themes", "## Hosting", "## Media", "### Talks", "#### Deeper", "## Papers", "# Table of Contents",
    "## Media\n\n### Talks", "## Papers\n### 2024",
)
_NAMES = ("Chest X-ray", "MAIRA-2", "Report Model", "x ray", "Hugo", "Zola")
_URLS = ("https://arxiv.org/abs/2401.12208", "https://github.com/o/r", "https://ex.org/a", "https://ex.org/b")
_name = st.sampled_from(_NAMES)
_url = st.sampled_from(_URLS)
_LINE = st.one_of(
    st.builds(lambda n: f"**{n}**", _name),
    st.just("*A. Author*"),
    st.just("arXiv | Jan 2024"),
    st.builds(lambda u: f"[paper]({u})", _url),
    st.builds(lambda u: f"[video]({u})", _url),
    st.builds(lambda n, u, v: f"[arXiv] {n} [[paper]]({u}) [[dataset]]({v})", _name, _url, _url),
    st.builds(lambda n, u: f"[NeurIPS] {n} [[paper]]({u}) [[code]]({u})", _name, _url),
    st.builds(lambda n, u: f"- [{n}]({u}) - A tool.", _name, _url),
    st.builds(lambda n, u: f"{n} see [here]({u})", _name, _url),
    st.builds(lambda n: f"Prose about {n}.", _name),
    st.builds(lambda n, u: f"**{n}**\n[video]({u})", _name, _url),  # a talk
    st.builds(lambda n, u: f"**{n}**\n*A. Author*\narXiv | Jan 2024\n[paper]({u})", _name, _url),  # a paper
    st.sampled_from(("```", "~~~", "<div>", "</div>", "<!-- note", "-->", "", "", "   ", "\t", "> quoted")),
    st.sampled_from(_HEADINGS),
)


@st.composite
def _sectioned_list(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for heading in draw(st.lists(st.sampled_from(_HEADINGS), min_size=1, max_size=8)):
        lines += [heading, *draw(st.lists(_LINE, max_size=12))]
    return "\n".join(lines) + draw(st.sampled_from(("", "\n")))


def _full(doc: ListDocument) -> list[FoundEntry]:
    return found_kind_entries(doc, _KINDS, _FORMS)


_LIST_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_LIST_SETTINGS
@given(_sectioned_list(), st.data())
def test_the_entries_of_the_blocks_holding_some_lines_are_those_of_the_full_reading(
    text: str, data: st.DataObject
) -> None:
    """Same entries (title, section, lines), in the same order, for any lines asked about."""
    doc = parsed(text)
    lines = data.draw(st.lists(st.integers(-2, len(doc.lines) + 2), max_size=10))
    reading = BlockEntries(doc, _KINDS, _FORMS)
    expected = [entry for entry in _full(doc) if any(entry.start <= line < entry.end for line in lines)]
    assert _shown(reading.including(lines)) == _shown(expected)
    assert _shown(reading.including(range(-1, len(doc.lines) + 1))) == _shown(_full(doc))  # every line
    assert _shown(reading.every()) == _shown(_full(doc))


def _shown(entries: Iterable[FoundEntry]) -> list[tuple[str, str, int, int, frozenset[str]]]:
    return [(entry.title, entry.section, entry.start, entry.end, entry.identity()) for entry in entries]


@_LIST_SETTINGS
@given(_sectioned_list(), st.data())
def test_a_listing_read_block_by_block_answers_as_every_entry_does(text: str, data: st.DataObject) -> None:
    """`sharing` and `containing` are `find_duplicates`' and `containing_titles`' answers over every
    entry with its keys; `entries` is every entry."""
    doc = parsed(text)
    entries = [entry.listed() for entry in _full(doc)]
    lazy = listing.listing(doc, _KINDS, _FORMS)
    every_key = sorted({key for entry in entries for key in entry.keys} | {"title:hugo", "url:ex.org/a"})
    keys = data.draw(st.frozensets(st.sampled_from(every_key), max_size=3))
    assert lazy.sharing(keys) == [entry for entry in entries if not keys.isdisjoint(entry.keys)]
    title = data.draw(st.one_of(
        st.sampled_from([entry.title for entry in entries] or ["Chest X-ray"]),
        st.lists(st.sampled_from([*_NAMES, "report", "a"]), min_size=1, max_size=4).map(" ".join),
    ))
    assert lazy.containing(title) == list(containing_titles(title, entries))
    assert list(lazy.entries) == entries


# --- long runs of papers: a title question looks at papers' first lines alone ---------------------
#
# In sections no kind reads, without code or HTML, whose every block starts with a `**title**`
# line (`BlockEntries.paper_ranges`), a paper is looked at only when its first line's letters
# hold all the submitted words' letters or are those of a run of them. Lists are generated around
# a submitted title: papers titled by runs of its words (two words, the shortest a listed title
# contained in it can be), by the whole of it with more words around, by other words, written
# `X-ray`, `x ray` or `Xray`, outside ASCII, escaped, with blanks around the title line or
# `**` inside it; among them, lines that make a section not all papers (a blank line of spaces,
# tab, ideographic space or a control blank, prose and datasets naming the title, a title line
# that is not a block's first, a bold line with text after it, code and HTML), sections other
# kinds read with title-shaped templates (talks, and prizes whose title is part of the line).

_PRIZE = Kind(  # a one-line kind whose line looks like a paper's title line, its name only part of it
    name="prize", section=("## Prizes",), template=("**{name} {year}**",), identity=("name",), one_line=True,
)
_PAPER_KINDS = (*_KINDS, _PRIZE)
_TITLE_WORDS = (
    "Chest", "X-ray", "x ray", "Xray", "Report", "MAIRA-2", "model", "é", "Ärzte", "a", "CXR:", r"\_tag", "’s",
)
_PAPER_HEADINGS = ("## Papers", "### 2024", "### 2023", "## Prizes", "## Media\n\n### Talks", "## Datasets", "# Other")
_ODD_LINES = (
    " ", "\t", "\u3000", "\x1c", "```", "<div>", "</div>", "> quoted", "*A. Author*",
    "**bold** and more", "***", "** **", "[paper](https://ex.org/a)",
)


# A paper's lines after its title: authors and links outside ASCII, escaped, with a bracket in a host.
_AUTHORS = ("*A. Author*", "*A. Müller, B. Author*", "*É. Zola* [x](https://ex.org/é)")
_PAPER_LINKS = (
    "[paper](https://arxiv.org/abs/2401.12208)", "[paper](https://ex.org/é)", "[paper](https://ex.org/%41)",
    "[code](https://[x/abs)", "[paper](https://ex.org/a) – ünïcode", "[paper](https://doi.org/10.1000/%5Ajq)",
    "[paper](https://openreview.net/forum?id=Zq%2Bw9)", "[paper](https://doi.org/10.1000/Ab%C3%89c)",
    "[![GitHub stars](https://img.shields.io/github/stars/o/r.svg?logo=github&label=Stars)](https://github.com/o/r)",
)


def _paper_block(title: str, style: int, authors: int = 0, link: int = 0) -> str:
    line = (f"**{title}**", f"  **{title}**", f"**{title}**  ", f"**{title}**\u3000", f"**{title} ** x**")[style]
    return f"{line}\n{_AUTHORS[authors]}\narXiv | Jan 2024\n{_PAPER_LINKS[link]}"


@st.composite
def _papers_around_a_title(draw: st.DrawFn) -> tuple[str, str]:
    words = draw(st.lists(st.sampled_from(_TITLE_WORDS), min_size=2, max_size=5))
    submitted = " ".join(words)

    def listed_title() -> str:
        start = draw(st.integers(0, len(words) - 1))
        end = draw(st.integers(start + 1, len(words)))
        other = draw(st.lists(st.sampled_from(_TITLE_WORDS), max_size=3))
        return draw(st.sampled_from((
            " ".join(words[start:start + 2]),  # two words of the submitted title (or its last one)
            " ".join(words[start:end]),  # a run of the submitted words
            " ".join([*other, *words, *other[:1]]),  # the submitted title and more
            " ".join(other),
            "-".join(words[start:end]),
            submitted,
        )))

    def other_block(title: str) -> str:
        block: str = draw(st.one_of(
            st.just(f"**{title}**\n[video](https://ex.org/b)"),  # a talk, where talks are read
            st.just(f"**{title} 2024**"),  # a prize, where prizes are read
            st.just(f"[arXiv] {title} [[paper]](https://ex.org/a) [[dataset]](https://ex.org/b)"),
            st.just(f"Prose about {title}\n{title} [here](https://ex.org/a)"),
            st.just(f"*A. Author*\n**{title}**\n[paper](https://ex.org/a)"),  # a title line second
            st.sampled_from(_ODD_LINES),
        ))
        return block

    gaps = st.sampled_from(("\n\n", "\n\n", "\n\n", "\n\n\n", "\n"))
    text = ""
    for heading in draw(st.lists(st.sampled_from(_PAPER_HEADINGS), min_size=1, max_size=5)):
        text += heading + draw(st.sampled_from(("\n", "\n\n")))  # a paper may follow its heading at once
        papers_alone = draw(st.booleans())
        blocks = [
            _paper_block(listed_title(), draw(st.integers(0, 4)), draw(st.integers(0, 2)), draw(st.integers(0, 8)))
            for _ in range(draw(st.integers(0, 6)))
        ]
        if not papers_alone:
            blocks += [other_block(listed_title()) for _ in range(draw(st.integers(0, 4)))]
            blocks = draw(st.permutations(blocks))
        pieces = [block + draw(gaps) for block in blocks]
        if papers_alone and pieces and draw(st.booleans()):  # one other entry, after a blank line of blanks
            blank = draw(st.sampled_from((" ", "\t", "\u3000", "\x1c")))
            at = draw(st.integers(0, len(pieces) - 1))
            pieces[at] = f"{blocks[at]}\n{blank}\n{other_block(listed_title())}{draw(gaps)}"
        text += "".join(pieces)
    ending = draw(st.sampled_from(("as is", "no last line break", "CRLF")))
    if ending == "no last line break":
        text = text.rstrip("\n")
    elif ending == "CRLF":
        text = text.replace("\n", "\r\n")
    title = draw(st.one_of(st.just(submitted), st.sampled_from(words), st.just(" ".join(words[:2]))))
    return text, title


@_LIST_SETTINGS
@given(_papers_around_a_title(), st.data())
def test_a_list_of_papers_around_the_submitted_title_answers_as_every_entry_does(
    case: tuple[str, str], data: st.DataObject
) -> None:
    """`containing` is `containing_titles` over every entry, where papers' first lines stand for their
    titles; `sharing` is every entry's answer, where lines outside ASCII hold no title or link."""
    text, title = case
    doc = parsed(text)
    entries = [entry.listed() for entry in found_kind_entries(doc, _PAPER_KINDS, _FORMS)]
    every_key = sorted({key for entry in entries for key in entry.keys} | {"url:ex.org/é", "title:azola"})
    lazy = listing.Listing(BlockEntries(doc, _PAPER_KINDS, _FORMS), doc.lines)
    for keys in [data.draw(st.frozensets(st.sampled_from(every_key), max_size=3)), *(e.keys for e in entries)]:
        assert lazy.sharing(keys) == [entry for entry in entries if not keys.isdisjoint(entry.keys)]
    expected = list(containing_titles(title, entries))
    # The rest of the text searched stretch by stretch, and all at once (as for a list mostly not papers).
    with patch.object(key_anchors, "_MAX_STRETCHES", 10**9), patch.object(key_anchors, "_STRETCHES_SHARE", 0):
        assert listing.Listing(BlockEntries(doc, _PAPER_KINDS, _FORMS), doc.lines).containing(title) == expected
    with patch.object(key_anchors, "_MAX_STRETCHES", -1):
        assert listing.Listing(BlockEntries(doc, _PAPER_KINDS, _FORMS), doc.lines).containing(title) == expected


@_LIST_SETTINGS
@given(_papers_around_a_title())
def test_every_block_of_a_paper_range_is_one_paper_titled_by_its_first_line(case: tuple[str, str]) -> None:
    """The entries the full reading finds in the paper ranges are one per block, titled by its `**title**` line."""
    doc = parsed(case[0])
    full = found_kind_entries(doc, _PAPER_KINDS, _FORMS)
    for start, end in BlockEntries(doc, _PAPER_KINDS, _FORMS).paper_ranges():
        found = [(entry.title, entry.start, entry.end) for entry in full if start <= entry.start < end]
        papers = [(paper_title(doc.block_lines(block)), block.start, block.end) for block in doc.blocks(start, end)]
        assert found == papers


_ODD_BLANKS = (" ", "\t", "\x1c", "\x1f", "\x85", "\u2028", "\u00a0", "\u3000", "\v")
_NOT_TITLED_BY_ITS_LINE = (
    "[MICCAI] chest ray model [[paper]](https://ex.org/q) [[dataset]](https://ex.org/d)",
    "- [chest ray](https://ex.org/q) - d",
    "**chest ray** model [paper](https://ex.org/q)",
)


def _papers_with_an_odd_separator(blank: str, block: str, blank_after: bool) -> str:
    """Twelve papers of one year section; the line after the sixth holds only `blank` (a line a
    stripped reading calls blank, the section's text does not) and is followed by `block`."""
    lines = ["# L", "", "## Papers", "", "### 2024", ""]
    for index in range(12):
        lines += [f"**report number {index} model**", "*A*", "arXiv | Jan 2024", f"[paper](https://ex.org/p{index})"]
        lines += [blank, block, blank if blank_after else ""] if index == 5 else [""]
    return "\n".join(lines)


@pytest.mark.parametrize("blank", _ODD_BLANKS)
@pytest.mark.parametrize("block", _NOT_TITLED_BY_ITS_LINE)
@pytest.mark.parametrize("blank_after", [False, True])
def test_a_block_after_a_line_of_odd_blanks_is_read_as_every_entry_reads_it(
    blank: str, block: str, blank_after: bool
) -> None:
    """A block not titled by its whole first line, after a separator of odd blanks, is found by the questions."""
    doc = parsed(_papers_with_an_odd_separator(blank, block, blank_after))
    entries = [entry.listed() for entry in found_kind_entries(doc, _PAPER_KINDS, _FORMS)]
    lazy = listing.Listing(BlockEntries(doc, _PAPER_KINDS, _FORMS), doc.lines)
    for title in ("chest ray", "big chest ray model here", "chest ray model", "report number 3", "x report number 3"):
        assert lazy.containing(title) == list(containing_titles(title, entries))
    for keys in map(frozenset, ({"url:ex.org/q"}, {"title:chestray"}, {"title:chestraymodel"}, {"url:ex.org/p3"})):
        assert lazy.sharing(keys) == [entry for entry in entries if not keys.isdisjoint(entry.keys)]
