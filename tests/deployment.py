"""A running listbot wired to the GitHub API emulator: the end-to-end tests' one harness."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import secrets
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from bot.config import Settings
from bot.template import TEMPLATE_PATH, render_template
from bot.wiring import build_app
from tests.emulator import GitHubEmulator
from tests.factories import issue_body
from tests.servers import serving

REPO = "acme/cxr-list"
LIST_PATH = "list/README.md"
SEED = (__import__("pathlib").Path(__file__).parent / "fixtures" / "list_seed.md").read_text(encoding="utf-8")
MAINTAINER = "mona"
CONTRIBUTOR = "octocat"
IDLE_TIMEOUT = 30.0


@dataclass
class Deployment:
    """listbot serving webhooks for one repository hosted on the emulator."""

    github: GitHubEmulator
    settings: Settings
    url: str
    repo: str = REPO

    # --- driving ----------------------------------------------------------------------------

    def file_issue(self, author: str = CONTRIBUTOR, labels: tuple[str, ...] = ("submission",), **values: Any) -> int:
        """File a paper submission as GitHub's issue form would, and wait until listbot is done."""
        number = self.github.create_issue(self.repo, author, "[Paper]: x", issue_body(**values), labels)
        self.wait_idle()
        return number

    def edit_issue(self, number: int, **values: Any) -> None:
        self.github.edit_issue(self.repo, number, body=issue_body(**values))
        self.wait_idle()

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
            data: dict[str, Any] = json.loads(response.read())
            return data

    def wait_idle(self, timeout: float = IDLE_TIMEOUT) -> None:
        """Wait until every event GitHub emitted was delivered and listbot finished with it."""
        deadline = time.monotonic() + timeout
        quiet_since: float | None = None
        while time.monotonic() < deadline:
            delivered = len(self.github.events) == len(self.github.deliveries)
            busy = self.health()["outstanding"] > 0
            if delivered and not busy:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > 0.15:
                    return
            else:
                quiet_since = None
            time.sleep(0.02)
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

    def bot_comments(self, number: int) -> list[Any]:
        return [c for c in self.github.comments(self.repo, number) if c.user == self.bot]

    def listbot_branches(self) -> list[str]:
        return sorted(name for name in self.github.branches(self.repo) if name.startswith("listbot/"))


def _settings(github: GitHubEmulator, app_id: int, key: str, secret: str) -> Settings:
    return Settings(
        app_id=app_id,
        private_key=SecretStr(key),
        webhook_secret=SecretStr(secret),
        github_api_url=github.url,
        request_pause=0.0,
        write_pause=0.0,
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
def deployed(github: GitHubEmulator, list_text: str = SEED, today: dt.date | None = None) -> Iterator[Deployment]:
    """listbot serving the emulator's webhooks, which the emulator delivers as GitHub would."""
    app_id, key, secret = prepare_repository(github, list_text)
    settings = _settings(github, app_id, key, secret)
    with serving(build_app(settings)) as (url, _server):
        github.deliver_to(f"{url}/api/github/webhooks", secret)
        deployment = Deployment(github, settings, url)
        yield deployment
