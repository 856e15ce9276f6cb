"""Tests for which GitHub faults are retried, and after how long."""

from __future__ import annotations

import requests
from github import GithubException

from bot.gateway.errors import GitHubError, RateLimited, translate
from bot.gateway.retry import RetryPolicy, rate_limit_wait, retry_delay

POLICY = RetryPolicy(attempts=4, base_delay=1.0, max_delay=5.0, secondary_wait=60.0)


def error(status: int, message: str = "", **headers: str) -> GitHubError:
    """A GithubException as PyGithub raises it, as the gateway hands it on."""
    translated = translate(GithubException(status, {"message": message}, headers))
    assert isinstance(translated, GitHubError)
    return translated


def rate_limited(status: int, message: str = "", **headers: str) -> RateLimited:
    """A rate-limit answer as the gateway hands it on."""
    limited = error(status, message, **headers)
    assert isinstance(limited, RateLimited)
    return limited


def test_server_errors_back_off_exponentially_up_to_a_cap() -> None:
    """5xx faults are retried after 1, 2, 4, then 5 seconds (capped), then given up."""
    policy = RetryPolicy(attempts=5, base_delay=1, max_delay=5)
    delays = [retry_delay(error(502), attempt, policy) for attempt in range(1, 6)]
    assert delays == [1, 2, 4, 5, None]


def test_connection_errors_are_retried() -> None:
    """A dropped connection is transient."""
    assert retry_delay(translate(requests.exceptions.ConnectionError("reset")), 1, POLICY) == 1


def test_secondary_rate_limits_honour_retry_after() -> None:
    """403 and 429 secondary rate limits wait as long as Retry-After says."""
    limited = "You have exceeded a secondary rate limit."
    assert retry_delay(error(403, limited, **{"retry-after": "7"}), 1, POLICY) == 7
    assert retry_delay(error(429, limited, **{"Retry-After": "3"}), 1, POLICY) == 3
    assert retry_delay(error(403, limited), 1, POLICY) == 60


def test_primary_rate_limit_waits_until_the_reset() -> None:
    """With no requests left, the wait runs to x-ratelimit-reset plus a second."""
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1030"}
    exhausted = rate_limited(403, "API rate limit exceeded", **headers)
    assert rate_limit_wait(exhausted, POLICY, now=1000) == 31


def test_permanent_errors_are_not_retried() -> None:
    """400, 401, a plain 403, 404 and 422 are never retried."""
    for status in (400, 401, 403, 404, 422):
        assert retry_delay(error(status, "nope"), 1, POLICY) is None


def test_a_moved_sha_is_retried_after_reading_again() -> None:
    """A 409 (file SHA moved) is retried: the reconciler re-reads state first."""
    assert retry_delay(error(409, "list/README.md does not match abc"), 1, POLICY) == 1


def test_unexpected_errors_are_not_retried() -> None:
    """Bugs are not papered over by retrying."""
    assert retry_delay(ValueError("bug"), 1, POLICY) is None
