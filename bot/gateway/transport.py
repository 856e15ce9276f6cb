"""Every HTTP request PyGithub sends, observed: metrics, the last answer per thread, cancellation.

PyGithub offers no per-request hook, so listbot gives it its own connection classes (through
`Requester.injectConnectionClasses`, the seam PyGithub provides for tests). They add four things
and change nothing else: each request is counted by method, path template and status; each thread
remembers its last request (the retry layer names it in its log line); a thread inside
`cancellable(event)` starts no new request once `event` is set, which is how shutdown finishes the
call in flight and nothing after it; and a repeatable GET is sent with the `ETag` of its last
answer (`bot.gateway.etags`), a 304 being handed to PyGithub as that answer again. PyGithub's
own retries are off (`retry=None`): the one retry layer is `bot.gateway.retry`, which may ask
(`retrying_reads`) for a failed idempotent request (never a POST) to be sent again here.

What the answers say about the server (when it last answered successfully, the rate-limit window
it last reported) is remembered by the `ServerMemory` the client was bound to (`observe`): one
per GitHub App connection, owned by it, so two connections in one process (two apps, two tests, a
new emulator on a port an old one used) never see each other's answers.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass, Requester
from prometheus_client import Counter, Gauge
from requests.structures import CaseInsensitiveDict

from bot.core.logfields import fields
from bot.gateway.etags import REPEATABLE, EtagCache, Stored

GITHUB_REQUESTS = Counter(
    "listbot_github_requests", "GitHub API requests by method and answer (status, or the error class)",
    ["method", "status"],
)

GITHUB_RATE_REMAINING = Gauge(
    "listbot_github_rate_remaining", "Requests left in the core rate-limit window GitHub last reported",
)
GITHUB_RATE_LIMIT = Gauge("listbot_github_rate_limit", "Size of the core rate-limit window GitHub last reported")
LOW_BUDGET_SHARE = 0.1  # below this share of the window left, a WARNING says so (once per window)
log = logging.getLogger("listbot.github")

# Path segments that identify one object: replaced so one template names one kind of request.
_TEMPLATES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(/repos)/[^/]+/[^/]+"), r"\1/{owner}/{repo}"),
    (re.compile(r"(/git/(?:matching-)?refs/heads)/.+$"), r"\1/{branch}"),
    (re.compile(r"(/contents)/.+$"), r"\1/{path}"),
    (re.compile(r"(/app-manifests)/[^/]+"), r"\1/{code}"),
    (re.compile(r"(/collaborators|/users)/[^/]+"), r"\1/{login}"),
    (re.compile(r"(/branches)/[^/]+"), r"\1/{branch}"),
    (re.compile(r"/[0-9a-f]{40}(?=/|$)"), "/{sha}"),
    (re.compile(r"/\d+(?=/|$)"), "/{id}"),
)


class Cancelled(BaseException):
    """The service is shutting down: this thread sends no further request.

    A BaseException, so the `except Exception` around a job (which would report a failure and
    try to post a retry notice) lets it through; the job is found again by the next resync.
    """


@dataclass(frozen=True, slots=True)
class Answer:
    """What one request got: an HTTP status, or the name of the error that stopped it."""

    method: str
    path: str  # a template: `/repos/{owner}/{repo}/issues/{id}`
    status: int | None
    error: str | None = None

    @property
    def outcome(self) -> str:
        return str(self.status) if self.status is not None else (self.error or "error")


def path_template(url: str) -> str:
    """The request's path with owners, numbers, SHAs, branches and file paths as placeholders."""
    path = urlsplit(url).path if "://" in url else url.split("?", 1)[0]
    path = re.sub(r"^/api/v3(?=/)", "", path)  # GitHub Enterprise Server's prefix
    for pattern, replacement in _TEMPLATES:
        path = pattern.sub(replacement, path)
    return path


# Methods whose repetition cannot change the outcome: a second PATCH or PUT sets the same state
# (a contents PUT carries the blob SHA it replaces, so a repeat after success is a 409), a second
# DELETE finds nothing. POST creates: it is never re-sent here, the operation reads back first.
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE"})

ReadRetry = Callable[[Answer, int], "float | None"]
"""Asked after an idempotent request failed with a 5xx or no answer: (the answer, which try it
was) → seconds to wait before sending it again, or None to give up. Set by `bot.gateway.retry`."""


