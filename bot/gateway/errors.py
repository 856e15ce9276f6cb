"""listbot's own GitHub errors: PyGithub's and requests' exceptions are translated here, once.

Everything above the gateway (the reconciler, the retry policy, the health check) sees only these
types, so no module outside `bot.gateway` needs to know PyGithub exists.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import requests
from github import GithubException

_RATE_LIMIT_WORDS = ("rate limit", "abuse")
_ALREADY_EXISTS = ("already exists",)
P = ParamSpec("P")
R = TypeVar("R")


class GitHubError(Exception):
    """GitHub refused or failed a request; `status` is the HTTP status (None: no answer at all)."""

    def __init__(self, status: int | None, message: str = "") -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status
        self.message = message


class NotFound(GitHubError):
    """404 or 410: the object does not exist (any more) or was moved away."""


class Conflict(GitHubError):
    """409: a SHA moved underneath the request; read again, then retry."""


class Rejected(GitHubError):
    """Any other 4xx: the request itself is wrong and will not succeed by waiting."""


class AlreadyExists(Rejected):
    """422 "... already exists": a ref or pull request someone (perhaps this run) already made."""


class WrongMediaType(Rejected):
    """A success in another representation than the one `Accept` asked for: something between
    listbot and GitHub (a proxy, an older GitHub Enterprise Server) ignored the header. Read as
    asked, the answer would be misread (a blob's JSON taken for its bytes), so it is refused."""


class PermissionDenied(GitHubError):
    """403 that is not a rate limit: the app lacks a permission."""


class BadCredentials(GitHubError):
    """401: the token or the app's JWT was refused (just after minting, possibly replication lag)."""


class RateLimited(GitHubError):
    """403/429 rate limit: `retry_after` seconds when GitHub said, else `reset_at` (epoch seconds)."""

    def __init__(
        self, status: int, message: str = "", retry_after: float | None = None, reset_at: float | None = None
    ) -> None:
        super().__init__(status, message)
        self.retry_after = retry_after
        self.reset_at = reset_at

    def wait(self, default: float, now: float | None = None) -> float:
        """Seconds GitHub asks us to wait: Retry-After, else until the reset, else `default`."""
        if self.retry_after is not None:
            return self.retry_after
        if self.reset_at is not None:
            return max(0.0, self.reset_at - (now if now is not None else time.time()) + 1)
        return default


class Transient(GitHubError):
    """5xx: GitHub failed; the same request may well succeed later."""


class Unreachable(Transient):
    """No answer at all: a refused, reset or timed-out connection."""


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), None)


def _message(error: GithubException) -> str:
    """GitHub's message plus the messages of its `errors` items (where "already exists" hides)."""
    data = error.data
    if not isinstance(data, dict):
        return str(data or "")
    texts = [str(data.get("message", ""))]
    texts += [str(item.get("message", "")) for item in data.get("errors", []) if isinstance(item, dict)]
    return " ".join(text for text in texts if text)


def _rate_limited(error: GithubException, message: str) -> RateLimited | None:
    headers = error.headers
    retry_after = _header(headers, "retry-after")
    exhausted = _header(headers, "x-ratelimit-remaining") == "0"
    limited = error.status == 429 or (error.status == 403 and (
        retry_after is not None or exhausted or any(word in message.lower() for word in _RATE_LIMIT_WORDS)
    ))
    if not limited:
        return None
    reset = _header(headers, "x-ratelimit-reset") if exhausted else None
    return RateLimited(
        error.status, message,
        retry_after=float(retry_after) if retry_after is not None and retry_after.strip().isdigit() else None,
        reset_at=float(reset) if reset is not None and reset.isdigit() else None,
    )


def from_pygithub(error: GithubException) -> GitHubError:
    """The listbot error for what PyGithub raised."""
    status, message = error.status, _message(error)
    if (limited := _rate_limited(error, message)) is not None:
        return limited
    if status in {404, 410}:
        return NotFound(status, message)
    if status == 401:
        return BadCredentials(status, message)
    if status == 403:
        return PermissionDenied(status, message)
    if status == 409:
        return Conflict(status, message)
    if status == 422 and any(words in message.lower() for words in _ALREADY_EXISTS):
        return AlreadyExists(status, message)
    if status >= 500:
        return Transient(status, message)
    return Rejected(status, message)


def translate(error: BaseException) -> BaseException:
    """`error` as a listbot error when it came from PyGithub or the network; anything else as is."""
    if isinstance(error, GithubException):
        return from_pygithub(error)
    if isinstance(error, requests.exceptions.RequestException):
        return Unreachable(None, error.__class__.__name__)
    return error


@contextmanager
def translated() -> Iterator[None]:
    """Raise listbot errors instead of PyGithub's or requests' inside this block."""
    try:
        yield
    except (GithubException, requests.exceptions.RequestException) as error:
        raise translate(error) from error


def translating(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a gateway entry point so callers only ever see listbot errors."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translated():
            return function(*args, **kwargs)

    return wrapper
