"""The running listbot: the warm-up of the worker side, deliveries, the probes' report and shutdown.

Nothing here imports a web framework or the worker side: `listbot serve` answers deliveries with
it while FastAPI and the workers (PyGithub, the rules, the reconciler) are still being imported on
threads. `bot.service.webhook_endpoint` turns requests into deliveries for it; `bot.service.app` (FastAPI)
and `bot.service.front` (what `listbot serve` runs) route to both.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.core.logfields import fields
from bot.core.webhook import HANDLED_EVENTS, Delivery
from bot.service.asgi import JsonAnswer, error
from bot.service.intake import SeenDeliveries
from bot.service.metrics import DELIVERIES, RATE_BACKOFF
from bot.service.readiness import Verdict

if TYPE_CHECKING:  # the worker side is imported on the warm-up thread, never by this module
    from bot.service.backend import Backend
    from bot.service.reconciler import Reconciler
    from bot.service.service_settings import ServiceSettings
    from bot.service.worker import Job, Origin

log = logging.getLogger("listbot.app")

RETRY_AFTER_SECONDS = 30  # what a 503 during shutdown asks the sender to wait

SHUTTING_DOWN = "listbot is shutting down: redeliver later (the start-up resync also catches up)"
WORKER_STOPPED = "the worker threads stopped: restart the process"
STARTING = "listbot is starting its workers ({age:.1f} s so far); deliveries are acknowledged and held meanwhile"
WARM_UP_FAILED = "the workers could not start ({error}; see the log): restart the process"
# What a request gets once shutdown began and nothing else can answer it (a delivery, or a request
# still waiting for the FastAPI app): redeliver, or ask again, later.
SHUTTING_DOWN_ANSWER = error(503, SHUTTING_DOWN, {"Retry-After": str(RETRY_AFTER_SECONDS)})


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


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _age(timestamp: float | None) -> float | None:
    return None if timestamp is None else round(max(0.0, time.time() - timestamp), 1)


@dataclass(frozen=True)
class GitHubSeen:
    """What GitHub's answers said so far: when it last answered (UNIX time), its core rate-limit
    window (remaining, limit, reset) if one was announced, and any rate-limit wait (seconds)."""

    last_success: float | None = None
    rate_window: tuple[int, int, int] | None = None
    backoff_s: float = 0.0


class Service:
    """The running listbot: the warm-up, the worker side once warm, deliveries, and shutdown."""

    def __init__(
        self, warm_up: Callable[[], Backend], grace: float = 10.0, after_warm_up: Callable[[], None] | None = None
    ) -> None:
        self.grace = grace
        self.started = time.monotonic()
        self.seen = SeenDeliveries()
        self.backend: Backend | None = None  # set once the warm-up has built and started it
        self._warm_up = warm_up
        self._after_warm_up = after_warm_up  # told once the warm-up ended, whether it worked or not
        self._warming: threading.Thread | None = None
        self._failure: str | None = None  # why the warm-up failed, if it did
        self._held: list[tuple[Delivery, float]] = []  # acknowledged before the workers ran
        self._stopping = threading.Event()
        self._on_stopping: list[Callable[[], None]] = []  # told when shutdown begins
        self._stopped = threading.Event()
        self._lock = threading.Lock()

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Build and start the worker side on its own thread; deliveries are answered meanwhile."""
        if self._warming is None:
            self._warming = threading.Thread(target=self._warm, name="listbot-warm-up", daemon=True)
            self._warming.start()

    def _warm(self) -> None:
        try:
            self._start_backend()
        finally:
            if self._after_warm_up is not None:
                self._after_warm_up()

    def _start_backend(self) -> None:
        try:
            backend = self._warm_up()
        except Exception as error:
            log.exception("the workers could not start")
            self._failure = type(error).__name__
            return
        with self._lock:
            if self._stopping.is_set():
                return  # shutdown came first: `shutdown` accounted for the held deliveries
            backend.start()
            self.backend = backend
            held, self._held = self._held, []
            for delivery, received in held:
                self._route_held(backend, delivery, received)
        log.info("workers started", extra=fields(
            warm_up_ms=round((time.monotonic() - self.started) * 1000, 1), held_deliveries=len(held),
        ))

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def when_stopping(self, callback: Callable[[], None]) -> None:
        """Call `callback` (on the thread that calls `shutdown`) as soon as shutdown begins, or now if it has."""
        with self._lock:
            if not self._stopping.is_set():
                self._on_stopping.append(callback)
                return
        callback()

    def shutdown(self) -> None:
        """Stop taking deliveries, let the GitHub call in flight finish within `grace`, stop.

        Safe to call twice (a signal, then the lifespan's end): the second call waits for the first.
        """
        with self._lock:
            first = not self._stopping.is_set()
            self._stopping.set()
            backend, held, self._held = self.backend, self._held, []
            told, self._on_stopping = self._on_stopping, []
        if not first:
            self._stopped.wait(self.grace + 1)
            return
        for callback in told:
            callback()
        log.info("shutting down", extra=fields(grace_s=self.grace, outstanding=self.outstanding + len(held)))
        for delivery, received in held:  # the next start-up resync finds their work
            self._done_held(delivery, received, "interrupted")
        running = backend.stop(self.grace) if backend is not None else 0
        log.info("listbot stopped", extra=fields(still_running=running))
        self._stopped.set()

    # --- state ------------------------------------------------------------------------------

    @property
    def reconciler(self) -> Reconciler:
        """The reconciler, once the workers started."""
        if self.backend is None:
            raise RuntimeError("the workers have not started yet")
        return self.backend.reconciler

    @property
    def worker(self) -> str:
        """`starting`, `running`, `stopping` or `stopped` (the workers died or never started)."""
        if self.stopping:
            return "stopping"
        if self.backend is None:
            return "stopped" if self._failure else "starting"
        return "running" if self.backend.alive() else "stopped"

    @property
    def outstanding(self) -> int:
        """Deliveries held, jobs waiting, running or scheduled (plus a resync being planned, or
        the warm-up itself); 0 when idle."""
        backend = self.backend
        if backend is None:
            return len(self._held) + (0 if self._failure else 1)
        return backend.reconciler.pending()

    @property
    def depth(self) -> int:
        backend = self.backend
        return len(self._held) if backend is None else backend.reconciler.queue.depth

    def verdict(self) -> Verdict:
        """The credentials watch's verdict, or why there is none yet."""
        if self.backend is not None:
            return self.backend.watch.verdict()
        if self._failure:
            return Verdict(False, WARM_UP_FAILED.format(error=self._failure), None)
        return Verdict(False, STARTING.format(age=time.monotonic() - self.started), None)

    def github_seen(self) -> GitHubSeen:
        return GitHubSeen() if self.backend is None else self.backend.github_seen()

    def report(self) -> dict[str, Any]:
        """What both probes report: the worker, the queue, GitHub and the last resync."""
        verdict = self.verdict()
        seen = self.github_seen()
        last_resync = None if self.backend is None else self.backend.reconciler.last_resync
        return {
            "worker": self.worker,
            "queued": self.depth,
            "outstanding": self.outstanding,
            "github": {
                "ok": verdict.ok,
                "detail": verdict.detail,
                "checked_at": _iso(verdict.checked_at),
                "last_success": _iso(seen.last_success),
                "last_success_age_s": _age(seen.last_success),
            },
            "resync": {"last": _iso(last_resync), "age_s": _age(last_resync)},
            "rate_limit": rate_limit_report(seen),
            "uptime_s": round(time.monotonic() - self.started, 1),
        }

    # --- deliveries -------------------------------------------------------------------------

    def accept(self, delivery: Delivery, began: float) -> JsonAnswer:
        """Answer a verified delivery; queue its jobs (or hold it while the workers start),
        logging received → dispatched."""
        if delivery.event == "ping":
            return self._answer(delivery, began, 200, "pong", {"ok": True, "event": "ping"})
        if self.stopping:
            return self._answer(delivery, began, 503, "unavailable", {"error": SHUTTING_DOWN})
        with self._lock:
            backend = self.backend
            if backend is None and not self._failure:
                return self._hold(delivery, began)
        if backend is None:
            return self._answer(delivery, began, 503, "unavailable", {"error": WORKER_STOPPED})
        if not backend.reconciler.handles(delivery.event):
            return self._answer(delivery, began, 200, "ignored", {"ok": True, "ignored": delivery.event})
        found = backend.jobs_for(delivery)
        if isinstance(found, str):
            return self._answer(delivery, began, 200, "ignored", {"ok": True, "ignored": found}, reason=found)
        if not self.seen.first_time(delivery.delivery_id):  # a replay: acknowledged, never run twice
            content = {"ok": True, "delivery": delivery.delivery_id, "duplicate": True}
            return self._answer(delivery, began, 202, "duplicate", content)
        response = self._answer(delivery, began, 202, "queued", {"ok": True, "delivery": delivery.delivery_id})
        if not self._dispatch(backend, delivery, found, None):
            return SHUTTING_DOWN_ANSWER
        return response

    def _hold(self, delivery: Delivery, began: float) -> JsonAnswer:
        """Acknowledge a delivery that arrived before the workers run; they get it when they start.

        Routing it needs the rules, which the warm-up is still importing: only events listbot
        never handles are told apart now. The caller holds `self._lock`.
        """
        if delivery.event not in HANDLED_EVENTS:
            return self._answer(delivery, began, 200, "ignored", {"ok": True, "ignored": delivery.event})
        if not self.seen.first_time(delivery.delivery_id):
            content = {"ok": True, "delivery": delivery.delivery_id, "duplicate": True}
            return self._answer(delivery, began, 202, "duplicate", content)
        self._held.append((delivery, time.monotonic()))
        return self._answer(delivery, began, 202, "queued", {"ok": True, "delivery": delivery.delivery_id},
                            held=True)

    def _route_held(self, backend: Backend, delivery: Delivery, received: float) -> None:
        """Route a delivery held during the warm-up, now that the rules are known."""
        found = backend.jobs_for(delivery)
        if isinstance(found, str):
            self._done_held(delivery, received, "ignored", reason=found)
        elif not self._dispatch(backend, delivery, found, received):
            self._done_held(delivery, received, "unavailable")

    def _dispatch(self, backend: Backend, delivery: Delivery, found: list[Job], received: float | None) -> bool:
        """Queue a delivery's jobs; False (and the delivery may come again) when shutdown began meanwhile."""
        queued = backend.submit(found, self._done, received, **_delivery_fields(delivery))
        log.info("delivery dispatched", extra=fields(
            **_delivery_fields(delivery), outcome="queued" if queued else "refused", jobs=queued,
            queue_depth=self.depth,
        ))
        if not queued:  # shutdown began meanwhile: the start-up resync finds the work again
            self.seen.forget(delivery.delivery_id)
            DELIVERIES.labels(delivery.event, "unavailable").inc()
        return bool(queued)

    def _done_held(self, delivery: Delivery, received: float, outcome: str, **extra: Any) -> None:
        """A held delivery ended without jobs: one line with its outcome, as `_done` would say."""
        log.info("delivery done", extra=fields(
            **_delivery_fields(delivery), outcome=outcome,
            duration_ms=round((time.monotonic() - received) * 1000, 1), **extra,
        ))
        DELIVERIES.labels(delivery.event, outcome).inc()

    def _answer(
        self, delivery: Delivery, began: float, status: int, outcome: str, content: dict[str, Any], **extra: Any
    ) -> JsonAnswer:
        log.info("delivery received", extra=fields(
            **_delivery_fields(delivery), outcome=outcome, status=status,
            duration_ms=round((time.perf_counter() - began) * 1000, 2), **extra,
        ))
        if outcome != "queued":
            DELIVERIES.labels(delivery.event, outcome).inc()
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None
        return JsonAnswer(status, content, headers)

    @staticmethod
    def _done(origin: Origin, outcome: str) -> None:
        """Every job of a delivery ended: one line with its real outcome and total duration."""
        log.info("delivery done", extra=fields(**origin.fields, outcome=outcome, duration_ms=origin.elapsed_ms))
        DELIVERIES.labels(origin.fields.get("event"), outcome).inc()