class _State(threading.local):
    last: Answer | None = None
    cancel: threading.Event | None = None
    read_retry: ReadRetry | None = None


_state = _State()


@dataclass(frozen=True, slots=True)
class RateBudget:
    """The core rate-limit window as GitHub's last answer reported it (`X-RateLimit-*`)."""

    remaining: int
    limit: int
    reset: int  # UNIX time the window resets

    @property
    def low(self) -> bool:
        return self.remaining < self.limit * LOW_BUDGET_SHARE


class ServerMemory:
    """What one GitHub App connection's answers said of its GitHub server (`base_url`): when it
    last answered a request successfully, and the rate-limit window it last reported.

    Written by the response hooks of the threads that send requests (workers, resync, token
    minting), read by the probes on the event loop: the lock makes "warn once per window" and
    "the latest success" hold however the threads interleave. Answers from another server (a
    client may follow a URL elsewhere) are not this server's and are not remembered.
    """

    def __init__(self, base_url: str) -> None:
        self.server = server_of(base_url)
        self._lock = threading.Lock()
        self._last_success: float | None = None
        self._budget: RateBudget | None = None
        self._warned_resets: set[int] = set()  # windows (by reset time) already warned about

    def last_success(self) -> float | None:
        """When the server last answered a request successfully (UNIX time), if ever."""
        return self._last_success  # one reference, replaced whole under the lock: no lock to read

    def rate_budget(self) -> RateBudget | None:
        """The rate-limit window the server last reported, if any answer carried one."""
        return self._budget

    def note_answer(self, url: str, status: int, headers: Any) -> None:
        """Remember a 2XX/3XX answer's time, and the window any answer reports."""
        if server_of(url) != self.server:
            return
        if status < 400:
            answered = time.time()
            with self._lock:
                self._last_success = max(answered, self._last_success or answered)
        self.note_budget(url, headers)

    def note_budget(self, url: str, headers: Any) -> None:
        """Remember the window; say at WARNING (once per window) when little of it is left."""
        budget = _core_budget(headers)
        if budget is None or server_of(url) != self.server:
            return
        with self._lock:
            self._budget = budget
            first_warning = budget.low and budget.reset not in self._warned_resets
            if first_warning:
                self._warned_resets.add(budget.reset)
        GITHUB_RATE_REMAINING.set(budget.remaining)
        GITHUB_RATE_LIMIT.set(budget.limit)
        if first_warning:
            log.warning("GitHub rate limit running low", extra=fields(
                remaining=budget.remaining, limit=budget.limit, reset_in_s=max(0, round(budget.reset - time.time())),
            ))


def _core_budget(headers: Any) -> RateBudget | None:
    """The core window an answer's `X-RateLimit-*` headers report, if they report one."""
    try:
        if headers.get("X-RateLimit-Resource", "core") != "core":
            return None
        return RateBudget(
            int(headers["X-RateLimit-Remaining"]), int(headers["X-RateLimit-Limit"]), int(headers["X-RateLimit-Reset"])
        )
    except (KeyError, TypeError, ValueError):
        return None


def last_answer() -> Answer | None:
    """The last request this thread sent, and what it got."""
    return _state.last


def server_of(url: str) -> str:
    """`host:port` of a URL, the key answers are remembered under."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


@contextlib.contextmanager
def cancellable(event: threading.Event) -> Iterator[None]:
    """Within this block, no new request starts once `event` is set (it raises `Cancelled`)."""
    previous, _state.cancel = _state.cancel, event
    try:
        yield
    finally:
        _state.cancel = previous


@contextlib.contextmanager
def retrying_reads(decide: ReadRetry) -> Iterator[None]:
    """Within this block (and thread), a failed idempotent request is sent again in place when
    `decide` says so: repeating just it is safe and far cheaper than running the whole operation
    again. A POST is never repeated here.
    """
    previous, _state.read_retry = _state.read_retry, decide
    try:
        yield
    finally:
        _state.read_retry = previous


def check_cancelled() -> None:
    """Raise `Cancelled` if this thread's cancel event is set."""
    if _state.cancel is not None and _state.cancel.is_set():
        raise Cancelled


