"""The source adapters against local servers that answer in arXiv's, Crossref's and the Hub's formats."""

from __future__ import annotations

import pytest

from bot.core.lookups import ARXIV, CROSSREF, Author, Lookup, PaperFacts, RepoFacts, Status, Wanted
from bot.core.repo_config import parse_repo_config
from bot.core.rules import Rules
from bot.emulator import GitHubEmulator
from bot.emulator.sources import SourcesServer
from bot.gateway.repos import public_client, repository_facts
from bot.sources.gather import SourceConfigError, Sources, SourceSettings
from bot.sources.memo import LookupCache, Pacer


def sources_for(server: SourcesServer, timeout: float = 0.5) -> Sources:
    return Sources(SourceSettings(server.arxiv_url, server.crossref_url, server.hf_url, timeout=timeout,
                                  arxiv_interval=0, contact_email="maintainers@example.org"))


def test_arxiv_entry_gives_title_authors_date_and_journal_doi(sources_server: SourcesServer) -> None:
    """An arXiv Atom entry becomes its title (unwrapped), authors, publication date and journal DOI."""
    paper = sources_for(sources_server).gather(Wanted(arxiv="2010.16056")).paper
    assert paper is not None
    assert paper.status is Status.FOUND
    assert paper.facts is not None
    facts = paper.facts
    assert facts.title == "Generating Radiology Reports via Memory-driven Transformer"
    assert facts.authors[:2] == (Author("Zhihong", "Chen"), Author("Yan", "Song"))
    assert (facts.year, facts.month, facts.day) == (2020, 10, 30)
    assert facts.related == {"doi:10.18653/v1/2020.emnlp-main.112"}


def test_arxiv_unknown_id_is_missing(sources_server: SourcesServer) -> None:
    """A well-formed arXiv id with no entry in the feed is a paper that does not exist."""
    paper = sources_for(sources_server).gather(Wanted(arxiv="2010.99999")).paper
    assert paper is not None
    assert paper.status is Status.MISSING


def test_arxiv_error_entry_is_missing(sources_server: SourcesServer) -> None:
    """arXiv's error entry for a malformed id (HTTP 400) means the paper does not exist."""
    paper = sources_for(sources_server).arxiv.lookup("2010.1605x")
    assert paper.status is Status.MISSING
    assert "incorrect id format" in paper.detail


def test_crossref_work_gives_journal_and_preprint(sources_server: SourcesServer) -> None:
    """A Crossref work gives the journal's name, the issued month and the arXiv preprint it relates to."""
    paper = sources_for(sources_server).gather(Wanted(doi="10.1016/j.artmed.2023.102633")).paper
    assert paper is not None
    assert paper.facts is not None
    assert paper.facts.journal == "Artificial Intelligence in Medicine"
    assert (paper.facts.year, paper.facts.month) == (2023, 10)
    assert paper.facts.related == {"arxiv:2201.09405"}
    assert any("mailto=maintainers@example.org" in path for _, path in sources_server.requests)


def test_crossref_unknown_doi_is_missing(sources_server: SourcesServer) -> None:
    """A DOI that Crossref does not know and no agency registered does not exist."""
    paper = sources_for(sources_server).gather(Wanted(doi="10.1016/j.nothing.2020.1")).paper
    assert paper is not None
    assert paper.status is Status.MISSING


def test_crossref_other_agency_doi_is_unknown(sources_server: SourcesServer) -> None:
    """A DataCite DOI is not Crossref's to judge: the lookup says so instead of calling it missing."""
    paper = sources_for(sources_server).gather(Wanted(doi="10.5281/zenodo.10046052")).paper
    assert paper is not None
    assert paper.status is Status.UNKNOWN
    assert "DataCite" in paper.detail


def test_huggingface_models_found_and_missing(sources_server: SourcesServer) -> None:
    """A model on the Hub is found; one the Hub answers 401 for does not exist."""
    sources = sources_for(sources_server)
    found = sources.gather(Wanted(model="Microsoft/MAIRA-2")).model
    missing = sources.gather(Wanted(model="microsoft/maira-9")).model
    assert found is not None
    assert found.facts is not None
    assert found.facts.id == "microsoft/maira-2"
    assert missing is not None
    assert missing.status is Status.MISSING


@pytest.mark.parametrize(
    ("mode", "detail"),
    [("down", "HTTP 503"), ("slow", "no answer within"), ("rate-limited", "rate-limited (HTTP 429"),
     ("malformed", "not")],
)
def test_a_failing_source_is_unavailable_never_an_error(sources_server: SourcesServer, mode: str, detail: str) -> None:
    """Every source that is down, slow, rate-limited or answers garbage gives an unavailable lookup."""
    sources_server.mode = dict.fromkeys(sources_server.mode, mode)
    facts = sources_for(sources_server, timeout=0.3).gather(
        Wanted(arxiv="2406.04449", model="microsoft/maira-2")
    )
    crossref = sources_for(sources_server, timeout=0.3).gather(Wanted(doi="10.1016/j.artmed.2023.102633")).paper
    for lookup in (facts.paper, facts.model, crossref):
        assert lookup is not None
        assert lookup.status is Status.UNAVAILABLE
        assert detail in lookup.detail


def test_unreachable_source_is_unavailable() -> None:
    """A source nobody listens for is unavailable, with the reason."""
    sources = Sources(SourceSettings("http://127.0.0.1:9/api/query", "http://127.0.0.1:9", "http://127.0.0.1:9",
                                     timeout=0.5, arxiv_interval=0))
    paper = sources.gather(Wanted(arxiv="2010.16056")).paper
    assert paper is not None
    assert paper.status is Status.UNAVAILABLE
    assert paper.detail


