"""What `listbot serve` checks before it listens: the App's credentials, GitHub's URL, the address,
the webhook path, the log level and the timings, read from the environment with Probot's names.

It imports nothing heavy (no PyGithub, no rules or sources), so a delivery can be acknowledged
early; `bot.service.settings.Settings` adds the default rules and the sources on top.
"""

from __future__ import annotations

import base64
import binascii
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from bot.gateway.app_key import AppKeyError, check_app_key

DEFAULT_API_URL = "https://api.github.com"

NEED_APP_ID = "APP_ID is not set: set APP_ID to your GitHub App's numeric id (App settings page)"
BAD_APP_ID = "APP_ID={value!r} is not a positive integer: set APP_ID to your App's numeric id"
NEED_KEY = (
    "no private key: set PRIVATE_KEY to the app's PEM text (newlines may be written as \\n) "
    "or PRIVATE_KEY_PATH=/path/key.pem to the file GitHub let you download"
)
KEY_PATH_MISSING = "PRIVATE_KEY_PATH={path} points to a file that does not exist"
KEY_PATH_UNREADABLE = "PRIVATE_KEY_PATH={path} cannot be read: {reason}"
KEY_NOT_PEM = (
    "{source} does not hold an RSA private key in PEM form "
    "(expected '-----BEGIN RSA PRIVATE KEY-----' or '-----BEGIN PRIVATE KEY-----', or that text base64-encoded): "
    "{reason}"
)
MIN_WEBHOOK_KEY_LENGTH = 20
SHORT_WEBHOOK_KEY = (
    "WEBHOOK_SECRET is only {length} characters: a short secret can be guessed and deliveries forged; "
    "use {minimum} or more random characters (e.g. `openssl rand -hex 32`) in the GitHub App and here"
)
NO_WEBHOOK_KEY = (
    "WEBHOOK_SECRET is not set: set WEBHOOK_SECRET to the secret entered in the App's "
    "webhook settings"
)
BAD_NUMBER = "{name}={value!r} is not a number: set {name} to a number of seconds (e.g. {example})"
NEGATIVE_NUMBER = "{name}={value!r} must not be negative"
BAD_SETTING = "invalid setting {name}: {reason}"
BAD_LOG_LEVEL = "{name}={value!r} is not a log level: use one of DEBUG, INFO, WARNING, ERROR"
# Probot's level names (pino's), as LOG_LEVEL carries them, in Python's terms.
PROBOT_LOG_LEVELS = {
    "TRACE": "DEBUG", "DEBUG": "DEBUG", "INFO": "INFO", "WARN": "WARNING", "WARNING": "WARNING",
    "ERROR": "ERROR", "FATAL": "CRITICAL", "CRITICAL": "CRITICAL", "SILENT": "CRITICAL",
}
DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - a service listens on all interfaces
DEFAULT_PORT = 3000
DEFAULT_WEBHOOK_PATH = "/api/github/webhooks"
BAD_PORT = "PORT={value!r} is not a port number: set PORT to a number from 1 to 65535 (e.g. 3000)"
BAD_WEBHOOK_PATH = "WEBHOOK_PATH={value!r} must be a URL path starting with '/' (e.g. /api/github/webhooks)"


class ConfigError(Exception):
    """A setting is missing or unusable; the message says which variable to set and how."""


class ServiceSettings(BaseModel):
    """Everything listbot needs to start listening and acknowledging, validated once at start-up."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    app_id: int
    private_key: SecretStr
    webhook_secret: SecretStr
    github_api_url: str = DEFAULT_API_URL
    log_level: str = "INFO"
    resync_interval: float = Field(default=21600.0, ge=0)  # rare: failed deliveries are redelivered
    redelivery_interval: float = Field(default=300.0, ge=0)
    request_pause: float = Field(default=0.25, ge=0)
    write_pause: float = Field(default=1.0, ge=0)
    retry_attempts: float = Field(default=6, ge=1, le=7)
    retry_base_delay: float = Field(default=1.0, ge=0)
    secondary_rate_wait: float = Field(default=60.0, ge=0)
    github_timeout: float = Field(default=15.0, ge=1)
    readiness_interval: float = Field(default=30.0, ge=1)
    shutdown_grace: float = Field(default=10.0, ge=0)
    host: str = DEFAULT_HOST
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    webhook_path: str = DEFAULT_WEBHOOK_PATH

    @property
    def webhook_secret_warning(self) -> str | None:
        """What to say (at WARNING, once logging is set up) about a guessable webhook secret."""
        length = len(self.webhook_secret.get_secret_value())
        if length >= MIN_WEBHOOK_KEY_LENGTH:
            return None
        return SHORT_WEBHOOK_KEY.format(length=length, minimum=MIN_WEBHOOK_KEY_LENGTH)

    @property
    def webhook_secret_bytes(self) -> bytes:
        """The webhook secret as the bytes HMAC needs."""
        return self.webhook_secret.get_secret_value().encode("utf-8")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Read and validate these settings from `environ` (default: the process environment)."""
        return cls.validated(service_values(os.environ if environ is None else environ))

    @classmethod
    def validated(cls, values: Mapping[str, object]) -> Self:
        """`cls` built from `values`; a value pydantic refuses is a ConfigError naming its field."""
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            first = exc.errors()[0]
            message = BAD_SETTING.format(name=first["loc"][0], reason=first["msg"])
            raise ConfigError(message) from None


