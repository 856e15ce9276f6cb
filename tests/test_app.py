"""Tests for bot.service.app: the webhook endpoint, the background worker, health and logs."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.cli.sandbox import serving as real_server
from bot.core.webhook import Delivery, sign
from bot.service.app import WEBHOOK_PATH, Dispatcher, HealthResult, LoggingDispatcher, create_app
from bot.service.logs import configure_logging
from bot.service.settings import Settings

SECRET = "test-webhook-secret-5b1e"
KEY_TEXT = "-----BEGIN PRIVATE KEY-----\nTESTKEYMATERIALTESTKEYMATERIAL\n-----END PRIVATE KEY-----\n"
WAIT = 5.0
HTTP_IMPLEMENTATIONS = [
    "h11",
    pytest.param(
        "httptools",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("httptools") is None, reason="httptools not installed"
        ),
    ),
]


def make_settings(secret: str = SECRET) -> Settings:
    """Settings for tests (the key is never used by the app, so it need not be real)."""
    return Settings(app_id=1, private_key=SecretStr(KEY_TEXT), webhook_secret=SecretStr(secret))


def issues_payload(number: int = 42, action: str = "opened", pad: int = 0) -> dict[str, Any]:
    """An `issues` payload for issue `number`, optionally padded to a realistic size."""
    return {
        "action": action,
        "issue": {"number": number, "title": "Add a paper", "body": "x" * pad},
        "repository": {"full_name": "octo/list"},
        "installation": {"id": 777},
        "sender": {"login": "mona", "type": "User"},
    }


def signed(
    body: bytes, event: str = "issues", secret: str = SECRET, delivery: str | None = None
) -> dict[str, str]:
    """Headers GitHub would send with `body`."""
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(secret.encode(), body),
    }


class RecordingDispatcher:
    """A dispatcher that records deliveries; it can be told to block or to raise."""

    def __init__(self, *, fail: bool = False, gate: threading.Event | None = None) -> None:
        self.deliveries: list[Delivery] = []
        self.fail = fail
        self.gate = gate
        self.done = threading.Semaphore(0)

    def handles(self, event: str) -> bool:
        """Accept issues and pushes only."""
        return event in {"issues", "push"}

    def dispatch(self, delivery: Delivery) -> None:
        """Record the delivery, after waiting for the gate if there is one."""
        try:
            if self.gate is not None:
                self.gate.wait(WAIT)
            if self.fail:
                raise RuntimeError(f"boom with {SECRET}")
            self.deliveries.append(delivery)
        finally:
            self.done.release()

    def wait_for(self, count: int) -> None:
        """Block until `count` dispatches have finished."""
        for _ in range(count):
            assert self.done.acquire(timeout=WAIT), "dispatcher was not called in time"


@contextlib.contextmanager
def client_for(dispatcher: Dispatcher | None = None, **kwargs: Any) -> Iterator[TestClient]:
    """A TestClient with the app's lifespan (and so its worker) running."""
    with TestClient(create_app(make_settings(), dispatcher, **kwargs)) as client:
        yield client


@contextlib.contextmanager
def serving(app: FastAPI, http: str = "auto") -> Iterator[str]:
    """Run `app` under real uvicorn on a free loopback port in a thread; yield its base URL."""
    with real_server(app, http) as (url, _server):
        yield url


