"""Tests for bot.service.app: the webhook endpoint, the one delivery path, probes and logs.

Every test runs the real wiring (`build_app`): verified deliveries become reconcile jobs that
run against the GitHub API emulator, so the outcome checked is what GitHub ends up holding.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import logging
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.cli.sandbox import serving as real_server
from bot.core.webhook import sign
from bot.emulator import GitHubEmulator
from bot.emulator.webhooks import encode
from bot.service.app import WEBHOOK_PATH, Service
from bot.service.logs import JsonFormatter, configure_logging
from bot.service.settings import Settings
from bot.service.wiring import build_app
from tests.deployment import MAINTAINER, REPO, listbot_settings, prepare_repository
from tests.factories import issue_body

WAIT = 10.0
HTTP_IMPLEMENTATIONS = [
    "h11",
    pytest.param(
        "httptools",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("httptools") is None, reason="httptools not installed"
        ),
    ),
]


@dataclass
class Live:
    """A listbot app wired to the emulator; deliveries are posted by hand (the emulator has no hook)."""

    github: GitHubEmulator
    settings: Settings
    app: FastAPI
    filed: int = 0

    @property
    def secret(self) -> str:
        return self.settings.webhook_secret.get_secret_value()

    @property
    def service(self) -> Service:
        service: Service = self.app.state.service
        return service

    def file_issue(self) -> int:
        """A valid submission of a paper not filed before (GitHub makes no delivery for it here)."""
        self.filed += 1
        body = issue_body(
            title=f"{('Aurora', 'Beacon', 'Cobalt', 'Delta', 'Ember')[self.filed % 5]}-{self.filed}: Reports at Scale",
            paper_url=f"https://arxiv.org/abs/2403.{20000 + self.filed}",
            code_url=f"https://github.com/example/paper-{self.filed}",
        )
        return self.github.create_issue(REPO, "octocat", "[Paper]: x", body, ("submission",))

    def payload(self, number: int, action: str = "opened") -> bytes:
        """The `issues` delivery GitHub would send for issue `number`."""
        _event, payload = self.github.webhook("issues", action, REPO, issue=number)
        return encode(payload)

    def headers(self, body: bytes, event: str = "issues", secret: str | None = None,
                delivery: str | None = None) -> dict[str, str]:
        """The headers GitHub would send with `body`."""
        return {
            "Content-Type": "application/json",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "X-Hub-Signature-256": sign((secret or self.secret).encode(), body),
        }

    def wait_idle(self) -> None:
        deadline = time.monotonic() + WAIT
        while self.service.outstanding:
            assert time.monotonic() < deadline, "listbot did not become idle"
            time.sleep(0.01)

    def pull_heads(self) -> list[str]:
        return [pull.head for pull in self.github.pulls(REPO, "open")]


@pytest.fixture
def live(github_emulator: GitHubEmulator) -> Live:
    """listbot's app over a prepared repository (not started: use `started` or a server)."""
    app_id, key, secret = prepare_repository(github_emulator)
    settings = listbot_settings(github_emulator, app_id, key, secret, shutdown_grace=1.0)
    return Live(github_emulator, settings, build_app(settings))


@contextlib.contextmanager
def started(live: Live) -> Iterator[TestClient]:
    """A TestClient with the app's lifespan running, after the start-up resync finished."""
    with TestClient(live.app) as client:
        live.wait_idle()
        yield client


