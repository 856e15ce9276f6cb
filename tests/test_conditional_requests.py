"""Conditional GETs: an unchanged resource costs a 304 (not counted against the rate limit), a
changed one is read in full, and the stored answers stay within their bound."""

from __future__ import annotations

from bot.emulator import GitHubEmulator
from bot.gateway.app import ClientOptions, GitHubApp
from bot.gateway.etags import EtagCache, Stored
from bot.gateway.reading import RepoReader
from tests.deployment import CONTRIBUTOR, REPO, prepare_repository
from tests.factories import SEED


def connected(github: GitHubEmulator) -> tuple[GitHubApp, RepoReader]:
    """The app installed on the repository, and a reader of the repository through it."""
    app_id, key, _ = prepare_repository(github, SEED)
    app = GitHubApp(app_id, key, ClientOptions(base_url=github.url, request_pause=0, write_pause=0))
    [(installation, _)] = app.installations()
    return app, RepoReader(app.client(installation), REPO)


def reader_for(github: GitHubEmulator) -> RepoReader:
    return connected(github)[1]


def statuses(github: GitHubEmulator, path: str) -> list[int]:
    return [r.status for r in github.requests.filter("GET", path)]


def test_an_unchanged_issue_costs_a_304_and_a_changed_one_is_read_in_full(github_emulator: GitHubEmulator) -> None:
    github = github_emulator
    app, reader = connected(github)
    number = github.create_issue(REPO, CONTRIBUTOR, "[Paper]: first", "the body", ["submission"])
    github.add_comment(REPO, number, CONTRIBUTOR, "a comment")
    first = reader.issue(number)
    pulls = reader.open_pulls()
    before = app.memory.rate_budget()

    github.reset_requests()
    assert reader.issue(number) == first
    assert reader.open_pulls() == pulls
    assert statuses(github, rf"/issues/{number}(/comments)?$") == [304, 304]
    assert statuses(github, r"/pulls$") == [304]
    after = app.memory.rate_budget()
    assert before is not None
    assert after is not None
    assert after.remaining == before.remaining  # 304s are not counted

    github.edit_issue(REPO, number, body="the body, edited")
    github.add_comment(REPO, number, CONTRIBUTOR, "another comment")
    github.reset_requests()
    issue, comments = reader.issue(number)
    assert issue.body == "the body, edited"
    assert [c.body for c in comments] == ["a comment", "another comment"]
    assert statuses(github, rf"/issues/{number}(/comments)?$") == [200, 200]


def test_stored_answers_stay_within_their_bound() -> None:
    cache = EtagCache(max_bytes=10_000)
    for n in range(100):
        cache.put((f"https://api.example/{n}", ""), Stored(f'"{n}"', {}, "x" * 1000))
    assert cache.held_bytes <= 10_000
    assert cache.get(("https://api.example/99", "")) is not None  # the most recent are kept
    assert cache.get(("https://api.example/0", "")) is None
    cache.put(("https://api.example/big", ""), Stored('"big"', {}, "x" * 20_000))
    assert cache.get(("https://api.example/big", "")) is None


def test_the_bound_counts_each_answer_s_headers_and_url_too() -> None:
    """An empty list's body is 2 characters, its headers a couple of thousand: counted by the body
    alone, 100,000 issues without comments would hold hundreds of MB within a '32 MB' bound."""
    headers = {f"X-Header-{n}": "v" * 60 for n in range(30)}  # about what GitHub sends with a 200
    cache = EtagCache(max_bytes=20_000)
    for n in range(100):
        key = (f"https://api.example/repos/o/r/issues/{n}/comments", "application/json")
        cache.put(key, Stored('"e"', headers, "[]"))
    held = sum(len(k) + len(v) for k, v in headers.items())
    assert len(cache) <= 20_000 // held
    assert cache.held_bytes <= 20_000
