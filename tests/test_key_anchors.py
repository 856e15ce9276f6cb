"""Tests for bot.core.key_anchors: the search that says where an entry with a key can be misses none.

Lists are generated with hostile titles and links (upper-case schemes and hosts, `www.`, ports,
user names, `%XX` escapes, queries, fragments, trailing slashes, DOIs, arXiv versions, Unicode
that folds, escapes, brackets in hosts, titles over two lines) and read by the general code; every
key of every entry must lead the search to one of the entry's lines, and a listing that reads only
the entries the search points at answers exactly as the full reading does.
"""

from __future__ import annotations

import bisect

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.document import parsed
from bot.core.duplicates import containing_titles
from bot.core.key_anchors import TextAnchors, letters
from bot.core.kind_entries import found_kind_entries, listed_kind_entries
from bot.core.kinds import BUILTIN_KINDS
from bot.core.listing import listing

_WORD = st.one_of(
    st.text(alphabet="aBz09-:'`’\\_~$*éÉßﬁΣKİ𝐀%&", min_size=1, max_size=5),
    st.sampled_from(["Chest", "X-ray", "x ray", "CXR:", "MAIRA-2", "don't", "Ré", "a", "b"]),
)
_TITLE = st.lists(_WORD, min_size=1, max_size=5).map(" ".join).filter(str.strip)
_HOSTS = (
    "arxiv.org", "ArXiv.ORG", "www.arxiv.org", "arxiv.org:443", "u:p@arxiv.org", "export.arxiv.org", "doi.org",
    "dx.doi.org", "www.nature.com", "openreview.net", "aclanthology.org", "openaccess.thecvf.com", "github.com",
    "GitHub.com", "huggingface.co", "ex.org", "[x", "x]", "[::1]", "",
)
_PATH_PARTS = (
    "/abs", "/pdf", "/html", "/", "//", "/2401.12208", "/2401.1220", "v2", ".pdf", "/index.html", "/hep-th/9901001",
    "/10.48550/arXiv.2401.12208", "/10.1038/s41", "/10.1000/AbC.", "%2F", "%31", "%2E", "%5A", "/articles",
    "/s41597-019", "/forum", "/2021.acl-long.459", "/P19-1001", "/papers", "/X_Y_paper.pdf", "/html/Z_paper.html",
    "/Owner", "/Repo", ".git", "É", "_", "~", "(x)", "arxiv:",
)
_TAILS = ("", "?id=Ab1", "?id=Zq%2Bw9", "?utm_source=x", "#frag", "?a=1&b=+2", "?id=x+y", "?ref=1&id=Q", "?")
# Whole links whose keys come from text a search of the raw text would not find.
_ESCAPED = (
    "https://openreview.net/forum?id=Zq%2Bw9", "https://openreview.net/pdf?id=Zq+w9", "https://doi.org/10.1000/%5Ajq",
    "https://doi.org/10.48550/arXiv.2401.%3122", "https://www.nature.com/articles/s41597-019-0322-0.pdf",
    "https://dx.doi.org/10.1000%2Fxyz", "https://arxiv.org/abs/2401.12208v2?x=1#y", "https://[x/abs/2401.12208",
    "https://github.com/[o/r", "HTTP://WWW.ArXiv.org:80/PDF/2401.12208.pdf", "https://u@ex.org:8080/P/Q/",
    "https://aclanthology.org/2021.acl-long.459.pdf", "https://openaccess.thecvf.com/html/A_B_paper.html",
    "https://doi.org/10.1000/Ab%C3%89c", "https://ex.org/caf%C3%A9?id=%41",
)
_LINK = st.one_of(
    st.builds(
        lambda scheme, host, path, tail: f"{scheme}{host}{path}{tail}",
        st.sampled_from(("https://", "http://", "HTTPS://", "https:", "https:/")),
        st.sampled_from(_HOSTS),
        st.lists(st.sampled_from(_PATH_PARTS), max_size=5).map("".join),
        st.sampled_from(_TAILS),
    ),
    st.sampled_from(_ESCAPED),
)
_REPO = st.sampled_from(("o/r", "Lab-1/Repo.x", "O/R", "a/b"))


@st.composite
def _paper(draw: st.DrawFn) -> list[str]:
    lines = [f"**{draw(_TITLE)}**", "*A. Author*", "arXiv | Jan 2024", f"[paper]({draw(_LINK)})"]
    if draw(st.booleans()):
        lines.append(f"[code]({draw(_LINK)})")
    if draw(st.booleans()):
        owner, repo = draw(_REPO).split("/")
        lines.append(
            f"[![GitHub stars](https://img.shields.io/github/stars/{owner}/{repo}.svg?logo=github&label=Stars)]"
            f"(https://github.com/{owner}/{repo})"
        )
    return lines


