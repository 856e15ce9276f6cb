"""End to end: listbot fills in and checks submissions from the (fake) arXiv, Crossref and GitHub."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.emulator import GitHubEmulator
from bot.emulator.sources import SourcesServer
from bot.sources.gather import SourceSettings
from tests.deployment import Deployment, deployed

pytestmark = pytest.mark.e2e

R2GEN = "https://arxiv.org/abs/2010.16056"
R2GEN_TITLE = "Generating Radiology Reports via Memory-driven Transformer"
ONLY_THE_LINK: dict[str, Any] = {"title": None, "authors": None, "venue": None, "date": None, "code_url": None}


@pytest.fixture
def listbot(github_emulator: GitHubEmulator, sources_server: SourcesServer) -> Iterator[Deployment]:
    """listbot on the GitHub emulator, asking the local fake sources (1 s timeout, no pacing)."""
    sources = SourceSettings(sources_server.arxiv_url, sources_server.crossref_url, sources_server.hf_url,
                             timeout=1.0, arxiv_interval=0)
    with deployed(github_emulator, sources=sources) as deployment:
        yield deployment


def status_text(listbot: Deployment, number: int) -> str:
    [status] = listbot.status_comments(number)
    return str(status.body)


def resync(listbot: Deployment) -> None:
    """The periodic resync, run now."""
    listbot.replicas[0].app.state.service.reconciler.resync_all()
    listbot.wait_idle()


def test_only_the_arxiv_link_gets_a_full_entry(listbot: Deployment) -> None:
    """An issue with only an arXiv link gets a PR whose entry has arXiv's title, authors and date, in 2020."""
    number = listbot.file_issue(**ONLY_THE_LINK, paper_url=R2GEN)
    pull = listbot.pull_for(number)
    assert pull.state == "open"
    assert pull.title == f"Add paper: {R2GEN_TITLE}"
    text = listbot.list_on(pull.head) or ""
    entry = f"**{R2GEN_TITLE}**\n*Z. Chen, Y. Song, et al.*\narXiv | 30 Oct 2020\n[paper]({R2GEN})\n"
    assert entry in text
    assert text.index("### 2020") < text.index(entry)
    assert "Filled in from arXiv: Title, Authors, Venue, Publication date." in status_text(listbot, number)


def test_a_wrong_title_gets_the_pull_request_and_a_note(listbot: Deployment) -> None:
    """A title arXiv disagrees with is kept in the PR, and the status comment gives arXiv's."""
    number = listbot.file_issue(title="Memory Transformers Write Reports", authors="Z. Chen, Y. Song, et al.",
                                date="2020-10-30", code_url=None, paper_url=R2GEN)
    assert listbot.pull_for(number).title == "Add paper: Memory Transformers Write Reports"
    assert f"arXiv says the title is “{R2GEN_TITLE}”." in status_text(listbot, number)


def test_a_nonexistent_arxiv_id_is_a_field_error(listbot: Deployment) -> None:
    """An arXiv id arXiv does not know gets a field error and no PR."""
    number = listbot.file_issue(code_url=None, paper_url="https://arxiv.org/abs/2010.99999")
    assert listbot.all_pulls() == []
    assert "arXiv has no paper `2010.99999`" in status_text(listbot, number)
    assert "needs-changes" in listbot.github.labels_of(listbot.repo, number)


def test_arxiv_down_waits_then_opens_the_pull_request(listbot: Deployment, sources_server: SourcesServer) -> None:
    """With arXiv down the issue is told listbot will retry; the next resync after arXiv answers opens the PR."""
    sources_server.mode["arxiv"] = "down"
    number = listbot.file_issue(**ONLY_THE_LINK, paper_url=R2GEN)
    assert listbot.all_pulls() == []
    waiting = status_text(listbot, number)
    assert "waiting for arXiv (HTTP 503)" in waiting
    assert "try again" in waiting
    assert "needs-changes" not in listbot.github.labels_of(listbot.repo, number)
    sources_server.mode["arxiv"] = "ok"
    resync(listbot)
    assert listbot.pull_for(number).title == f"Add paper: {R2GEN_TITLE}"


def test_arxiv_slow_with_every_field_given_opens_the_pull_request_with_a_note(
    listbot: Deployment, sources_server: SourcesServer
) -> None:
    """A slow arXiv does not hold up a complete submission: the PR opens and the note says the check did not run."""
    sources_server.mode["arxiv"] = "slow"
    number = listbot.file_issue(code_url=None, paper_url=R2GEN, title=R2GEN_TITLE)
    assert listbot.pull_for(number).state == "open"
    assert "I could not check the paper against arXiv (no answer within 1 s)." in status_text(listbot, number)


def test_a_renamed_repository_gets_its_new_name_in_the_badge(listbot: Deployment) -> None:
    """A code link to a repository's old name gets the badge of its new name."""
    listbot.github.create_repo("zhjohnchan", "R2Gen", {"README.md": "R2Gen\n"})
    listbot.github.rename_repo("zhjohnchan/R2Gen", "cuhksz-nlp/R2Gen")
    values: dict[str, Any] = {**ONLY_THE_LINK, "paper_url": R2GEN, "code_url": "https://github.com/zhjohnchan/R2Gen"}
    number = listbot.file_issue(**values)
    text = listbot.list_on(listbot.pull_for(number).head) or ""
    assert "(https://github.com/cuhksz-nlp/R2Gen)" in text
    assert "zhjohnchan" not in text
    assert "now lives at `cuhksz-nlp/R2Gen`" in status_text(listbot, number)


def test_a_missing_code_repository_is_a_field_error(listbot: Deployment) -> None:
    """A code link to a repository that does not exist gets a field error and no PR."""
    number = listbot.file_issue(paper_url=R2GEN, code_url="https://github.com/nobody/nothing")
    assert listbot.all_pulls() == []
    assert "GitHub has no public repository `nobody/nothing`" in status_text(listbot, number)


def test_the_journal_doi_of_a_listed_preprint_is_a_duplicate(listbot: Deployment) -> None:
    """A journal DOI whose arXiv preprint is already listed is a duplicate (Crossref's has-preprint)."""
    number = listbot.file_issue(**ONLY_THE_LINK, paper_url="https://doi.org/10.1016/j.artmed.2023.102633")
    assert listbot.all_pulls() == []
    assert "already listed" in status_text(listbot, number)
