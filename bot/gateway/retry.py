"""When to try a GitHub operation again, and after how long: transient faults only, bounded."""

from __future__ import annotations

from dataclasses import dataclass

from bot.gateway.errors import Conflict, RateLimited, Transient


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


def rate_limit_wait(error: RateLimited, policy: RetryPolicy, now: float | None = None) -> float:
    """How long GitHub asks us to wait: Retry-After, else until the reset, else the secondary wait."""
    return error.wait(policy.secondary_wait, now)


def retry_delay(error: BaseException, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before attempt `attempt + 1`, or None when the error is not transient.

    Never retried: bad requests, bad credentials (the caller refreshes the token once), missing
    objects, permissions — they will not change by waiting. A conflict means a SHA moved under
    us: re-reading and retrying is the cure.
    """
    if attempt >= policy.attempts:
        return None
    if isinstance(error, RateLimited):
        return rate_limit_wait(error, policy)
    if isinstance(error, Transient | Conflict):
        return policy.backoff(attempt)
    return None
