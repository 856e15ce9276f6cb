"""Tests for writing submitted authors, venues, links and bodies the way the list writes them."""

from __future__ import annotations

import pytest

from bot.core.authors import house_authors
from bot.core.forms import parse_issue
from bot.core.kinds import DATASET
from bot.core.plan import BaseView, IssueView, Observed, plan_issue
from bot.core.proposal import propose
from bot.core.repo_config import parse_repo_config
from bot.core.rules import Rules
from bot.core.textrules import repair
from bot.core.urls import UrlError, read_link
from bot.core.venues import canonical_venue, table_for
from bot.core.writes import PostStatus, WriteBranch
from tests.factories import SEED, TODAY, issue_body, paper_form, paper_values
from tests.test_plan import first, observed, settle


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("Zhihong Chen, Yan Song, Tsung-Hui Chang, and Xiang Wan", "Z. Chen, Y. Song, et al."),
        ("Hong-Yu Zhou & Pranav Rajpurkar", "H.-Y. Zhou, P. Rajpurkar"),
        ("Zhihong Chen", "Z. Chen"),
        ("Zhihong Chen et al.", "Z. Chen, et al."),
        ("Chen Z, Song Y, Chang TH, Wan X.", "Z. Chen, Y. Song, et al."),
        ("Chen, Zhihong and Song, Yan", "Z. Chen, Y. Song"),
        ("Bustos, Aurelia; de la Iglesia-Vayá, Maria", "A. Bustos, M. de la Iglesia-Vayá"),
        ("Jeffrey De Fauw, Joseph R. Ledsam", "J. De Fauw, J. R. Ledsam"),
        ("Stanford AIMI Team", "Stanford AIMI Team"),
        ("A. Tao, B. Liu, et al.", "A. Tao, B. Liu, et al."),
        ("Mingjie Li1,2, Xiaodan Liang3*", "M. Li, X. Liang"),
    ],
)
def test_authors_are_written_in_house_style(typed: str, written: str) -> None:
    """People become initials and surname, two at most, then `et al.`; teams stay as written."""
    assert house_authors(typed) == written


@pytest.mark.parametrize(
    ("typed", "written", "year"),
    [
        ("Proc. of ACL-IJCNLP 2021", "ACL 2021", 2021),
        ("arxiv", "arXiv", None),
        ("arXiv preprint arXiv:2010.16056", "arXiv", None),
        ("Findings of EMNLP 2024", "Findings of EMNLP 2024", 2024),
        ("IEEE TMI 2023; 42(7): 1995-2006", "IEEE TMI 2023", 2023),
        ("MICCAI'23", "MICCAI 2023", 2023),
        ("SPIE Medical Imaging 2023", "SPIE Medical Imaging 2023", 2023),
    ],
)
def test_venues_take_their_canonical_name_and_year(typed: str, written: str, year: int | None) -> None:
    """Known venues take their name from the table; a year is never read from an id or pages."""
    venue = canonical_venue(typed)
    assert (venue.name, venue.year) == (written, year)


def test_a_repositorys_venues_override_the_table() -> None:
    """`venues:` in listbot.yml adds names and takes precedence, down to the entry in the PR."""
    config = parse_repo_config("venues:\n  Meta-Radiology: [Meta Radiol, Meta Radiology journal]\n", Rules())
    assert config.problems == []
    assert canonical_venue("Meta Radiol", table_for(config.rules.venues)).name == "Meta-Radiology"
    issue = IssueView(7, "[Paper]: x", issue_body(venue="Meta Radiol"), "open", frozenset({"submission"}))
    plan = plan_issue(Observed(issue, BaseView("main", "a" * 40, SEED)), paper_form(), config.rules, TODAY)
    [branch] = [write for write in plan.writes if isinstance(write, WriteBranch)]
    assert "\nMeta-Radiology | 15 Mar 2024\n" in branch.text