def service_values(env: Mapping[str, str]) -> dict[str, object]:
    """The `ServiceSettings` fields `env` sets, each variable checked (ConfigError names it)."""
    values: dict[str, object] = {
        "app_id": _app_id(env),
        "private_key": SecretStr(_private_key(env)),
        "webhook_secret": SecretStr(_webhook_secret(env)),
    }
    values.update(tuning_from_env(env))
    values["log_level"] = log_level_of(env)
    values["github_api_url"] = api_url_of(env)
    values["host"], values["port"] = listen_address_of(env)
    values["webhook_path"] = webhook_path_of(env)
    return values


_OPTIONAL_FLOAT = {
    "LISTBOT_RESYNC_INTERVAL": ("resync_interval", "21600"),
    "LISTBOT_REDELIVERY_INTERVAL": ("redelivery_interval", "300"),
    "LISTBOT_REQUEST_PAUSE": ("request_pause", "0.25"),
    "LISTBOT_WRITE_PAUSE": ("write_pause", "1.0"),
    "LISTBOT_RETRY_ATTEMPTS": ("retry_attempts", "6"),
    "LISTBOT_RETRY_BASE_DELAY": ("retry_base_delay", "1.0"),
    "LISTBOT_SECONDARY_RATE_WAIT": ("secondary_rate_wait", "60"),
    "LISTBOT_GITHUB_TIMEOUT": ("github_timeout", "15"),
    "LISTBOT_READINESS_INTERVAL": ("readiness_interval", "30"),
    "LISTBOT_SHUTDOWN_GRACE": ("shutdown_grace", "10"),
}


def tuning_from_env(env: Mapping[str, str]) -> dict[str, float]:
    """The pacing, retry and timing seconds `env` sets (each checked), keyed by `Settings` field.

    `listbot action`, which has a token instead of an App, reads them as `listbot serve` does.
    """
    return {
        key: _seconds(name, env[name], example)
        for name, (key, example) in _OPTIONAL_FLOAT.items()
        if env.get(name, "").strip()
    }


# --- Probot's names: read the same way by the service and by setup mode -----------------------


def log_level_of(env: Mapping[str, str]) -> str:
    """LISTBOT_LOG_LEVEL, else Probot's LOG_LEVEL (`trace` … `fatal`, `silent`), else INFO."""
    for name in ("LISTBOT_LOG_LEVEL", "LOG_LEVEL"):
        raw = env.get(name, "").strip()
        if raw:
            level = PROBOT_LOG_LEVELS.get(raw.upper())
            if level is None:
                raise ConfigError(BAD_LOG_LEVEL.format(name=name, value=raw.upper()))
            return level
    return "INFO"


def api_url_of(env: Mapping[str, str]) -> str:
    """GITHUB_API_URL, else Probot's GHE_HOST (`{GHE_PROTOCOL or https}://{GHE_HOST}/api/v3`), else github.com."""
    explicit = env.get("GITHUB_API_URL", "").strip()
    if explicit:
        return explicit
    host = env.get("GHE_HOST", "").strip().strip("/")
    if host:
        return f"{env.get('GHE_PROTOCOL', '').strip() or 'https'}://{host}/api/v3"
    return DEFAULT_API_URL


