"""What `listbot serve` gives uvicorn: the webhook answered from the first moment, the rest by FastAPI.

Importing FastAPI and Starlette takes about a third of a second of CPU, longer than everything
else `listbot serve` does before it listens. So the front answers `POST <webhook path>` itself
(`bot.service.webhook_endpoint`, the endpoint the FastAPI app routes there too) and runs the
lifespan (the warm-up and shutdown of `bot.service.running`), while the FastAPI app
(`bot.service.app`: probes, metrics, and every other answer, 404 and 405 included) is built on a
thread of its own. A request for anything else that arrives before that app is ready waits for it,
or for shutdown (then it gets the webhook's 503 with Retry-After). An app that cannot be built is
fatal, as a failing import of FastAPI was when `listbot serve` imported it first: the front logs
why once and begins the shutdown a SIGTERM begins (`on_failure`; `listbot serve` then exits 1).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from types import SimpleNamespace
from typing import TYPE_CHECKING

from bot.core.logfields import fields
from bot.service.asgi import INTERNAL, ASGIApp, LastResortMiddleware, Receive, Scope, Send, error
from bot.service.running import SHUTTING_DOWN_ANSWER, Lifespan, Service, lifespan_of
from bot.service.webhook_endpoint import MAX_PAYLOAD_BYTES, WebhookEndpoint, serving

if TYPE_CHECKING:
    from bot.service.backend import Backend
    from bot.service.service_settings import ServiceSettings

log = logging.getLogger("listbot.app")

NOT_BUILT = "the web app could not be built"


class Front:
    """The ASGI app `listbot serve` runs: the webhook path, the lifespan, and the FastAPI app for
    the rest once `build_rest` (run on a thread at start-up, or on first need) has built it."""

    def __init__(
        self, service: Service, webhook_path: str, endpoint: WebhookEndpoint, lifespan: Lifespan,
        build_rest: Callable[[], ASGIApp],
    ) -> None:
        self.state = SimpleNamespace(service=service)  # where `serve` (and a FastAPI app) keep it
        # A path with `{…}` is a pattern to Starlette's router: leave such a path to it.
        self._webhook_path = None if "{" in webhook_path else webhook_path
        self._endpoint = LastResortMiddleware(endpoint)
        self._lifespan = lifespan
        self._build_rest = build_rest
        self._rest: Future[ASGIApp] = Future()
        self._building = threading.Lock()
        self._failure_id: str | None = None  # the error id of the build's failure, once it failed
        # Done once the build ended (either way) or shutdown began: what a waiting request waits for.
        # Both futures are "running" so that a waiting request cancelled at shutdown cannot cancel them.
        self._settled: Future[None] = Future()
        self._settling = threading.Lock()
        for future in (self._rest, self._settled):
            future.set_running_or_notify_cancel()
        service.when_stopping(self._settle)
        self._guarded_rest = LastResortMiddleware(self._to_rest)
        self.on_failure: Callable[[], None] = self._shut_down  # `listbot serve` makes it its own shutdown

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._run_lifespan(receive, send)
        elif scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == self._webhook_path:
            await self._endpoint(scope, receive, send)
        else:
            await self._guarded_rest(scope, receive, send)

    def build_rest(self) -> None:
        """Build the FastAPI app for every other request, once (a second call does nothing)."""
        if not self._building.acquire(blocking=False):
            return
        try:
            rest = self._build_rest()
        except BaseException:
            self._fail()
        else:
            self._rest.set_result(rest)
        self._settle()

    @property
    def failed(self) -> bool:
        """Whether the FastAPI app could not be built (and shutdown began)."""
        return self._failure_id is not None

    def _fail(self) -> None:
        """Log why the app could not be built, once, then begin shutting down: probes and metrics
        cannot answer, so deliveries must not go on being acknowledged as if all were well."""
        self._failure_id = uuid.uuid4().hex[:12]
        log.exception(NOT_BUILT, extra=fields(error_id=self._failure_id))
        self.on_failure()

    def _shut_down(self) -> None:
        """What a failed build begins without `listbot serve`: the service's shutdown, on a thread."""
        threading.Thread(target=self.state.service.shutdown, name="listbot-shutdown", daemon=True).start()

    def _settle(self) -> None:
        with self._settling:
            if not self._settled.done():
                self._settled.set_result(None)

    async def _to_rest(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._settled.done():  # started with the lifespan; a request may come before it ends
            threading.Thread(target=self.build_rest, name="listbot-web-app", daemon=True).start()
            await asyncio.wrap_future(self._settled)
        if self._rest.done():
            await self._rest.result()(scope, receive, send)
        elif self._failure_id is not None:
            # Named by the error id of the one line that logged the build's failure and its traceback.
            log.error("unhandled error", extra=fields(error_id=self._failure_id, path=scope["path"], reason=NOT_BUILT))
            await error(400, INTERNAL.format(error_id=self._failure_id)).send(send)
        else:  # shutdown began before the app was built: the webhook's answer meanwhile
            await SHUTTING_DOWN_ANSWER.send(send)

    async def _run_lifespan(self, receive: Receive, send: Send) -> None:
        """The ASGI lifespan protocol around `lifespan`, as Starlette's router runs it."""
        started = False
        await receive()  # lifespan.startup
        try:
            async with self._lifespan(self):
                threading.Thread(target=self.build_rest, name="listbot-web-app", daemon=True).start()
                await send({"type": "lifespan.startup.complete"})
                started = True
                await receive()  # lifespan.shutdown
        except BaseException:
            failed = "lifespan.shutdown.failed" if started else "lifespan.startup.failed"
            await send({"type": failed, "message": traceback.format_exc()})
            raise
        await send({"type": "lifespan.shutdown.complete"})


def create_front(
    settings: ServiceSettings,
    warm_up: Callable[[], Backend],
    *,
    max_payload_bytes: int = MAX_PAYLOAD_BYTES,
    after_warm_up: Callable[[], None] | None = None,
) -> Front:
    """`create_app`'s service behind `listbot serve`'s front: the same service, endpoint and routes."""
    service, endpoint = serving(settings, warm_up, max_payload_bytes=max_payload_bytes, after_warm_up=after_warm_up)

    def rest() -> ASGIApp:
        from bot.service.app import web_app  # FastAPI: imported off the path to the first acknowledgement

        return web_app(service, settings.webhook_path, endpoint)

    return Front(service, settings.webhook_path, endpoint, lifespan_of(service, settings), rest)