def pause(seconds: float) -> None:
    """Sleep before a retry; a shutdown cuts the sleep short with `Cancelled`."""
    event = _state.cancel
    if event is None:
        time.sleep(seconds)
    elif event.wait(seconds):
        raise Cancelled


def _record(method: str, url: str, status: int | None, error: str | None = None) -> None:
    answer = Answer(method.upper(), path_template(url), status, error)
    _state.last = answer
    GITHUB_REQUESTS.labels(answer.method, answer.outcome).inc()


_etags = EtagCache()


def etag_cache() -> EtagCache:
    """The process's stored answers of repeatable GETs (one, as the connection classes are)."""
    return _etags


class _Replayed:
    """A 304 handed to PyGithub as the 200 answer it confirms (headers as the 304 updates them)."""

    status = 200

    def __init__(self, stored: Stored, fresh: Any) -> None:
        self.headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(stored.headers)
        self.headers.update(fresh)
        self._text = stored.text

    def getheaders(self) -> Any:
        return self.headers.items()

    def read(self) -> str:
        return self._text


class WholeAnswer:
    """An answer read in one piece, handed to PyGithub as its own connections' answers are
    (`status`, `getheaders()`, `read()` the text), the text decoded from the `encoding` the
    reader named, undecodable bytes replaced (as requests decodes a named encoding)."""

    def __init__(self, response: requests.Response, body: bytes, encoding: str) -> None:
        self.status = response.status_code
        self.headers = response.headers
        self.body = body
        self.encoding = encoding

    def getheaders(self) -> Any:
        return self.headers.items()

    def read(self) -> str:
        return str(self.body, self.encoding, "replace")


# GitHub's blobs are at most 100 MB (its file size limit); a larger stated length is read in pieces.
_MAX_WHOLE_READ = 128 * 1024 * 1024
_PIECE = 1024 * 1024


def whole_answer(connection: Any, encoding: str) -> WholeAnswer | _Replayed:
    """The answer to the request just put to `connection` (one of PyGithub's connection objects,
    observed or not), its body read in one piece and its text decoded from `encoding`.

    PyGithub's own `getresponse` leaves the body to requests, which reads it 10 KB at a time: a
    4 MB file is 400 reads through urllib3 and http.client, as many `recv` and `poll` calls, and
    the pieces joined (a copy) before they are decoded. Here the same request is sent the same
    way, and the body read by one `read` of its `Content-Length` (decoded from its
    `Content-Encoding`, with requests' errors, within the same try), which an observed
    connection sends as it sends any request: counted, cancellable, retried, conditional."""

    def send() -> WholeAnswer:
        return _sent_whole(connection, encoding)

    if not isinstance(connection, _Observed):
        return send()
    answer: WholeAnswer | _Replayed = connection._send(send)  # a repeatable GET may be answered 304
    return answer


def _sent_whole(connection: Any, encoding: str) -> WholeAnswer:
    """Send the request as PyGithub's `getresponse` does, streamed, and read its body whole."""
    send = getattr(connection.session, connection.verb.lower())
    response: requests.Response = send(
        _url(connection), headers=connection.headers, data=connection.input, timeout=connection.timeout,
        verify=connection.verify, allow_redirects=False, stream=True,
    )
    with response:  # gives the connection back to the pool however the read ends
        # `None`: urllib3 reads all that is left at once, and one piece is joined without a copy.
        body = b"".join(response.iter_content(chunk_size=_whole_read_size(response)))
    return WholeAnswer(response, body, encoding)


def _url(connection: Any) -> str:
    """The URL PyGithub's connection `getresponse` sends its request to."""
    return f"{connection.protocol}://{connection.host}:{connection.port}{connection.url}"


def _whole_read_size(response: requests.Response) -> int | None:
    """How much to read at a time: all of it (None) when the answer states a length no larger
    than `_MAX_WHOLE_READ`; else pieces of `_PIECE`. A length or a chunk size is only what the
    answer says: http.client allocates what it is asked to read before a byte arrives (before
    CPython 3.11.10, python/cpython#119451), and a stated 1 TB would be a MemoryError the retry
    layer does not know, where reading in pieces fails as a cut answer, a requests error it retries."""
    length = response.headers.get("Content-Length", "")
    chunked = "chunked" in response.headers.get("Transfer-Encoding", "").lower()
    if chunked or not length.isdigit() or int(length) > _MAX_WHOLE_READ:
        return _PIECE
    return None


