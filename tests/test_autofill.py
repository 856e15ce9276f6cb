"""Autofill and verification of a paper submission from looked-up facts (pure core)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bot.core.autofill import author_from_name, authors_text, autofill
from bot.core.lookups import (
    ARXIV,
    CROSSREF,
    GITHUB,
    HUGGING_FACE,
    Author,
    Facts,
    Lookup,
    PaperFacts,
    RepoFacts,
    Status,
    huggingface_model,
    wanted,
)

TODAY = dt.date(2026, 1, 1)
R2GEN = PaperFacts(
    "Generating Radiology Reports via Memory-driven Transformer",
    (Author("Zhihong", "Chen"), Author("Yan", "Song"), Author("Tsung-Hui", "Chang"), Author("Xiang", "Wan")),
    2020, 10, 30, related=frozenset({"doi:10.18653/v1/2020.emnlp-main.112"}),
)
WARM = PaperFacts(
    "Improving chest X-ray report generation by leveraging warm starting",
    (Author("Aaron", "Nicolson"), Author("Jason", "Dowling"), Author("Bevan", "Koopman")),
    2023, 10, journal="Artificial Intelligence in Medicine", related=frozenset({"arxiv:2201.09405"}),
)
ARXIV_LINK = {"paper_url": "https://arxiv.org/abs/2010.16056"}


def found(facts: PaperFacts, source: str = ARXIV, ident: str = "2010.16056") -> Facts:
    return Facts(paper=Lookup(source, ident, Status.FOUND, facts))


def test_empty_fields_are_filled_from_arxiv_in_house_style() -> None:
    """Title, authors, venue and date left empty are filled from arXiv: short authors, venue arXiv."""
    checked = autofill(ARXIV_LINK, found(R2GEN), TODAY)
    assert checked.values["title"] == R2GEN.title
    assert checked.values["authors"] == "Z. Chen, Y. Song, et al."
    assert checked.values["venue"] == "arXiv"
    assert checked.values["date"] == "2020-10-30"
    assert checked.filled == ("title", "authors", "venue", "date")
    assert checked.notes == ("Filled in from arXiv: Title, Authors, Venue, Publication date.",)
    assert not checked.problems
    assert checked.related_keys == {"doi:10.18653/v1/2020.emnlp-main.112"}


def test_crossref_venue_is_the_journal_and_a_conference_venue_wins() -> None:
    """A DOI's venue defaults to the journal; a venue naming its year is kept and no date is added."""
    doi = found(WARM, CROSSREF, "10.1016/j.artmed.2023.102633")
    assert autofill({}, doi, TODAY).values["venue"] == "Artificial Intelligence in Medicine"
    assert autofill({}, doi, TODAY).values["date"] == "2023-10"
    checked = autofill({"venue": "AMI 2023"}, doi, TODAY)
    assert checked.values["venue"] == "AMI 2023"
    assert "date" not in checked.values


def test_a_different_title_or_year_is_a_note() -> None:
    """A title or year that differs from the source is reported, and the submitter's text is kept."""
    given_values = {**ARXIV_LINK, "title": "Memory Transformers for Reports", "authors": "Z. Chen", "venue": "arXiv",
                    "date": "2021-01-05"}
    checked = autofill(given_values, found(R2GEN), TODAY)
    assert checked.values["title"] == "Memory Transformers for Reports"
    assert checked.notes == (
        "arXiv says the title is “Generating Radiology Reports via Memory-driven Transformer”.",
        "arXiv says the paper is from 2020, not 2021.",
    )


def test_title_differing_only_in_case_and_punctuation_is_no_note() -> None:
    """Case, accents and punctuation do not count as a different title."""
    values = {**ARXIV_LINK, "title": "generating radiology reports via memory driven transformer",
              "authors": "Z. Chen", "venue": "arXiv", "date": "2020-10-30"}
    checked = autofill(values, found(R2GEN), TODAY)
    assert not checked.notes


def test_missing_paper_is_a_field_problem() -> None:
    """An arXiv id or DOI that does not exist is a problem with the paper link."""
    missing = autofill(ARXIV_LINK, Facts(paper=Lookup(ARXIV, "2010.99999", Status.MISSING)), TODAY)
    assert [p.field for p in missing.problems] == ["paper_url"]
    assert "arXiv has no paper `2010.99999`" in missing.problems[0].message
    doi = autofill({}, Facts(paper=Lookup(CROSSREF, "10.1/x", Status.MISSING)), TODAY)
    assert "`10.1/x` does not exist" in doi.problems[0].message


