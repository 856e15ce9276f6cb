"""Tests for which GitHub faults are retried, and after how long."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from github import GithubException

from bot.gateway.errors import GitHubError, RateLimited, translate
from bot.gateway.retry import (
    MAX_ATTEMPTS,
    MAX_RATE_LIMIT_WAITS,
    Retrier,
    RetryPolicy,
    rate_limit_wait,
    refusal,
    retry_delay,
    retryable,
)

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


def test_only_errors_waiting_may_cure_count_as_retryable() -> None:
    """5xx, no answer, rate limits and a moved SHA are retryable; refusals and bugs are not, and say so."""
    limited = error(429, "You have exceeded a secondary rate limit.", **{"retry-after": "1"})
    unreachable = translate(requests.exceptions.ConnectionError("reset"))
    for again in (error(502), unreachable, limited, error(409, "moved")):
        assert retryable(again)
    for status in (400, 401, 403, 404, 422):
        assert not retryable(error(status, "nope"))
    assert not retryable(ValueError("bug"))
    assert refusal(error(422, "Validation Failed")) == "GitHub refused one of my requests (HTTP 422)"
    assert refusal(ValueError("bug")) == "listbot ran into an error (ValueError)"


# --- the one retry loop -------------------------------------------------------------------------


def failing(*errors: Exception) -> tuple[list[int], Callable[[], str]]:
    """An operation that raises `errors` one per call, then succeeds; and the list of its calls."""
    calls: list[int] = []

    def operation() -> str:
        calls.append(len(calls) + 1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "done"

    return calls, operation


def retrier(attempts: int) -> Retrier:
    return Retrier(RetryPolicy(attempts=attempts, base_delay=0.0, secondary_wait=0.0), lambda _installation: None)


def test_an_operation_is_tried_at_most_its_budget_then_the_fault_is_raised() -> None:
    """A fault that never clears is tried `attempts` times in all, and the last fault is raised."""
    calls, operation = failing(*[error(502)] * 10)
    with pytest.raises(GitHubError):
        retrier(4).run(operation)
    assert len(calls) == 4


def test_the_budget_is_never_more_than_7_attempts() -> None:
    """Whatever LISTBOT_RETRY_ATTEMPTS says, an operation is tried at most 7 times."""
    calls, operation = failing(*[error(503)] * 20)
    with pytest.raises(GitHubError):
        retrier(50).run(operation)
    assert len(calls) == MAX_ATTEMPTS == 7


def test_rate_limit_waits_do_not_use_up_the_budget_but_are_bounded() -> None:
    """Waits GitHub asks for are taken on top of the attempts, at most MAX_RATE_LIMIT_WAITS of them."""
    limited = error(429, "You have exceeded a secondary rate limit", **{"retry-after": "0"})
    calls, operation = failing(limited, limited, error(502), limited)
    assert retrier(2).run(operation) == "done"
    assert len(calls) == 5
    calls, operation = failing(*[limited] * 10)
    with pytest.raises(RateLimited):
        retrier(2).run(operation)
    assert len(calls) == MAX_RATE_LIMIT_WAITS + 2


def test_a_refused_token_is_refreshed_once() -> None:
    """A 401 drops the installation's cached token and tries again once; a second 401 is raised."""
    refreshed: list[int] = []
    retry = Retrier(RetryPolicy(attempts=5, base_delay=0.0), refreshed.append)
    calls, operation = failing(error(401), error(401))
    with pytest.raises(GitHubError):
        retry.run(operation, installation_id=7)
    assert (len(calls), refreshed) == (2, [7])
