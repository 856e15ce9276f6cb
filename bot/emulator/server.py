"""The HTTP front: a threading HTTP server that authenticates, records, injects faults, routes."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, overload

from .auth import resolve_caller
from .faults import WRITE_METHODS, Faults
from .routes import Api, Request, Response
from .state import ApiError, Caller

RATE_WINDOW = 3600
GHES_PREFIX = "/api/v3"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator saw and answered it."""

    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    auth: str | None  # "jwt" | "installation" | "user" | None
    timestamp: float
    body: Any
    request_id: str
    injected: bool  # the status came from fault injection

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS


class RequestLog(Sequence[RecordedRequest]):
    """Thread-safe list of recorded requests with counting helpers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def append(self, item: RecordedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def reset(self) -> None:
        with self._lock:
            self._items.clear()

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    @overload
    def __getitem__(self, index: int) -> RecordedRequest: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[RecordedRequest]: ...
    def __getitem__(self, index: int | slice) -> RecordedRequest | Sequence[RecordedRequest]:
        return self.snapshot()[index]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.snapshot())

    def filter(
        self,
        method: str | None = None,
        path: str | None = None,
        write_only: bool = False,
        status: int | None = None,
        auth: str | None = None,
    ) -> list[RecordedRequest]:
        """Requests matching all given criteria (``path`` is a regex searched in the path)."""
        pattern = re.compile(path) if path is not None else None
        return [
            r
            for r in self.snapshot()
            if (method is None or r.method == method.upper())
            and (pattern is None or pattern.search(r.path))
            and (not write_only or r.is_write)
            and (status is None or r.status == status)
            and (auth is None or r.auth == auth)
        ]

    def count(
        self,
        method: str | None = None,
        path: str | None = None,
        write_only: bool = False,
        status: int | None = None,
        auth: str | None = None,
    ) -> int:
        return len(self.filter(method, path, write_only, status, auth))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    handle_request_fn: Callable[[BaseHTTPRequestHandler], None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    disable_nagle_algorithm = True
    wbufsize = 1 << 16  # one write per response (avoids delayed-ACK stalls on keep-alive)

    def do_GET(self) -> None:
        self.server.handle_request_fn(self)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        return


class HttpFront:
    """Owns the socket; turns HTTP exchanges into ``Api`` calls under the state lock."""

    def __init__(
        self,
        api: Api,
        lock: threading.RLock,
        faults: Faults,
        log: RequestLog,
        after_request: Callable[[], None],
        flush_events: Callable[[], None],
    ) -> None:
        self.api = api
        self.lock = lock
        self.faults = faults
        self.log = log
        self.after_request = after_request
        self.flush_events = flush_events
        self.rate: dict[str, tuple[int, int]] = {}  # bucket -> (used, reset epoch)
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.handle_request_fn = self._handle
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    # -- one exchange ----------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parsed = urllib.parse.urlsplit(h.path)
        path = parsed.path.rstrip("/") or "/"  # still %-encoded; routes decode their groups
        if path.startswith(GHES_PREFIX + "/"):  # served under /api/v3 too, as GitHub Enterprise Server is
            path = path.removeprefix(GHES_PREFIX)
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        request_id = uuid.uuid4().hex[:8].upper() + ":" + uuid.uuid4().hex[:8].upper()
        headers = {k.lower(): v for k, v in h.headers.items()}
        if self.faults.accept_dropped(h.command, path):
            headers.pop("accept", None)
        req = Request(h.command, path, query, headers, raw)
        if self.faults.latency_seconds:
            time.sleep(self.faults.latency_seconds)
        injected = False
        with self.lock:
            limit, bucket = self.api.rate_limit, "anon"
            try:
                req.caller = resolve_caller(self.api.state, headers.get("authorization"))
                limit, bucket = self._bucket(req.caller)
                used, reset = self._count(bucket, h.command, path)
                req.rate = (used, reset)
                if used > limit and path != "/rate_limit":
                    raise _rate_exceeded(req.caller, reset)
                fault = self.faults.pick(h.command, path, request_id)
                if fault is not None and not fault.apply_write:
                    injected = True
                    resp = Response(fault.status, fault.body, dict(fault.headers))
                else:
                    resp = self.api.dispatch(req)
                    if fault is not None:
                        injected = True
                        resp = Response(fault.status, fault.body, dict(fault.headers))
            except ApiError as err:
                resp = Response(err.status, err.body(), dict(err.headers))
            if h.command == "GET" and resp.status == 200:
                resp = self._conditional(resp, headers.get("if-none-match"), req.caller, bucket)
            self.flush_events()
            used, reset = self.rate.get(bucket, (0, int(time.time()) + RATE_WINDOW))
            try:
                body_json = json.loads(raw) if raw.strip() else None
            except ValueError:
                body_json = None
            self.log.append(
                RecordedRequest(
                    h.command,
                    urllib.parse.unquote(path),
                    query,
                    resp.status,
                    req.caller.kind,
                    time.time(),
                    body_json,
                    request_id,
                    injected,
                )
            )
        self.after_request()
        self._write(h, resp, request_id, limit, used, reset)

    def _conditional(self, resp: Response, if_none_match: str | None, caller: Caller, bucket: str) -> Response:
        """Add the `ETag` of a 200; answer 304 with no body when the client already has it.

        As on GitHub, an authorised request answered 304 does not count against the rate limit
        (its rate-limit headers show the count as it was), and `ETag` comes back on the 304 too.
        """
        etag = entity_tag(resp.body)
        resp.headers.setdefault("ETag", etag)
        if not _etag_matches(if_none_match, etag):
            return resp
        if caller.kind is not None and bucket in self.rate:
            used, reset = self.rate[bucket]
            self.rate[bucket] = (max(0, used - 1), reset)
        kept = {k: v for k, v in resp.headers.items() if k.lower() in {"etag", "link", "cache-control", "vary"}}
        return Response(304, None, kept)

    def _bucket(self, caller: Caller) -> tuple[int, str]:
        if caller.kind == "installation" and caller.installation is not None:
            return self.api.rate_limit, f"installation:{caller.installation.id}"
        if caller.kind == "jwt" and caller.app is not None:
            return self.api.rate_limit, f"app:{caller.app.id}"
        if caller.kind == "user" and caller.login is not None:
            return self.api.rate_limit, f"user:{caller.login.lower()}"
        return 60, "anon"

    def _count(self, bucket: str, method: str, path: str) -> tuple[int, int]:
        now = int(time.time())
        used, reset = self.rate.get(bucket, (0, now + RATE_WINDOW))
        if reset <= now:
            used, reset = 0, now + RATE_WINDOW
        if path != "/rate_limit":
            used += 1
        self.rate[bucket] = (used, reset)
        return used, reset

    def _write(
        self, h: BaseHTTPRequestHandler, resp: Response, request_id: str, limit: int, used: int, reset: int
    ) -> None:
        payload = _payload(resp.body)
        # A raw answer (bytes) names its own type; an answer's headers replace these defaults.
        defaults = {"Content-Type": "application/json; charset=utf-8", "X-GitHub-Media-Type": "github.v3; format=json"}
        h.send_response(resp.status)
        for key, value in defaults.items():
            h.send_header(key, resp.headers.get(key, value))
        h.send_header("Content-Length", str(len(payload)))
        h.send_header("X-GitHub-Request-Id", request_id)
        h.send_header("X-RateLimit-Limit", str(limit))
        h.send_header("X-RateLimit-Remaining", str(max(0, limit - used)))
        h.send_header("X-RateLimit-Reset", str(reset))
        h.send_header("X-RateLimit-Used", str(min(used, limit)))
        h.send_header("X-RateLimit-Resource", "core")
        for key, value in resp.headers.items():
            if key not in defaults:
                h.send_header(key, value)
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(payload)


def _payload(body: Any) -> bytes:
    """The bytes of an answer: a raw one's as they are, anything else as JSON."""
    if isinstance(body, bytes):
        return body
    return b"" if body is None else json.dumps(body).encode()


def entity_tag(body: Any) -> str:
    """A weak validator of a body, JSON or raw (GitHub's list answers carry `W/"…"` tags)."""
    canonical = body if isinstance(body, bytes) else json.dumps(body, sort_keys=True).encode()
    return f'W/"{hashlib.sha256(canonical).hexdigest()[:32]}"'


def _etag_matches(header: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of `If-None-Match` (a list of tags, or `*`) with `etag`."""
    if not header:
        return False
    opaque = etag.removeprefix("W/")
    return any(tag.strip() == "*" or tag.strip().removeprefix("W/") == opaque for tag in header.split(","))


def _rate_exceeded(caller: Caller, reset: int) -> ApiError:
    if caller.kind == "installation" and caller.installation is not None:
        who = f"installation ID {caller.installation.id}"
    elif caller.kind == "user":
        who = f"user ID {caller.login}"
    else:
        who = "this client"
    return ApiError(
        403,
        f"API rate limit exceeded for {who}.",
        documentation_url="https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
    )
