"""`POST <webhook path>`: check the headers, verify the signature before parsing, then hand the
delivery to the running service, which acknowledges it; or reject the request.

A plain ASGI app, the one definition both entry points route to: the FastAPI app (`create_app`,
for tests and benches) and `listbot serve`'s front, which answers it before FastAPI is imported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.core.logfields import fields
from bot.core.webhook import MalformedDelivery, SignatureCheck, parse_delivery
from bot.service.asgi import JsonAnswer, Receive, Scope, ScopeHeaders, Send, body_chunks, error
from bot.service.intake import TOO_LARGE, Intake, Limits, Refusal
from bot.service.metrics import DELIVERIES
from bot.service.running import Service
from bot.service.service_settings import DEFAULT_WEBHOOK_PATH

if TYPE_CHECKING:
    from bot.service.backend import Backend
    from bot.service.service_settings import ServiceSettings

log = logging.getLogger("listbot.app")

WEBHOOK_PATH = DEFAULT_WEBHOOK_PATH  # Probot's; WEBHOOK_PATH in the environment moves it
MAX_PAYLOAD_BYTES = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB.

WRONG_CONTENT_TYPE = (
    "Content-Type must be application/json (got {got!r}): in the GitHub App's webhook "
    "settings choose 'application/json' as the content type"
)
BAD_LENGTH = "Content-Length {value!r} is not a number"
NO_SIGNATURE = "missing X-Hub-Signature-256 header: set a webhook secret in the GitHub App settings"
BAD_SIGNATURE = (
    "X-Hub-Signature-256 does not match the body: the App's webhook secret and this "
    "service's WEBHOOK_SECRET differ"
)


def _clip(value: str | None, limit: int = 100) -> str | None:
    """Shorten an unauthenticated header value before it goes into a log line."""
    return value if value is None or len(value) <= limit else value[:limit] + "…"


def _content_type_ok(value: str | None) -> bool:
    """Accept `application/json` with any parameters (e.g. charset)."""
    return value is not None and value.split(";", 1)[0].strip().lower() == "application/json"


class WebhookEndpoint:
    """`POST /api/github/webhooks`: check, verify before parsing, then acknowledge or reject."""

    def __init__(self, service: Service, secret: bytes, max_payload_bytes: int) -> None:
        self.service = service
        self.secret = secret
        self.max_payload_bytes = max_payload_bytes
        self.intake = Intake(Limits(max_payload_bytes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = await self.answer(ScopeHeaders(scope), receive)
        await answer.send(send)

    async def answer(self, headers: ScopeHeaders, receive: Receive) -> JsonAnswer:
        """The answer to one request, its body read from `receive` only once the headers pass."""
        began = time.perf_counter()
        problem = self._header_problem(headers)
        if problem is not None:
            return self._reject(*problem, headers, began)
        signature = headers.get("x-hub-signature-256")
        if signature is None:  # refused before a byte of the body is read
            return self._reject(401, NO_SIGNATURE, headers, began)
        check = SignatureCheck(self.secret)
        body = await self.intake.read(body_chunks(receive), check)
        if isinstance(body, Refusal):
            return self._reject(body.status, body.message, headers, began)
        if not check.matches(signature):
            return self._reject(401, BAD_SIGNATURE, headers, began)
        try:
            delivery = parse_delivery(headers, body)
        except MalformedDelivery as exc:
            return self._reject(400, str(exc), headers, began)
        return self.service.accept(delivery, began)

    def _header_problem(self, headers: ScopeHeaders) -> tuple[int, str] | None:
        """What is wrong before reading a byte of the body: content type and declared size."""
        content_type = headers.get("content-type")
        if not _content_type_ok(content_type):
            return 415, WRONG_CONTENT_TYPE.format(got=content_type)
        length = headers.get("content-length")
        if length is not None and not length.strip().isdigit():
            return 400, BAD_LENGTH.format(value=length)
        if length is not None and int(length) > self.max_payload_bytes:
            return 413, TOO_LARGE.format(limit=self.max_payload_bytes)
        return None

    @staticmethod
    def _reject(status: int, message: str, headers: ScopeHeaders, began: float) -> JsonAnswer:
        DELIVERIES.labels("unverified", "rejected").inc()  # never an unauthenticated header as a label
        log.info(
            "delivery rejected",
            extra=fields(
                delivery_id=_clip(headers.get("x-github-delivery")),
                event=_clip(headers.get("x-github-event")),
                outcome="rejected",
                status=status,
                reason=message,
                duration_ms=round((time.perf_counter() - began) * 1000, 2),
            ),
        )
        return error(status, message)


def serving(
    settings: ServiceSettings,
    warm_up: Callable[[], Backend],
    *,
    max_payload_bytes: int = MAX_PAYLOAD_BYTES,
    after_warm_up: Callable[[], None] | None = None,
) -> tuple[Service, WebhookEndpoint]:
    """The running service and the endpoint that hands it deliveries, as both entry points (the
    FastAPI app and `listbot serve`'s front) build them from `settings`."""
    service = Service(warm_up, grace=settings.shutdown_grace, after_warm_up=after_warm_up)
    return service, WebhookEndpoint(service, settings.webhook_secret_bytes, max_payload_bytes)