def post(client: TestClient, body: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST raw bytes to the webhook path."""
    response: httpx.Response = client.post(WEBHOOK_PATH, content=body, headers=headers)
    return response


def test_a_valid_delivery_is_acknowledged_with_202_and_reconciled(live: Live) -> None:
    """A signed issues delivery gets 202 and its issue gets listbot's pull request."""
    with started(live) as client:
        number = live.file_issue()
        body = live.payload(number)
        response = post(client, body, live.headers(body, delivery="abc-123"))
        live.wait_idle()
    assert response.status_code == 202
    assert response.json() == {"ok": True, "delivery": "abc-123"}
    assert live.pull_heads() == [f"listbot/issue-{number}"]


def test_json_with_a_charset_is_accepted(live: Live) -> None:
    """`application/json; charset=utf-8` is accepted like plain application/json."""
    with started(live) as client:
        body = live.payload(live.file_issue())
        headers = live.headers(body) | {"Content-Type": "application/json; charset=UTF-8"}
        assert post(client, body, headers).status_code == 202


def test_ping_gets_200_and_queues_nothing(live: Live) -> None:
    """A signed ping is answered 200 and causes no work."""
    body = b'{"zen": "Keep it logically awesome.", "hook_id": 1}'
    with started(live) as client:
        response = post(client, body, live.headers(body, event="ping"))
        outstanding = live.service.outstanding
    assert (response.status_code, response.json()["ok"], outstanding) == (200, True, 0)


def test_unhandled_events_and_ordinary_comments_get_200_and_change_nothing(live: Live) -> None:
    """An event listbot does not handle, or one with nothing to do, is acknowledged with 200 and ignored."""
    star = b'{"action": "created", "starred_at": null}'
    with started(live) as client:
        number = live.file_issue()
        live.github.add_comment(REPO, number, "octocat", "nice paper")
        _event, payload = live.github.webhook("issue_comment", "created", REPO, issue=number)
        comment = encode(payload)
        live.github.reset_requests()
        answers = [post(client, star, live.headers(star, event="star")),
                   post(client, comment, live.headers(comment, event="issue_comment"))]
        live.wait_idle()
    assert [(a.status_code, a.json()["ok"]) for a in answers] == [(200, True), (200, True)]
    assert answers[1].json()["ignored"] == "not a listbot command"
    assert live.pull_heads() == []
    assert live.github.requests.snapshot() == []


@pytest.mark.parametrize(
    "content_type",
    [None, "application/x-www-form-urlencoded", "text/plain", "application/jsonx"],
)
def test_non_json_content_types_get_415(live: Live, content_type: str | None) -> None:
    """A body that is not declared as application/json is refused with 415."""
    with started(live) as client:
        body = live.payload(live.file_issue())
        headers = live.headers(body)
        del headers["Content-Type"]
        if content_type is not None:
            headers["Content-Type"] = content_type
        response = post(client, body, headers)
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]


def test_a_content_length_over_25_mb_gets_413(live: Live) -> None:
    """A declared Content-Length over 25 MB is refused with 413."""
    with started(live) as client:
        body = live.payload(live.file_issue())
        response = post(client, body, live.headers(body) | {"Content-Length": str(25 * 1024 * 1024 + 1)})
    assert response.status_code == 413
    assert "25 MB" in response.json()["error"]


def test_a_streamed_body_over_the_cap_gets_413(live: Live) -> None:
    """A chunked body without Content-Length is cut off with 413 once it passes the cap."""

    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b"x" * 1024

    live.app = build_app(live.settings, max_payload_bytes=4096)
    with started(live) as client:
        response = client.post(WEBHOOK_PATH, content=chunks(), headers=live.headers(b"ignored"))
    assert response.status_code == 413


def test_a_missing_signature_gets_401(live: Live) -> None:
    """A delivery without X-Hub-Signature-256 is refused with 401."""
    with started(live) as client:
        body = live.payload(live.file_issue())
        headers = live.headers(body)
        del headers["X-Hub-Signature-256"]
        response = post(client, body, headers)
    assert response.status_code == 401
    assert "X-Hub-Signature-256" in response.json()["error"]


@pytest.mark.parametrize("forgery", ["other secret", "other bytes", "zeros", "sha1 only"])
def test_a_wrong_signature_gets_401_and_changes_nothing(live: Live, forgery: str) -> None:
    """A signature made with another secret or over other bytes is refused with 401; no PR appears."""
    with started(live) as client:
        body = live.payload(live.file_issue())
        headers = {
            "other secret": live.headers(body, secret="another-secret"),
            "other bytes": live.headers(body + b" "),
            "zeros": live.headers(body) | {"X-Hub-Signature-256": "sha256=" + "0" * 64},
            "sha1 only": live.headers(body) | {"X-Hub-Signature": sign(b"x", body).replace("sha256", "sha1")},
        }[forgery]
        if forgery == "sha1 only":
            del headers["X-Hub-Signature-256"]
        response = post(client, body, headers)
        live.wait_idle()
    assert response.status_code == 401
    assert live.pull_heads() == []


