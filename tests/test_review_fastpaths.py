"""Review of issue 16's fast paths: counterexamples (strict xfail until their owner fixes them)
and property tests with inputs nastier than the ones the fast paths' own tests generate.

Every fast path must give exactly the general path's answer, or fall back to it.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.document import ListDocument, parsed
from bot.core.duplicates import containing_titles
from bot.core.edit_lint import adds_no_findings
from bot.core.kind_entries import found_kind_entries
from bot.core.kinds import BUILTIN_KINDS
from bot.core.lint import lint
from bot.core.listing import listing
from tests.test_edit_lint import _bases, _insertions, _keys
from tests.test_key_anchors import (
    test_every_key_of_every_entry_leads_the_search_to_the_entry as _every_key_leads_to_its_entry,
)

_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


# --- document: the HTML-banner shortcut against mistune ---------------------------------------------
#
# `ListDocument._only_in_leading_html` trusts the block reader's HTML blocks above the first heading.
# Where the block reader reads an HTML block that mistune reads as a paragraph (a self-closing tag,
# which CommonMark calls a type 7 block and mistune 3.4 does not; `<search>`, a type 6 tag since
# CommonMark 0.31 that mistune does not list; a tag with an invalid attribute), a heading or a fence
# on the next line is mistune's (it interrupts the paragraph) but inside HTML for the block reader.

_BANNER_COUNTEREXAMPLES = [
    # A logo, then the list's title: a very common README opening.
    '<img src="logo.png"/>\n# Awesome List\n\n## Papers\n\n### 2024\n',
    # A fence right under the banner: mistune's fence runs to the end and holds every heading.
    '<img src="logo.png"/>\n```\n\n## Papers\n\n### 2024\n',
    "<search>x\n## H\n\n## Papers\n",
    "<a !!!>\n## H\n\n## Papers\n",
]


@pytest.mark.parametrize("text", _BANNER_COUNTEREXAMPLES)
def test_a_banner_mistune_reads_as_a_paragraph_keeps_mistunes_headings(text: str) -> None:
    doc = ListDocument(text)
    assert not doc.plain_headings or doc.headings == doc._mistune_headings()


def test_a_list_opening_with_a_self_closing_logo_has_its_papers_section() -> None:
    """A logo tag alone on the first line opens an HTML block (CommonMark type 7), so GitHub shows
    `# Awesome List` under it as text and `## Papers` as the list's section. mistune 3 reads the
    tag as a paragraph and the title as a heading the block reader cannot place; until that
    heading was skipped, it used up every later one and lint reported no `## Papers` (LB007)."""
    doc = ListDocument(_BANNER_COUNTEREXAMPLES[0])
    assert not doc.plain_headings
    assert [(heading.text, heading.line) for heading in doc.headings] == [("Papers", 3), ("2024", 5)]
    assert [finding.code for finding in lint(_BANNER_COUNTEREXAMPLES[0])] == []


# --- key anchors: every key of every entry leads the search to the entry ----------------------------
#
# `tests/test_key_anchors.py` builds links from a fixed menu of pieces; here pieces of any ASCII
# punctuation (entities, backslashes, brackets, quotes, tabs) and a few Unicode characters that fold
# are mixed into titles, links and badges, and entries of every shape the list reader knows.

_ALPHABET = "aZ09./:?#=&;%+-_~@![]()\\ <>*`'\"|$^{},\t" + "éß\u00a0ﬁİK\u212a\u0131"
_KNOWN = st.sampled_from([
    "https://", "http://", "HTTPS://", "arxiv.org/abs/", "2401.12208", "v2", "doi.org/", "10.1000/", "10.48550/arXiv.",
    "github.com/", "www.", "m.", "openreview.net/forum?id=", "aclanthology.org/", "P19-1001",
    "openaccess.thecvf.com/papers/", "_paper.pdf", "nature.com/articles/", "hep-th/9901001", ".pdf", ".git", "/", "?",
    "#", "&amp;", "%41", "o/r", "huggingface.co/papers/", "](", ")", "[paper](", "[code](", "[[paper]](", "\\_", "\\",
    " ", "**", "[", "]",
])
_PIECE = st.one_of(_KNOWN, st.text(alphabet=_ALPHABET, max_size=10))
_LINK = st.lists(_PIECE, max_size=8).map("".join)


@st.composite
def _entry(draw: st.DrawFn) -> list[str]:
    title = draw(st.lists(_PIECE, min_size=1, max_size=5).map("".join))
    shape = draw(st.integers(0, 3))
    if shape == 0:
        return [
            f"**{title}**", "*A*", "arXiv | Jan 2024", f"[paper]({draw(_LINK)})", f"[code]({draw(_LINK)})",
            f"[![GitHub stars](https://img.shields.io/github/stars/{draw(_LINK)}.svg?logo=github&label=Stars)]"
            f"(https://github.com/{draw(_LINK)})",
        ]
    if shape == 1:
        return [f"[V] {title} [[paper]]({draw(_LINK)}) [[dataset]]({draw(_LINK)})"]
    if shape == 2:
        return [f"{title} [x]({draw(_LINK)})", draw(_LINK)]
    return [draw(_LINK), draw(_LINK)]


@st.composite
def _list(draw: st.DrawFn) -> str:
    lines = ["## Papers", "", "### 2024", ""]
    for entry in draw(st.lists(_entry(), min_size=1, max_size=5)):
        lines += [*entry, ""]
    lines += ["## Datasets", ""]
    for entry in draw(st.lists(_entry(), max_size=3)):
        lines += [*entry, ""]
    return "\n".join(lines)


@_SETTINGS
@given(_list())
def test_any_ascii_punctuation_in_entries_never_hides_a_key_or_a_close_title(text: str) -> None:
    """`test_key_anchors`' check of every key (its body, run on these lists), and close titles."""
    _every_key_leads_to_its_entry.hypothesis.inner_test(text)  # type: ignore[attr-defined]
    doc = parsed(text)
    try:
        entries = [found.listed() for found in found_kind_entries(doc, BUILTIN_KINDS)]
    except ValueError:
        return  # a link urlsplit refuses (tests/test_key_anchors.py checks both readings fail alike)
    for title in (variant for listed in entries for variant in _near(listed.title)):
        assert listing(doc, BUILTIN_KINDS).containing(title) == list(containing_titles(title, entries))


