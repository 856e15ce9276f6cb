"""The webhook service as a FastAPI app: receive, verify, acknowledge, hand the delivery's jobs to the workers.

One delivery path: a verified delivery becomes jobs for the reconciler's work queue inside the
request (no I/O), and the request is answered at once. `/healthz` (liveness) and `/readyz`
(readiness) answer from memory; `/metrics` serves Prometheus metrics.

The worker side (`bot.service.backend`: PyGithub, the reconciler, the credentials watch) is built
on a warm-up thread once the app starts, and this module does not import it: deliveries are
acknowledged from the first moment the socket listens. Until the workers run, a delivery listbot
handles is held (after the same replay check) and handed to them once they start; `/readyz` says
"starting" meanwhile.

What answers a delivery (`bot.service.webhook_endpoint`, `bot.service.running`) imports no web
framework: `listbot serve` runs it in front of this app (`bot.service.front`) while this module is
still being imported, and this app routes the webhook path to the same endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from starlette.routing import Route

from bot.service.asgi import JsonAnswer, LastResortMiddleware
from bot.service.metrics import OUTSTANDING, QUEUE_DEPTH, exposition
from bot.service.running import (
    RETRY_AFTER_SECONDS,
    GitHubSeen,
    Lifespan,
    Service,
    lifespan_of,
    probe,
    rate_limit_report,
)
from bot.service.webhook_endpoint import MAX_PAYLOAD_BYTES, WEBHOOK_PATH, WebhookEndpoint, serving

if TYPE_CHECKING:  # the worker side is imported on the warm-up thread, never by this module
    from bot.service.backend import Backend
    from bot.service.service_settings import ServiceSettings

__all__ = [
    "MAX_PAYLOAD_BYTES", "RETRY_AFTER_SECONDS", "WEBHOOK_PATH", "GitHubSeen", "LastResortMiddleware", "Service",
    "WebhookEndpoint", "create_app", "web_app",
]


def _json(answer: JsonAnswer) -> JSONResponse:
    return JSONResponse(answer.content, status_code=answer.status, headers=answer.headers)


def web_app(
    service: Service, webhook_path: str, endpoint: WebhookEndpoint, lifespan: Lifespan | None = None
) -> FastAPI:
    """The FastAPI app around a service: the webhook path (routed to `endpoint`), the probes and
    the metrics; `lifespan` (if any) starts and stops the service with the app."""
    app = FastAPI(title="listbot", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = service
    app.add_middleware(LastResortMiddleware)
    app.router.routes.append(Route(webhook_path, endpoint, methods=["POST"]))  # an ASGI app, not a function

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        return _json(probe(service, ready=False))

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        return _json(probe(service, ready=True))

    @app.get("/metrics")
    async def metrics() -> Response:
        QUEUE_DEPTH.set(service.depth)
        rate_limit_report(service.github_seen())
        OUTSTANDING.set(service.outstanding)
        body, content_type = exposition()
        return Response(body, media_type=content_type)

    return app


def create_app(
    settings: ServiceSettings,
    warm_up: Callable[[], Backend],
    *,
    max_payload_bytes: int = MAX_PAYLOAD_BYTES,
    after_warm_up: Callable[[], None] | None = None,
) -> FastAPI:
    """The webhook service; `warm_up` builds the worker side (on a thread, once the app starts),
    and `after_warm_up` runs when it has ended."""
    service, endpoint = serving(settings, warm_up, max_payload_bytes=max_payload_bytes, after_warm_up=after_warm_up)
    return web_app(service, settings.webhook_path, endpoint, lifespan_of(service, settings))
