"""The one retry layer: whether to try a GitHub operation again, after how long, and the loop.

PyGithub's own retries are off (see `bot.gateway.transport`), so this is the only place that
decides. An idempotent request (GET, PUT, PATCH, DELETE: repeating it cannot duplicate anything)
that gets a 5xx or no answer is sent again in place, at most `budget` times in all (never more than
`MAX_ATTEMPTS`). Any other failure (a POST's, a conflict, a rate limit) runs the whole operation
(e.g. "reconcile issue 7") again, at most `budget` times, so a POST whose outcome is unknown is
looked up (read back) before it is ever repeated: nothing is re-sent blindly. Waits GitHub asks
for (rate limits) do not count against the budget but are bounded on their own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from prometheus_client import Counter

from bot.core.logfields import context_fields, fields
from bot.gateway.errors import BadCredentials, Conflict, GitHubError, RateLimited, Transient, Unreachable
from bot.gateway.transport import Answer, last_answer, pause, retrying_reads

log = logging.getLogger("listbot.retry")

MAX_ATTEMPTS = 7  # per operation, whatever LISTBOT_RETRY_ATTEMPTS says
MAX_RATE_LIMIT_WAITS = 3  # waits GitHub asked for, on top of the attempts
RETRIES = Counter("listbot_github_retries", "GitHub operations tried again, by the answer that failed", ["reason"])
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff; GitHub's own waits (Retry-After, rate-limit reset) win."""

    attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    secondary_wait: float = 60.0

    @property
    def budget(self) -> int:
        """Attempts per operation: `attempts`, never more than `MAX_ATTEMPTS`."""
        return max(1, min(int(self.attempts), MAX_ATTEMPTS))

    def backoff(self, attempt: int) -> float:
        """Exponential delay for the given (1-based) failed attempt, capped."""
        return float(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def rate_limit_wait(error: RateLimited, policy: RetryPolicy, now: float | None = None) -> float:
    """How long GitHub asks us to wait: Retry-After, else until the reset, else the secondary wait."""
    return error.wait(policy.secondary_wait, now)


_backoff_until = 0.0  # monotonic time until which some worker waits out a rate limit


def _backing_off(delay: float, installation_id: int | None) -> None:
    """A rate-limit wait is worth a WARNING (work stalls) and is shown by /readyz and /metrics."""
    global _backoff_until  # one process-wide figure, read by the probes
    _backoff_until = max(_backoff_until, time.monotonic() + delay)
    log.warning("GitHub rate limit: waiting before the next request", extra=fields(
        installation_id=installation_id, delay_s=round(delay, 1),
    ))


def rate_limit_backoff() -> float:
    """Seconds until the longest current rate-limit wait ends (0 when none)."""
    return max(0.0, round(_backoff_until - time.monotonic(), 1))


def retry_delay(error: BaseException, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before attempt `attempt + 1`, or None when the error is not transient.

    Never retried: bad requests, bad credentials (the caller refreshes the token once), missing
    objects, permissions — they will not change by waiting. A conflict means a SHA moved under
    us: re-reading and retrying is the cure.
    """
    if attempt >= policy.budget:
        return None
    if isinstance(error, RateLimited):
        return rate_limit_wait(error, policy)
    if isinstance(error, Transient | Conflict):
        return policy.backoff(attempt)
    return None


class Retrier:
    """Runs an operation, trying again after transient GitHub faults, within the budget.

    `refresh_token(installation_id)` drops a cached installation token: a 401 just after minting
    one is often replication lag, so it is refreshed once and the operation tried again.
    """

    def __init__(self, policy: RetryPolicy, refresh_token: Callable[[int], None]) -> None:
        self.policy = policy
        self.refresh_token = refresh_token

    def run(self, action: Callable[[], T], installation_id: int | None = None) -> T:
        """Run `action`; a failed read is sent again in place, anything else runs it all again."""
        reads = _Reads(self, installation_id)
        with retrying_reads(reads.decide):
            return self._run(action, installation_id, reads)

    def _run(self, action: Callable[[], T], installation_id: int | None, reads: _Reads) -> T:
        attempt = 0
        rate_limit_waits = 0
        refreshed = False
        while True:
            attempt += 1
            try:
                return action()
            except BadCredentials as error:
                if refreshed or installation_id is None or attempt >= self.policy.budget:
                    raise
                refreshed = True
                self.refresh_token(installation_id)
                delay = min(1.0, self.policy.base_delay)
                failure: BaseException = error
            except Exception as error:
                if reads.spent:  # a read already had all its attempts, in place
                    raise
                waited_enough = rate_limit_waits >= MAX_RATE_LIMIT_WAITS
                if isinstance(error, RateLimited) and not waited_enough:
                    rate_limit_waits += 1
                    attempt -= 1  # GitHub asked us to wait: not a failed attempt
                    delay = rate_limit_wait(error, self.policy)
                else:
                    found = retry_delay(error, attempt, self.policy)
                    if found is None:
                        raise
                    delay = found
                failure = error
            self._note(failure, attempt, delay, installation_id)
            if isinstance(failure, RateLimited):
                _backing_off(delay, installation_id)
            pause(delay)

    def _note(self, error: BaseException, attempt: int, delay: float, installation_id: int | None) -> None:
        """One INFO line per retry of the whole operation, naming the request that failed."""
        answer = last_answer()
        status = getattr(error, "status", None) or (answer.status if answer else None)
        self.note(answer, status, describe(error), attempt, delay, installation_id)

    def note(
        self, answer: Answer | None, status: int | None, reason: str, attempt: int, delay: float,
        installation_id: int | None,
    ) -> None:
        """One INFO line per retry, naming the request that failed and the work it was for."""
        RETRIES.labels(reason).inc()
        log.info("GitHub request retried", extra=fields(
            **{"installation_id": installation_id, **context_fields()},
            method=answer.method if answer else None,
            path=answer.path if answer else None,
            status=status,
            error=reason,
            attempt=attempt,
            budget=self.policy.budget,
            delay_s=round(delay, 2),
        ))


class _Reads:
    """The in-place retries of one operation's idempotent requests: each gets the whole budget of
    attempts; `spent` once one used it up, so the operation is not run again only to repeat it."""

    def __init__(self, retrier: Retrier, installation_id: int | None) -> None:
        self.retrier = retrier
        self.installation_id = installation_id
        self.spent = False

    def decide(self, answer: Answer, tries: int) -> float | None:
        policy = self.retrier.policy
        if tries >= policy.budget:
            self.spent = True
            return None
        delay = policy.backoff(tries)
        reason = f"HTTP {answer.status}" if answer.status is not None else (answer.error or "error")
        self.retrier.note(answer, answer.status, reason, tries, delay, self.installation_id)
        return delay


def retryable(error: BaseException) -> bool:
    """Whether waiting and trying again may cure the error: GitHub failed, was unreachable, asked
    us to slow down, or a SHA moved. A refusal (4xx) or a bug in listbot stays as it is."""
    return isinstance(error, Transient | RateLimited | Conflict)


def refusal(error: BaseException) -> str:
    """A failure that waiting does not cure, in words for the submitter."""
    status = getattr(error, "status", None)
    if isinstance(error, GitHubError) and status:
        return f"GitHub refused one of my requests (HTTP {status})"
    return f"listbot ran into an error ({error.__class__.__name__})"


def describe(error: BaseException) -> str:
    """A short name for a failure: `HTTP 502`, the network error (`ReadTimeout`), or the error's class."""
    status = getattr(error, "status", None)
    if status:
        return f"HTTP {status}"
    if isinstance(error, Unreachable) and error.message:
        return error.message  # the network error's name: ConnectionError, ReadTimeout, ...
    return error.__class__.__name__
