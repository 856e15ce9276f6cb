"""Tests for setup mode: app.yml, the manifest flow against the emulator, `.env` and `listbot serve`."""

from __future__ import annotations

import argparse
import html
import io
import json
import logging
import os
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.emulator import GitHubEmulator
from bot.service import serve
from bot.service.env_file import CREDENTIAL_KEYS, EnvFileError, parse_env, read_env_file, write_credentials
from bot.service.logs import configure_logging
from bot.service.registration import (
    CALLBACK_PATH,
    DEFAULT_MANIFEST,
    build_manifest,
    create_setup_app,
    load_manifest,
    web_url,
)
from bot.service.settings import Settings, get_settings
from bot.service.wiring import build_app

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://listbot.test"
_FORM = re.compile(r'<form id="(?P<id>[^"]+)" method="post" action="(?P<action>[^"]+)">'
                   r'<input type="hidden" name="manifest" value="(?P<manifest>[^"]*)">')


def forms_of(page: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """The manifest forms on a setup page: id → (action URL, manifest)."""
    return {
        m["id"]: (html.unescape(m["action"]), json.loads(html.unescape(m["manifest"])))
        for m in _FORM.finditer(page)
    }


def state_of(action: str) -> str:
    return action.rsplit("state=", 1)[1]


@pytest.fixture
def env_path(tmp_path: Path) -> Path:
    return tmp_path / ".env"


@pytest.fixture
def setup_client(github_emulator: GitHubEmulator, env_path: Path) -> Iterator[TestClient]:
    """The setup-mode app pointed at the emulator, seen at BASE."""
    app = create_setup_app(api_url=github_emulator.url, env_path=env_path, public_url=BASE)
    with TestClient(app) as client:
        yield client


# --- app.yml ---------------------------------------------------------------------------------


def test_app_yml_asks_for_exactly_the_permissions_and_events_listbot_needs() -> None:
    """app.yml grants contents, pull requests and issues write and metadata read, for four events."""
    manifest = yaml.safe_load((ROOT / "app.yml").read_text(encoding="utf-8"))
    assert manifest["default_permissions"] == {
        "contents": "write",
        "pull_requests": "write",
        "issues": "write",
        "metadata": "read",
    }
    assert sorted(manifest["default_events"]) == ["issue_comment", "issues", "pull_request", "push"]
    assert manifest["public"] is False
    assert "workflows" not in manifest["default_permissions"]
    assert "administration" not in manifest["default_permissions"]


def test_built_in_manifest_is_the_committed_app_yml() -> None:
    """The manifest used when app.yml is not beside the service is the same as app.yml."""
    assert load_manifest(ROOT / "app.yml") == DEFAULT_MANIFEST
    assert load_manifest(ROOT / "no-such-app.yml") == DEFAULT_MANIFEST


# --- manifest --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api", "web"),
    [
        ("https://api.github.com", "https://github.com"),
        ("https://api.github.com/", "https://github.com"),
        ("https://ghe.example.com/api/v3", "https://ghe.example.com"),
        ("https://ghe.example.com/api/v3/", "https://ghe.example.com"),
        ("https://api.octocorp.ghe.com", "https://octocorp.ghe.com"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
    ],
)
def test_web_address_is_derived_from_the_api_address(api: str, web: str) -> None:
    """GitHub's web host follows GITHUB_API_URL: github.com, a GHES host, or the emulator itself."""
    assert web_url(api) == web


def test_manifest_adds_the_services_addresses() -> None:
    """The posted manifest is app.yml plus the homepage, webhook and redirect URLs of this service."""
    manifest = build_manifest(DEFAULT_MANIFEST, BASE + "/")
    assert manifest["url"] == BASE
    assert manifest["hook_attributes"] == {"url": f"{BASE}/api/github/webhooks", "active": True}
    assert manifest["redirect_url"] == f"{BASE}{CALLBACK_PATH}"
    assert manifest["default_permissions"] == DEFAULT_MANIFEST["default_permissions"]
    assert "url" not in DEFAULT_MANIFEST


def test_manifest_sends_webhooks_to_the_proxy_when_one_is_set() -> None:
    """With WEBHOOK_PROXY_URL (e.g. a smee.io channel) GitHub delivers webhooks there."""
    manifest = build_manifest(DEFAULT_MANIFEST, "http://localhost:3000", "https://smee.io/abc")
    assert manifest["hook_attributes"]["url"] == "https://smee.io/abc"
    assert manifest["redirect_url"] == "http://localhost:3000/setup/callback"


# --- the setup page --------------------------------------------------------------------------


def test_setup_page_posts_the_manifest_to_github_for_a_user(
    setup_client: TestClient, github_emulator: GitHubEmulator
) -> None:
    """The page's user form posts the manifest to {github}/settings/apps/new with a fresh state."""
    page = setup_client.get("/")
    assert page.status_code == 200
    action, manifest = forms_of(page.text)["register-user"]
    assert action.startswith(f"{github_emulator.url}/settings/apps/new?state=")
    assert len(state_of(action)) >= 32
    assert manifest["redirect_url"] == f"{BASE}/setup/callback"
    assert manifest["default_events"] == DEFAULT_MANIFEST["default_events"]
    again = forms_of(setup_client.get("/").text)["register-user"][0]
    assert state_of(again) != state_of(action)


def test_setup_page_posts_to_the_organisation_named(setup_client: TestClient, github_emulator: GitHubEmulator) -> None:
    """With ?org=NAME the page offers a form posting to that organisation's new-app page."""
    forms = forms_of(setup_client.get("/", params={"org": "acme-lab"}).text)
    action, _manifest = forms["register-org"]
    assert action.startswith(f"{github_emulator.url}/organizations/acme-lab/settings/apps/new?state=")


def test_setup_page_rejects_an_impossible_organisation_name(setup_client: TestClient) -> None:
    """An organisation name GitHub could not have gets a message and no form."""
    page = setup_client.get("/", params={"org": "../evil?x="}).text
    assert "register-org" not in page
    assert "is not a GitHub organisation name" in page


# --- the callback ----------------------------------------------------------------------------


def register(client: TestClient, github: GitHubEmulator, code: str = "code-123") -> tuple[str, Any]:
    """Walk the flow as GitHub would: page, confirmation (simulated), redirect back with a code."""
    action, _ = forms_of(client.get("/").text)["register-user"]
    app = github.register_manifest_code(code, app_id=9001, slug="listbot-acme", owner="acme")
    response = client.get(CALLBACK_PATH, params={"code": code, "state": state_of(action)})
    return response.text if response.status_code == 200 else f"{response.status_code}: {response.text}", app


def test_callback_writes_working_credentials_to_an_owner_only_env_file(
    setup_client: TestClient, github_emulator: GitHubEmulator, env_path: Path
) -> None:
    """The code is exchanged, `.env` gets APP_ID, PRIVATE_KEY and WEBHOOK_SECRET with mode 0600."""
    page, app = register(setup_client, github_emulator)
    assert "listbot is registered" in page
    assert stat.S_IMODE(env_path.stat().st_mode) == 0o600
    values = read_env_file(env_path)
    assert values["APP_ID"] == "9001"
    assert values["WEBHOOK_SECRET"] == app.webhook_secret
    assert len(env_path.read_text().splitlines()) == 3  # one line each: `docker run --env-file` reads it
    settings = Settings.from_env({**values, "GITHUB_API_URL": github_emulator.url})
    assert settings.private_key.get_secret_value().strip() == app.private_key_pem.strip()


def test_callback_tells_the_person_to_install_the_app(
    setup_client: TestClient, github_emulator: GitHubEmulator
) -> None:
    """The success page links to the app's installation page and says to restart the service."""
    page, _app = register(setup_client, github_emulator)
    assert 'href="https://github.com/apps/listbot-acme/installations/new"' in page
    assert "start <code>listbot serve</code> again" in page
    assert "BEGIN" not in page


def test_after_registration_the_page_and_health_say_registered(
    setup_client: TestClient, github_emulator: GitHubEmulator
) -> None:
    """Once registered, `/` offers no second registration and /healthz asks for a restart."""
    register(setup_client, github_emulator)
    assert "register-user" not in setup_client.get("/").text
    health = setup_client.get("/healthz").json()
    assert health["status"] == "not registered"
    assert "registered as app 9001" in health["github"]["detail"]


def readiness(client: TestClient) -> dict[str, Any]:
    """/readyz once the service's background credentials check has run."""
    deadline = time.monotonic() + 10
    while (report := client.get("/readyz").json())["github"]["checked_at"] is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return dict(report)


def test_registered_credentials_authenticate_with_github(
    setup_client: TestClient, github_emulator: GitHubEmulator, env_path: Path
) -> None:
    """The service started from the written `.env` reports working GitHub credentials on /readyz."""
    register(setup_client, github_emulator)
    github_emulator.install("acme", ["list"], app_id=9001)
    env = {**read_env_file(env_path), "GITHUB_API_URL": github_emulator.url}
    with TestClient(build_app(Settings.from_env(env))) as client:
        health = readiness(client)
    assert health["github"]["ok"] is True, health


def test_an_unknown_state_is_refused_and_nothing_is_saved(
    setup_client: TestClient, github_emulator: GitHubEmulator, env_path: Path
) -> None:
    """A callback whose state this service never issued gets 400; the code is not exchanged."""
    github_emulator.register_manifest_code("code-x", app_id=9002)
    response = setup_client.get(CALLBACK_PATH, params={"code": "code-x", "state": "forged"})
    assert response.status_code == 400
    assert "Nothing was saved" in response.text
    assert not env_path.exists()
    assert "code-x" in github_emulator.state.manifest_codes


def test_a_state_is_good_for_one_registration_only(setup_client: TestClient, github_emulator: GitHubEmulator) -> None:
    """Replaying a used callback URL is refused."""
    action, _ = forms_of(setup_client.get("/").text)["register-user"]
    github_emulator.register_manifest_code("code-1", app_id=9003)
    params = {"code": "code-1", "state": state_of(action)}
    assert setup_client.get(CALLBACK_PATH, params=params).status_code == 200
    assert setup_client.get(CALLBACK_PATH, params=params).status_code == 400


def test_an_expired_code_is_reported_and_nothing_is_saved(
    setup_client: TestClient, env_path: Path
) -> None:
    """A code GitHub does not know (expired or used) gives a clear page and no `.env`."""
    action, _ = forms_of(setup_client.get("/").text)["register-user"]
    response = setup_client.get(CALLBACK_PATH, params={"code": "stale", "state": state_of(action)})
    assert response.status_code == 502
    assert "expire after an hour" in response.text
    assert not env_path.exists()


def test_existing_credentials_are_never_overwritten(
    setup_client: TestClient, github_emulator: GitHubEmulator, env_path: Path
) -> None:
    """With credentials already in `.env` the callback refuses, keeps the file and the code, and works after."""
    env_path.write_text("APP_ID=1\nWEBHOOK_SECRET=old\n")
    action, _ = forms_of(setup_client.get("/").text)["register-user"]
    github_emulator.register_manifest_code("code-2", app_id=9004)
    params = {"code": "code-2", "state": state_of(action)}
    refused = setup_client.get(CALLBACK_PATH, params=params)
    assert refused.status_code == 409
    assert "does not overwrite" in refused.text
    assert env_path.read_text() == "APP_ID=1\nWEBHOOK_SECRET=old\n"
    assert "code-2" in github_emulator.state.manifest_codes
    env_path.unlink()
    assert setup_client.get(CALLBACK_PATH, params=params).status_code == 200
    assert read_env_file(env_path)["APP_ID"] == "9004"


def test_other_settings_in_env_are_kept(
    setup_client: TestClient, github_emulator: GitHubEmulator, env_path: Path
) -> None:
    """Settings already in `.env` (e.g. GITHUB_API_URL) survive and the credentials are added."""
    env_path.write_text("# mine\nLISTBOT_LOG_LEVEL=DEBUG\n")
    register(setup_client, github_emulator)
    values = read_env_file(env_path)
    assert values["LISTBOT_LOG_LEVEL"] == "DEBUG"
    assert set(CREDENTIAL_KEYS) - {"PRIVATE_KEY_PATH"} <= set(values)
    assert env_path.read_text().startswith("# mine\n")


def test_registration_logs_no_secret(github_emulator: GitHubEmulator, env_path: Path) -> None:
    """The registration is logged with the app id, never the key or the webhook secret."""
    stream = io.StringIO()
    handler = configure_logging("DEBUG", stream=stream)
    try:
        app = create_setup_app(api_url=github_emulator.url, env_path=env_path, public_url=BASE)
        with TestClient(app) as client:
            _page, registered = register(client, github_emulator)
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert any(line["msg"] == "app registered" and line["app_id"] == 9001 for line in lines)
    assert registered.webhook_secret not in text
    pem_lines = [line for line in registered.private_key_pem.splitlines() if "-----" not in line]
    assert not any(line in text for line in pem_lines)


def test_webhooks_before_registration_get_a_hint_not_a_5xx(setup_client: TestClient) -> None:
    """In setup mode the webhook endpoint answers 409 saying how to register; /healthz says not registered."""
    response = setup_client.post("/api/github/webhooks", json={"zen": "hi"})
    assert response.status_code == 409
    assert "not registered yet" in response.json()["error"]
    assert f"{BASE}/" in response.json()["error"]
    assert setup_client.get("/healthz").json()["status"] == "not registered"


# --- .env ------------------------------------------------------------------------------------


def test_env_file_is_read_like_docker_env_files() -> None:
    """Comments and blank lines are skipped, `export` and matching quotes are accepted, values kept verbatim."""
    text = "# c\n\nexport A=1\nB='two words'\nC=\"x\"\nD=a=b\nE=-----BEGIN KEY-----\\nabc\nnot a line\n"
    assert parse_env(text) == {"A": "1", "B": "two words", "C": "x", "D": "a=b", "E": "-----BEGIN KEY-----\\nabc"}


def test_writing_credentials_refuses_to_overwrite(tmp_path: Path) -> None:
    """write_credentials raises when the file already sets any credential."""
    path = tmp_path / ".env"
    path.write_text("PRIVATE_KEY_PATH=/keys/app.pem\n")
    with pytest.raises(EnvFileError, match="does not overwrite"):
        write_credentials(path, {"APP_ID": "1"})


# --- listbot serve ---------------------------------------------------------------------------


@pytest.fixture
def clean_environ(tmp_path: Path) -> Iterator[Path]:
    """An environment without credentials whose `.env` is a fresh file under tmp_path."""
    path = tmp_path / "listbot.env"
    with mock.patch.dict(os.environ, {"LISTBOT_ENV_FILE": str(path)}):
        for key in (*CREDENTIAL_KEYS, "GITHUB_API_URL", "WEBHOOK_PROXY_URL", "LISTBOT_PUBLIC_URL"):
            os.environ.pop(key, None)
        get_settings.cache_clear()
        try:
            yield path
        finally:
            get_settings.cache_clear()


def served_app(monkeypatch: pytest.MonkeyPatch) -> list[FastAPI]:
    """Capture the app `listbot serve` would run instead of running it."""
    captured: list[FastAPI] = []
    monkeypatch.setattr(serve, "_serve", lambda app, _args: captured.append(app))
    return captured


ARGS = argparse.Namespace(host="127.0.0.1", port=3999)


def test_serve_without_any_credentials_starts_in_setup_mode(
    clean_environ: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No APP_ID, PRIVATE_KEY(_PATH) or WEBHOOK_SECRET anywhere: serve runs the setup page."""
    captured = served_app(monkeypatch)
    assert serve.run(ARGS) == 0
    [app] = captured
    assert hasattr(app.state, "setup")
    assert re.search(r"open http://127\.0\.0\.1:3999/\?token=[\w-]{20,} to register", capsys.readouterr().err)


def test_serve_with_partial_credentials_stops_with_the_config_error(
    clean_environ: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Some credentials but not all: serve exits 2 naming what to set, no setup page."""
    clean_environ.write_text("WEBHOOK_SECRET=s3cret\n")
    captured = served_app(monkeypatch)
    assert serve.run(ARGS) == 2
    assert captured == []
    assert "APP_ID is not set" in capsys.readouterr().err


def test_serve_reads_credentials_from_the_env_file(
    clean_environ: Path, monkeypatch: pytest.MonkeyPatch, github_emulator: GitHubEmulator
) -> None:
    """Credentials written by the setup page start the real service on the next `listbot serve`."""
    key = github_emulator.register_app(app_id=77)
    write_credentials(clean_environ, {"APP_ID": "77", "PRIVATE_KEY": key, "WEBHOOK_SECRET": "s3cret"})
    os.environ["GITHUB_API_URL"] = github_emulator.url
    captured = served_app(monkeypatch)
    assert serve.run(ARGS) == 0
    [app] = captured
    assert not hasattr(app.state, "setup")
    assert hasattr(app.state, "service")
    assert get_settings().app_id == 77


def test_the_environment_wins_over_the_env_file(clean_environ: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A variable set in the environment is not replaced by the `.env` file's value."""
    clean_environ.write_text("APP_ID=5\n")
    os.environ["APP_ID"] = "not-a-number"
    served_app(monkeypatch)
    assert serve.run(ARGS) == 2
    assert os.environ["APP_ID"] == "not-a-number"


def test_the_setup_page_opens_only_with_the_printed_token(
    github_emulator: GitHubEmulator, env_path: Path
) -> None:
    """Without the console's token nobody gets the page, so nobody else can obtain a state."""
    app = create_setup_app(api_url=github_emulator.url, env_path=env_path, public_url=BASE, token="s3cret-token")
    with TestClient(app) as client:
        assert client.get("/").status_code == 403
        assert client.get("/", params={"token": "guess"}).status_code == 403
        page = client.get("/", params={"token": "s3cret-token"})
        assert page.status_code == 200
        assert "register-user" in forms_of(page.text)
        org_page = client.get("/", params={"token": "s3cret-token", "org": "acme"})
        assert "register-org" in forms_of(org_page.text)


def test_a_transient_github_failure_keeps_the_callback_retryable(env_path: Path) -> None:
    """When GitHub cannot be reached, reloading the callback retries instead of refusing the state."""
    app = create_setup_app(api_url="http://127.0.0.1:1", env_path=env_path, public_url=BASE)
    with TestClient(app) as client:
        action, _ = forms_of(client.get("/").text)["register-user"]
        params = {"code": "code-9", "state": state_of(action)}
        first, second = client.get(CALLBACK_PATH, params=params), client.get(CALLBACK_PATH, params=params)
    assert (first.status_code, second.status_code) == (502, 502)
    assert "Could not reach GitHub" in second.text
    assert not env_path.exists()


def test_an_unwritable_env_file_stops_before_the_code_is_spent(
    github_emulator: GitHubEmulator, tmp_path: Path
) -> None:
    """If `.env` cannot be written, the code is not exchanged, so it still works after fixing that."""
    env_path = tmp_path / "missing-dir" / ".env"
    app = create_setup_app(api_url=github_emulator.url, env_path=env_path, public_url=BASE)
    with TestClient(app) as client:
        action, _ = forms_of(client.get("/").text)["register-user"]
        github_emulator.register_manifest_code("code-7", app_id=9007)
        response = client.get(CALLBACK_PATH, params={"code": "code-7", "state": state_of(action)})
        assert response.status_code == 409
        assert "cannot be written" in response.text
        assert "code-7" in github_emulator.state.manifest_codes
        env_path.parent.mkdir()
        assert client.get(CALLBACK_PATH, params={"code": "code-7", "state": state_of(action)}).status_code == 200
    assert env_path.exists()


def test_setup_pages_keep_their_token_out_of_referers_frames_and_caches(
    github_emulator: GitHubEmulator, env_path: Path
) -> None:
    """Every setup page, refused or served, sends no-referrer, no-framing and no-store headers."""
    app = create_setup_app(api_url=github_emulator.url, env_path=env_path, public_url=BASE, token="s3cret-token")
    with TestClient(app) as client:
        for response in (client.get("/"), client.get("/", params={"token": "s3cret-token"})):
            assert response.headers["Referrer-Policy"] == "no-referrer"
            assert response.headers["X-Frame-Options"] == "DENY"
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
            assert response.headers["Cache-Control"] == "no-store"
