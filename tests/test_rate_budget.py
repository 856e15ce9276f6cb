"""The rate-limit window GitHub reports is remembered, and running low is said at WARNING once."""

from __future__ import annotations

import time

import pytest

from bot.gateway.transport import _note_budget, rate_budget

URL = "http://budget.example:8080/repos/a/b/issues"


def headers(remaining: int, reset: int) -> dict[str, str]:
    return {"X-RateLimit-Remaining": str(remaining), "X-RateLimit-Limit": "5000",
            "X-RateLimit-Reset": str(reset), "X-RateLimit-Resource": "core"}


def test_a_low_rate_limit_is_remembered_and_warned_about_once_per_window(caplog: pytest.LogCaptureFixture) -> None:
    """Below a tenth of the window left, one WARNING per window; the last figures are kept."""
    reset = int(time.time()) + 600
    with caplog.at_level("WARNING", logger="listbot.github"):
        _note_budget(URL, headers(4000, reset))
        _note_budget(URL, headers(400, reset))
        _note_budget(URL, headers(399, reset))
        _note_budget(URL, headers(100, reset + 3600))
        _note_budget(URL, {"X-RateLimit-Remaining": "1", "X-RateLimit-Resource": "search"})
    warnings = [r for r in caplog.records if r.getMessage() == "GitHub rate limit running low"]
    assert len(warnings) == 2
    budget = rate_budget("http://budget.example:8080")
    assert budget is not None
    assert (budget.remaining, budget.limit, budget.reset) == (100, 5000, reset + 3600)
