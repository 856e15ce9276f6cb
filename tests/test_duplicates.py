"""Tests for duplicate detection against the list and against other open submissions."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.document import ListDocument
from bot.core.duplicates import entry_keys, fold_title, listed_entries
from bot.core.entry import BADGE_PATTERN, LINK_LINE, paper_links
from bot.core.proposal import propose
from bot.core.submission import SubmissionError
from bot.core.urls import _read, _read_keys, _split, arxiv_id, doi, identity_keys, normalised_url
from tests.factories import SEED, TODAY, paper_values


def refusal(**overrides: Any) -> dict[str, str]:
    """Per-field messages when the paper is refused."""
    with pytest.raises(SubmissionError) as caught:
        propose(paper_values(**overrides), SEED, today=TODAY)
    return {problem.field: problem.message for problem in caught.value.problems}


@pytest.mark.parametrize(
    "url",
    [
        "https://arxiv.org/abs/2401.12208",
        "http://arxiv.org/abs/2401.12208v3",
        "https://arxiv.org/pdf/2401.12208",
        "https://arxiv.org/pdf/2401.12208v2.pdf",
        "https://www.arxiv.org/abs/2401.12208/",
        "https://export.arxiv.org/abs/2401.12208?context=cs",
    ],
)
def test_the_same_arxiv_paper_is_a_duplicate_in_any_url_form(url: str) -> None:
    """Any abs/pdf/version/scheme form of a listed arXiv id is refused, naming the entry."""
    message = refusal(paper_url=url)["paper_url"]
    assert "CheXagent: Towards a Foundation Model" in message
    assert "Papers › 2024" in message
    assert "the same arXiv paper" in message


def test_url_noise_does_not_hide_a_duplicate() -> None:
    """Case, trailing slash, fragment and tracking parameters do not make a link new."""
    url = "HTTPS://www.Nature.com/articles/s41591-024-03185-2/?utm_source=x#main"
    assert "BioMedGPT" in refusal(paper_url=url)["paper_url"]


def test_the_same_title_is_a_duplicate_after_folding() -> None:
    """A listed title with other case, punctuation and spacing is refused."""
    message = refusal(title="radfm  towards generalist foundation model for radiology!")["title"]
    assert "RadFM" in message
    assert "Papers › 2023" in message


def test_the_same_code_repository_is_a_duplicate() -> None:
    """A listed GitHub repository, in any case, is refused on the code field."""
    message = refusal(code_url="https://github.com/STANFORD-AIMI/chexagent")["code_url"]
    assert "the same code repository" in message


def test_dataset_links_count_too() -> None:
    """A paper whose link is already a dataset's paper link is refused, naming Datasets."""
    assert "Datasets" in refusal(paper_url="https://arxiv.org/abs/1901.07042")["paper_url"]


def test_open_submissions_count_as_listed() -> None:
    """A paper already proposed by another open submission is refused too."""
    other = propose(paper_values(), SEED, today=TODAY)
    proposed = list(listed_entries(ListDocument("## Open submissions\n\n" + "\n".join(other.entry))))
    with pytest.raises(SubmissionError, match="already listed"):
        propose(paper_values(title="Another title"), SEED, today=TODAY, also_listed=proposed)


def test_identity_helpers() -> None:
    """arXiv ids, DOIs, titles and URLs are folded to comparable keys."""
    assert arxiv_id("https://arxiv.org/pdf/2303.09117v2") == "2303.09117"
    assert arxiv_id("https://arxiv.org/abs/cs/0112017v1") == "cs/0112017"
    assert doi("https://doi.org/10.1038/S41597-019-0322-0") == "10.1038/s41597-019-0322-0"
    assert fold_title("Émile’s  TITLE: a test!") == fold_title("emiles title a test")
    assert normalised_url("https://A.org/x/?b=1&utm_medium=y&a=2") == "a.org/x?a=2&b=1"
    assert "repo:o/r" in entry_keys(None, [], ["https://github.com/O/R"])


def test_distinct_papers_are_not_duplicates() -> None:
    """A new paper with its own title, link and repository is accepted."""
    assert propose(paper_values(), SEED, today=TODAY).paper.title.startswith("RadRotator")


@pytest.mark.parametrize(
    ("url", "listed"),
    [
        ("https://doi.org/10.48550/arXiv.2401.12208", "CheXagent"),
        ("https://arxiv.org/abs/arXiv:2401.12208", "CheXagent"),
        ("https://arxiv.org/html/2401.12208v1/index.html", "CheXagent"),
        ("https://doi.org/10.1038/s41591-024-03185-2", "BioMedGPT"),
        ("https://dx.doi.org/10.1038%2Fs41591-024-03185-2", "BioMedGPT"),
    ],
)
def test_doi_and_arxiv_forms_of_a_listed_paper_are_duplicates(url: str, listed: str) -> None:
    """arXiv DOIs, `arXiv:` prefixes, html pages and publisher DOIs all find the listed paper."""
    assert listed in refusal(paper_url=url)["paper_url"]