def _near(title: str) -> tuple[str, ...]:
    """The title, the title inside a longer one, and two of its words."""
    return title, f"{title} more words", " ".join(title.split()[1:3])


# --- edit_lint: bases with more of what moves findings ----------------------------------------------

_BASE_LINES = [
    "   ", "\t", "#### Sub", "### 2023", "### 2024", "### 2022", "## Papers", "**P1: Dup**", "- [2023](#2023)",
    "[paper](https://arxiv.org/abs/2307.99999)", "# Table of Contents", "Prose.", "**Q9: Grounded Chest Report**",
    "*Team Q*", "arXiv | Jul 2023", "[V] Q9: Grounded Chest Report [[paper]](https://arxiv.org/abs/2307.99999)",
    "## Datasets", "1. item", "- item", "---", "===", "x  ",
]


@st.composite
def _nastier_bases(draw: st.DrawFn) -> str:
    """`test_edit_lint`'s bases with blank-looking lines, extra and repeated headings, ToC items and
    entries (papers and datasets) that share the clean entry's keys dropped anywhere."""
    text = draw(_bases())
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    for _ in range(draw(st.integers(0, 4))):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(_BASE_LINES)))
    return newline.join(lines)


@_SETTINGS
@given(st.data())
def test_no_findings_added_holds_on_nastier_bases(data: st.DataObject) -> None:
    doc = ListDocument(data.draw(_nastier_bases()))
    edits = data.draw(_insertions(doc))
    edited = doc.with_insertions([(index, list(lines)) for index, lines in edits])
    assert not adds_no_findings(doc, edits, BUILTIN_KINDS, {}) or _keys(lint(edited)) <= _keys(lint(doc.text))
