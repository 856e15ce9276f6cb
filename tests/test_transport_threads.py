"""Threads sharing one PyGithub client (as the resync, delivery-log and worker threads share the
app's) each get the answer to their own request."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from bot.emulator import GitHubEmulator
from bot.gateway.app import ClientOptions, GitHubApp
from bot.gateway.transport import ServerMemory
from tests.deployment import CONTRIBUTOR, REPO, prepare_repository
from tests.factories import SEED

THREADS, READS = 8, 25


def run_interleaved(threads: list[threading.Thread]) -> None:
    """Run `threads` to the end, switching between them as often as the interpreter allows (between
    a request and its answer, or a check and its update), so that a race shows if there is one."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        sys.setswitchinterval(interval)


def test_threads_sharing_a_client_each_get_their_own_answer(github_emulator: GitHubEmulator) -> None:
    github = github_emulator
    app_id, key, _ = prepare_repository(github, SEED)
    app = GitHubApp(app_id, key, ClientOptions(base_url=github.url, request_pause=0, write_pause=0))
    [(installation, _)] = app.installations()
    numbers = [github.create_issue(REPO, CONTRIBUTOR, f"issue {n}", "body") for n in range(THREADS)]
    repo = app.client(installation).get_repo(REPO)
    wrong: list[tuple[int, str]] = []

    def read(number: int) -> None:
        for _ in range(READS):
            title = repo.get_issue(number).title
            if title != f"issue {numbers.index(number)}":
                wrong.append((number, title))

    run_interleaved([threading.Thread(target=read, args=(number,)) for number in numbers])
    assert wrong == []


def test_threads_noting_low_windows_at_once_warn_once_per_window_and_keep_the_latest_success(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Threads that note the same answers to one connection's memory together warn once per low
    window, and the memory keeps the latest success any of them saw."""
    memory = ServerMemory("http://budget.example:8080")
    url = "http://budget.example:8080/repos/a/b/issues"
    reset = int(time.time()) + 600
    start = threading.Barrier(THREADS)
    noted: list[float] = []

    def note() -> None:
        for window in range(READS):  # all threads see each new window at once
            start.wait()
            low = {"X-RateLimit-Remaining": "1", "X-RateLimit-Limit": "5000", "X-RateLimit-Reset": str(reset + window)}
            memory.note_answer(url, 200, low)
            noted.append(time.time())  # after the note: no later than the success it remembered

    with caplog.at_level("WARNING", logger="listbot.github"):
        run_interleaved([threading.Thread(target=note) for _ in range(THREADS)])
    warnings = [r for r in caplog.records if r.getMessage() == "GitHub rate limit running low"]
    assert len(warnings) == READS
    last = memory.last_success()
    assert last is not None
    # Every note of the windows before the last ended before the last window's notes began.
    assert max(noted[:-THREADS]) <= last <= max(noted)
