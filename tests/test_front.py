"""`listbot serve`'s front answers the webhook path itself, before FastAPI is imported, and hands
every other request to the FastAPI app once that is built: what a request gets (status, headers,
body and log line) is the same through the front as through the FastAPI app (`create_app`)."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect as StarletteDisconnect
from starlette.requests import Request

from bot.core.logfields import FIELDS_ATTR
from bot.core.webhook import sign
from bot.emulator import GitHubEmulator
from bot.emulator.webhooks import encode
from bot.service.app import WEBHOOK_PATH, web_app
from bot.service.asgi import (
    ASGIApp,
    ClientDisconnect,
    JsonAnswer,
    Message,
    Receive,
    ScopeHeaders,
    Send,
    body_chunks,
)
from bot.service.front import NOT_BUILT, Front
from bot.service.running import RETRY_AFTER_SECONDS, SHUTTING_DOWN, Service, lifespan_of
from bot.service.settings import Settings
from bot.service.webhook_endpoint import WebhookEndpoint
from bot.service.wiring import build_app, build_front, warm_up
from tests.deployment import REPO, listbot_settings, prepare_repository
from tests.factories import ROOT
from tests.serve_process import prepared_process

WAIT = 10.0
CAP = 4096  # max_payload_bytes of both apps here, so that a too-large body is small


@dataclass(frozen=True)
class Sent:
    """One request: method, path, headers and body (bytes, or chunks streamed without a length)."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | list[bytes] = b""


@dataclass(frozen=True)
class Bodies:
    """The webhook secret, and an `issues.opened` delivery of an issue that is not a submission."""

    secret: str
    opened: bytes

    def signed(self, body: bytes | None = None, event: str = "issues", secret: str | None = None,
               **extra: str) -> Sent:
        body = self.opened if body is None else body
        headers = {"Content-Type": "application/json", "X-GitHub-Event": event, "X-GitHub-Delivery": "d-1",
                   "X-Hub-Signature-256": sign((self.secret if secret is None else secret).encode(), body)}
        return Sent("POST", WEBHOOK_PATH, headers | extra, body)

    def unsigned(self, **headers: str) -> Sent:
        return Sent("POST", WEBHOOK_PATH, {"X-GitHub-Event": "issues", "X-GitHub-Delivery": "d-1", **headers},
                    self.opened)


def without(headers: dict[str, str], name: str) -> dict[str, str]:
    return {key: value for key, value in headers.items() if key != name}


PING = b'{"zen": "Keep it logically awesome.", "hook_id": 1}'
STAR = b'{"action": "created", "starred_at": null}'
JSON = {"Content-Type": "application/json"}

# Each case: the requests sent in turn, and the status each gets.
CASES: dict[str, tuple[Callable[[Bodies], list[Sent]], list[int]]] = {
    "queued": (lambda b: [b.signed()], [202]),
    "duplicate": (lambda b: [b.signed(), b.signed()], [202, 202]),
    "ping": (lambda b: [b.signed(PING, event="ping")], [200]),
    "ignored event": (lambda b: [b.signed(STAR, event="star")], [200]),
    "json with a charset": (
        lambda b: [b.signed(PING, event="ping", **{"Content-Type": "application/json; charset=UTF-8"})], [200]
    ),
    "no content type": (lambda b: [b.unsigned()], [415]),
    "text/plain": (lambda b: [b.unsigned(**{"Content-Type": "text/plain"})], [415]),
    "length not a number": (lambda b: [b.unsigned(**JSON, **{"Content-Length": "12abc"})], [400]),
    "declared length over the cap": (lambda b: [b.unsigned(**JSON, **{"Content-Length": str(CAP + 1)})], [413]),
    "streamed body over the cap": (
        lambda b: [Sent("POST", WEBHOOK_PATH, b.signed().headers, [b"x" * 1000] * 5)], [413]
    ),
    "no signature": (lambda b: [b.unsigned(**JSON)], [401]),
    "wrong signature": (lambda b: [b.signed(secret=b.secret + "x")], [401]),
    "not json": (lambda b: [b.signed(b"{not json")], [400]),
    "no event": (
        lambda b: [Sent("POST", WEBHOOK_PATH, without(b.signed().headers, "X-GitHub-Event"), b.opened)], [400]
    ),
    "a long unauthenticated delivery id": (lambda b: [b.unsigned(**{"X-GitHub-Delivery": "x" * 150})], [415]),
    "GET on the webhook path": (lambda b: [Sent("GET", WEBHOOK_PATH)], [405]),
    "the webhook path with a slash": (lambda b: [Sent("POST", WEBHOOK_PATH + "/", JSON, b.opened)], [307]),
    "another path": (lambda b: [Sent("POST", "/nope", JSON, b.opened)], [404]),
}


