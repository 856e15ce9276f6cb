"""The end-to-end tests' view of a running listbot: `bot.cli.sandbox` plus ways to drive and inspect.

`deployed(github)` prepares the repository and starts one listbot server (the same sandbox
`listbot demo` runs). The `Deployment` it yields files and edits issues through the emulator,
which delivers the webhooks, waits until everything settled, and can stop, restart or add
service replicas.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

from bot.cli.sandbox import (
    CONTRIBUTOR,
    FAST,
    LIST_PATH,
    MAINTAINER,
    REPO,
    Replica,
    Sandbox,
    sandbox_settings,
)
from bot.cli.sandbox import prepare_repository as prepare_sandbox_repository
from bot.core.markers import read_marker
from bot.emulator import GitHubEmulator
from tests.factories import SEED, issue_body

__all__ = [
    "CONTRIBUTOR", "FAST", "LIST_PATH", "MAINTAINER", "REPO", "Deployment", "Replica", "deployed",
    "listbot_settings", "prepare_repository",
]

listbot_settings = sandbox_settings


def prepare_repository(github: GitHubEmulator, list_text: str = SEED) -> tuple[int, str, str]:
    """The sandbox's repository holding the seed list; the app's id, key and webhook secret."""
    return prepare_sandbox_repository(github, list_text)


class Deployment(Sandbox):
    """A sandbox the tests drive as GitHub users would, and inspect through the emulator."""

    # --- driving ----------------------------------------------------------------------------

    def file_issue(
        self, author: str = CONTRIBUTOR, labels: tuple[str, ...] = ("submission",), wait: bool = True, **values: Any
    ) -> int:
        """File a paper submission as GitHub's issue form would, and wait until listbot is done."""
        number = self.github.create_issue(self.repo, author, "[Paper]: x", issue_body(**values), labels)
        if wait:
            self.wait_idle()
        return number

    def edit_issue(self, number: int, wait: bool = True, **values: Any) -> None:
        self.github.edit_issue(self.repo, number, body=issue_body(**values))
        if wait:
            self.wait_idle()

    def comment(self, number: int, author: str, body: str, wait: bool = True) -> int:
        """Post an issue comment as `author` (e.g. a `/listbot` command)."""
        comment_id = self.github.add_comment(self.repo, number, author, body)
        if wait:
            self.wait_idle()
        return comment_id

    # --- inspecting -------------------------------------------------------------------------

    @property
    def bot(self) -> str:
        return "listbot[bot]"

    def list_on(self, ref: str) -> str | None:
        return self.github.file_at(self.repo, ref, LIST_PATH)

    def open_pulls(self) -> list[Any]:
        return self.github.pulls(self.repo, "open")

    def all_pulls(self) -> list[Any]:
        return self.github.pulls(self.repo, "all")

    def pull_for(self, number: int) -> Any:
        """The one PR (any state) listbot opened for issue `number`."""
        [pull] = [p for p in self.all_pulls() if p.head == f"listbot/issue-{number}"]
        return pull

    def bot_comments(self, number: int) -> list[Any]:
        return [c for c in self.github.comments(self.repo, number) if c.user == self.bot]

    def status_comments(self, number: int) -> list[Any]:
        """listbot's status comments (the ones carrying its hidden status marker)."""
        return [c for c in self.bot_comments(number) if read_marker("status", c.body) is not None]

    def listbot_branches(self) -> list[str]:
        return sorted(name for name in self.github.branches(self.repo) if name.startswith("listbot/"))

    def commits_on(self, branch: str) -> list[str]:
        """The commits `branch` has that the default branch has not, oldest first."""
        return self.github.commits_between(self.repo, "main", branch)


@contextlib.contextmanager
def deployed(
    github: GitHubEmulator, list_text: str = SEED, today: dt.date | None = None, replicas: int = 1, **settings: Any
) -> Iterator[Deployment]:
    """listbot serving the emulator's webhooks, which the emulator delivers as GitHub would.

    `settings` override `FAST` (e.g. `retry_attempts=2`); `replicas` servers share the settings.
    """
    app_id, key, secret = prepare_repository(github, list_text)
    deployment = Deployment(github, sandbox_settings(github, app_id, key, secret, **settings))
    with deployment.running(replicas):
        yield deployment
