"""The rate-limit window GitHub reports is remembered, and running low is said at WARNING once."""

from __future__ import annotations

import time

import pytest

from bot.emulator import GitHubEmulator
from bot.gateway.app import ClientOptions, GitHubApp
from bot.gateway.transport import ServerMemory
from tests.deployment import prepare_repository

URL = "http://budget.example:8080/repos/a/b/issues"


def headers(remaining: int, reset: int) -> dict[str, str]:
    return {"X-RateLimit-Remaining": str(remaining), "X-RateLimit-Limit": "5000",
            "X-RateLimit-Reset": str(reset), "X-RateLimit-Resource": "core"}


def test_a_low_rate_limit_is_remembered_and_warned_about_once_per_window(caplog: pytest.LogCaptureFixture) -> None:
    """Below a tenth of the window left, one WARNING per window; the last figures are kept."""
    reset = int(time.time()) + 600
    memory = ServerMemory("http://budget.example:8080")
    with caplog.at_level("WARNING", logger="listbot.github"):
        memory.note_budget(URL, headers(4000, reset))
        memory.note_budget(URL, headers(400, reset))
        memory.note_budget(URL, headers(399, reset))
        memory.note_budget(URL, headers(100, reset + 3600))
        memory.note_budget(URL, {"X-RateLimit-Remaining": "1", "X-RateLimit-Resource": "search"})
    warnings = [r for r in caplog.records if r.getMessage() == "GitHub rate limit running low"]
    assert len(warnings) == 2
    budget = memory.rate_budget()
    assert budget is not None
    assert (budget.remaining, budget.limit, budget.reset) == (100, 5000, reset + 3600)


def test_two_apps_in_one_process_each_see_only_their_own_github_s_window() -> None:
    """Two apps against two GitHubs with different windows each remember only their own GitHub's."""
    with GitHubEmulator(rate_limit=5000) as big, GitHubEmulator(rate_limit=60) as small:
        apps = []
        for github in (big, small):
            app_id, key, _ = prepare_repository(github)
            app = GitHubApp(app_id, key, ClientOptions(base_url=github.url, request_pause=0, write_pause=0))
            app.installations()
            apps.append(app)
    limits = [budget.limit if (budget := app.memory.rate_budget()) else None for app in apps]
    assert limits == [5000, 60]


def test_answers_from_another_server_are_not_remembered() -> None:
    """A window reported by another host or port than the connection's GitHub is not its own."""
    memory = ServerMemory("http://budget.example:8080")
    memory.note_budget("http://budget.example:9090/repos/a/b", headers(10, int(time.time()) + 600))
    memory.note_answer("http://elsewhere.example:8080/repos/a/b", 200, headers(10, int(time.time()) + 600))
    assert (memory.rate_budget(), memory.last_success()) == (None, None)
