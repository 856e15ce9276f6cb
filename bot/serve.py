"""`listbot serve`: load settings, configure logging and run the webhook service under uvicorn."""

from __future__ import annotations

import argparse
import importlib.util
import sys

from bot.config import ConfigError, Settings, get_settings

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
    """Start the service; return 2 without starting when the configuration is unusable."""
    try:
        settings = get_settings()
    except ConfigError as exc:
        print(CONFIG_FAILED.format(error=exc), file=sys.stderr)
        return EXIT_CONFIG

    import uvicorn

    from bot.logging_setup import configure_logging
    from bot.wiring import build_app

    configure_logging(settings.log_level, secrets=secrets_of(settings))
    app = build_app(settings)
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
    return 0
