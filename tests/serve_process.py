"""`listbot serve` as a real process, for tests and benches that need signals, `.env` files and exit codes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.emulator import GitHubEmulator
from tests.deployment import prepare_repository

LISTBOT = Path(sys.executable).parent / "listbot"
START_TIMEOUT = 20.0


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def quiet_environment(**values: str) -> dict[str, str]:
    """The current environment minus anything listbot or Probot would read, plus `values`.

    Sources are off (`LISTBOT_SOURCES=none`), as in the sandbox: nothing here reaches arXiv or
    Crossref, and a test that wants them passes a `SourcesServer`'s variables.
    """
    prefixes = ("LISTBOT_", "GITHUB_", "GHE_", "WEBHOOK_")
    names = {"APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "PORT", "HOST", "LOG_LEVEL"}
    env = {k: v for k, v in os.environ.items() if k not in names and not k.startswith(prefixes)}
    return env | {"LISTBOT_SOURCES": "none"} | values


@dataclass
class ServeProcess:
    """One `listbot serve` process in `workdir`, its stderr (JSON log lines) in a file there."""

    workdir: Path
    env: dict[str, str]
    port: int
    args: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"listbot-{self.starts}.log"

    def start(self) -> None:
        """Start the process and wait until /healthz answers."""
        self.starts += 1
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [str(LISTBOT), "serve", *self.args], env=self.env, cwd=self.workdir, stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"listbot exited with {self.proc.returncode}:\n{self.log_path.read_text()}")
            with contextlib.suppress(OSError):
                self.get("/healthz")
                return
            time.sleep(0.05)
        raise AssertionError(f"listbot did not start:\n{self.log_path.read_text()}")

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, dict[str, Any]]:
        """GET `path`; its status and JSON body (4XX/5XX included)."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return int(response.status), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return int(error.code), json.loads(error.read())

    def wait_idle(self, backlog: Any = None, timeout: float = 30.0) -> None:
        """Wait until the service has nothing outstanding (and `backlog()`, if given, is 0)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _status, health = self.get("/healthz")
            if health["outstanding"] == 0 and (backlog is None or backlog() == 0):
                return
            time.sleep(0.05)
        raise AssertionError(f"listbot did not become idle:\n{self.log_path.read_text()[-4000:]}")

    def signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self) -> None:
        """Kill the process if it still runs (test clean-up)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(encoding="utf-8").splitlines()


def prepared_process(github: GitHubEmulator, workdir: Path) -> tuple[ServeProcess, str]:
    """`listbot serve` (not started yet) over a prepared repository, paced off, and the webhook secret."""
    app_id, key, secret = prepare_repository(github)
    port = free_port()
    env = quiet_environment(
        APP_ID=str(app_id), PRIVATE_KEY=key, WEBHOOK_SECRET=secret, GITHUB_API_URL=github.url,
        LISTBOT_ENV_FILE=str(workdir / "absent.env"), LISTBOT_REQUEST_PAUSE="0", LISTBOT_WRITE_PAUSE="0",
        LISTBOT_RESYNC_INTERVAL="0", LISTBOT_RETRY_BASE_DELAY="0.05", LISTBOT_GITHUB_TIMEOUT="120",
    )
    return ServeProcess(workdir, env, port, ["--host", "127.0.0.1", "--port", str(port)]), secret
