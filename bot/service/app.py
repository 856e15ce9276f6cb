"""The webhook service: receive, verify, acknowledge, queue deliveries for a background worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.core.logfields import fields
from bot.core.webhook import Delivery, MalformedDelivery, parse_delivery, verify_signature
from bot.service.settings import Settings, get_settings

log = logging.getLogger("listbot.app")

WEBHOOK_PATH = "/api/github/webhooks"
MAX_PAYLOAD_BYTES = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB.
DEFAULT_QUEUE_SIZE = 10_000
SHUTDOWN_DRAIN_SECONDS = 5.0
HANDLED_EVENTS = frozenset({"issues", "issue_comment", "pull_request", "push"})

WRONG_CONTENT_TYPE = (
    "Content-Type must be application/json (got {got!r}): in the GitHub App's webhook "
    "settings choose 'application/json' as the content type"
)
TOO_LARGE = "payload exceeds {limit} bytes (GitHub never sends more than 25 MB)"
BAD_LENGTH = "Content-Length {value!r} is not a number"
NO_SIGNATURE = "missing X-Hub-Signature-256 header: set a webhook secret in the GitHub App settings"
BAD_SIGNATURE = (
    "X-Hub-Signature-256 does not match the body: the App's webhook secret and this "
    "service's WEBHOOK_SECRET differ"
)
OVERLOADED = "delivery queue is full: redeliver later (the periodic resync also catches up)"
INTERNAL = "listbot could not handle this request (error id {error_id}); it has been logged"


@runtime_checkable
class Dispatcher(Protocol):
    """What the worker hands verified deliveries to; `dispatch` is sync and may be slow."""

    def handles(self, event: str) -> bool:
        """Tell whether deliveries of `event` (e.g. `issues`) are worth queueing at all."""
        ...

    def dispatch(self, delivery: Delivery) -> None:
        """Act on one delivery; runs in a worker thread, one delivery at a time."""
        ...


@runtime_checkable
class NonBlockingDispatcher(Protocol):
    """A dispatcher whose `dispatch_now` only schedules work: it is called in the request itself."""

    def dispatch_now(self, delivery: Delivery) -> None: ...


@runtime_checkable
class Background(Protocol):
    """A dispatcher with work of its own (worker threads, a resync loop) to start and stop."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def pending(self) -> int:
        """Jobs queued or running; 0 when idle."""
        ...


class LoggingDispatcher:
    """A dispatcher that only logs what it would act on."""

    def handles(self, event: str) -> bool:
        """Accept the events listbot subscribes to."""
        return event in HANDLED_EVENTS

    def dispatch(self, delivery: Delivery) -> None:
        """Log the delivery's routing fields."""
        log.info("would reconcile", extra=fields(**_delivery_fields(delivery)))


@dataclass(frozen=True, slots=True)
class HealthResult:
    """What a health check reports: whether a dependency works, and a short human detail."""

    ok: bool
    detail: str = ""


HealthCheck = Callable[[], HealthResult]
"""A sync check (e.g. "can we mint a GitHub token?"); it runs in a thread on each /healthz."""


def _delivery_fields(delivery: Delivery) -> dict[str, Any]:
    """The routing fields of a delivery, for logs (never the payload)."""
    return {
        "delivery_id": delivery.delivery_id,
        "event": delivery.event,
        "action": delivery.action,
        "installation_id": delivery.installation_id,
        "repository": delivery.repository,
        "issue": delivery.issue_number,
    }


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON error response."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)


@dataclass(slots=True)
class _Queued:
    delivery: Delivery
    enqueued: float


