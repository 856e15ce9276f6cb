"""Just enough ASGI for a webhook delivery to be answered before any web framework is imported.

`listbot serve` acknowledges deliveries from the moment it listens, while FastAPI (a third of a
second of CPU to import) is still being imported on a thread; so what answers a delivery speaks
ASGI itself. Each piece here does what Starlette's counterpart does for listbot, byte for byte:
`JsonAnswer` is `JSONResponse`, `ScopeHeaders` is `Headers`, `body_chunks` is `Request.stream`.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from bot.core.logfields import fields

log = logging.getLogger("listbot.app")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

INTERNAL = "listbot could not handle this request (error id {error_id}); it has been logged"


@dataclass(frozen=True)
class JsonAnswer:
    """A JSON response: its status, its content and any extra headers (sent before the length and
    type, lower-cased, as Starlette's `JSONResponse` sends them)."""

    status: int
    content: dict[str, Any]
    headers: Mapping[str, str] | None = None

    def body(self) -> bytes:
        return json.dumps(
            self.content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
        ).encode("utf-8")

    async def send(self, send: Send) -> None:
        body = self.body()
        extra = (self.headers or {}).items()
        raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in extra]
        raw += [(b"content-length", str(len(body)).encode("latin-1")), (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": self.status, "headers": raw})
        await send({"type": "http.response.body", "body": body})


def error(status: int, message: str, headers: Mapping[str, str] | None = None) -> JsonAnswer:
    """A JSON error answer."""
    return JsonAnswer(status, {"error": message}, headers)


class ScopeHeaders(Mapping[str, str]):
    """A request's headers, looked up case-insensitively; the first of repeated headers wins."""

    def __init__(self, scope: Scope) -> None:
        self._raw: list[tuple[bytes, bytes]] = list(scope["headers"])

    def __getitem__(self, name: str) -> str:
        wanted = name.lower().encode("latin-1")
        for key, value in self._raw:
            if key == wanted:
                return value.decode("latin-1")
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return (key.decode("latin-1") for key, _ in self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]  # every pair, repeats too
        return [(key.decode("latin-1"), value.decode("latin-1")) for key, value in self._raw]


class ClientDisconnect(Exception):
    """The client went away before its request body arrived in full."""


async def body_chunks(receive: Receive) -> AsyncIterator[bytes]:
    """A request's body as it arrives, chunk by chunk (no empty chunk but the last)."""
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                break
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect
    yield b""


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
                await error(400, INTERNAL.format(error_id=error_id)).send(send)