@dataclass(frozen=True)
class Seen:
    """What a request got, and the log lines its acknowledgement or rejection wrote."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    lines: list[tuple[str, dict[str, Any]]]


def steady(values: dict[str, Any]) -> dict[str, Any]:
    """A log line's fields without the time it took."""
    return {k: v for k, v in values.items() if k != "duration_ms"}


def answers(app: FastAPI | Front, sent: list[Sent], caplog: pytest.LogCaptureFixture) -> list[Seen]:
    """Send `sent` in turn to the running `app` once its workers run; what each request got."""
    seen = []
    with TestClient(app, follow_redirects=False) as client:
        service: Service = app.state.service
        deadline = time.monotonic() + WAIT
        while service.worker != "running" or service.outstanding:
            assert time.monotonic() < deadline, "listbot did not start"
            time.sleep(0.01)
        for request in sent:
            caplog.clear()
            content = iter(request.body) if isinstance(request.body, list) else request.body
            response = client.request(request.method, request.path, headers=request.headers, content=content)
            lines = [(r.getMessage(), steady(getattr(r, FIELDS_ATTR, {}))) for r in caplog.records
                     if r.name == "listbot.app" and r.getMessage() in ("delivery received", "delivery rejected")]
            seen.append(Seen(response.status_code, response.headers.multi_items(), response.content, lines))
    return seen


@pytest.fixture
def settings(github_emulator: GitHubEmulator) -> Settings:
    app_id, key, secret = prepare_repository(github_emulator)
    return listbot_settings(github_emulator, app_id, key, secret, shutdown_grace=1.0)


@pytest.mark.parametrize("case", list(CASES))
def test_a_request_gets_the_same_answer_through_the_front_and_the_fastapi_app(
    case: str, settings: Settings, github_emulator: GitHubEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Status, headers, body and log line are the same whichever app answers, and as specified."""
    number = github_emulator.create_issue(REPO, "octocat", "a question", "how do I submit?", ())
    bodies = Bodies(settings.webhook_secret.get_secret_value(),
                    encode(github_emulator.webhook("issues", "opened", REPO, issue=number)[1]))
    requests, statuses = CASES[case]
    sent = requests(bodies)
    caplog.set_level(logging.INFO, logger="listbot.app")
    through_fastapi = answers(build_app(settings, max_payload_bytes=CAP), sent, caplog)
    through_front = answers(build_front(settings, max_payload_bytes=CAP), sent, caplog)
    assert through_front == through_fastapi
    assert [seen.status for seen in through_front] == statuses
    on_the_webhook = [request.method == "POST" and request.path == WEBHOOK_PATH for request in sent]
    assert [len(seen.lines) for seen in through_front] == [int(logged) for logged in on_the_webhook]


def front_building(settings: Settings, build_rest: Callable[[Service, WebhookEndpoint], ASGIApp]) -> Front:
    """listbot serve's front whose FastAPI app `build_rest` builds (for the front's service and endpoint)."""
    service = Service(lambda: warm_up(settings), grace=settings.shutdown_grace)
    endpoint = WebhookEndpoint(service, settings.webhook_secret_bytes, CAP)
    rest = functools.partial(build_rest, service, endpoint)
    return Front(service, settings.webhook_path, endpoint, lifespan_of(service, settings), rest)


async def get_while_building(front: Front, gate: threading.Event, path: str) -> tuple[bool, httpx.Response]:
    """GET `path` from the front while its FastAPI app is held back by `gate`; whether the answer
    came before the gate opened, and the answer."""
    transport = httpx.ASGITransport(app=front)
    async with httpx.AsyncClient(transport=transport, base_url="http://listbot") as client:
        request = asyncio.ensure_future(client.get(path))
        for _ in range(20):  # let the request run as far as it can without the app
            await asyncio.sleep(0.005)
        early = request.done()
        gate.set()
        return early, await request


@pytest.mark.parametrize(("path", "status", "state"), [("/healthz", 200, "ok"), ("/readyz", 503, "starting")])
def test_a_probe_sent_before_the_fastapi_app_is_built_is_answered_once_it_is(
    settings: Settings, path: str, status: int, state: str
) -> None:
    """The request waits for the app, then gets the probe's real answer (no 404, no 503 of its own)."""
    gate = threading.Event()

    def gated(service: Service, endpoint: WebhookEndpoint) -> ASGIApp:
        assert gate.wait(WAIT), "the test never opened the gate"
        return web_app(service, WEBHOOK_PATH, endpoint)

    front = front_building(settings, gated)  # its lifespan does not run: the workers stay "starting"
    early, response = asyncio.run(get_while_building(front, gate, path))
    assert (early, response.status_code, response.json()["status"], response.json()["worker"]) == (
        False, status, state, "starting"
    )


