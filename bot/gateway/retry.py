"""When to try a GitHub operation again, and after how long: transient faults only, bounded."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import requests
from github import GithubException

_RATE_LIMIT_WORDS = ("rate limit", "abuse")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff; GitHub's own waits (Retry-After, rate-limit reset) win."""

    attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    secondary_wait: float = 60.0

    def backoff(self, attempt: int) -> float:
        """Exponential delay for the given (1-based) failed attempt, capped."""
        return float(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), None)


def _message(error: GithubException) -> str:
    data = error.data
    return str(data.get("message", "")) if isinstance(data, dict) else str(data or "")


def is_rate_limited(error: GithubException) -> bool:
    if error.status == 429:
        return True
    message = _message(error).lower()
    return error.status == 403 and (
        _header(error.headers, "retry-after") is not None
        or _header(error.headers, "x-ratelimit-remaining") == "0"
        or any(word in message for word in _RATE_LIMIT_WORDS)
    )


def rate_limit_wait(error: GithubException, policy: RetryPolicy, now: float | None = None) -> float:
    """How long GitHub asks us to wait: Retry-After, else until the reset, else the secondary wait."""
    retry_after = _header(error.headers, "retry-after")
    if retry_after is not None and retry_after.strip().isdigit():
        return float(retry_after)
    if _header(error.headers, "x-ratelimit-remaining") == "0":
        reset = _header(error.headers, "x-ratelimit-reset")
        if reset is not None and reset.isdigit():
            return max(0.0, int(reset) - (now if now is not None else time.time()) + 1)
    return policy.secondary_wait


def retry_delay(error: BaseException, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before attempt `attempt + 1`, or None when the error is not transient.

    Never retried: 400, 401 (the caller refreshes the token once), 404, 422 — they will not
    change by waiting. A 409 means a SHA moved under us: re-reading and retrying is the cure.
    """
    if attempt >= policy.attempts:
        return None
    if isinstance(error, requests.exceptions.RequestException):
        return policy.backoff(attempt)
    if not isinstance(error, GithubException):
        return None
    if error.status in {403, 429} and is_rate_limited(error):
        return rate_limit_wait(error, policy)
    if error.status >= 500 or error.status == 409:
        return policy.backoff(attempt)
    return None