def post(client: TestClient, body: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST raw bytes to the webhook path."""
    response: httpx.Response = client.post(WEBHOOK_PATH, content=body, headers=headers)
    return response


BODY = json.dumps(issues_payload()).encode()


def test_a_valid_delivery_is_acknowledged_with_202_and_dispatched() -> None:
    """A signed issues delivery gets 202 and reaches the dispatcher with its routing fields."""
    dispatcher = RecordingDispatcher()
    with client_for(dispatcher) as client:
        response = post(client, BODY, signed(BODY, delivery="abc-123"))
        dispatcher.wait_for(1)
    assert response.status_code == 202
    assert response.json() == {"ok": True, "delivery": "abc-123"}
    [delivery] = dispatcher.deliveries
    assert (delivery.delivery_id, delivery.issue_number, delivery.repository) == (
        "abc-123",
        42,
        "octo/list",
    )


def test_json_with_a_charset_is_accepted() -> None:
    """`application/json; charset=utf-8` is accepted like plain application/json."""
    with client_for(RecordingDispatcher()) as client:
        headers = signed(BODY) | {"Content-Type": "application/json; charset=UTF-8"}
        assert post(client, BODY, headers).status_code == 202


def test_ping_gets_200() -> None:
    """A signed ping is answered 200 and never dispatched."""
    dispatcher = RecordingDispatcher()
    body = b'{"zen": "Keep it logically awesome.", "hook_id": 1}'
    with client_for(dispatcher) as client:
        response = post(client, body, signed(body, event="ping"))
    assert (response.status_code, response.json()["ok"]) == (200, True)
    assert dispatcher.deliveries == []


def test_unhandled_events_get_2xx_and_are_not_dispatched() -> None:
    """An event the dispatcher does not handle is acknowledged and dropped."""
    dispatcher = RecordingDispatcher()
    body = b'{"action": "created", "starred_at": null}'
    with client_for(dispatcher) as client:
        response = post(client, body, signed(body, event="star"))
        follow_up = post(client, BODY, signed(BODY))
        dispatcher.wait_for(1)
    assert response.status_code == 200
    assert [d.event for d in dispatcher.deliveries] == ["issues"]
    assert follow_up.status_code == 202


@pytest.mark.parametrize(
    "content_type",
    [None, "application/x-www-form-urlencoded", "text/plain", "application/jsonx"],
)
def test_non_json_content_types_get_415(content_type: str | None) -> None:
    """A body that is not declared as application/json is refused with 415."""
    headers = signed(BODY)
    del headers["Content-Type"]
    if content_type is not None:
        headers["Content-Type"] = content_type
    with client_for(RecordingDispatcher()) as client:
        response = post(client, BODY, headers)
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]


def test_a_content_length_over_25_mb_gets_413() -> None:
    """A declared Content-Length over 25 MB is refused with 413."""
    headers = signed(BODY) | {"Content-Length": str(25 * 1024 * 1024 + 1)}
    with client_for(RecordingDispatcher()) as client:
        response = post(client, BODY, headers)
    assert response.status_code == 413
    assert "25 MB" in response.json()["error"]


def test_a_streamed_body_over_the_cap_gets_413() -> None:
    """A chunked body without Content-Length is cut off with 413 once it passes the cap."""

    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b"x" * 1024

    with client_for(RecordingDispatcher(), max_payload_bytes=4096) as client:
        response = client.post(WEBHOOK_PATH, content=chunks(), headers=signed(b"ignored"))
    assert response.status_code == 413


def test_a_missing_signature_gets_401() -> None:
    """A delivery without X-Hub-Signature-256 is refused with 401."""
    headers = signed(BODY)
    del headers["X-Hub-Signature-256"]
    with client_for(RecordingDispatcher()) as client:
        response = post(client, BODY, headers)
    assert response.status_code == 401
    assert "X-Hub-Signature-256" in response.json()["error"]


@pytest.mark.parametrize(
    "headers",
    [
        signed(BODY, secret="another-secret"),
        signed(BODY + b" "),
        signed(BODY) | {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        signed(BODY) | {"X-Hub-Signature": sign(b"x", BODY).replace("sha256", "sha1")},
    ],
)
def test_a_wrong_signature_gets_401_and_is_not_dispatched(headers: dict[str, str]) -> None:
    """A signature made with another secret or over other bytes is refused with 401."""
    dispatcher = RecordingDispatcher()
    if "X-Hub-Signature" in headers:
        del headers["X-Hub-Signature-256"]
    with client_for(dispatcher) as client:
        response = post(client, BODY, headers)
    assert response.status_code == 401
    assert dispatcher.deliveries == []


@pytest.mark.parametrize(
    ("body", "drop", "message"),
    [
        (BODY, "X-GitHub-Event", "X-GitHub-Event"),
        (BODY, "X-GitHub-Delivery", "X-GitHub-Delivery"),
        (b'{"action": "opened"', None, "not valid JSON"),
        (b'["an", "array"]', None, "JSON object"),
        (b"null", None, "JSON object"),
    ],
)
def test_malformed_deliveries_get_400(body: bytes, drop: str | None, message: str) -> None:
    """Missing GitHub headers, invalid JSON or a non-object body are refused with 400."""
    headers = signed(body)
    if drop:
        del headers[drop]
    with client_for(RecordingDispatcher()) as client:
        response = post(client, body, headers)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_a_slow_dispatcher_does_not_delay_acknowledgements() -> None:
    """Deliveries are acknowledged at once while the dispatcher is blocked on the first one."""
    gate = threading.Event()
    dispatcher = RecordingDispatcher(gate=gate)
    with client_for(dispatcher) as client:
        statuses = [post(client, BODY, signed(BODY)).status_code for _ in range(5)]
        health = client.get("/healthz").json()
        gate.set()
        dispatcher.wait_for(5)
    assert statuses == [202] * 5
    assert health["queued"] >= 4
    assert len(dispatcher.deliveries) == 5


def test_a_raising_dispatcher_never_causes_a_5xx() -> None:
    """A dispatcher exception is swallowed; later deliveries are still acknowledged and counted."""
    dispatcher = RecordingDispatcher(fail=True)
    with client_for(dispatcher) as client:
        statuses = [post(client, BODY, signed(BODY)).status_code for _ in range(3)]
        dispatcher.wait_for(3)
        health = client.get("/healthz").json()
    assert statuses == [202] * 3
    assert (health["status"], health["failed"]) == ("ok", 3)


class BrokenDispatcher(RecordingDispatcher):
    """A dispatcher whose routing check itself raises, to exercise the last line of defence."""

    def handles(self, event: str) -> bool:
        """Raise instead of answering."""
        raise KeyError(event)


def test_an_unexpected_error_in_the_endpoint_is_a_4xx_not_a_5xx() -> None:
    """An exception escaping the endpoint becomes a JSON 400 with an error id, never a 5xx."""
    with client_for(BrokenDispatcher()) as client:
        response = post(client, BODY, signed(BODY))
    assert response.status_code == 400
    assert "error id" in response.json()["error"]


def test_a_full_queue_answers_429_not_5xx() -> None:
    """When the queue is full a delivery is refused with 429 so GitHub marks it for redelivery."""
    gate = threading.Event()
    dispatcher = RecordingDispatcher(gate=gate)
    with client_for(dispatcher, queue_size=1) as client:
        statuses = [post(client, BODY, signed(BODY)).status_code for _ in range(4)]
        gate.set()
    assert statuses[-1] == 429
    assert 202 in statuses


def test_healthz_reports_ok_with_a_running_worker() -> None:
    """GET /healthz answers 200 with status ok while the worker runs."""
    with client_for(LoggingDispatcher()) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["worker"] == "running"


@pytest.mark.parametrize(
    ("result", "status"),
    [(HealthResult(ok=True, detail="token minted"), "ok"), (HealthResult(ok=False), "degraded")],
)
def test_healthz_includes_the_health_check(result: HealthResult, status: str) -> None:
    """The optional health check's verdict decides between ok and degraded."""
    with client_for(LoggingDispatcher(), health_check=lambda: result) as client:
        body = client.get("/healthz").json()
    assert body["status"] == status
    assert body["github"]["ok"] is result.ok


def test_healthz_survives_a_raising_health_check() -> None:
    """A health check that raises reports degraded instead of failing the request."""

    def broken() -> HealthResult:
        raise ConnectionError("api.github.com unreachable")

    with client_for(LoggingDispatcher(), health_check=broken) as client:
        response = client.get("/healthz")
    assert (response.status_code, response.json()["status"]) == (200, "degraded")


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Capture JSON log lines written through configure_logging, with the secrets registered."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    configure_logging("INFO", secrets=[SECRET, KEY_TEXT.strip()], stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_logs_name_each_delivery_and_never_the_secret(log_stream: io.StringIO) -> None:
    """Every delivery is logged as JSON with its ids and outcome, and the secret never appears."""
    dispatcher = RecordingDispatcher(fail=True)
    with client_for(dispatcher) as client:
        post(client, BODY, signed(BODY, delivery="good-1"))
        post(client, BODY, signed(BODY, secret="wrong", delivery="bad-2"))
        dispatcher.wait_for(1)
    text = log_stream.getvalue()
    records = [json.loads(line) for line in text.splitlines()]
    received = next(r for r in records if r["msg"] == "delivery received")
    assert received | {"duration_ms": 0} == received | {
        "delivery_id": "good-1",
        "event": "issues",
        "action": "opened",
        "installation_id": 777,
        "repository": "octo/list",
        "issue": 42,
        "outcome": "queued",
        "status": 202,
        "duration_ms": 0,
    }
    rejected = next(r for r in records if r["msg"] == "delivery rejected")
    assert (rejected["delivery_id"], rejected["status"]) == ("bad-2", 401)
    dispatched = next(r for r in records if r["msg"] == "delivery dispatched")
    assert (dispatched["delivery_id"], dispatched["outcome"]) == ("good-1", "error")
    assert SECRET not in text
    assert "TESTKEYMATERIAL" not in text
    assert "[redacted]" in text  # the dispatcher's exception message quoted the secret


def _raw_exchange(url: str, request: bytes, timeout: float = WAIT) -> bytes:
    """Send raw bytes over one TCP connection and read the answer until the server closes."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(request)
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := conn.recv(65536):
                received += chunk
                if b"\r\n\r\n" in received and b"}" in received:
                    break
    return received


@pytest.mark.parametrize("http", HTTP_IMPLEMENTATIONS)
def test_real_server_acknowledges_and_dispatches(http: str) -> None:
    """Under real uvicorn, signed deliveries get 202 over HTTP and reach the dispatcher."""
    dispatcher = RecordingDispatcher()
    with serving(create_app(make_settings(), dispatcher), http=http) as url:
        with httpx.Client(base_url=url) as client:
            responses = [
                client.post(WEBHOOK_PATH, content=BODY, headers=signed(BODY)) for _ in range(3)
            ]
            health = client.get("/healthz")
        dispatcher.wait_for(3)
    assert [r.status_code for r in responses] == [202, 202, 202]
    assert health.json()["status"] == "ok"
    assert len(dispatcher.deliveries) == 3


@pytest.mark.parametrize("http", HTTP_IMPLEMENTATIONS)
def test_real_server_answers_413_without_reading_the_body(http: str) -> None:
    """A huge Content-Length is refused with 413 although the client never sends the body."""
    request = (
        f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\nX-GitHub-Event: issues\r\n"
        "X-GitHub-Delivery: huge-1\r\nContent-Length: 10000000000\r\n\r\n{"
    ).encode()
    with serving(create_app(make_settings(), RecordingDispatcher()), http=http) as url:
        started = time.perf_counter()
        answer = _raw_exchange(url, request)
        elapsed = time.perf_counter() - started
    assert answer.startswith(b"HTTP/1.1 413")
    assert b'"error"' in answer
    assert elapsed < 2.0


def test_real_server_cuts_off_an_oversized_chunked_body() -> None:
    """A chunked body without Content-Length is refused with 413 once it passes the cap."""

    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            yield b"x" * 1024

    app = create_app(make_settings(), RecordingDispatcher(), max_payload_bytes=8192)
    with serving(app) as url, httpx.Client(base_url=url) as client:
        response = client.post(WEBHOOK_PATH, content=chunks(), headers=signed(b"whatever"))
    assert response.status_code == 413


def test_real_server_refuses_a_bad_signature_with_401() -> None:
    """Over real HTTP a delivery signed with the wrong secret gets 401."""
    with serving(create_app(make_settings(), RecordingDispatcher())) as url:
        response = httpx.post(
            url + WEBHOOK_PATH, content=BODY, headers=signed(BODY, secret="not-it")
        )
    assert response.status_code == 401
