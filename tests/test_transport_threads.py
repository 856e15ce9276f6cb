"""Threads sharing one PyGithub client (as the resync, delivery-log and worker threads share the
app's) each get the answer to their own request."""

from __future__ import annotations

import sys
import threading

from bot.emulator import GitHubEmulator
from bot.gateway.app import ClientOptions, GitHubApp
from tests.deployment import CONTRIBUTOR, REPO, prepare_repository
from tests.factories import SEED

THREADS, READS = 8, 25


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

    threads = [threading.Thread(target=read, args=(number,)) for number in numbers]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: between request() and getresponse()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        sys.setswitchinterval(interval)
    assert wrong == []
