"""`listbot preview|apply` ask the sources (the local fake arXiv, Crossref and Hub), unless `--no-fetch`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.emulator.sources import SourcesServer
from tests.factories import SEED_PATH, issue_body

ONLY_THE_LINK = {"title": None, "authors": None, "venue": None, "date": None, "code_url": None}


@pytest.fixture
def workspace(tmp_path: Path, sources_server: SourcesServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seed list, with listbot pointed at the local sources."""
    (tmp_path / "list.md").write_bytes(SEED_PATH.read_bytes())
    for name, value in {**sources_server.env(), "LISTBOT_ARXIV_INTERVAL": "0", "LISTBOT_SOURCES_TIMEOUT": "1"}.items():
        monkeypatch.setenv(name, value)
    return tmp_path


def run(workspace: Path, command: str, *extra: str, **values: object) -> int:
    (workspace / "body.md").write_text(issue_body(**values), encoding="utf-8")
    return main([command, str(workspace / "body.md"), "--list", str(workspace / "list.md"), *extra])


def test_apply_fills_an_entry_from_only_an_arxiv_link(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An arXiv link alone becomes a full entry in house style, in a new 2020 section, and says what it filled."""
    assert run(workspace, "apply", **ONLY_THE_LINK, paper_url="https://arxiv.org/abs/2010.16056") == 0
    text = (workspace / "list.md").read_text(encoding="utf-8")
    entry = (
        "**Generating Radiology Reports via Memory-driven Transformer**\n*Z. Chen, Y. Song, et al.*\n"
        "arXiv | 30 Oct 2020\n[paper](https://arxiv.org/abs/2010.16056)\n"
    )
    assert entry in text
    assert text.index("### 2020") < text.index(entry)
    assert "Filled in from arXiv: Title, Authors, Venue, Publication date." in capsys.readouterr().err


def test_preview_reports_a_title_arxiv_disagrees_with(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A title that differs from arXiv's is kept, and arXiv's is reported."""
    code = run(workspace, "preview", title="Memory Transformers Write Reports", authors="Z. Chen, Y. Song, et al.",
               date="2020-10-30", code_url=None, paper_url="https://arxiv.org/abs/2010.16056")
    captured = capsys.readouterr()
    assert code == 0
    assert "+**Memory Transformers Write Reports**" in captured.out
    assert "arXiv says the title is “Generating Radiology Reports via Memory-driven Transformer”." in captured.err


def test_a_nonexistent_arxiv_id_is_refused(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An arXiv id that arXiv does not know is a problem with the paper link; nothing is written."""
    assert run(workspace, "apply", paper_url="https://arxiv.org/abs/2010.99999", code_url=None) == 1
    assert "arXiv has no paper `2010.99999`" in capsys.readouterr().err
    assert (workspace / "list.md").read_bytes() == SEED_PATH.read_bytes()


def test_a_journal_doi_of_a_listed_preprint_is_a_duplicate(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The journal DOI of a paper listed by its arXiv preprint is a duplicate (Crossref's has-preprint)."""
    code = run(workspace, "preview", **ONLY_THE_LINK, paper_url="https://doi.org/10.1016/j.artmed.2023.102633")
    assert code == 1
    assert "already listed" in capsys.readouterr().err


def test_arxiv_down_with_empty_fields_says_so(
    workspace: Path, sources_server: SourcesServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """With arXiv down and fields left for it to fill, nothing is written and the message says why."""
    sources_server.mode["arxiv"] = "down"
    assert run(workspace, "apply", **ONLY_THE_LINK, paper_url="https://arxiv.org/abs/2010.16056") == 1
    assert "arXiv (HTTP 503) did not answer" in capsys.readouterr().err
    assert (workspace / "list.md").read_bytes() == SEED_PATH.read_bytes()


def test_no_fetch_asks_no_source(
    workspace: Path, sources_server: SourcesServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--no-fetch` sends no request: empty fields are then simply required."""
    assert run(workspace, "preview", "--no-fetch", **ONLY_THE_LINK, paper_url="https://arxiv.org/abs/2010.16056") == 1
    assert "Title: is required" in capsys.readouterr().err
    assert sources_server.count() == 0
