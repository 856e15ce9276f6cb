"""A running listbot wired to the GitHub API emulator: the end-to-end tests' one harness.

`deployed(github)` prepares the repository and starts one listbot server in a thread. The
`Deployment` it yields drives GitHub (files and edits issues through the emulator, which delivers
the webhooks), waits until everything settled, and can stop, restart or add service replicas
(each a new uvicorn server over the same settings, like a second process behind the same App).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from pydantic import SecretStr

from bot.core.markers import read_marker
from bot.core.template import TEMPLATE_PATH, render_template
from bot.emulator import GitHubEmulator
from bot.emulator.webhooks import delivery_headers, encode
from bot.service.settings import Settings
from bot.service.wiring import build_app
from tests.factories import SEED, issue_body
from tests.servers import serving

REPO = "acme/cxr-list"
LIST_PATH = "list/README.md"
MAINTAINER = "mona"
CONTRIBUTOR = "octocat"
IDLE_TIMEOUT = 30.0
QUIET_SECONDS = 0.15
WEBHOOK_PATH = "/api/github/webhooks"

# Test-speed settings: no pacing, tiny backoff, no periodic resync (the start-up resync still runs).
FAST: dict[str, Any] = {
    "request_pause": 0.0,
    "write_pause": 0.0,
    "resync_interval": 0.0,
    "retry_attempts": 4,
    "retry_base_delay": 0.05,
    "secondary_rate_wait": 0.2,
}


@dataclass
class Replica:
    """One running listbot server: its base URL, the ASGI app and how to stop it."""

    url: str
    app: FastAPI
    stack: contextlib.ExitStack

    @property
    def hook(self) -> str:
        return f"{self.url}{WEBHOOK_PATH}"

    def outstanding(self) -> int:
        """Deliveries and reconcile jobs not yet finished, read in-process (no /healthz call)."""
        return int(self.app.state.service.outstanding)


@dataclass
class Deployment:
    """listbot serving webhooks for one repository hosted on the emulator."""

    github: GitHubEmulator
    settings: Settings
    repo: str = REPO
    replicas: list[Replica] = field(default_factory=list)

    # --- the service ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The first running replica's base URL."""
        return self.replicas[0].url

    @property
    def secret(self) -> str:
        return self.settings.webhook_secret.get_secret_value()

    def start_service(self) -> Replica:
        """Start one more listbot server over the same settings; GitHub delivers to it too."""
        stack = contextlib.ExitStack()
        app = build_app(self.settings)
        url, _server = stack.enter_context(serving(app))
        replica = Replica(url, app, stack)
        self.replicas.append(replica)
        self.github.add_hook(replica.hook, self.secret)
        return replica

    def stop_service(self, replica: Replica | None = None) -> None:
        """Stop a replica (default: all); deliveries to it are lost, as while a service is down."""
        for running in [replica] if replica is not None else list(self.replicas):
            self.github.remove_hook(running.hook)
            self.replicas.remove(running)
            running.stack.close()

    def restart(self) -> Replica:
        """Stop every replica and start one fresh server (its start-up resync runs at once)."""
        self.stop_service()
        return self.start_service()

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

    def deliver(
        self, event: str, payload: dict[str, Any], guid: str | None = None, replica: Replica | None = None
    ) -> int:
        """POST one signed delivery by hand (as a redelivery would) to a replica; its HTTP status."""
        body = encode(payload)
        target = replica or self.replicas[0]
        headers = delivery_headers(event, body, self.secret, guid)
        request = urllib.request.Request(target.hook, body, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
            data: dict[str, Any] = json.loads(response.read())
            return data

    def busy(self) -> bool:
        """Whether GitHub still has events to deliver or any replica still has work."""
        return self.github.delivery_backlog() > 0 or any(r.outstanding() > 0 for r in self.replicas)

    def wait_idle(self, timeout: float = IDLE_TIMEOUT) -> None:
        """Wait until every event GitHub emitted was delivered and every replica finished with it."""
        deadline = time.monotonic() + timeout
        quiet_since: float | None = None
        while time.monotonic() < deadline:
            if not self.busy():
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > QUIET_SECONDS:
                    return
            else:
                quiet_since = None
            time.sleep(0.01)
        raise AssertionError("listbot did not become idle")

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


def listbot_settings(github: GitHubEmulator, app_id: int, key: str, secret: str, **overrides: Any) -> Settings:
    """Settings for a listbot talking to the emulator, fast by default (see `FAST`)."""
    values = {**FAST, **overrides}
    return Settings(
        app_id=app_id, private_key=SecretStr(key), webhook_secret=SecretStr(secret), github_api_url=github.url,
        **values,
    )


def prepare_repository(github: GitHubEmulator, list_text: str = SEED) -> tuple[int, str, str]:
    """Register the app, create the repository with the list and form, install; return id, key, secret."""
    secret = secrets.token_hex(16)
    app_id = 4242
    key = github.register_app(app_id=app_id, slug="listbot", webhook_secret=secret)
    owner, name = REPO.split("/")
    github.create_repo(owner, name, {LIST_PATH: list_text, TEMPLATE_PATH: render_template()})
    github.add_user(MAINTAINER, "write", repo=REPO)
    github.add_user(CONTRIBUTOR, "read")
    github.install(owner, [name], app_id=app_id)
    return app_id, key, secret


@contextlib.contextmanager
def deployed(
    github: GitHubEmulator, list_text: str = SEED, today: dt.date | None = None, replicas: int = 1, **settings: Any
) -> Iterator[Deployment]:
    """listbot serving the emulator's webhooks, which the emulator delivers as GitHub would.

    `settings` override `FAST` (e.g. `retry_attempts=2`); `replicas` servers share the settings.
    """
    app_id, key, secret = prepare_repository(github, list_text)
    deployment = Deployment(github, listbot_settings(github, app_id, key, secret, **settings))
    try:
        for _ in range(replicas):
            deployment.start_service()
        deployment.wait_idle()  # the start-up resync of an empty repository
        yield deployment
    finally:
        deployment.stop_service()
