"""`listbot serve` stops promptly and loses nothing: SIGTERM/SIGINT with work waiting on a GitHub that
does not answer, then a restart that finds the work again."""

from __future__ import annotations

import json
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.emulator import GitHubEmulator
from bot.emulator.webhooks import delivery_headers, encode
from bot.service.app import WEBHOOK_PATH
from tests.deployment import REPO
from tests.factories import issue_body
from tests.serve_process import ServeProcess, prepared_process

pytestmark = pytest.mark.e2e

WAITING = 20
SHUTDOWN_LIMIT = 15.0  # the issue's bound; the default LISTBOT_SHUTDOWN_GRACE is 10 s
GITHUB_SILENCE = 60.0  # the emulator holds every request this long: GitHub "does not answer"


@pytest.fixture
def listbot(github_emulator: GitHubEmulator, tmp_path: Path) -> Iterator[ServeProcess]:
    """`listbot serve` as a process over a prepared repository, webhooks delivered to it."""
    process, secret = prepared_process(github_emulator, tmp_path)
    process.start()
    process.wait_idle()
    github_emulator.add_hook(process.url + WEBHOOK_PATH, secret)
    try:
        yield process
    finally:
        github_emulator.faults.clear()
        process.stop()


def paper(i: int) -> str:
    """The issue body of distinct valid paper `i`."""
    return issue_body(
        title=f"Shutdown Study {i}: Reports That Survive Restarts",
        paper_url=f"https://arxiv.org/abs/2403.{30000 + i}",
        code_url=f"https://github.com/example/survivor-{i}",
    )


def submissions_waiting(github: GitHubEmulator, listbot: ServeProcess, count: int) -> list[int]:
    """File `count` submissions while GitHub does not answer; wait until listbot holds them all."""
    github.faults.latency(GITHUB_SILENCE)
    numbers = [github.create_issue(REPO, "octocat", "[Paper]: x", paper(i), ("submission",)) for i in range(count)]
    github.wait_for_deliveries()
    deadline = time.monotonic() + 10
    while listbot.get("/healthz")[1]["outstanding"] < count:
        assert time.monotonic() < deadline, listbot.get("/healthz")
        time.sleep(0.05)
    return numbers


def post_delivery(listbot: ServeProcess, secret: str) -> tuple[int, str | None]:
    """POST a signed issues delivery; its status and Retry-After header."""
    body = encode({"action": "opened", "issue": {"number": 1}, "repository": {"full_name": REPO},
                   "installation": {"id": 1}, "sender": {"login": "octocat"}})
    request = urllib.request.Request(listbot.url + WEBHOOK_PATH, body, delivery_headers("issues", body, secret))
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status), response.headers.get("Retry-After")
    except urllib.error.HTTPError as error:
        return int(error.code), error.headers.get("Retry-After")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_with_deliveries_waiting_exits_0_promptly_and_a_restart_recovers_them(
    github_emulator: GitHubEmulator, listbot: ServeProcess, sig: signal.Signals
) -> None:
    """With 20 deliveries waiting on a silent GitHub, a signal ends listbot with status 0 within 15 s,
    deliveries meanwhile get 503 with Retry-After, and the next start opens every pull request."""
    numbers = submissions_waiting(github_emulator, listbot, WAITING)
    secret = listbot.env["WEBHOOK_SECRET"]

    signalled = time.monotonic()
    listbot.signal(sig)
    status, retry_after = post_delivery(listbot, secret)
    code = listbot.wait(timeout=SHUTDOWN_LIMIT + 5)
    took = time.monotonic() - signalled

    assert code == 0, listbot.log_path.read_text()[-3000:]
    assert took < SHUTDOWN_LIMIT, took
    assert status == 503
    assert retry_after is not None
    assert int(retry_after) > 0
    lines = [json.loads(line) for line in listbot.log_lines()]
    assert any(line["msg"] == "listbot stopped" for line in lines)

    github_emulator.faults.latency(0.0)
    listbot.start()
    listbot.wait_idle(backlog=github_emulator.delivery_backlog, timeout=60)
    heads = sorted(pull.head for pull in github_emulator.pulls(REPO))
    assert heads == sorted(f"listbot/issue-{n}" for n in numbers)