@pytest.mark.parametrize(
    ("body", "drop", "message"),
    [
        (b'{"action": "opened"}', "X-GitHub-Event", "X-GitHub-Event"),
        (b'{"action": "opened"}', "X-GitHub-Delivery", "X-GitHub-Delivery"),
        (b'{"action": "opened"', None, "not valid JSON"),
        (b'["an", "array"]', None, "JSON object"),
        (b"null", None, "JSON object"),
    ],
)
def test_malformed_deliveries_get_400(live: Live, body: bytes, drop: str | None, message: str) -> None:
    """Missing GitHub headers, invalid JSON or a non-object body are refused with 400."""
    headers = live.headers(body)
    if drop:
        del headers[drop]
    with started(live) as client:
        response = post(client, body, headers)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_a_github_that_does_not_answer_does_not_delay_acknowledgements(live: Live) -> None:
    """While GitHub hangs, deliveries are still acknowledged with 202 and wait in the queue."""
    with started(live) as client:
        numbers = [live.file_issue() for _ in range(5)]
        live.github.faults.latency(3.0)
        statuses = [post(client, body, live.headers(body)).status_code for body in map(live.payload, numbers)]
        health = client.get("/healthz").json()
        live.github.faults.latency(0.0)
    assert statuses == [202] * 5
    assert health["status"] == "ok"
    assert health["outstanding"] == 5
    assert health["queued"] == 4  # one runs: the installation's jobs go one at a time