@dataclass
class WebhookService:
    """The queue between acknowledgement and dispatch, and the worker task that drains it."""

    dispatcher: Dispatcher
    queue_size: int = DEFAULT_QUEUE_SIZE
    queue: asyncio.Queue[_Queued] | None = None
    worker: asyncio.Task[None] | None = None
    accepted: int = 0
    dispatched: int = 0
    failed: int = 0
    started: float = field(default_factory=time.monotonic)

    def start(self) -> None:
        """Create the queue and start the worker on the running event loop."""
        if self.worker is None or self.worker.done():
            self.queue = asyncio.Queue(self.queue_size)
            self.worker = asyncio.create_task(self._run(self.queue), name="listbot-worker")

    async def stop(self, drain_seconds: float = SHUTDOWN_DRAIN_SECONDS) -> None:
        """Give queued deliveries `drain_seconds` to finish, then stop the worker."""
        if self.worker is None or self.queue is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.queue.join(), drain_seconds)
        left = self.queue.qsize()
        self.worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.worker
        if left:
            log.warning("shutdown with deliveries still queued", extra=fields(dropped=left))
        self.worker = None

    def submit(self, delivery: Delivery) -> bool:
        """Queue a delivery (or hand it straight to a non-blocking dispatcher); False when full."""
        if isinstance(self.dispatcher, NonBlockingDispatcher):
            self._dispatch_now(self.dispatcher, delivery)
            return True
        if self.queue is None or self.worker is None or self.worker.done():
            self.start()
        assert self.queue is not None
        try:
            self.queue.put_nowait(_Queued(delivery, time.perf_counter()))
        except asyncio.QueueFull:
            return False
        self.accepted += 1
        return True

    def _dispatch_now(self, dispatcher: NonBlockingDispatcher, delivery: Delivery) -> None:
        """Turn the delivery into background work at once, so no payload waits in memory."""
        self.accepted += 1
        began = time.perf_counter()
        outcome = "ok"
        try:
            dispatcher.dispatch_now(delivery)
            self.dispatched += 1
        except Exception:
            outcome = "error"
            self.failed += 1
            log.exception("dispatch failed", extra=fields(**_delivery_fields(delivery)))
        log.info("delivery dispatched", extra=fields(
            **_delivery_fields(delivery), outcome=outcome, wait_ms=0.0,
            duration_ms=round((time.perf_counter() - began) * 1000, 2),
        ))

    @property
    def depth(self) -> int:
        """How many deliveries wait for the worker."""
        return self.queue.qsize() if self.queue is not None else 0

    @property
    def outstanding(self) -> int:
        """Deliveries accepted but not yet finished (queued or being dispatched)."""
        own = self.accepted - self.dispatched - self.failed
        if isinstance(self.dispatcher, Background):
            own += self.dispatcher.pending()
        return own

    async def _run(self, queue: asyncio.Queue[_Queued]) -> None:
        """Dispatch queued deliveries one at a time, each in a thread."""
        while True:
            item = await queue.get()
            try:
                await self._dispatch(item)
            finally:
                queue.task_done()

    async def _dispatch(self, item: _Queued) -> None:
        """Run the dispatcher on one delivery; log its outcome, never raise."""
        began = time.perf_counter()
        outcome = "ok"
        try:
            await asyncio.to_thread(self.dispatcher.dispatch, item.delivery)
            self.dispatched += 1
        except Exception:
            outcome = "error"
            self.failed += 1
            log.exception("dispatch failed", extra=fields(**_delivery_fields(item.delivery)))
        done = time.perf_counter()
        log.info(
            "delivery dispatched",
            extra=fields(
                **_delivery_fields(item.delivery),
                outcome=outcome,
                wait_ms=round((began - item.enqueued) * 1000, 2),
                duration_ms=round((done - began) * 1000, 2),
            ),
        )