def test_openreview_forum_and_pdf_links_are_the_same_paper() -> None:
    """An OpenReview pdf link duplicates the forum link of the same submission."""
    listed = propose(paper_values(paper_url="https://openreview.net/forum?id=AbC123"), SEED, today=TODAY).after
    with pytest.raises(SubmissionError, match="OpenReview"):
        propose(paper_values(title="Other", code_url=None, paper_url="https://openreview.net/pdf?id=AbC123"),
                listed, today=TODAY)


def _fold_by_character(title: str) -> str:
    """fold_title's rule spelt out one character at a time (its general path)."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    kept = "".join(
        ch if ch.isalnum() or ch.isspace() else ("" if ch in "'’`" else " ")
        for ch in decomposed if not unicodedata.combining(ch)
    )
    return " ".join(kept.split())


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_folding_an_ascii_title_follows_the_character_rule(title: str) -> None:
    """The one-translate reading of ASCII titles folds exactly as the per-character rule."""
    assert fold_title(title) == _fold_by_character(title)


@given(st.sampled_from(["http://", "https://", "HTTPS://", " https://"]),
       st.text(alphabet="abcXY019.-/_~%?#=&@: ", max_size=30))
def test_the_simple_link_reader_splits_as_urlsplit(scheme: str, rest: str) -> None:
    """Identity keys read simple links with one regex; whatever it reads, urlsplit reads the same."""
    url = scheme + rest
    assert tuple(_split(url)) == tuple(urlsplit(url))


@given(st.sampled_from(["http://", "https://", "HTTPS://", " https://", "https:"]),
       st.text(alphabet="abcXY019.-/_~%?#=&@:;, ", max_size=30))
def test_the_simple_link_reader_gives_the_host_and_address_urlsplit_gives(scheme: str, rest: str) -> None:
    """A simple link is its own host and address without query and fragment; any other is read by urlsplit."""
    url = scheme + rest
    parts = urlsplit(url)
    assert _read(url) == (parts, (parts.hostname or "").lower(), parts._replace(query="", fragment="").geturl())


_BLOCK_LINE = st.lists(
    st.sampled_from([
        "[paper](", "[model](", "[code](", "[![GitHub stars](https://img.shields.io/github/stars/", "o/r", ".svg",
        "?logo=github&label=Stars)](https://github.com/", ")", "](", "**", "*", " ", "x", "\u2028", "\x0b", "\t",
        "https://arxiv.org/abs/2401.12208", "/",
    ]),
    max_size=12,
).map("".join)


@given(st.lists(_BLOCK_LINE, max_size=5))
def test_a_blocks_links_and_badges_are_each_lines_in_turn(lines: list[str]) -> None:
    """`paper_links` searches the block once; it finds each line's links and badges, in order."""
    links = [url for line in lines for _, url in LINK_LINE.findall(line)]
    repos = [f"https://github.com/{b[3]}/{b[4]}" for line in lines for b in BADGE_PATTERN.finditer(line)]
    assert paper_links(lines) == (links, repos)


@given(st.from_regex(r"\d{4}\.\d{4,5}", fullmatch=True), st.sampled_from(["", "v2", "/", ".pdf", "?x=1", "#a", " "]),
       st.sampled_from(["https://arxiv.org/abs/", "http://arxiv.org/abs/", "https://arxiv.org/pdf/", "https://ArXiv.org/abs/"]))
def test_an_arxiv_page_link_has_the_keys_the_general_reading_gives(paper: str, tail: str, page: str) -> None:
    """The arXiv page link listbot writes is keyed at once; its keys are those the link's full reading gives."""
    url = page + paper + tail
    assert identity_keys(url) == _read_keys(url)


@pytest.mark.parametrize("url", ["https://[x/abs/2401.12208", "http://a]b/", " https://[::1/x "])
def test_a_link_urlsplit_refuses_is_the_same_link_as_its_own_text(url: str) -> None:
    assert identity_keys(url) == {f"url:{url.strip()}"}


def test_a_list_holding_a_link_urlsplit_refuses_still_takes_submissions() -> None:
    listed = SEED.replace("https://arxiv.org/abs/", "https://[x/abs/", 1)
    assert listed != SEED
    assert propose(paper_values(), listed, today=TODAY).paper.title.startswith("RadRotator")