def test_unavailable_source_with_empty_fields_waits() -> None:
    """With the source down and fields left empty, the submission waits for exactly those fields."""
    down = Facts(paper=Lookup(ARXIV, "2010.16056", Status.UNAVAILABLE, detail="HTTP 503"))
    checked = autofill({**ARXIV_LINK, "venue": "arXiv"}, down, TODAY)
    assert checked.waiting_for == ("Title", "Authors", "Publication date")
    assert checked.waiting_on == "arXiv (HTTP 503)"


def test_unavailable_source_with_every_field_given_is_a_note() -> None:
    """With the source down but every field given, the submission goes ahead with a note."""
    down = Facts(paper=Lookup(ARXIV, "2010.16056", Status.UNAVAILABLE, detail="HTTP 503"))
    values = {**ARXIV_LINK, "title": "T", "authors": "A. B", "venue": "arXiv", "date": "2020-10"}
    checked = autofill(values, down, TODAY)
    assert not checked.waiting_for
    assert checked.notes == ("I could not check the paper against arXiv (HTTP 503).",)
    assert checked.retry


def test_renamed_repository_gets_its_new_name_and_a_missing_one_is_a_problem() -> None:
    """A renamed or re-cased repository is written as GitHub names it now; a missing one is a problem."""
    moved = Facts(repo=Lookup(GITHUB, "zhjohnchan/R2Gen", Status.FOUND, RepoFacts("cuhksz-nlp/R2Gen", archived=True)))
    checked = autofill({"code_url": "https://github.com/zhjohnchan/R2Gen"}, moved, TODAY)
    assert checked.values["code_url"] == "https://github.com/cuhksz-nlp/R2Gen"
    assert any("now lives at `cuhksz-nlp/R2Gen`" in note for note in checked.notes)
    assert any("archived" in note for note in checked.notes)
    recased = Facts(repo=Lookup(GITHUB, "aehrc/CvT2DistilGPT2", Status.FOUND, RepoFacts("aehrc/cvt2distilgpt2")))
    checked = autofill({"code_url": "https://github.com/aehrc/CvT2DistilGPT2"}, recased, TODAY)
    assert checked.values["code_url"] == "https://github.com/aehrc/cvt2distilgpt2"
    assert not checked.notes
    gone = autofill({}, Facts(repo=Lookup(GITHUB, "nobody/nothing", Status.MISSING)), TODAY)
    assert [p.field for p in gone.problems] == ["code_url"]


def test_missing_model_is_a_problem() -> None:
    """A model link to a model the Hub does not have is a problem with the model link."""
    gone = autofill({}, Facts(model=Lookup(HUGGING_FACE, "microsoft/maira-9", Status.MISSING)), TODAY)
    assert [p.field for p in gone.problems] == ["model_url"]


def test_wanted_reads_identifiers_from_links() -> None:
    """The paper link's arXiv id or DOI, the code link's repository and the model link's id are wanted."""
    found_ids = wanted({
        "paper_url": "https://doi.org/10.1016/j.artmed.2023.102633", "code_url": "https://github.com/aehrc/cvt2distilgpt2",
        "model_url": "https://huggingface.co/aehrc/cxrmate",
    })
    assert (found_ids.arxiv, found_ids.doi) == (None, "10.1016/j.artmed.2023.102633")
    assert (found_ids.repo, found_ids.model) == ("aehrc/cvt2distilgpt2", "aehrc/cxrmate")
    assert wanted({"paper_url": "https://arxiv.org/pdf/2010.16056v2"}).arxiv == "2010.16056"
    assert wanted({"paper_url": "https://doi.org/10.48550/arXiv.2010.16056"}).arxiv == "2010.16056"
    assert wanted({"code_url": "https://github.com/settings"}).empty
    assert huggingface_model("https://huggingface.co/datasets/x/y") is None


def test_names_split_with_particles() -> None:
    """Full names split into given names and a surname that keeps its particles."""
    assert author_from_name("Daniel C. Castro") == Author("Daniel C.", "Castro")
    assert author_from_name("Maria van der Berg") == Author("Maria", "van der Berg")
    assert author_from_name("Microsoft") == Author("", "Microsoft")
    assert authors_text([Author("Tsung-Hui", "Chang")]) == "T.-H. Chang"
    assert authors_text([Author("Juan Manuel", "Zambrano Chaves"), Author("Daniel C.", "Castro")]) == (
        "J. M. Zambrano Chaves, D. C. Castro"
    )


@given(st.lists(st.tuples(st.text("abcdefgh", min_size=1, max_size=6), st.text("xyz", min_size=1, max_size=6)),
                min_size=1, max_size=8))
def test_authors_name_at_most_two(names: list[tuple[str, str]]) -> None:
    """House-style authors name the first two people and say `et al.` exactly when there are more."""
    text = authors_text([Author(given.capitalize(), family.capitalize()) for given, family in names])
    assert text.endswith("et al.") == (len(names) > 2)
    assert text.count(",") == min(len(names), 3) - 1