def test_answers_are_cached_by_identifier_but_failures_are_not(sources_server: SourcesServer) -> None:
    """Asking twice about one paper sends one request; an unavailable answer is asked again next time."""
    sources = sources_for(sources_server)
    sources.gather(Wanted(arxiv="2010.16056"))
    sources.gather(Wanted(arxiv="2010.16056"))
    assert sources_server.count("arxiv") == 1
    sources_server.mode["crossref"] = "down"
    sources.gather(Wanted(doi="10.1016/j.artmed.2023.102633"))
    sources_server.mode["crossref"] = "ok"
    paper = sources.gather(Wanted(doi="10.1016/j.artmed.2023.102633")).paper
    assert paper is not None
    assert paper.status is Status.FOUND
    assert sources.stats.requests == 3
    assert sources.stats.cached == 1


def test_pacer_spaces_requests() -> None:
    """The pacer lets one request through per interval and makes the next caller wait the rest."""
    now = [100.0]
    slept: list[float] = []
    pacer = Pacer(3.0, clock=lambda: now[0], sleep=slept.append)
    pacer.wait()
    now[0] += 1.0
    pacer.wait()
    pacer.wait()
    assert slept == [2.0, 5.0]


def test_cache_expires() -> None:
    """A cached answer is forgotten after its time to live."""
    now = [0.0]
    cache: LookupCache[PaperFacts] = LookupCache(10.0, clock=lambda: now[0])
    cache.put("arxiv:1", Lookup(ARXIV, "1", Status.MISSING))
    assert cache.get("arxiv:1") is not None
    now[0] = 11.0
    assert cache.get("arxiv:1") is None
    cache.put("doi:x", Lookup(CROSSREF, "x", Status.UNAVAILABLE))
    assert cache.get("doi:x") is None


def test_settings_from_environment() -> None:
    """The base URLs, timeout, arXiv interval and contact address come from LISTBOT_* variables."""
    settings = SourceSettings.from_env({
        "LISTBOT_ARXIV_API_URL": "http://arxiv.internal/api/query", "LISTBOT_CROSSREF_API_URL": "http://cr.internal/",
        "LISTBOT_HF_API_URL": "http://hf.internal", "LISTBOT_SOURCES_TIMEOUT": "2.5",
        "LISTBOT_CONTACT_EMAIL": "list@example.org",
    })
    assert settings.crossref_url == "http://cr.internal"
    assert settings.timeout == 2.5
    assert settings.contact_email == "list@example.org"
    assert settings.arxiv_interval == 3.0
    assert SourceSettings.from_env({}) == SourceSettings()


@pytest.mark.parametrize(
    ("name", "value"),
    [("LISTBOT_ARXIV_API_URL", "ftp://x"), ("LISTBOT_SOURCES_TIMEOUT", "soon"), ("LISTBOT_CONTACT_EMAIL", "nobody")],
)
def test_bad_settings_name_the_variable(name: str, value: str) -> None:
    """A bad source variable is refused with its name and an example."""
    with pytest.raises(SourceConfigError, match=name):
        SourceSettings.from_env({name: value})


def test_repository_facts_through_the_installation_token(github_emulator: GitHubEmulator) -> None:
    """Through the bot's installation client a public repository is found by its canonical name,
    a renamed one at its new name (GitHub's 301), an archived one as archived, and a missing one missing."""
    github_emulator.register_app(app_id=1, slug="listbot")
    github_emulator.create_repo("octo", "list", {"list/README.md": "# List\n"})
    github_emulator.create_repo("zhjohnchan", "R2Gen", {"README.md": "R2Gen\n"})
    github_emulator.rename_repo("zhjohnchan/R2Gen", "cuhksz-nlp/R2Gen")
    github_emulator.create_repo("aehrc", "cvt2distilgpt2", {"README.md": "x\n"})
    github_emulator.archive_repo("aehrc/cvt2distilgpt2")
    github_emulator.create_repo("secret", "code", {"README.md": "x\n"}, private=True)
    installation = github_emulator.install("octo", ["list"])
    client = public_client(github_emulator.url, github_emulator.installation_token(installation))

    moved = repository_facts(client, "zhjohnchan/r2gen")
    assert moved.facts == RepoFacts("cuhksz-nlp/R2Gen", archived=False)
    archived = repository_facts(client, "AEHRC/CvT2DistilGPT2")
    assert archived.facts == RepoFacts("aehrc/cvt2distilgpt2", archived=True)
    assert repository_facts(client, "nobody/nothing").status is Status.MISSING
    assert repository_facts(client, "secret/code").status is Status.MISSING


def test_deployment_may_turn_sources_off(sources_server: SourcesServer) -> None:
    """`LISTBOT_SOURCES` limits the sources a deployment asks, whatever a repository allows."""
    env = {**sources_server.env(), "LISTBOT_SOURCES": "crossref", "LISTBOT_ARXIV_INTERVAL": "0"}
    settings = SourceSettings.from_env(env)
    facts = Sources(settings).gather(Wanted(arxiv="2010.16056", model="microsoft/maira-2"))
    assert facts.paper is None
    assert facts.model is None
    assert sources_server.count() == 0
    assert SourceSettings.from_env({"LISTBOT_SOURCES": "none"}).enabled == frozenset()
    with pytest.raises(SourceConfigError, match="gitlab"):
        SourceSettings.from_env({"LISTBOT_SOURCES": "arxiv,gitlab"})


def test_repository_turns_a_source_off() -> None:
    """`sources: {crossref: false}` in `.github/listbot.yml` leaves the other sources on."""
    result = parse_repo_config("sources:\n  crossref: false\n", Rules())
    assert result.rules.enabled_sources == {"arxiv", "github", "huggingface"}
    assert not result.problems