def test_an_unexpected_error_in_the_endpoint_is_a_4xx_not_a_5xx(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception escaping the endpoint becomes a JSON 400 with an error id, never a 5xx."""

    def broken(event: str) -> bool:
        raise KeyError(event)

    with started(live) as client:
        monkeypatch.setattr(live.service.reconciler, "handles", broken)
        body = live.payload(live.file_issue())
        response = post(client, body, live.headers(body))
    assert response.status_code == 400
    assert "error id" in response.json()["error"]


# --- probes -------------------------------------------------------------------------------------


def wait_checked(client: TestClient) -> httpx.Response:
    """/readyz once the background credentials check has run at least once."""
    deadline = time.monotonic() + WAIT
    while True:
        response: httpx.Response = client.get("/readyz")
        if response.json()["github"]["checked_at"] is not None:
            return response
        assert time.monotonic() < deadline, "the credentials check never ran"
        time.sleep(0.02)


def test_healthz_reports_ok_with_running_workers(live: Live) -> None:
    """GET /healthz answers 200 with status ok, the queue, GitHub and the last resync."""
    with started(live) as client:
        response = client.get("/healthz")
    body = response.json()
    assert (response.status_code, body["status"], body["worker"]) == (200, "ok", "running")
    assert (body["queued"], body["outstanding"]) == (0, 0)
    assert body["github"]["last_success"] is not None
    assert body["resync"]["age_s"] is not None


def test_healthz_answers_503_once_the_workers_are_gone(live: Live) -> None:
    """Liveness fails when the worker threads no longer run, so the orchestrator restarts listbot."""
    with started(live) as client:
        live.service.reconciler.queue.stop(grace=1.0)
        response = client.get("/healthz")
    assert (response.status_code, response.json()["status"], response.json()["worker"]) == (503, "down", "stopped")


def test_readyz_is_ready_when_github_accepts_the_credentials(live: Live) -> None:
    """GET /readyz answers 200 once the background check found the app's credentials accepted."""
    with started(live) as client:
        response = wait_checked(client)
    assert (response.status_code, response.json()["status"]) == (200, "ready")
    assert "authenticated as app listbot" in response.json()["github"]["detail"]


def test_readyz_says_why_github_refuses_the_credentials(live: Live) -> None:
    """With a key GitHub does not know, /readyz answers 503 naming the 401 and /healthz stays 200."""
    other_key = live.github.register_app(app_id=999, slug="other")
    settings = live.settings.model_copy(update={"private_key": type(live.settings.private_key)(other_key)})
    live.app = build_app(settings)
    with started(live) as client:
        ready = wait_checked(client)
        health = client.get("/healthz")
    assert (ready.status_code, ready.json()["status"]) == (503, "not ready")
    assert ready.json()["reason"] == "GitHub refused the app's credentials (401)"
    assert health.status_code == 200


def test_metrics_are_served_in_prometheus_format(live: Live) -> None:
    """GET /metrics lists deliveries, job durations, GitHub requests, queue depth and resync duration."""
    with started(live) as client:
        body = live.payload(live.file_issue())
        post(client, body, live.headers(body))
        live.wait_idle()
        response = client.get("/metrics")
    text = response.text
    assert response.headers["content-type"].startswith("text/plain")
    for name in ("listbot_deliveries_total{", "listbot_job_duration_seconds_bucket{",
                 "listbot_github_requests_total{", "listbot_queue_depth ", "listbot_resync_duration_seconds_count"):
        assert name in text, name
    assert 'listbot_deliveries_total{event="issues",outcome="ok"}' in text


def test_after_shutdown_begins_deliveries_get_503_with_retry_after(live: Live) -> None:
    """Once shutting down, a delivery is refused with 503 and Retry-After, and /readyz is 503."""
    with started(live) as client:
        live.service.shutdown()
        body = live.payload(live.file_issue())
        response = post(client, body, live.headers(body))
        ready = client.get("/readyz")
        health = client.get("/healthz")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert (ready.status_code, ready.json()["reason"]) == (503, response.json()["error"])
    assert (health.status_code, health.json()["status"]) == (200, "stopping")
    assert live.pull_heads() == []


# --- logs ---------------------------------------------------------------------------------------


@pytest.fixture
def log_stream(live: Live) -> Iterator[io.StringIO]:
    """Capture JSON log lines written through configure_logging, with the secrets registered."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    key = live.settings.private_key.get_secret_value()
    configure_logging("INFO", secrets=[live.secret, key.strip()], stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_a_delivery_is_logged_received_dispatched_reconciled_done(live: Live, log_stream: io.StringIO) -> None:
    """One delivery's lines, found by its id, are received → dispatched → reconciled → done, in that order."""
    with started(live) as client:
        number = live.file_issue()
        body = live.payload(number)
        post(client, body, live.headers(body, delivery="good-1"))
        post(client, body, live.headers(body, secret="wrong", delivery="bad-2"))
        live.wait_idle()
    records = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    mine = [r for r in records if r.get("delivery_id") == "good-1"]
    assert [r["msg"] for r in mine if r["msg"] != "GitHub request retried"] == [
        "delivery received", "delivery dispatched", "reconciled", "delivery done",
    ]
    received, dispatched, _reconciled, done = mine
    [installation] = live.github.state.installations
    assert received | {"duration_ms": 0} == received | {
        "event": "issues", "action": "opened", "installation_id": installation, "repository": REPO,
        "issue": number, "outcome": "queued", "status": 202, "duration_ms": 0,
    }
    assert (dispatched["outcome"], dispatched["jobs"]) == ("queued", 1)
    assert done["outcome"] == "ok"
    assert done["duration_ms"] >= 0
    rejected = next(r for r in records if r["msg"] == "delivery rejected")
    assert (rejected["delivery_id"], rejected["status"]) == ("bad-2", 401)


def test_known_secrets_are_scrubbed_from_every_line() -> None:
    """A secret that reaches a log line (e.g. inside an exception) is replaced by a marker."""
    formatter = JsonFormatter(secrets=["s3cret-value-123"])
    try:
        raise RuntimeError("boom with s3cret-value-123")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed: %s", ("s3cret-value-123",), None)
        record.exc_info = sys.exc_info()
    line = formatter.format(record)
    assert "s3cret-value-123" not in line
    assert json.loads(line)["msg"] == "failed: [redacted]"


# --- a real uvicorn server ----------------------------------------------------------------------


@contextlib.contextmanager
def serving(live: Live, http: str = "auto") -> Iterator[str]:
    """Run the live app under real uvicorn on a free loopback port in a thread; yield its base URL."""
    with real_server(live.app, http) as (url, _server):
        live.wait_idle()
        yield url


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
def test_real_server_acknowledges_and_reconciles(live: Live, http: str) -> None:
    """Under real uvicorn, signed deliveries get 202 over HTTP and their issues get pull requests."""
    with serving(live, http=http) as url, httpx.Client(base_url=url) as client:
        numbers = [live.file_issue() for _ in range(3)]
        responses = [
            client.post(WEBHOOK_PATH, content=body, headers=live.headers(body)) for body in map(live.payload, numbers)
        ]
        live.wait_idle()
        health = client.get("/healthz")
    assert [r.status_code for r in responses] == [202, 202, 202]
    assert health.json()["status"] == "ok"
    assert sorted(live.pull_heads()) == sorted(f"listbot/issue-{n}" for n in numbers)


@pytest.mark.parametrize("http", HTTP_IMPLEMENTATIONS)
def test_real_server_answers_413_without_reading_the_body(live: Live, http: str) -> None:
    """A huge Content-Length is refused with 413 although the client never sends the body."""
    request = (
        f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\nX-GitHub-Event: issues\r\n"
        "X-GitHub-Delivery: huge-1\r\nContent-Length: 10000000000\r\n\r\n{"
    ).encode()
    with serving(live, http=http) as url:
        answer = _raw_exchange(url, request)
    assert answer.startswith(b"HTTP/1.1 413")
    assert b'"error"' in answer


def test_real_server_cuts_off_an_oversized_chunked_body(live: Live) -> None:
    """A chunked body without Content-Length is refused with 413 once it passes the cap."""

    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            yield b"x" * 1024

    live.app = build_app(live.settings, max_payload_bytes=8192)
    with serving(live) as url, httpx.Client(base_url=url) as client:
        response = client.post(WEBHOOK_PATH, content=chunks(), headers=live.headers(b"whatever"))
    assert response.status_code == 413


def test_real_server_refuses_a_bad_signature_with_401(live: Live) -> None:
    """Over real HTTP a delivery signed with the wrong secret gets 401."""
    with serving(live) as url:
        body = live.payload(live.file_issue())
        response = httpx.post(url + WEBHOOK_PATH, content=body, headers=live.headers(body, secret="not-it"))
    assert response.status_code == 401


def test_a_replayed_command_delivery_is_acknowledged_and_not_run_again(live: Live) -> None:
    """A maintainer's `/listbot recreate` delivery POSTed again byte for byte reopens nothing."""
    with started(live) as client:
        number = live.file_issue()
        opened = live.payload(number)
        post(client, opened, live.headers(opened))
        live.wait_idle()
        [pull] = live.github.pulls(REPO, "open")
        live.github.close_issue(REPO, pull.number, actor=MAINTAINER)
        comment = live.github.add_comment(REPO, number, MAINTAINER, "/listbot recreate")
        _event, payload = live.github.webhook("issue_comment", "created", REPO, issue=number, comment=comment)
        command = encode(payload)
        headers = live.headers(command, event="issue_comment", delivery="recreate-1")
        assert post(client, command, headers).status_code == 202
        live.wait_idle()
        assert len(live.github.pulls(REPO, "open")) == 1
        live.github.close_issue(REPO, pull.number, actor=MAINTAINER)
        replay = post(client, command, headers)
        live.wait_idle()
    assert replay.status_code == 202
    assert replay.json() == {"ok": True, "delivery": "recreate-1", "duplicate": True}
    assert live.github.pulls(REPO, "open") == []


def test_a_body_without_a_signature_header_is_refused_before_it_is_read(live: Live) -> None:
    """An unsigned POST gets 401 whatever its size, and the endpoint reads none of it."""
    with started(live) as client:
        headers = {"Content-Type": "application/json", "X-GitHub-Event": "issues", "X-GitHub-Delivery": "u-1"}
        response = post(client, b"{" + b" " * (2 * 1024 * 1024) + b"}", headers)
    assert response.status_code == 401


def test_readyz_and_metrics_show_the_rate_limit_left(live: Live) -> None:
    """After listbot's first GitHub calls, /readyz and /metrics report the core window GitHub announced."""
    with started(live) as client:
        report = client.get("/readyz").json()["rate_limit"]
        metrics = client.get("/metrics").text
    assert report["limit"] == 5000
    assert 0 < report["remaining"] < 5000
    assert report["backoff_s"] == 0
    assert "\nlistbot_github_rate_remaining " in metrics
    assert "\nlistbot_github_rate_backoff_seconds 0.0" in metrics


def test_an_unknown_path_or_method_is_answered_in_json(live: Live) -> None:
    """404 and 405 carry `{"detail": …}`, so a probe or a misconfigured webhook URL reads why."""
    with started(live) as client:
        missing = client.get("/nope")
        wrong = client.get(WEBHOOK_PATH)
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
    assert (wrong.status_code, wrong.json()) == (405, {"detail": "Method Not Allowed"})