def test_when_the_fastapi_app_cannot_be_built_other_requests_get_a_json_4xx(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The build's error is logged with an error id that the answer names; deliveries are still answered."""

    def broken(_service: Service, _endpoint: WebhookEndpoint) -> ASGIApp:
        raise RuntimeError("no FastAPI")

    front = front_building(settings, broken)
    with TestClient(front) as client:
        response = client.get("/healthz")
        delivery = client.post(WEBHOOK_PATH, content=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "error id" in response.json()["error"]
    assert [r.getMessage() for r in caplog.records].count("unhandled error") == 1
    assert delivery.status_code == 401  # the webhook path does not need that app


DELIVERY = (b'{"action": "opened", "issue": {"number": 1}, "repository": {"full_name": "a/b"}, '
            b'"installation": {"id": 1}}')


def signed_delivery(settings: Settings, delivery_id: str) -> dict[str, str]:
    """The headers of `DELIVERY`, signed with the settings' webhook secret."""
    return {"Content-Type": "application/json", "X-GitHub-Event": "issues", "X-GitHub-Delivery": delivery_id,
            "X-Hub-Signature-256": sign(settings.webhook_secret_bytes, DELIVERY)}


def shutting_down(response: httpx.Response) -> tuple[int, str | None, bytes]:
    return response.status_code, response.headers.get("retry-after"), response.content


WEBHOOKS_503 = (503, str(RETRY_AFTER_SECONDS), json.dumps({"error": SHUTTING_DOWN}, ensure_ascii=False,
                                                          separators=(",", ":")).encode())


def test_when_the_fastapi_app_cannot_be_built_the_failure_is_logged_once_and_shutdown_begins(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """One line logs the failure with its traceback; deliveries then get the shutdown's 503 and every
    other request a 4XX naming that line's error id, with no traceback of its own."""

    def broken(_service: Service, _endpoint: WebhookEndpoint) -> ASGIApp:
        raise RuntimeError("no FastAPI")

    front = front_building(settings, broken)
    with TestClient(front) as client:
        deadline = time.monotonic() + WAIT
        while not front.state.service.stopping:
            assert time.monotonic() < deadline, "the failed build began no shutdown"
            time.sleep(0.01)
        probes = [client.get(path) for path in ("/healthz", "/readyz", "/metrics", "/healthz")]
        deliveries = [client.post(WEBHOOK_PATH, content=DELIVERY, headers=signed_delivery(settings, f"d-{i}"))
                      for i in range(2)]
    [failure] = [r for r in caplog.records if r.getMessage() == NOT_BUILT]
    error_id = getattr(failure, FIELDS_ATTR)["error_id"]
    assert failure.exc_info is not None
    assert "no FastAPI" in str(failure.exc_info[1])
    assert [r for r in caplog.records if r.exc_info] == [failure]
    assert [(p.status_code, error_id in p.json()["error"]) for p in probes] == [(400, True)] * 4
    assert [shutting_down(d) for d in deliveries] == [WEBHOOKS_503] * 2
    assert front.failed


def test_a_request_waiting_for_the_fastapi_app_at_shutdown_gets_the_webhooks_503(settings: Settings) -> None:
    """The request is answered as soon as shutdown begins, as a delivery is then: 503 with Retry-After."""
    gate = threading.Event()

    def gated(service: Service, endpoint: WebhookEndpoint) -> ASGIApp:
        gate.wait(WAIT)
        return web_app(service, WEBHOOK_PATH, endpoint)

    front = front_building(settings, gated)

    async def shut_down_while_waiting() -> tuple[bool, httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=front)
        async with httpx.AsyncClient(transport=transport, base_url="http://listbot") as client:
            request = asyncio.ensure_future(client.get("/healthz"))
            await asyncio.sleep(0.02)  # the request now waits for the app
            await asyncio.to_thread(front.state.service.shutdown)
            for _ in range(20):
                await asyncio.sleep(0.005)
            early = request.done()
            gate.set()
            delivery = await client.post(WEBHOOK_PATH, content=DELIVERY, headers=signed_delivery(settings, "d-1"))
            return early, await request, delivery

    try:
        early, response, delivery = asyncio.run(shut_down_while_waiting())
    finally:
        gate.set()
    assert (early, shutting_down(response)) == (True, WEBHOOKS_503)
    assert shutting_down(delivery) == WEBHOOKS_503


_SERVE_WITHOUT_FASTAPI = """
import sys

class NoFastAPI:
    def find_spec(self, name, path=None, target=None):
        if name == "fastapi":
            raise ImportError("fastapi could not be imported")
        return None

sys.meta_path.insert(0, NoFastAPI())
from bot.cli.main import main
sys.exit(main(["serve", *sys.argv[1:]]))
"""


def test_serve_whose_fastapi_app_cannot_be_built_exits_1_having_logged_why_once(
    github_emulator: GitHubEmulator, tmp_path: Path
) -> None:
    """As when FastAPI was imported before listening: the process stops by itself, status 1."""
    process, _secret = prepared_process(github_emulator, tmp_path)
    run = subprocess.run([sys.executable, "-c", _SERVE_WITHOUT_FASTAPI, *process.args], cwd=ROOT,
                         env=process.env, capture_output=True, text=True, timeout=60)
    lines = [json.loads(line) for line in run.stderr.splitlines() if line.startswith("{")]
    failures = [line for line in lines if line["msg"] == NOT_BUILT]
    assert (run.returncode, len(failures)) == (1, 1), run.stderr
    assert "fastapi could not be imported" in failures[0]["exc"]
    assert [line["msg"] for line in lines if "exc" in line] == [NOT_BUILT]


# --- the front's ASGI pieces are Starlette's, byte for byte ------------------------------------

_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
_HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=12)


async def _sent(respond: Callable[[Send], Awaitable[None]]) -> list[Message]:
    messages: list[Message] = []

    async def send(message: Message) -> None:
        messages.append(message)

    await respond(send)
    return messages


@examples(max_examples=300, deadline=None)
@given(
    st.sampled_from([200, 202, 400, 401, 404, 408, 413, 415, 503]),
    st.dictionaries(st.text(max_size=8), _JSON_VALUES, max_size=4),
    st.none() | st.dictionaries(st.sampled_from(["Retry-After", "X-Extra", "allow"]), _HEADER_TEXT, max_size=2),
)
def test_a_json_answer_sends_what_starlettes_json_response_sends(
    status: int, content: dict[str, Any], headers: dict[str, str] | None
) -> None:
    """The start and body messages are those of a `JSONResponse` of the same content and headers."""
    answer = JsonAnswer(status, content, headers)
    response = JSONResponse(content, status_code=status, headers=headers)
    ours = asyncio.run(_sent(answer.send))
    theirs = asyncio.run(_sent(lambda send: response({"type": "http"}, _no_receive, send)))
    assert ours == theirs


async def _no_receive() -> Message:
    raise AssertionError("a response reads nothing")


_RAW_NAMES = st.sampled_from([b"content-type", b"Content-Type", b"x-github-event", b"x-hub-signature-256", b"a"])
_RAW_HEADERS = st.lists(st.tuples(_RAW_NAMES, _HEADER_TEXT.map(lambda text: text.encode("latin-1"))), max_size=6)


@examples(max_examples=300, deadline=None)
@given(_RAW_HEADERS, st.sampled_from(["content-type", "Content-Type", "X-GitHub-Event", "x-hub-signature-256", "b"]))
def test_scope_headers_read_as_starlettes_headers(raw: list[tuple[bytes, bytes]], name: str) -> None:
    """A look-up, the pairs, the names and the count are those of Starlette's `Headers`."""
    ours, theirs = ScopeHeaders({"headers": raw}), Headers(scope={"headers": raw})
    assert (ours.get(name), ours.items(), list(ours), len(ours)) == (
        theirs.get(name), theirs.items(), list(theirs), len(theirs)
    )


_MESSAGES = st.lists(
    st.one_of(
        st.builds(lambda body, more: {"type": "http.request", "body": body, "more_body": more},
                  st.binary(max_size=4), st.booleans()),
        st.just({"type": "http.request"}),
        st.just({"type": "http.disconnect"}),
    ),
    min_size=1, max_size=6,
)


async def _chunks(stream: AsyncIterator[bytes]) -> tuple[list[bytes], bool]:
    """The chunks a body stream yields, and whether it ended in a disconnect."""
    read: list[bytes] = []
    try:
        async for chunk in stream:
            read.append(chunk)
    except (ClientDisconnect, StarletteDisconnect):
        return read, True
    return read, False


@examples(max_examples=300, deadline=None)
@given(_MESSAGES)
def test_a_body_streams_as_starlettes_request_streams_it(messages: list[Message]) -> None:
    """The chunks, and whether the stream ends in a disconnect, are those of `Request.stream`."""
    def receiver() -> Receive:
        queue = [*messages, {"type": "http.disconnect"}]  # after the last, the client goes away

        async def receive() -> Message:
            return queue.pop(0)

        return receive

    ours = asyncio.run(_chunks(body_chunks(receiver())))
    theirs = asyncio.run(_chunks(Request({"type": "http"}, receiver()).stream()))
    assert ours == theirs
