"""The setup page in headless Chromium (driven over WebDriver): register through a stand-in for GitHub."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

from bot.cli.sandbox import serving
from bot.emulator import GitHubEmulator
from bot.service.env_file import read_env_file
from bot.service.registration import create_setup_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason=(
        "needs chromium and chromedriver: apt-get install chromium chromium-driver, "
        "or LISTBOT_CI_INSTALL_SYSTEM=1 bash .ci/run"
    ),
)
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
START_TIMEOUT = 20.0


class Browser:
    """A minimal W3C WebDriver client over urllib: enough to load pages, type, click and look."""

    def __init__(self, driver_url: str, session: str) -> None:
        self.base = f"{driver_url}/session/{session}"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["value"]

    def go(self, url: str) -> None:
        self._call("POST", "/url", {"url": url})

    def find(self, css: str) -> str:
        found = self._call("POST", "/element", {"using": "css selector", "value": css})
        return str(found[ELEMENT])

    def click(self, css: str) -> None:
        self._call("POST", f"/element/{self.find(css)}/click", {})

    def type(self, css: str, text: str) -> None:
        self._call("POST", f"/element/{self.find(css)}/value", {"text": text})

    def text(self, css: str) -> str:
        return str(self._call("GET", f"/element/{self.find(css)}/text"))

    def attribute(self, css: str, name: str) -> str:
        return str(self._call("GET", f"/element/{self.find(css)}/attribute/{name}"))

    def run(self, script: str) -> Any:
        return self._call("POST", "/execute/sync", {"script": script, "args": []})

    @property
    def url(self) -> str:
        return str(self._call("GET", "/url"))

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self._call("GET", "/screenshot")))

    def wait_for(self, css: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.find(css)
                return
            except urllib.error.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def chromium(profile: Path, width: int = 1000, height: int = 1400) -> Iterator[Browser]:
    """Headless Chromium under chromedriver, stopped afterwards."""
    assert CHROMEDRIVER is not None
    assert CHROMIUM is not None
    port = _free_port()
    driver = subprocess.Popen(
        [CHROMEDRIVER, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{url}/status", timeout=2) as response:
                    if json.loads(response.read())["value"]["ready"]:
                        break
            except (OSError, ValueError):
                pass
            assert time.monotonic() < deadline, "chromedriver did not start"
            time.sleep(0.1)
        args = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={profile}", f"--window-size={width},{height}",
        ]
        options = {"binary": CHROMIUM, "args": args}
        capabilities = {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}
        request = urllib.request.Request(
            f"{url}/session", data=json.dumps({"capabilities": capabilities}).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            session = json.loads(response.read())["value"]["sessionId"]
        browser = Browser(url, session)
        try:
            yield browser
        finally:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(urllib.request.Request(browser.base, method="DELETE"), timeout=30).close()
    finally:
        driver.terminate()
        driver.wait(10)


def fake_github_web(emulator: GitHubEmulator, received: list[dict[str, Any]]) -> FastAPI:
    """GitHub's "create app from manifest" pages: take the manifest, create the app, redirect back."""
    app = FastAPI()

    async def create(request: Request, owner: str) -> RedirectResponse:
        form = urllib.parse.parse_qs((await request.body()).decode())
        manifest = json.loads(form["manifest"][0])
        received.append({"owner": owner, "manifest": manifest, "state": request.query_params["state"]})
        code = f"code-{len(received)}"
        emulator.register_manifest_code(code, app_id=7000 + len(received), slug="listbot-" + owner, owner=owner)
        query = urllib.parse.urlencode({"code": code, "state": request.query_params["state"]})
        return RedirectResponse(f"{manifest['redirect_url']}?{query}", status_code=302)

    @app.post("/settings/apps/new")
    async def for_user(request: Request) -> RedirectResponse:
        return await create(request, "mona")

    @app.post("/organizations/{org}/settings/apps/new")
    async def for_org(request: Request, org: str) -> RedirectResponse:
        return await create(request, org)

    return app


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where screenshots go: $LISTBOT_SCREENSHOT_DIR when set (to look at them), else tmp_path."""
    target = Path(os.environ.get("LISTBOT_SCREENSHOT_DIR") or tmp_path / "shots")
    target.mkdir(parents=True, exist_ok=True)
    return target


TOKEN = "console-printed-token"  # what `listbot serve` prints in setup mode; the page needs it


@contextlib.contextmanager
def setup_service(
    github_emulator: GitHubEmulator, env_path: Path, received: list[dict[str, Any]]
) -> Iterator[str]:
    with serving(fake_github_web(github_emulator, received)) as (web, _):
        app = create_setup_app(api_url=github_emulator.url, env_path=env_path, github_url=web, token=TOKEN)
        with serving(app) as (url, _):
            yield url


@pytest.mark.e2e
def test_a_person_registers_the_app_for_their_account_in_a_browser(
    github_emulator: GitHubEmulator, tmp_path: Path, screenshots: Path
) -> None:
    """Clicking the button posts the manifest to GitHub, comes back, saves `.env` and shows the install link."""
    env_path = tmp_path / ".env"
    received: list[dict[str, Any]] = []
    with setup_service(github_emulator, env_path, received) as url, chromium(tmp_path / "profile") as browser:
        browser.go(f"{url}/?token={TOKEN}")
        assert "Register listbot as a GitHub App" in browser.text("h1")
        assert browser.text("#hook-url") == f"{url}/api/github/webhooks"
        assert "WEBHOOK_PROXY_URL" in browser.text("#local-warning")
        browser.screenshot(screenshots / "setup-page.png")
        browser.click("#register-user button")
        browser.wait_for("#install")
        browser.screenshot(screenshots / "registered.png")
        assert browser.text("h1") == "listbot is registered"
        assert browser.attribute("#install", "href") == "https://github.com/apps/listbot-mona/installations/new"
        assert browser.url.startswith(f"{url}/setup/callback?code=code-1&state=")
    [sent] = received
    assert sent["manifest"]["default_permissions"] == {
        "contents": "write", "issues": "write", "metadata": "read", "pull_requests": "write",
    }
    assert sent["manifest"]["redirect_url"] == f"{url}/setup/callback"
    assert read_env_file(env_path)["APP_ID"] == "7001"


@pytest.mark.e2e
def test_a_person_registers_the_app_for_an_organisation_in_a_browser(
    github_emulator: GitHubEmulator, tmp_path: Path
) -> None:
    """Typing an organisation name leads to that organisation's new-app page and back."""
    env_path = tmp_path / ".env"
    received: list[dict[str, Any]] = []
    with setup_service(github_emulator, env_path, received) as url, chromium(tmp_path / "profile") as browser:
        browser.go(f"{url}/?token={TOKEN}")
        browser.type("#org", "acme-lab")
        browser.click("#choose-org button")
        browser.wait_for("#register-org")
        assert browser.text("#register-org button") == "Register listbot for acme-lab"
        browser.click("#register-org button")
        browser.wait_for("#install")
        assert browser.text("#slug") == "listbot-acme-lab"
    assert [r["owner"] for r in received] == ["acme-lab"]
    assert read_env_file(env_path)["APP_ID"] == "7001"


@pytest.mark.e2e
def test_setup_page_fits_a_narrow_window(github_emulator: GitHubEmulator, tmp_path: Path, screenshots: Path) -> None:
    """In a narrow window the page needs no sideways scrolling."""
    with (
        setup_service(github_emulator, tmp_path / ".env", []) as url,
        chromium(tmp_path / "profile", width=390, height=900) as browser,
    ):
        browser.go(f"{url}/?token={TOKEN}")
        browser.screenshot(screenshots / "setup-page-narrow.png")
        overflow = browser.run("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


@pytest.mark.e2e
def test_without_the_printed_token_the_browser_gets_no_registration_form(
    github_emulator: GitHubEmulator, tmp_path: Path
) -> None:
    """Opening the service without the console's token shows where to find it, and no form."""
    with setup_service(github_emulator, tmp_path / ".env", []) as url, chromium(tmp_path / "profile") as browser:
        browser.go(url + "/")
        assert browser.text("h1") == "Open the printed address"
        assert "?token=" in browser.text("#message")