class _PerThread:
    """An attribute PyGithub sets on its connection in `request()` and reads in `getresponse()`.

    PyGithub keeps one connection object per client (persistent, see `install`), and threads
    share clients: the resync thread, the delivery-log thread and token minting in the workers
    all use the app's. Stored on the object, one thread's request could be sent by another, so
    each thread keeps its own.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        return getattr(obj._calls, self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(obj._calls, self.name, value)


class _Observed:
    """The observing part shared by the HTTP and HTTPS connection classes."""

    session: requests.Session
    verb = _PerThread()
    url = _PerThread()  # the path and query
    input = _PerThread()
    headers = _PerThread()
    stream = _PerThread()
    protocol: str
    host: str
    port: int

    def _observe(self, memory: ServerMemory | None) -> None:
        self._calls = threading.local()
        self._memory = memory
        self.session.hooks["response"].append(self._on_response)

    def _on_response(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        request = response.request
        _record(str(request.method), str(request.url), response.status_code)
        if self._memory is not None:
            self._memory.note_answer(str(request.url), response.status_code, response.headers)

    def _send(self, send: Any) -> Any:
        key, stored = self._condition()
        response = self._send_observed(send)
        if key is None:
            return response
        if response.status == 304 and stored is not None:
            return _Replayed(stored, response.headers)
        if response.status == 200 and (etag := response.headers.get("ETag")):
            _etags.put(key, Stored(etag, dict(response.headers), response.read()))
        elif stored is not None:
            _etags.drop(key)
        return response

    def _condition(self) -> tuple[tuple[str, str] | None, Stored | None]:
        """For a repeatable GET, its key and stored answer, whose ETag is now sent along."""
        if self.verb.upper() != "GET" or self.stream or path_template(self.url) not in REPEATABLE:
            return None, None
        key = (_url(self), str(self.headers.get("Accept", "")))
        stored = _etags.get(key)
        if stored is not None:
            self.headers = {**self.headers, "If-None-Match": stored.etag}
        return key, stored

    def _send_observed(self, send: Any) -> Any:
        tries = 0
        while True:
            check_cancelled()
            tries += 1
            try:
                response = send()
            except requests.RequestException as error:
                _record(self.verb, f"{self.protocol}://{self.host}:{self.port}{self.url}", None, type(error).__name__)
                if not self._again(tries):
                    raise
                continue
            if response.status < 500 or not self._again(tries):
                return response

    def _again(self, tries: int) -> bool:
        """Whether to send this request once more (a GET, and the retry layer says so); waits first."""
        decide, answer = _state.read_retry, _state.last
        if decide is None or answer is None or self.verb.upper() not in IDEMPOTENT:
            return False
        delay = decide(answer, tries)
        if delay is None:
            return False
        pause(delay)
        return True


class _HTTP(_Observed, HTTPRequestsConnectionClass):
    def __init__(self, *args: Any, memory: ServerMemory | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._observe(memory)

    def getresponse(self) -> Any:
        return self._send(super().getresponse)


class _HTTPS(_Observed, HTTPSRequestsConnectionClass):
    def __init__(self, *args: Any, memory: ServerMemory | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._observe(memory)

    def getresponse(self) -> Any:
        return self._send(super().getresponse)


_installed = threading.Lock()


def install() -> None:
    """Make every PyGithub client in this process use the observing connections (idempotent).

    Those remember nothing of the server: `observe` binds a client to its connection's memory.
    A client PyGithub copies on its own (`withAuth`, `withLazy`) keeps being observed this way."""
    with _installed:
        Requester.injectConnectionClasses(_HTTP, _HTTPS)
        # Injecting also turns off connection reuse (meant for PyGithub's recorded tests); keep
        # it on: one keep-alive connection per client, as without injection.
        setattr(Requester, "_Requester__persist", True)  # noqa: B010 - name-mangled class attribute


def observe(requester: Requester, memory: ServerMemory) -> None:
    """Send `requester`'s requests through observing connections whose answers `memory` remembers.

    Set before the requester's first request (PyGithub opens its connection on the first one)."""
    install()
    connection = functools.partial(_HTTPS if requester.scheme == "https" else _HTTP, memory=memory)
    setattr(requester, "_Requester__connectionClass", connection)  # noqa: B010 - name-mangled attribute