def listen_address_of(env: Mapping[str, str]) -> tuple[str, int]:
    """HOST and PORT, as Probot reads them (all interfaces and 3000 when unset)."""
    host = env.get("HOST", "").strip() or DEFAULT_HOST
    raw = env.get("PORT", "").strip()
    if not raw:
        return host, DEFAULT_PORT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 65535:
        raise ConfigError(BAD_PORT.format(value=raw))
    return host, int(raw)


def webhook_path_of(env: Mapping[str, str]) -> str:
    """WEBHOOK_PATH, the path GitHub posts deliveries to (Probot's default when unset)."""
    path = env.get("WEBHOOK_PATH", "").strip() or DEFAULT_WEBHOOK_PATH
    if not path.startswith("/") or any(c in path for c in "?# \t"):
        raise ConfigError(BAD_WEBHOOK_PATH.format(value=path))
    return path


def _app_id(env: Mapping[str, str]) -> int:
    """Read APP_ID, which must be a positive integer."""
    raw = env.get("APP_ID", "").strip()
    if not raw:
        raise ConfigError(NEED_APP_ID)
    if not (raw.isascii() and raw.isdigit()) or int(raw) <= 0:
        raise ConfigError(BAD_APP_ID.format(value=raw))
    return int(raw)


def _private_key(env: Mapping[str, str]) -> str:
    """Read the PEM key from PRIVATE_KEY (maybe `\\n`-escaped) or PRIVATE_KEY_PATH and check it."""
    inline = env.get("PRIVATE_KEY", "").strip()
    if inline:
        pem, source = _inline_pem(inline), "PRIVATE_KEY"
    else:
        path_text = env.get("PRIVATE_KEY_PATH", "").strip()
        if not path_text:
            raise ConfigError(NEED_KEY)
        path = Path(path_text).expanduser()
        if not path.is_file():
            raise ConfigError(KEY_PATH_MISSING.format(path=path_text))
        try:
            pem = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(KEY_PATH_UNREADABLE.format(path=path_text, reason=exc)) from None
        source = f"PRIVATE_KEY_PATH={path_text}"
    text = pem.strip() + "\n"
    _check_rsa_pem(text, source)
    return text


def _inline_pem(value: str) -> str:
    """PRIVATE_KEY's PEM text: as written (newlines maybe escaped as `\\n`), or base64 of it (as
    Probot accepts it); anything else is returned as is for the PEM check to explain."""
    if "-----BEGIN" in value:
        return value.replace("\\n", "\n")
    try:
        decoded = base64.b64decode("".join(value.split()), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return value
    return decoded if "-----BEGIN" in decoded else value


def _check_rsa_pem(pem: str, source: str) -> None:
    """Raise ConfigError unless `pem` is an unencrypted RSA private key (read once and kept for
    the app's JWTs: see `bot.gateway.app_key`)."""
    try:
        check_app_key(pem)
    except AppKeyError as exc:
        raise ConfigError(KEY_NOT_PEM.format(source=source, reason=str(exc))) from None


def _webhook_secret(env: Mapping[str, str]) -> str:
    """Read WEBHOOK_SECRET, which must not be empty."""
    secret = env.get("WEBHOOK_SECRET", "")
    if not secret.strip():
        raise ConfigError(NO_WEBHOOK_KEY)
    return secret


def _seconds(name: str, raw: str, example: str) -> float:
    """Parse a non-negative number of seconds from variable `name`."""
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(BAD_NUMBER.format(name=name, value=raw, example=example)) from None
    if not math.isfinite(value):
        raise ConfigError(BAD_NUMBER.format(name=name, value=raw, example=example))
    if value < 0:
        raise ConfigError(NEGATIVE_NUMBER.format(name=name, value=raw))
    return value


# The `LISTBOT_*` variables `listbot serve` reads besides the rules and the sources.
SERVICE_VARIABLES = frozenset({"LISTBOT_LOG_LEVEL", "LISTBOT_ENV_FILE", "LISTBOT_PUBLIC_URL", *_OPTIONAL_FLOAT})


def sets_rules_or_sources(env: Mapping[str, str]) -> bool:
    """Whether `env` sets a `LISTBOT_*` variable that is not a `ServiceSettings` one: a default
    rule or a source setting, which only the full `Settings` (and its heavy imports) can check.

    Every other `LISTBOT_*` name counts, so a variable added later is checked before serving too.
    """
    return any(
        name.startswith("LISTBOT_") and name not in SERVICE_VARIABLES and value.strip() for name, value in env.items()
    )
