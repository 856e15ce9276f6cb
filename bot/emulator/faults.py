"""Fault injection: 5xx errors, secondary rate limits, latency, outcome-unknown writes, an ignored `Accept`."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass
from typing import Any

SECONDARY_RATE_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
SECONDARY_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class InjectedFault:
    """What to answer instead of (or after) the real response."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    apply_write: bool = False  # True: perform the request, then answer with this fault


@dataclass
class _Rule:
    kind: str  # "status" | "secondary" | "after_write" | "no_accept"
    method: str | None
    pattern: re.Pattern[str] | None
    status: int
    remaining: int | None  # None = forever
    retry_after: int = 1
    write_only: bool = False

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        if self.write_only and method not in WRITE_METHODS:
            return False
        return self.pattern is None or self.pattern.search(path) is not None


class Faults:
    """Rules consulted by the server for every request, first match wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._random: tuple[float, random.Random, bool] | None = None
        self.latency_seconds = 0.0
        self.injected = 0  # how many responses were replaced by a fault

    def fail(
        self,
        method: str | None = None,
        path_pattern: str | None = None,
        status: int = 500,
        times: int | None = 1,
    ) -> None:
        """Answer matching requests with ``status`` (without performing them) ``times`` times."""
        self._add(_Rule("status", method, _compile(path_pattern), status, times))

    def fail_after_write(
        self,
        method: str | None = "POST",
        path_pattern: str | None = None,
        status: int = 502,
        times: int | None = 1,
    ) -> None:
        """Perform matching writes, then answer ``status``: an outcome-unknown write."""
        self._add(_Rule("after_write", method, _compile(path_pattern), status, times, write_only=True))

    def secondary_rate_limit(
        self,
        times: int | None = 1,
        retry_after: int = 1,
        status: int = 403,
        method: str | None = None,
        path_pattern: str | None = None,
        write_only: bool = False,
    ) -> None:
        """Answer GitHub's secondary-rate-limit error with a ``retry-after`` header."""
        self._add(
            _Rule(
                "secondary",
                method,
                _compile(path_pattern),
                status,
                times,
                retry_after=retry_after,
                write_only=write_only,
            )
        )

    def drop_accept(self, method: str | None = None, path_pattern: str | None = None, times: int | None = 1) -> None:
        """Serve matching requests as if they had no `Accept` header (the default JSON), as a proxy
        or an older GitHub Enterprise Server that ignores the header would."""
        self._add(_Rule("no_accept", method, _compile(path_pattern), 200, times))

    def accept_dropped(self, method: str, path: str) -> bool:
        """Whether this request's `Accept` is to be ignored (consumes one use of the matching rule)."""
        with self._lock:
            for rule in self._rules:
                if rule.kind == "no_accept" and rule.remaining != 0 and rule.matches(method, path):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    self.injected += 1
                    return True
        return False

    def random_failure_rate(self, p: float, seed: int = 0, write_only: bool = False) -> None:
        """Fail each request with a random 500/502/503 with probability ``p``."""
        with self._lock:
            self._random = (p, random.Random(seed), write_only) if p > 0 else None

    def latency(self, seconds: float) -> None:
        self.latency_seconds = seconds

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._random = None
            self.latency_seconds = 0.0

    def _add(self, rule: _Rule) -> None:
        with self._lock:
            self._rules.append(rule)

    def pick(self, method: str, path: str, request_id: str) -> InjectedFault | None:
        """The fault for this request, if any (consumes one use of the matching rule)."""
        with self._lock:
            for rule in self._rules:
                if rule.kind == "no_accept" or rule.remaining == 0 or not rule.matches(method, path):
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                self.injected += 1
                return self._build(rule, request_id)
            if self._random is not None:
                p, rng, write_only = self._random
                if (not write_only or method in WRITE_METHODS) and rng.random() < p:
                    self.injected += 1
                    status = rng.choice((500, 502, 503))
                    return InjectedFault(status, _server_error(status), {})
        return None

    @staticmethod
    def _build(rule: _Rule, request_id: str) -> InjectedFault:
        if rule.kind == "secondary":
            body = {
                "message": SECONDARY_RATE_LIMIT_MESSAGE.format(request_id=request_id),
                "documentation_url": SECONDARY_DOCS,
                "status": str(rule.status),
            }
            return InjectedFault(rule.status, body, {"retry-after": str(rule.retry_after)})
        return InjectedFault(rule.status, _server_error(rule.status), {}, apply_write=rule.kind == "after_write")


def _server_error(status: int) -> dict[str, Any]:
    messages = {500: "Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
    return {"message": messages.get(status, "Server Error"), "status": str(status)}


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern is not None else None
