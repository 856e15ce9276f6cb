"""Tests for bot.service.settings: settings from the environment and their error messages."""

from __future__ import annotations

import argparse
import functools
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bot.service import serve
from bot.service import settings as config
from bot.service.service_settings import ServiceSettings, sets_rules_or_sources
from bot.service.settings import ConfigError, Settings, get_settings

SECRET = "hook-secret-7f3a9c"


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    """Serialise a private key as unencrypted PKCS#8 PEM text."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@functools.cache
def rsa_pem() -> str:
    """A throwaway RSA key, generated once per test session."""
    return _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def env(**overrides: str) -> dict[str, str]:
    """A complete valid environment with `overrides` applied (empty string deletes a name)."""
    base = {"APP_ID": "12345", "PRIVATE_KEY": rsa_pem(), "WEBHOOK_SECRET": SECRET}
    base.update(overrides)
    return {k: v for k, v in base.items() if v}


def test_reads_probot_names_with_defaults() -> None:
    """A minimal Probot environment yields settings with the documented defaults."""
    settings = Settings.from_env(env())
    assert settings.app_id == 12345
    assert settings.webhook_secret_bytes == SECRET.encode()
    assert settings.private_key.get_secret_value().startswith("-----BEGIN PRIVATE KEY-----")
    assert (settings.github_api_url, settings.list_path) == (
        "https://api.github.com",
        "list/README.md",
    )
    assert (settings.submission_label, settings.needs_changes_label) == (
        "submission",
        "needs-changes",
    )
    assert settings.branch_prefix == "listbot/issue-"
    assert (settings.resync_interval, settings.request_pause, settings.write_pause) == (
        21600.0,
        0.25,
        1.0,
    )
    assert settings.redelivery_interval == 300.0


def test_reads_every_optional_variable() -> None:
    """Each LISTBOT_* variable and GITHUB_API_URL overrides its default."""
    settings = Settings.from_env(
        env(
            GITHUB_API_URL="http://127.0.0.1:9000",
            LISTBOT_LIST_PATH="docs/LIST.md",
            LISTBOT_SUBMISSION_LABEL="paper",
            LISTBOT_NEEDS_CHANGES_LABEL="fix-me",
            LISTBOT_BRANCH_PREFIX="bot/",
            LISTBOT_LOG_LEVEL="debug",
            LISTBOT_RESYNC_INTERVAL="30",
            LISTBOT_REDELIVERY_INTERVAL="60",
            LISTBOT_REQUEST_PAUSE="0",
            LISTBOT_WRITE_PAUSE="0.5",
        )
    )
    assert settings.github_api_url == "http://127.0.0.1:9000"
    assert (settings.list_path, settings.submission_label) == ("docs/LIST.md", "paper")
    assert (settings.needs_changes_label, settings.branch_prefix) == ("fix-me", "bot/")
    assert settings.log_level == "DEBUG"
    assert (settings.resync_interval, settings.request_pause, settings.write_pause) == (
        30.0,
        0.0,
        0.5,
    )
    assert settings.redelivery_interval == 60.0


def test_accepts_a_backslash_n_escaped_one_line_key() -> None:
    """PRIVATE_KEY written on one line with literal \\n sequences is accepted as PEM."""
    one_line = rsa_pem().strip().replace("\n", "\\n")
    settings = Settings.from_env(env(PRIVATE_KEY=one_line))
    assert settings.private_key.get_secret_value() == rsa_pem()


def test_reads_the_key_from_private_key_path(tmp_path: Path) -> None:
    """PRIVATE_KEY_PATH is used when PRIVATE_KEY is not set."""
    key_file = tmp_path / "app.pem"
    key_file.write_text(rsa_pem())
    settings = Settings.from_env(env(PRIVATE_KEY="", PRIVATE_KEY_PATH=str(key_file)))
    assert settings.private_key.get_secret_value() == rsa_pem()


def test_missing_key_file_names_the_variable_and_path(tmp_path: Path) -> None:
    """A PRIVATE_KEY_PATH to a missing file says which path does not exist."""
    missing = tmp_path / "nope.pem"
    with pytest.raises(ConfigError) as info:
        Settings.from_env(env(PRIVATE_KEY="", PRIVATE_KEY_PATH=str(missing)))
    assert str(info.value) == f"PRIVATE_KEY_PATH={missing} points to a file that does not exist"


def test_unreadable_key_file_names_the_variable(tmp_path: Path) -> None:
    """A PRIVATE_KEY_PATH file that is not text says it cannot be read."""
    key_file = tmp_path / "binary.pem"
    key_file.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match=r"^PRIVATE_KEY_PATH=.*cannot be read"):
        Settings.from_env(env(PRIVATE_KEY="", PRIVATE_KEY_PATH=str(key_file)))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"APP_ID": ""}, r"^APP_ID is not set: set APP_ID to"),
        ({"APP_ID": "my-app"}, r"^APP_ID='my-app' is not a positive integer"),
        ({"APP_ID": "0"}, r"^APP_ID='0' is not a positive integer"),
        ({"PRIVATE_KEY": ""}, r"set PRIVATE_KEY to .* or PRIVATE_KEY_PATH=/path/key.pem"),
        ({"WEBHOOK_SECRET": ""}, r"^WEBHOOK_SECRET is not set: set WEBHOOK_SECRET to"),
        ({"WEBHOOK_SECRET": "   "}, r"^WEBHOOK_SECRET is not set"),
        ({"LISTBOT_REQUEST_PAUSE": "fast"}, r"^LISTBOT_REQUEST_PAUSE='fast' is not a number"),
        ({"LISTBOT_WRITE_PAUSE": "nan"}, r"^LISTBOT_WRITE_PAUSE='nan' is not a number"),
        ({"LISTBOT_RESYNC_INTERVAL": "-1"}, r"^LISTBOT_RESYNC_INTERVAL='-1' must not be negative"),
        ({"APP_ID": "\u00b2"}, r"is not a positive integer"),
        ({"LISTBOT_LOG_LEVEL": "verbose"}, r"^LISTBOT_LOG_LEVEL='VERBOSE' is not a log level"),
        ({"LISTBOT_LIST_PATH": "../etc/x"}, r"^invalid setting LISTBOT_LIST_PATH: "),
        ({"LISTBOT_BRANCH_PREFIX": "main-"}, r"^invalid setting LISTBOT_BRANCH_PREFIX: "),
        ({"LISTBOT_NEEDS_CHANGES_LABEL": "submission"}, r"must differ from the submission label"),
    ],
)
def test_bad_settings_name_the_variable_to_set(overrides: dict[str, str], message: str) -> None:
    """Each missing or malformed variable raises ConfigError naming that variable."""
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env(**overrides))


def test_a_key_that_is_not_pem_is_rejected_without_echoing_it() -> None:
    """A PRIVATE_KEY that is not PEM is rejected and the message does not quote the value."""
    bogus = "not-a-key-but-maybe-a-secret-value"
    with pytest.raises(ConfigError, match=r"^PRIVATE_KEY does not hold an RSA private key") as info:
        Settings.from_env(env(PRIVATE_KEY=bogus))
    assert bogus not in str(info.value)


def test_a_non_rsa_key_is_rejected() -> None:
    """An elliptic-curve key is refused because GitHub Apps sign with RS256."""
    ec_pem = _pem(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(ConfigError, match="not RSA"):
        Settings.from_env(env(PRIVATE_KEY=ec_pem))


def test_repr_and_dump_hide_the_secret_and_key() -> None:
    """Neither repr() nor str() nor model_dump_json() of settings contains the secret or key."""
    settings = Settings.from_env(env())
    key_line = rsa_pem().splitlines()[1]
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert SECRET not in text
        assert key_line not in text


def test_get_settings_reads_the_environment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """get_settings() reads the environment on first call and then returns the same object."""
    get_settings.cache_clear()
    for name, value in env().items():
        monkeypatch.setenv(name, value)
    try:
        first = get_settings()
        monkeypatch.setenv("APP_ID", "999")
        assert get_settings() is first
        assert first.app_id == 12345
    finally:
        get_settings.cache_clear()


def test_importing_config_reads_nothing() -> None:
    """The module holds no settings object built at import time."""
    assert not any(isinstance(value, Settings) for value in vars(config).values())


def test_serve_refuses_to_start_on_a_config_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`listbot serve` prints the config error to stderr and exits 2 without starting."""
    get_settings.cache_clear()
    for name in ("APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APP_ID", "12")
    try:
        status = serve.run(argparse.Namespace(host="127.0.0.1", port=1))
    finally:
        get_settings.cache_clear()
    assert status == 2
    assert "PRIVATE_KEY_PATH=/path/key.pem" in capsys.readouterr().err


