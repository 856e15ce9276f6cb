"""`listbot serve`: load settings, configure logging and run the webhook service under uvicorn."""

from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from bot.service.env_file import EnvFileError, env_file_path, has_credentials, load_env_file
from bot.service.settings import BAD_LOG_LEVEL, DEFAULT_API_URL, LOG_LEVELS, ConfigError, Settings, get_settings

EXIT_CONFIG = 2
CONFIG_FAILED = "listbot serve: configuration error: {error}"


def secrets_of(settings: Settings) -> list[str]:
    """Every string that must never reach a log: the secret, the key and each of its lines."""
    key = settings.private_key.get_secret_value()
    lines = [line.strip() for line in key.splitlines() if len(line.strip()) >= 16]
    pem_lines = [line for line in lines if not line.startswith("-----")]
    return [settings.webhook_secret.get_secret_value(), key.strip(), *pem_lines]


def _fastest(options: dict[str, str], fallback: str) -> str:
    """Pick the first optional accelerator that is installed."""
    for module, choice in options.items():
        if importlib.util.find_spec(module) is not None:
            return choice
    return fallback


def run(args: argparse.Namespace) -> int:
    """Start the service; return 2 without starting when the configuration is unusable.

    Variables from `.env` (or $LISTBOT_ENV_FILE) fill in whatever the environment does not set.
    With no credentials at all the service starts in setup mode, which registers the GitHub App.
    """
    env_path = env_file_path()
    try:
        load_env_file(env_path, os.environ)
    except EnvFileError as exc:
        print(CONFIG_FAILED.format(error=exc), file=sys.stderr)
        return EXIT_CONFIG
    if not has_credentials(os.environ):
        return _run_setup(args, env_path)
    try:
        settings = get_settings()
    except ConfigError as exc:
        print(CONFIG_FAILED.format(error=exc), file=sys.stderr)
        return EXIT_CONFIG

    from bot.service.logs import configure_logging
    from bot.service.wiring import build_app

    configure_logging(settings.log_level, secrets=secrets_of(settings))
    _serve(build_app(settings), args)
    return 0


def _run_setup(args: argparse.Namespace, env_path: Path) -> int:
    """Serve the registration page until the person has registered the app and restarts."""
    from bot.service.logs import configure_logging
    from bot.service.registration import create_setup_app

    level = os.environ.get("LISTBOT_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        print(CONFIG_FAILED.format(error=BAD_LOG_LEVEL.format(value=level)), file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(level)
    public_url = os.environ.get("LISTBOT_PUBLIC_URL", "").strip() or None
    token = secrets.token_urlsafe(18)  # only whoever reads this console may register the app
    app = create_setup_app(
        api_url=os.environ.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL,
        env_path=env_path,
        public_url=public_url,
        webhook_proxy_url=os.environ.get("WEBHOOK_PROXY_URL", "").strip() or None,
        token=token,
    )
    shown = "localhost" if args.host in ("0.0.0.0", "::") else args.host  # noqa: S104
    base = (public_url or f"http://{shown}:{args.port}").rstrip("/")
    print(
        f"listbot serve: no GitHub App credentials (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET) in the environment "
        f"or {env_path}: open {base}/?token={token} to register the app",
        file=sys.stderr,
    )
    _serve(app, args)
    return 0


def _serve(app: Any, args: argparse.Namespace) -> None:
    """Run `app` under uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log=False,
        log_config=None,
        server_header=False,
        proxy_headers=False,
        # httptools (optional) parses HTTP faster than h11. uvloop is deliberately not used:
        # in bench/ack_latency.py it tripled p99 with 20 clients (the worker thread's hand-offs).
        loop="asyncio",
        http=_fastest({"httptools": "httptools"}, "h11"),
        timeout_graceful_shutdown=10,
    )
