"""The `.env` file: read it into the environment, and write credentials to it safely (mode 0600)."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path

CREDENTIAL_KEYS = ("APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET")
DEFAULT_ENV_FILE = ".env"
ENV_FILE_VARIABLE = "LISTBOT_ENV_FILE"
FILE_MODE = 0o600


class EnvFileError(Exception):
    """The `.env` file cannot be read or must not be written; the message says what to do."""


def env_file_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the `.env` file lives: $LISTBOT_ENV_FILE, else `.env` in the working directory."""
    env = os.environ if environ is None else environ
    return Path(env.get(ENV_FILE_VARIABLE, "").strip() or DEFAULT_ENV_FILE)


def has_credentials(values: Mapping[str, str]) -> bool:
    """True when any of APP_ID, PRIVATE_KEY, PRIVATE_KEY_PATH or WEBHOOK_SECRET is set (non-blank)."""
    return any(values.get(key, "").strip() for key in CREDENTIAL_KEYS)


def parse_env(text: str) -> dict[str, str]:
    """The variables a `.env` file sets, read as Probot reads it (with python-dotenv's rules).

    Docker's `--env-file` lines (`KEY=value`, taken literally) read the same; on top of that,
    values may be quoted, double-quoted ones may span lines (a PEM key pasted whole) and use
    escapes, `export ` prefixes and `#` comments are allowed. `${VAR}` is not expanded (neither
    Docker nor Probot does), and a line that is not an assignment is skipped.
    """
    from dotenv import dotenv_values  # imported only when there is a file: `serve` starts sooner

    with _quiet_dotenv():
        parsed = dotenv_values(stream=io.StringIO(text), interpolate=False)
    return {key: value for key, value in parsed.items() if value is not None}


@contextlib.contextmanager
def _quiet_dotenv() -> Iterator[None]:
    """python-dotenv warns on stray lines through logging; those lines are simply not variables."""
    logger = logging.getLogger("dotenv.main")
    previous = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = previous


def read_env_file(path: Path) -> dict[str, str]:
    """The variables in `path`, or an empty mapping when there is no such file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvFileError(f"{path} cannot be read: {exc}") from None
    return parse_env(text)


def load_env_file(path: Path, environ: MutableMapping[str, str]) -> list[str]:
    """Copy the variables of `path` into `environ` without overriding any; return the names copied."""
    loaded = []
    for key, value in read_env_file(path).items():
        if key not in environ:
            environ[key] = value
            loaded.append(key)
    return loaded


def _escape(key: str, value: str) -> str:
    """One `KEY=VALUE` line; a PEM's newlines become `\\n`, which listbot's config turns back."""
    flat = value.strip().replace("\r\n", "\n").replace("\n", "\\n")
    if "\r" in flat or "\x00" in flat:
        raise EnvFileError(f"{key} holds a character a .env file cannot")
    return f"{key}={flat}"


def writable_problem(path: Path) -> str | None:
    """Why `path` could not be written atomically (a temp file beside it), or None if it can."""
    try:
        fd, temp_name = tempfile.mkstemp(prefix=".env.", suffix=".tmp", dir=path.resolve().parent)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(temp_name)
    return None


def write_credentials(path: Path, values: Mapping[str, str]) -> None:
    """Add `values` to `path` atomically with owner-only permissions, keeping its other lines.

    Refuses (EnvFileError) when `path` already sets any credential, so a working app's key and
    secret are never overwritten by a second registration.
    """
    existing_text = ""
    if path.exists():
        if has_credentials(read_env_file(path)):
            raise EnvFileError(
                f"{path} already holds credentials (APP_ID, PRIVATE_KEY, PRIVATE_KEY_PATH or WEBHOOK_SECRET); "
                "listbot does not overwrite them: move the file away and try again"
            )
        existing_text = path.read_text(encoding="utf-8")
    lines = [line for line in existing_text.splitlines() if line.strip()]
    lines += [_escape(key, value) for key, value in values.items()]
    content = "\n".join(lines) + "\n"
    directory = path.resolve().parent
    fd, temp_name = tempfile.mkstemp(prefix=".env.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    os.chmod(path, FILE_MODE)