@st.composite
def _other(draw: st.DrawFn) -> list[str]:
    """A dataset entry (its kind's section reads it), prose with a link, or a title over two lines."""
    title, link, other = draw(_TITLE), draw(_LINK), draw(_LINK)
    return draw(st.sampled_from([
        [f"[V] {title} [[paper]]({link}) [[dataset]]({other})"],
        [f"{title} see [here]({link})"],
        [f"[V] {title}", f"{draw(_TITLE)} [[paper]]({link})"],
    ]))


@st.composite
def _list(draw: st.DrawFn) -> str:
    papers = draw(st.lists(st.one_of(_paper(), _other()), min_size=1, max_size=6))
    datasets = draw(st.lists(_other(), max_size=4))
    lines = ["## Papers", "", "### 2024", ""]
    for entry in papers:
        lines += [*entry, ""]
    lines += ["## Datasets", ""]
    for entry in datasets:
        lines += [*entry, ""]
    return "\n".join(lines)


_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_list())
def test_every_key_of_every_entry_leads_the_search_to_the_entry(text: str) -> None:
    """The search's answer holds a line of each entry that has the key (a necessary condition)."""
    doc = parsed(text)
    anchors = TextAnchors(doc.lines)
    found = [(entry, entry.identity()) for entry in found_kind_entries(doc, BUILTIN_KINDS)]
    for entry, keys in found:
        for key in keys:
            lines = anchors.candidate_lines([key])
            assert lines is None or any(entry.start <= line < entry.end for line in lines), (key, entry)


@_SETTINGS
@given(_list(), st.data())
def test_the_keys_of_several_entries_lead_the_search_to_each_of_them(text: str, data: st.DataObject) -> None:
    """Searched for at once (an anchor inside another searched for alone), the keys of some entries
    lead to a line of every entry holding one of them."""
    doc = parsed(text)
    found = [(entry, entry.identity()) for entry in found_kind_entries(doc, BUILTIN_KINDS)]
    every_key = sorted({key for _, keys in found for key in keys})
    keys = data.draw(st.frozensets(st.sampled_from(every_key), max_size=8)) if every_key else frozenset()
    lines = TextAnchors(doc.lines).candidate_lines(keys)
    for entry, held in found:
        assert lines is None or keys.isdisjoint(held) or any(entry.start <= line < entry.end for line in lines)


@_SETTINGS
@given(_list(), st.data())
def test_a_listing_reading_only_what_the_search_points_at_answers_as_the_full_reading(
    text: str, data: st.DataObject
) -> None:
    """Duplicates and similar titles are those of every entry read with its keys."""
    doc = parsed(text)
    extra = data.draw(st.frozensets(st.sampled_from(["title:a", "url:ex.org", "doi:10.1000/abc", "arxiv:x"])))
    entries = listed_kind_entries(doc, BUILTIN_KINDS)
    every_key = sorted({key for entry in entries for key in entry.keys})
    keys = extra | data.draw(st.frozensets(st.sampled_from(every_key), max_size=3)) if every_key else extra
    assert listing(doc, BUILTIN_KINDS).sharing(keys) == [entry for entry in entries if not keys.isdisjoint(entry.keys)]
    title = data.draw(_close_title([entry.title for entry in entries]))
    assert listing(doc, BUILTIN_KINDS).containing(title) == list(containing_titles(title, entries))


def _close_title(titles: list[str]) -> st.SearchStrategy[str]:
    """A title near a listed one: the same, with words around it, or some of its words."""
    listed = st.sampled_from(titles) if titles else _TITLE
    return st.one_of(
        listed,
        st.tuples(_TITLE, listed, _TITLE).map(" ".join),
        st.tuples(listed, st.integers(0, 3), st.integers(1, 4)).map(lambda t: " ".join(t[0].split()[t[1]:t[1] + t[2]])),
        _TITLE,
    )


@settings(max_examples=500)
@given(st.text())
def test_letters_are_the_ascii_letters_and_digits_lower_cased(text: str) -> None:
    """One `translate` lower-cases and drops: the same as doing each in turn."""
    expected = bytes(char for char in text.encode("ascii", "ignore").lower() if chr(char).isalnum())
    assert letters(text) == expected
    assert TextAnchors(text.split("\n"))._letters == expected.replace(b"\n", b"")


@settings(max_examples=500)
@given(st.lists(st.text(alphabet="ab-\u00e9 ", max_size=6), max_size=8), st.text(alphabet="ab", max_size=3))
def test_the_lines_an_anchor_starts_on_are_those_of_every_match(lines: list[str], anchor: str) -> None:
    """Every (overlapping) match of the anchor in the letters, mapped to the line it starts on."""
    anchors = TextAnchors(lines)
    joined = anchors._letters
    needle = anchor.encode()
    starts = [at for at in range(len(joined) + 1) if joined.startswith(needle, at)] if needle else []
    expected = {bisect.bisect_right(anchors._ends, at) for at in starts}
    assert anchors.lines_with(needle) == expected or not needle