def rate_limit_report(seen: GitHubSeen) -> dict[str, Any]:
    """GitHub's core rate-limit window as last reported, and any rate-limit wait under way."""
    RATE_BACKOFF.set(seen.backoff_s)
    if seen.rate_window is None:
        return {"remaining": None, "limit": None, "reset": None, "backoff_s": seen.backoff_s}
    remaining, limit, reset = seen.rate_window
    when = dt.datetime.fromtimestamp(reset, dt.UTC).isoformat().replace("+00:00", "Z")
    return {"remaining": remaining, "limit": limit, "reset": when, "backoff_s": seen.backoff_s}


def probe(service: Service, ready: bool) -> JsonAnswer:
    """`/healthz` (ready=False): 200 while the process and its workers run or start (`worker`
    tells which). `/readyz` (True): 200 when, besides, the workers run, GitHub accepted the
    credentials at the last check and no shutdown began; 503 "starting" while the workers start."""
    report = service.report()
    worker = report["worker"]
    if worker == "stopped":
        status, code, reason = "down", 503, WORKER_STOPPED if service.backend else report["github"]["detail"]
    elif not ready:  # alive, so not to be restarted, while the workers start too ("worker" says so)
        status, code, reason = ("stopping" if service.stopping else "ok"), 200, None
    elif service.stopping:
        status, code, reason = "not ready", 503, SHUTTING_DOWN
    elif worker == "starting":
        status, code, reason = "starting", 503, report["github"]["detail"]
    elif not report["github"]["ok"]:
        status, code, reason = "not ready", 503, report["github"]["detail"]
    else:
        status, code, reason = "ready", 200, None
    body = {"status": status, **({"reason": reason} if reason else {}), **report}
    return JsonAnswer(code, body)


Lifespan = Callable[[object], contextlib.AbstractAsyncContextManager[None]]


def lifespan_of(service: Service, settings: ServiceSettings) -> Lifespan:
    """Start the warm-up of the workers and the credentials watch with the app; shut down on exit.

    The same for the FastAPI app and for `listbot serve`'s front (which is given to uvicorn instead).
    """
    warnings = tuple(warning for warning in (settings.webhook_secret_warning,) if warning)

    @contextlib.asynccontextmanager
    async def lifespan(_: object) -> AsyncIterator[None]:
        service.start()
        log.info("listbot started", extra=fields(app_id=settings.app_id))
        for warning in warnings:
            log.warning(warning)
        try:
            yield
        finally:
            await asyncio.to_thread(service.shutdown)

    return lifespan