@pytest.mark.parametrize(("overrides", "message"), [
    ({"LISTBOT_LIST_PATH": "../etc/x"}, "invalid setting LISTBOT_LIST_PATH"),
    ({"LISTBOT_SOURCES": "arxiv,nope"}, "LISTBOT_SOURCES names `nope`"),
    ({"PRIVATE_KEY": rsa_pem().replace(rsa_pem().splitlines()[5], rsa_pem().splitlines()[6])}, "PRIVATE_KEY does not"),
])
def test_serve_checks_rules_sources_and_the_key_before_it_listens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], overrides: dict[str, str], message: str
) -> None:
    """Whether the environment sets rule or source variables (checked with the full settings) or
    not (the service settings only), a bad one exits 2 before anything listens."""
    served: list[object] = []
    monkeypatch.setattr(serve, "_serve", lambda app, listen: served.append(listen))
    for name, value in env(LISTBOT_ENV_FILE="/nonexistent/.env", **overrides).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        status = serve.run(argparse.Namespace(host="127.0.0.1", port=1))
    finally:
        get_settings.cache_clear()
    assert (status, served) == (2, [])
    assert message in capsys.readouterr().err


def test_without_rule_or_source_variables_the_defaults_are_what_the_full_check_reads() -> None:
    """The worker's settings built from the service settings equal those read in full."""
    plain = env(LISTBOT_LOG_LEVEL="debug", LISTBOT_WRITE_PAUSE="2")
    assert not sets_rules_or_sources(plain)
    assert Settings.with_defaults(ServiceSettings.from_env(plain)) == Settings.from_env(plain)
    assert sets_rules_or_sources(env(LISTBOT_BRANCH_PREFIX="bot/"))
    assert sets_rules_or_sources(env(LISTBOT_CONTACT_EMAIL="a@example.org"))


def test_a_short_webhook_secret_is_accepted_with_a_warning() -> None:
    """A one-character WEBHOOK_SECRET still makes settings, with a warning to use 20 or more characters."""
    warning = Settings.from_env(env(WEBHOOK_SECRET="x")).webhook_secret_warning
    assert warning is not None
    assert "only 1 characters" in warning
    assert "20 or more" in warning
    assert Settings.from_env(env(WEBHOOK_SECRET="a" * 32)).webhook_secret_warning is None
