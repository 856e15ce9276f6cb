"""listbot wired to the bundled GitHub API emulator: what `listbot demo` runs, and the one harness
the end-to-end tests and benches build on.

`prepare_repository` registers the app on the emulator, creates a list repository and installs
the app there. A `Sandbox` runs listbot servers (uvicorn on free loopback ports, in threads) that
the emulator delivers webhooks to, like a second process behind the same App, and tells when
every delivery was handled.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from bot.core.template import TEMPLATE_PATH, render_template
from bot.emulator import GitHubEmulator
from bot.emulator.webhooks import delivery_headers, encode
from bot.service.app import WEBHOOK_PATH
from bot.service.settings import Settings
from bot.service.wiring import build_app
from bot.sources.gather import SourceSettings

REPO = "acme/cxr-list"
LIST_PATH = "list/README.md"
MAINTAINER = "mona"
CONTRIBUTOR = "octocat"
APP_ID = 4242
START_TIMEOUT = 10.0
IDLE_TIMEOUT = 30.0
QUIET_SECONDS = 0.15  # idle this long with nothing in flight counts as settled

# The emulator is local: no pacing, tiny backoff, no periodic resync (the start-up resync runs).
FAST: dict[str, Any] = {
    "request_pause": 0.0,
    "write_pause": 0.0,
    "resync_interval": 0.0,
    "retry_attempts": 4,
    "retry_base_delay": 0.05,
    "secondary_rate_wait": 0.2,
    "sources": SourceSettings.off(),  # no arXiv or Crossref here: tests that want them pass a SourcesServer's
}


@contextlib.contextmanager
def serving(app: FastAPI, http: str = "auto") -> Iterator[tuple[str, uvicorn.Server]]:
    """Run `app` under uvicorn in a thread on a free loopback port; yield its base URL and server."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", http=http)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            sock.close()
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT)
        sock.close()


def prepare_repository(
    github: GitHubEmulator, list_text: str, repo: str = REPO, app_id: int = APP_ID
) -> tuple[int, str, str]:
    """Register the app, create `repo` with the list and the issue form, install the app on it.

    `MAINTAINER` gets write access, `CONTRIBUTOR` reads. Returns the app's id, key and webhook secret.
    """
    secret = secrets.token_hex(16)
    key = github.register_app(app_id=app_id, slug="listbot", webhook_secret=secret)
    owner, name = repo.split("/")
    github.create_repo(owner, name, {LIST_PATH: list_text, TEMPLATE_PATH: render_template()})
    github.add_user(MAINTAINER, "write", repo=repo)
    github.add_user(CONTRIBUTOR, "read")
    github.install(owner, [name], app_id=app_id)
    return app_id, key, secret


def sandbox_settings(github: GitHubEmulator, app_id: int, key: str, secret: str, **overrides: Any) -> Settings:
    """Settings for a listbot talking to the emulator, fast by default (see `FAST`)."""
    values = {**FAST, **overrides}
    return Settings(
        app_id=app_id, private_key=SecretStr(key), webhook_secret=SecretStr(secret), github_api_url=github.url,
        **values,
    )


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
class Sandbox:
    """listbot serving webhooks for one repository hosted on the emulator."""

    github: GitHubEmulator
    settings: Settings
    repo: str = REPO
    replicas: list[Replica] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The first running replica's base URL."""
        return self.replicas[0].url

    @property
    def secret(self) -> str:
        return self.settings.webhook_secret.get_secret_value()

    @contextlib.contextmanager
    def running(self, replicas: int = 1) -> Iterator[Sandbox]:
        """Start `replicas` servers, wait out their start-up resync; stop them all afterwards."""
        try:
            for _ in range(replicas):
                self.start_service()
            self.wait_idle()
            yield self
        finally:
            self.stop_service()

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

    def deliver(
        self, event: str, payload: dict[str, Any], guid: str | None = None, replica: Replica | None = None
    ) -> int:
        """POST one signed delivery by hand (as a redelivery would) to a replica; its HTTP status."""
        body = encode(payload)
        target = replica or self.replicas[0]
        headers = delivery_headers(event, body, self.secret, guid)
        # The sandbox only ever opens the loopback URLs of servers it started itself.
        request = urllib.request.Request(target.hook, body, headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:  # noqa: S310
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
        raise TimeoutError(f"listbot did not finish within {timeout:g} s")
