"""Probot's configuration, really: a Probot-written `.env` and Probot's variable names start listbot."""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from bot.emulator import GitHubEmulator
from bot.service import serve
from bot.service.env_file import parse_env
from bot.service.settings import ConfigError, Settings, get_settings
from tests.serve_process import ServeProcess, free_port, quiet_environment
from tests.test_config import env, rsa_pem

# --- reading `.env` -----------------------------------------------------------------------------


def probot_env_file(key: str, **extra: str) -> str:
    """A `.env` as Probot's setup writes it: the key double-quoted with real newlines, comments."""
    lines = [
        "# The ID of your GitHub App",
        "APP_ID=4242",
        "WEBHOOK_SECRET=development-secret",
        "# Use `trace` to get verbose logging or `info` to show less",
        "LOG_LEVEL=debug",
        f'PRIVATE_KEY="{key.strip()}"',
        "GITHUB_CLIENT_ID=Iv1.0123456789abcdef",
        *(f"export {name}={value}" for name, value in extra.items()),
    ]
    return "\n".join(lines) + "\n"


def test_a_probot_env_file_keeps_the_keys_newlines() -> None:
    """A double-quoted multi-line PRIVATE_KEY, comments and `export` lines read as Probot reads them."""
    key = rsa_pem()
    values = parse_env(probot_env_file(key, PORT="4000"))
    assert values["PRIVATE_KEY"] == key.strip()
    assert (values["APP_ID"], values["PORT"], values["LOG_LEVEL"]) == ("4242", "4000", "debug")
    assert Settings.from_env(values).private_key.get_secret_value() == key.strip() + "\n"


def test_docker_env_file_lines_are_read_verbatim() -> None:
    """Unquoted values (Docker's --env-file format, which the setup page writes) are taken literally."""
    text = "A=1\nE=-----BEGIN KEY-----\\nabc\nD=a=b\nU=${A}\nnot a line\n"
    assert parse_env(text) == {"A": "1", "E": "-----BEGIN KEY-----\\nabc", "D": "a=b", "U": "${A}"}


def test_a_base64_private_key_is_accepted() -> None:
    """PRIVATE_KEY may hold the PEM file base64-encoded, as Probot allows."""
    key = rsa_pem()
    encoded = base64.b64encode(key.encode()).decode()
    assert Settings.from_env(env(PRIVATE_KEY=encoded)).private_key.get_secret_value() == key.strip() + "\n"


# --- Probot's variable names --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "expected"),
    [("trace", "DEBUG"), ("debug", "DEBUG"), ("info", "INFO"), ("warn", "WARNING"), ("error", "ERROR"),
     ("fatal", "CRITICAL"), ("silent", "CRITICAL")],
)
def test_probots_log_level_names_are_understood(level: str, expected: str) -> None:
    """LOG_LEVEL takes Probot's level names."""
    assert Settings.from_env(env(LOG_LEVEL=level)).log_level == expected


def test_listbots_own_log_level_wins_over_probots() -> None:
    """LISTBOT_LOG_LEVEL, when set, decides over LOG_LEVEL."""
    assert Settings.from_env(env(LOG_LEVEL="debug", LISTBOT_LOG_LEVEL="error")).log_level == "ERROR"


def test_ghe_host_points_listbot_at_github_enterprise_server() -> None:
    """GHE_HOST (and GHE_PROTOCOL) give the API URL Probot would use; GITHUB_API_URL, when set, wins."""
    assert Settings.from_env(env(GHE_HOST="ghe.example.com")).github_api_url == "https://ghe.example.com/api/v3"
    plain = env(GHE_HOST="10.0.0.5:8080", GHE_PROTOCOL="http")
    assert Settings.from_env(plain).github_api_url == "http://10.0.0.5:8080/api/v3"
    both = env(GHE_HOST="ghe.example.com", GITHUB_API_URL="https://api.example.com")
    assert Settings.from_env(both).github_api_url == "https://api.example.com"


