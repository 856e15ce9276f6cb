"""listbot under a sick GitHub (refusing connections, never answering, answering 502): the probes
stay honest and answer from memory, and no request is tried more than 7 times."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.emulator import GitHubEmulator
from bot.gateway.app import ClientOptions, GitHubApp
from bot.gateway.retry import MAX_ATTEMPTS
from bot.service.settings import Settings
from bot.service.wiring import build_app
from tests.deployment import LIST_PATH, MAINTAINER, REPO, deployed, prepare_repository
from tests.serve_process import free_port
from tests.test_config import rsa_pem

WAIT = 20.0


@contextlib.contextmanager
def refusing() -> Iterator[Settings]:
    """A GitHub API URL where nothing listens: every connection is refused."""
    yield sick_settings(f"http://127.0.0.1:{free_port()}", rsa_pem())


@contextlib.contextmanager
def silent() -> Iterator[Settings]:
    """A GitHub API URL that accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)  # the kernel completes the handshakes; nobody ever reads or answers
        yield sick_settings(f"http://127.0.0.1:{sock.getsockname()[1]}", rsa_pem())


@contextlib.contextmanager
def bad_gateway() -> Iterator[Settings]:
    """A GitHub API (the emulator, which knows the app) that answers every request with 502."""
    with GitHubEmulator() as github:
        key = github.register_app(app_id=4242, slug="listbot")
        github.faults.fail(status=502, times=None)
        yield sick_settings(github.url, key)


SICKNESSES = {
    "refusing connections": (refusing, "GitHub is unreachable: ConnectionError"),
    "never answering": (silent, "GitHub did not answer within 1 s (ReadTimeout)"),
    "answering 502": (bad_gateway, "GitHub answered 502 to the credentials check"),
}


def sick_settings(api_url: str, key: str) -> Settings:
    """Settings for a listbot whose GitHub is at `api_url`: 1 s timeouts, a 7-attempt budget."""
    return Settings(
        app_id=4242, private_key=SecretStr(key), webhook_secret=SecretStr("s3cret"), github_api_url=api_url,
        github_timeout=1, retry_attempts=MAX_ATTEMPTS, retry_base_delay=0.01, request_pause=0, write_pause=0,
        resync_interval=0, shutdown_grace=0.5,
    )


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


@pytest.mark.parametrize("sickness", list(SICKNESSES))
def test_probes_answer_from_memory_and_readyz_says_what_is_wrong(sickness: str, logs: io.StringIO) -> None:
    """/healthz is 200 at once; /readyz is 503 before and after the background check, with the reason."""
    github, reason = SICKNESSES[sickness]
    with github() as settings, TestClient(build_app(settings)) as client:
        health = client.get("/healthz")
        first = client.get("/readyz")
        wait_for(lambda: client.get("/readyz").json()["github"]["checked_at"] is not None, "no credentials check")
        checked = client.get("/readyz")
        health_after = client.get("/healthz")
    assert (health.status_code, health.json()["status"]) == (200, "ok")
    assert first.status_code == 503
    assert (checked.status_code, checked.json()["status"], checked.json()["reason"]) == (503, "not ready", reason)
    assert (health_after.status_code, health_after.json()["github"]["last_success"]) == (200, None)


def test_a_github_on_the_port_an_earlier_one_answered_on_is_not_credited_with_its_answers(logs: io.StringIO) -> None:
    """A listbot whose GitHub refuses connections on the port where an earlier app's healthy GitHub
    answered reports no success and no rate-limit window, and the earlier app keeps its own."""
    with GitHubEmulator() as healthy:
        app_id, key, _ = prepare_repository(healthy)
        earlier = GitHubApp(app_id, key, ClientOptions(base_url=healthy.url, request_pause=0, write_pause=0))
        earlier.installations()
    # The kernel may hand a new GitHub a port an old one used: here, deliberately, the same one.
    with TestClient(build_app(sick_settings(healthy.url, rsa_pem()))) as client:
        wait_for(lambda: client.get("/readyz").json()["github"]["checked_at"] is not None, "no credentials check")
        health = client.get("/healthz").json()
    assert health["github"]["detail"] == "GitHub is unreachable: ConnectionError"
    assert (health["github"]["last_success"], health["rate_limit"]["remaining"]) == (None, None)
    assert earlier.memory.last_success() is not None
    assert earlier.memory.rate_budget() is not None


@pytest.mark.parametrize("sickness", list(SICKNESSES))
def test_an_operation_is_tried_at_most_7_times_and_each_retry_is_one_line(sickness: str, logs: io.StringIO) -> None:
    """The start-up resync's first request is tried 7 times, then given up; each retry is one INFO line
    naming the method, the path template and the answer, and no library logs a warning."""
    github, _reason = SICKNESSES[sickness]
    with github() as settings, TestClient(build_app(settings)):
        wait_for(lambda: any(line["msg"].startswith("resync failed") for line in lines(logs)), "resync went on")
    retries = [line for line in lines(logs) if line["msg"] == "GitHub request retried"]
    resync = [line for line in retries if line["path"] == "/app"]
    assert [line["attempt"] for line in resync] == list(range(1, MAX_ATTEMPTS))
    for line in resync:
        assert (line["level"], line["method"], line["budget"]) == ("info", "GET", MAX_ATTEMPTS)
        assert "installation_id" in line
        assert line["status"] == (502 if sickness == "answering 502" else None)
        expected = {"answering 502": "HTTP 502", "refusing connections": "ConnectionError"}.get(sickness, "ReadTimeout")
        assert line["error"] == expected
    library_warnings = [line for line in lines(logs) if line["level"] == "warning" and "listbot" not in line["logger"]]
    assert library_warnings == []


def test_a_delivery_against_a_502_github_makes_no_request_more_than_7_times(github_emulator: GitHubEmulator) -> None:
    """When GitHub starts answering 502, a push's repository scan sends each request at most 7 times."""
    with deployed(github_emulator, retry_attempts=MAX_ATTEMPTS, retry_base_delay=0.01) as listbot:
        github_emulator.faults.fail(status=502, times=None)
        github_emulator.reset_requests()
        github_emulator.push_commit(REPO, "main", {LIST_PATH: "# moved\n"}, MAINTAINER)
        listbot.wait_idle()
        github_emulator.faults.clear()
    sent = Counter((r.method, r.path) for r in github_emulator.requests.snapshot())
    assert sent
    assert max(sent.values()) == MAX_ATTEMPTS, sent


def test_a_retry_line_names_the_delivery_it_worked_for(github_emulator: GitHubEmulator, logs: io.StringIO) -> None:
    """A 503 on reading the default branch's head is retried once, on one INFO line carrying the
    delivery's ids and the request. (Not the issue: a fresh `issues.opened` delivery's issue is
    not read again, issue 16.)"""
    with deployed(github_emulator) as listbot:
        github_emulator.faults.fail("GET", r"/branches/[^/]+$", status=503, times=1)
        number = listbot.file_issue()
    received = [line for line in lines(logs) if line["msg"] == "delivery received" and line.get("issue") == number]
    [retry] = [line for line in lines(logs) if line["msg"] == "GitHub request retried"]
    assert retry["delivery_id"] in {line["delivery_id"] for line in received}
    assert retry["installation_id"] in github_emulator.state.installations
    assert (retry["method"], retry["path"], retry["status"]) == ("GET", "/repos/{owner}/{repo}/branches/{branch}", 503)
    done = [line["outcome"] for line in lines(logs) if line["msg"] == "delivery done"
            and line["delivery_id"] == retry["delivery_id"]]
    assert done == ["ok"]