def test_a_bad_venue_override_is_named_and_the_rest_kept() -> None:
    """A venue name listbot could not write is refused by name; valid ones still apply."""
    config = parse_repo_config("venues:\n  'Bad*Name': [x]\n  AMI: [Art Intell Med]\n", Rules())
    assert len(config.problems) == 1
    assert "`venues.Bad*Name`" in config.problems[0]
    assert config.rules.venues == (("AMI", ("Art Intell Med",)),)


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("https://arxiv.org/pdf/2010.16056v2.pdf", "https://arxiv.org/abs/2010.16056"),
        ("http://arxiv.org/abs/2010.16056/", "https://arxiv.org/abs/2010.16056"),
        ("https://arxiv.org/abs/2010.16056.", "https://arxiv.org/abs/2010.16056"),
        ("[arXiv](https://arxiv.org/abs/2305.11490)", "https://arxiv.org/abs/2305.11490"),
        ("10.1016/j.media.2023.102798", "https://doi.org/10.1016/j.media.2023.102798"),
        ("https://huggingface.co/papers/2401.12208", "https://arxiv.org/abs/2401.12208"),
        ("http://github.com/zhjohnchan/R2Gen", "https://github.com/zhjohnchan/R2Gen"),
        ("N/A", None),
        ("TBD", None),
        ("-", None),
    ],
)
def test_links_are_written_as_a_maintainer_would(typed: str, written: str | None) -> None:
    """arXiv abs pages, https, the address in a Markdown link, DOI links; `N/A` means none."""
    assert read_link(typed).url == written


def test_a_broken_link_never_shows_a_library_message() -> None:
    """A link the URL parser chokes on gets listbot's own words and what to paste."""
    with pytest.raises(UrlError, match="paste only the address") as caught:
        read_link("https://[arxiv.org/abs/2306.11345")
    assert "IPv6" not in str(caught.value)


def test_a_bom_and_heading_case_do_not_matter() -> None:
    """A body starting with a BOM and with lower-case headings parses like GitHub's own."""
    body = "\ufeff" + issue_body().replace("### Paper link", "### paper LINK")
    assert parse_issue(body, paper_form()).values == parse_issue(issue_body(), paper_form()).values


def test_an_unknown_heading_is_not_glued_onto_the_field_before_it() -> None:
    """Text under `### Additional context` after an empty model link is a warning, not a bad link."""
    body = issue_body(model_url=None) + "\n\n### Additional context\n\nThe weights come later."
    parsed = parse_issue(body, paper_form())
    assert "model_url" not in parsed.values
    proposal = propose(parsed.values, SEED, today=TODAY, strays=parsed.strays)
    [warning] = proposal.warnings
    assert warning == "the section `### Additional context` is not part of the form, so I ignored it and its text"


def test_a_venue_year_picks_the_section_over_the_arxiv_date() -> None:
    """`AAAI 2024` with its arXiv date 2023-08-24 is written `AAAI 2024` in `### 2024`."""
    proposal = propose(paper_values(venue="AAAI 2024", date="2023-08-24"), SEED, today=TODAY)
    assert proposal.entry[2] == "AAAI 2024"
    assert proposal.paper.year == 2024
    assert [change.field for change in proposal.changes] == ["date"]


def test_a_dataset_is_written_with_the_same_link_and_text_rules() -> None:
    """A dataset's pasted Markdown link, `_` and `~` are written as for a paper, and listed as changes."""
    values = {
        "title": "_PadChest_: ~160k chest x-rays with reports",
        "venue": "Medical Image Analysis",
        "paper_url": "[arXiv](https://arxiv.org/pdf/1901.07441v2)",
        "dataset_url": "https://bimcv.cipf.es/bimcv-projects/padchest/",
    }
    proposal = propose(values, SEED, today=TODAY, kind=DATASET)
    assert proposal.entry == [
        "[Medical Image Analysis] \\_PadChest\\_: \\~160k chest x-rays with reports "
        "[[paper]](https://arxiv.org/abs/1901.07441) [[dataset]](https://bimcv.cipf.es/bimcv-projects/padchest/)"
    ]
    assert [change.field for change in proposal.changes] == ["paper_url"]


def test_the_status_comment_lists_what_listbot_changed() -> None:
    """The status comment a new submission gets names each change, with the value written."""
    writes, _ = settle(observed(
        authors="Zhihong Chen, Yan Song, Tsung-Hui Chang, and Xiang Wan", venue="AAAI 2024", date="2023-08-24",
        paper_url="https://arxiv.org/pdf/2308.12604v2.pdf", model_url="N/A",
    ))
    status = first(writes, PostStatus)
    assert status is not None
    assert "I wrote the authors as `Z. Chen, Y. Song, et al.`" in status.body
    assert "I left out the publication date: the venue `AAAI 2024` names its year" in status.body
    assert "I wrote the paper link as `https://arxiv.org/abs/2308.12604`" in status.body
    assert "I left out the model link: `N/A` means there is no link." in status.body


def test_real_text_that_looks_mis_decoded_is_kept_as_typed() -> None:
    """Text whose "repair" would yield an overlay character (`Ģµ` read as cp1257 mojibake) is kept as typed."""
    assert repair("Ģµ 0").text == "Ģμ 0"  # NFKC still writes the micro sign as mu
    assert repair("FranÃ§ois").text == "François"