def test_port_host_and_webhook_path_are_read() -> None:
    """PORT, HOST and WEBHOOK_PATH are settings, with Probot's defaults."""
    default = Settings.from_env(env())
    all_interfaces = "0.0.0.0"  # noqa: S104 - the default a service listens on
    assert (default.host, default.port, default.webhook_path) == (all_interfaces, 3000, "/api/github/webhooks")
    moved = Settings.from_env(env(PORT="8080", HOST="127.0.0.1", WEBHOOK_PATH="/hooks/github"))
    assert (moved.host, moved.port, moved.webhook_path) == ("127.0.0.1", 8080, "/hooks/github")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"PORT": "http"}, r"^PORT='http' is not a port number"),
        ({"PORT": "70000"}, r"^PORT='70000' is not a port number"),
        ({"WEBHOOK_PATH": "hooks"}, r"^WEBHOOK_PATH='hooks' must be a URL path starting with '/'"),
        ({"LOG_LEVEL": "loud"}, r"^LOG_LEVEL='LOUD' is not a log level"),
    ],
)
def test_bad_probot_variables_say_what_to_write(overrides: dict[str, str], message: str) -> None:
    """A malformed PORT, WEBHOOK_PATH or LOG_LEVEL names the variable and a valid value."""
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env(**overrides))


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[serve.Listen]]:
    """Run `serve.run` without serving; the addresses it would listen on are collected."""
    listened: list[serve.Listen] = []
    monkeypatch.setattr(serve, "_serve", lambda _app, listen: listened.append(listen))
    with mock.patch.dict(os.environ, env(PORT="4100", HOST="127.0.0.2") | {"LISTBOT_ENV_FILE": str(tmp_path / "x")}):
        get_settings.cache_clear()
        try:
            yield listened
        finally:
            get_settings.cache_clear()


def test_command_line_flags_win_over_port_and_host(served: list[serve.Listen]) -> None:
    """`--host`/`--port` decide where to listen; without them HOST and PORT do."""
    assert serve.run(argparse.Namespace(host=None, port=None)) == 0
    assert serve.run(argparse.Namespace(host="127.0.0.1", port=4200)) == 0
    assert served == [serve.Listen("127.0.0.2", 4100), serve.Listen("127.0.0.1", 4200)]


def test_setup_modes_banner_is_a_json_log_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no credentials, everything `listbot serve` prints is JSON, the registration URL included."""
    monkeypatch.setattr(serve, "_serve", lambda _app, _listen: None)
    quiet = quiet_environment(LISTBOT_ENV_FILE=str(tmp_path / "none.env"), PORT="3999")
    with mock.patch.dict(os.environ, quiet, clear=True):
        assert serve.run(argparse.Namespace(host=None, port=None)) == 0
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    [banner] = [line for line in lines if "setup_url" in line]
    assert re.fullmatch(r"http://localhost:3999/\?token=[\w-]{20,}", banner["setup_url"])
    assert "to register the app" in banner["msg"]


# --- the real process ---------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize("encoding", ["multi-line", "base64"])
def test_a_probot_env_file_and_port_start_the_service(
    github_emulator: GitHubEmulator, tmp_path: Path, encoding: str
) -> None:
    """`listbot serve` in a directory holding only a Probot-written `.env` (plus PORT and GHE_HOST in it)
    listens on PORT, authenticates with the key, logs only JSON, and exits 0 on SIGTERM."""
    key = github_emulator.register_app(app_id=4242, slug="listbot", webhook_secret="development-secret")
    if encoding == "base64":
        key = base64.b64encode(key.encode()).decode()
    port = free_port()
    ghe_host = github_emulator.url.removeprefix("http://")
    text = probot_env_file(key, PORT=str(port), GHE_HOST=ghe_host, GHE_PROTOCOL="http")
    (tmp_path / ".env").write_text(text, encoding="utf-8")
    listbot = ServeProcess(tmp_path, quiet_environment(), port)
    try:
        listbot.start()
        status, ready = listbot.get("/readyz")
        while ready["github"]["checked_at"] is None:
            status, ready = listbot.get("/readyz")
        listbot.signal(signal.SIGTERM)
        assert listbot.wait(timeout=15) == 0
    finally:
        listbot.stop()
    assert (status, ready["status"]) == (200, "ready"), ready
    assert "authenticated as app listbot" in ready["github"]["detail"]
    lines = [json.loads(line) for line in listbot.log_lines()]
    assert any(line["msg"] == "listbot started" for line in lines)
    assert any(line["level"] == "debug" for line in lines)  # LOG_LEVEL=debug from the .env