class LastResortMiddleware:
    """Turn any exception escaping the app into a JSON 4XX, so no request yields a 5XX."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            error_id = uuid.uuid4().hex[:12]
            log.exception("unhandled error", extra=fields(error_id=error_id, path=scope["path"]))
            if not started:
                response = _error(400, INTERNAL.format(error_id=error_id))
                await response(scope, receive, send)


def _clip(value: str | None, limit: int = 100) -> str | None:
    """Shorten an unauthenticated header value before it goes into a log line."""
    return value if value is None or len(value) <= limit else value[:limit] + "…"


def _content_type_ok(value: str | None) -> bool:
    """Accept `application/json` with any parameters (e.g. charset)."""
    return value is not None and value.split(";", 1)[0].strip().lower() == "application/json"


async def _read_capped(request: Request, limit: int) -> bytes | None:
    """Read the body, or return None as soon as it grows past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class WebhookEndpoint:
    """`POST /api/github/webhooks`: check, verify before parsing, then acknowledge or reject."""

    def __init__(self, service: WebhookService, secret: bytes, max_payload_bytes: int) -> None:
        self.service = service
        self.secret = secret
        self.max_payload_bytes = max_payload_bytes

    async def __call__(self, request: Request) -> Response:
        began = time.perf_counter()
        problem = self._header_problem(request)
        if problem is not None:
            return self._reject(*problem, request, began)
        body = await _read_capped(request, self.max_payload_bytes)
        if body is None:
            return self._reject(413, TOO_LARGE.format(limit=self.max_payload_bytes), request, began)
        signature = request.headers.get("x-hub-signature-256")
        if signature is None:
            return self._reject(401, NO_SIGNATURE, request, began)
        if not verify_signature(self.secret, body, signature):
            return self._reject(401, BAD_SIGNATURE, request, began)
        try:
            delivery = parse_delivery(request.headers, body)
        except MalformedDelivery as exc:
            return self._reject(400, str(exc), request, began)
        return self._acknowledge(delivery, began)

    def _header_problem(self, request: Request) -> tuple[int, str] | None:
        """What is wrong before reading a byte of the body: content type and declared size."""
        content_type = request.headers.get("content-type")
        if not _content_type_ok(content_type):
            return 415, WRONG_CONTENT_TYPE.format(got=content_type)
        length = request.headers.get("content-length")
        if length is not None and not length.strip().isdigit():
            return 400, BAD_LENGTH.format(value=length)
        if length is not None and int(length) > self.max_payload_bytes:
            return 413, TOO_LARGE.format(limit=self.max_payload_bytes)
        return None

    @staticmethod
    def _reject(status: int, message: str, request: Request, began: float) -> JSONResponse:
        log.info(
            "delivery rejected",
            extra=fields(
                delivery_id=_clip(request.headers.get("x-github-delivery")),
                event=_clip(request.headers.get("x-github-event")),
                outcome="rejected",
                status=status,
                reason=message,
                duration_ms=round((time.perf_counter() - began) * 1000, 2),
            ),
        )
        return _error(status, message)

    def _acknowledge(self, delivery: Delivery, began: float) -> JSONResponse:
        if delivery.event == "ping":
            status, outcome, content = 200, "pong", {"ok": True, "event": "ping"}
        elif not self.service.dispatcher.handles(delivery.event):
            status, outcome, content = 200, "ignored", {"ok": True, "ignored": delivery.event}
        elif self.service.submit(delivery):
            status, outcome, content = 202, "queued", {"ok": True, "delivery": delivery.delivery_id}
        else:
            status, outcome, content = 429, "dropped", {"error": OVERLOADED}
        log.info(
            "delivery received",
            extra=fields(
                **_delivery_fields(delivery),
                outcome=outcome,
                status=status,
                duration_ms=round((time.perf_counter() - began) * 1000, 2),
            ),
        )
        return JSONResponse(content, status_code=status)


async def _health_report(service: WebhookService, health_check: HealthCheck | None) -> dict[str, Any]:
    """`GET /healthz`: the worker's state and, when configured, whether GitHub accepts us."""
    worker_ok = service.worker is not None and not service.worker.done()
    report: dict[str, Any] = {
        "status": "ok" if worker_ok else "degraded",
        "worker": "running" if worker_ok else "stopped",
        "queued": service.depth,
        "outstanding": service.outstanding,
        "dispatched": service.dispatched,
        "failed": service.failed,
        "uptime_s": round(time.monotonic() - service.started, 1),
    }
    if health_check is not None:
        try:
            result = await asyncio.to_thread(health_check)
        except Exception as exc:
            log.exception("health check raised")
            result = HealthResult(ok=False, detail=type(exc).__name__)
        report["github"] = {"ok": result.ok, "detail": result.detail}
        if not result.ok:
            report["status"] = "degraded"
    return report


Lifespan = Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]


def _lifespan(service: WebhookService, app_id: int) -> Lifespan:
    """Start the queue worker (and the dispatcher's own threads) with the app; drain on exit."""

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        service.start()
        if isinstance(service.dispatcher, Background):
            service.dispatcher.start()
        log.info("listbot started", extra=fields(app_id=app_id))
        try:
            yield
        finally:
            await service.stop()
            if isinstance(service.dispatcher, Background):
                await asyncio.to_thread(service.dispatcher.stop)
            log.info("listbot stopped", extra=fields(dispatched=service.dispatched))

    return lifespan


def create_app(
    settings: Settings | None = None,
    dispatcher: Dispatcher | None = None,
    *,
    health_check: HealthCheck | None = None,
    max_payload_bytes: int = MAX_PAYLOAD_BYTES,
    queue_size: int = DEFAULT_QUEUE_SIZE,
) -> FastAPI:
    """Build the service; settings default to the environment, the dispatcher to logging only."""
    settings = get_settings() if settings is None else settings
    service = WebhookService(dispatcher or LoggingDispatcher(), queue_size=queue_size)
    app = FastAPI(
        title="listbot", lifespan=_lifespan(service, settings.app_id), docs_url=None, redoc_url=None,
        openapi_url=None,
    )
    app.state.service = service
    app.add_middleware(LastResortMiddleware)
    app.add_api_route(
        WEBHOOK_PATH, WebhookEndpoint(service, settings.webhook_secret_bytes, max_payload_bytes), methods=["POST"]
    )

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return await _health_report(service, health_check)

    return app
