"""The workers start on a warm-up thread while the webhook already answers: deliveries that arrive
meanwhile are acknowledged, held and reconciled once the workers run; the probes say "starting".

The warm-up here is the real one (`bot.service.wiring.warm_up`) behind a gate the test opens, so
the window in which the workers are not running yet is as long as the test needs.
"""

from __future__ import annotations

import io
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.core.webhook import sign
from bot.emulator import GitHubEmulator
from bot.emulator.webhooks import encode
from bot.service.app import WEBHOOK_PATH, Service, create_app
from bot.service.backend import Backend
from bot.service.settings import Settings
from bot.service.wiring import warm_up
from tests.deployment import REPO, listbot_settings, prepare_repository
from tests.factories import issue_body

WAIT = 10.0


@pytest.fixture
def settings(github_emulator: GitHubEmulator) -> Settings:
    app_id, key, secret = prepare_repository(github_emulator)
    return listbot_settings(github_emulator, app_id, key, secret, shutdown_grace=1.0)


def gated(settings: Settings, gate: threading.Event, after: Callable[[], None] | None = None,
          warm: Callable[[Settings], Backend] = warm_up) -> FastAPI:
    """listbot's app whose warm-up waits for `gate` before building the worker side."""

    def slow_warm_up() -> Backend:
        assert gate.wait(WAIT), "the test never opened the gate"
        return warm(settings)

    return create_app(settings, slow_warm_up, after_warm_up=after)


def deliver(client: TestClient, settings: Settings, event: str, payload: dict[str, Any],
            delivery: str | None = None) -> httpx.Response:
    body = encode(payload)
    headers = {
        "Content-Type": "application/json", "X-GitHub-Event": event, "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(settings.webhook_secret_bytes, body),
    }
    response: httpx.Response = client.post(WEBHOOK_PATH, content=body, headers=headers)
    return response


def file_issue(github: GitHubEmulator) -> tuple[int, dict[str, Any]]:
    """A valid submission (no hook delivers it here) and the `issues.opened` payload GitHub would send."""
    number = github.create_issue(REPO, "octocat", "[Paper]: x", issue_body(), ("submission",))
    _event, payload = github.webhook("issues", "opened", REPO, issue=number)
    return number, payload


def wait_idle(service: Service) -> None:
    deadline = time.monotonic() + WAIT
    while service.outstanding:
        assert time.monotonic() < deadline, "listbot did not become idle"
        time.sleep(0.01)


def test_a_delivery_during_the_warm_up_is_acknowledged_held_and_then_reconciled(
    github_emulator: GitHubEmulator, settings: Settings
) -> None:
    """Before the workers run, a delivery gets its 202 at once and its issue gets its PR afterwards;
    /readyz is 503 "starting" and /healthz 200 with the worker "starting" meanwhile."""
    gate, warmed = threading.Event(), threading.Event()
    app = gated(settings, gate, after=warmed.set)
    number, payload = file_issue(github_emulator)
    with TestClient(app) as client:
        answer = deliver(client, settings, "issues", payload, delivery="held-1")
        replay = deliver(client, settings, "issues", payload, delivery="held-1")
        star = deliver(client, settings, "star", {"action": "created"})
        ready, health = client.get("/readyz"), client.get("/healthz")
        pulls_before = github_emulator.pulls(REPO, "open")
        gate.set()
        assert warmed.wait(WAIT)
        wait_idle(app.state.service)
        ready_after = client.get("/readyz")
    assert (answer.status_code, answer.json()) == (202, {"ok": True, "delivery": "held-1"})
    assert (replay.status_code, replay.json()["duplicate"]) == (202, True)
    assert (star.status_code, star.json()["ignored"]) == (200, "star")
    assert (ready.status_code, ready.json()["status"], ready.json()["worker"]) == (503, "starting", "starting")
    assert "starting its workers" in ready.json()["reason"]
    assert (health.status_code, health.json()["status"], health.json()["worker"]) == (200, "ok", "starting")
    assert (health.json()["queued"], health.json()["outstanding"]) == (1, 2)  # the held delivery, the warm-up
    assert pulls_before == []
    assert [pull.head for pull in github_emulator.pulls(REPO, "open")] == [f"listbot/issue-{number}"]
    assert ready_after.json()["worker"] == "running"


def test_a_held_delivery_with_nothing_to_do_is_logged_as_ignored(
    github_emulator: GitHubEmulator, settings: Settings, logs: io.StringIO
) -> None:
    """A held delivery that the rules route nowhere ends with one "delivery done" line saying why."""
    gate = threading.Event()
    app = gated(settings, gate)
    number, _ = file_issue(github_emulator)
    github_emulator.add_comment(REPO, number, "octocat", "nice paper")
    _event, payload = github_emulator.webhook("issue_comment", "created", REPO, issue=number)
    with TestClient(app) as client:
        assert deliver(client, settings, "issue_comment", payload, delivery="chat-1").status_code == 202
        gate.set()
        wait_idle(app.state.service)
    done = [json.loads(line) for line in logs.getvalue().splitlines() if '"delivery done"' in line]
    assert [(line["delivery_id"], line["outcome"], line["reason"]) for line in done] == [
        ("chat-1", "ignored", "not a listbot command"),
    ]


def test_when_the_warm_up_fails_the_probes_and_deliveries_say_so(settings: Settings) -> None:
    """If the worker side cannot be built, /healthz is 503 (restart me), and deliveries get 503."""
    gate, warmed = threading.Event(), threading.Event()

    def broken(_settings: Settings) -> Backend:
        raise RuntimeError("cannot build")

    app = gated(settings, gate, after=warmed.set, warm=broken)
    with TestClient(app) as client:
        gate.set()
        assert warmed.wait(WAIT)
        health, ready = client.get("/healthz"), client.get("/readyz")
        answer = deliver(client, settings, "issues", {"action": "opened", "installation": {"id": 1}})
    assert (health.status_code, health.json()["status"], health.json()["worker"]) == (503, "down", "stopped")
    assert "could not start (RuntimeError" in health.json()["reason"]
    assert ready.status_code == 503
    assert answer.status_code == 503


def test_shutdown_during_the_warm_up_never_starts_the_workers(
    github_emulator: GitHubEmulator, settings: Settings, logs: io.StringIO
) -> None:
    """A shutdown before the workers run ends the held deliveries as interrupted (the next start-up
    resync finds their work) and the warm-up, finishing later, starts nothing."""
    gate, warmed = threading.Event(), threading.Event()
    app = gated(settings, gate, after=warmed.set)
    _number, payload = file_issue(github_emulator)
    with TestClient(app) as client:
        assert deliver(client, settings, "issues", payload, delivery="late-1").status_code == 202
    gate.set()
    assert warmed.wait(WAIT)
    service: Service = app.state.service
    done = [json.loads(line) for line in logs.getvalue().splitlines() if '"delivery done"' in line]
    assert [(line["delivery_id"], line["outcome"]) for line in done] == [("late-1", "interrupted")]
    assert (service.backend, service.worker) == (None, "stopping")
    assert github_emulator.pulls(REPO, "open") == []
