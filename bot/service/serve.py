"""`listbot serve`: load settings, configure logging and run the webhook service under uvicorn.

SIGTERM and SIGINT shut down promptly and losslessly: deliveries get 503 with Retry-After, the
GitHub call in flight may finish within LISTBOT_SHUTDOWN_GRACE, then the process exits 0; the
start-up resync of the next process finds whatever was left undone. If the app cannot serve (its
FastAPI app could not be built), it shuts down the same way by itself and exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import logging
import os
import secrets
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn

from bot.core.logfields import fields
from bot.service.env_file import EnvFileError, env_file_path, has_credentials, load_env_file
from bot.service.service_settings import (
    ConfigError,
    ServiceSettings,
    api_url_of,
    listen_address_of,
    log_level_of,
    sets_rules_or_sources,
    webhook_path_of,
)

log = logging.getLogger("listbot.serve")

EXIT_FAILED = 1  # what an uncaught exception at start-up gave when FastAPI was imported first
EXIT_CONFIG = 2
CONFIG_FAILED = "listbot serve: configuration error: {error}"
SETUP_BANNER = (
    "no GitHub App credentials (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET) in the environment or {env_path}: "
    "open {url} to register the app"
)
CONNECTIONS_GRACE = 2  # seconds uvicorn waits for open connections once the workers have stopped


@dataclass(frozen=True)
class Listen:
    """Where to listen: command-line flags win over HOST and PORT."""

    host: str
    port: int

    @classmethod
    def of(cls, args: argparse.Namespace, host: str, port: int) -> Listen:
        return cls(args.host if args.host is not None else host, args.port if args.port is not None else port)


def secrets_of(settings: ServiceSettings) -> list[str]:
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
        gc.enable()  # paused by `listbot serve` for a fast start; setup mode has no warm-up to wait for
        return _run_setup(args, env_path)

    from bot.service.logs import configure_logging
    from bot.service.wiring import build_front

    try:
        configure_logging(log_level_of(os.environ))  # warnings while reading settings are JSON too
        settings = checked_settings(os.environ)
    except ConfigError as exc:
        print(CONFIG_FAILED.format(error=exc), file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_level, secrets=secrets_of(settings))
    front = build_front(settings, after_warm_up=resume_gc)
    _serve(front, Listen.of(args, settings.host, settings.port))
    return EXIT_FAILED if front.failed else 0


def resume_gc() -> None:
    """Once the workers have started: keep what start-up imported out of every later collection
    (it lives as long as the process) and turn the collector back on (`bot.cli.main` paused it)."""
    gc.freeze()
    gc.enable()


def checked_settings(env: Mapping[str, str]) -> ServiceSettings:
    """Every setting `env` makes, checked before listening (a bad one exits 2, serving nothing).

    Without rule or source variables that is `ServiceSettings`: the rules and sources then take
    their defaults, built on the warm-up thread. With any, it is the full `Settings`, whose check
    imports the rules and sources first.
    """
    if sets_rules_or_sources(env):
        from bot.service.settings import get_settings

        return get_settings()
    return ServiceSettings.from_env(env)


def _run_setup(args: argparse.Namespace, env_path: Path) -> int:
    """Serve the registration page until the person has registered the app and restarts."""
    from bot.service.logs import configure_logging
    from bot.service.registration import create_setup_app

    try:
        level, api_url = log_level_of(os.environ), api_url_of(os.environ)
        listen = Listen.of(args, *listen_address_of(os.environ))
        webhook_path = webhook_path_of(os.environ)
    except ConfigError as exc:
        print(CONFIG_FAILED.format(error=exc), file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(level)
    public_url = os.environ.get("LISTBOT_PUBLIC_URL", "").strip() or None
    token = secrets.token_urlsafe(18)  # only whoever reads this console may register the app
    app = create_setup_app(
        api_url=api_url,
        env_path=env_path,
        public_url=public_url,
        webhook_proxy_url=os.environ.get("WEBHOOK_PROXY_URL", "").strip() or None,
        token=token,
        webhook_path=webhook_path,
    )
    shown = "localhost" if listen.host in ("0.0.0.0", "::") else listen.host  # noqa: S104
    url = f"{(public_url or f'http://{shown}:{listen.port}').rstrip('/')}/?token={token}"
    # The token is shown on purpose: it is what lets the person at this console register.
    log.warning(SETUP_BANNER.format(env_path=env_path, url=url), extra=fields(setup_url=url))
    _serve(app, listen)
    return 0


class _Server(uvicorn.Server):
    """uvicorn, with listbot's shutdown: a signal (or the app, `begin_shutdown`) first drains the
    service, and the exit status is 0 (1 when the app failed: `run`).

    uvicorn itself re-raises a caught SIGTERM once it has stopped, so the process would die of the
    signal (status 143) instead of exiting 0; and it closes its sockets at once, so deliveries
    arriving meanwhile would be refused rather than answered 503.
    """

    def __init__(self, config: uvicorn.Config, drain: Any) -> None:
        super().__init__(config)
        self._drain = drain
        self._signalled = False
        self._draining = threading.Lock()  # held from the first shutdown begun, by a signal or the app

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._signalled:  # a second signal: stop waiting
            log.warning("second signal: exiting now", extra=fields(signal=signal.Signals(sig).name))
            self.should_exit = self.force_exit = True
            return
        self._signalled = True
        log.info("signal received: shutting down", extra=fields(signal=signal.Signals(sig).name))
        self.begin_shutdown()

    def begin_shutdown(self) -> None:
        """What the first signal begins; the app begins it too when it cannot serve (it logged why)."""
        if not self._draining.acquire(blocking=False):
            return  # under way already (a signal after the app's failure, or the other way round)
        if self._drain is None:
            self.should_exit = True
            return
        threading.Thread(target=self._drain_then_exit, name="listbot-shutdown", daemon=True).start()

    def _drain_then_exit(self) -> None:
        try:
            self._drain()
        finally:
            self.should_exit = True


def _serve(app: Any, listen: Listen) -> None:
    """Run `app` under uvicorn until SIGTERM or SIGINT, or until it fails (see `_Server`)."""
    config = uvicorn.Config(
        app,
        host=listen.host,
        port=listen.port,
        access_log=False,
        log_config=None,
        server_header=False,
        proxy_headers=False,
        # httptools (optional) parses HTTP faster than h11. uvloop is deliberately not used:
        # in bench/ack_latency.py it tripled p99 with 20 clients (the worker thread's hand-offs).
        loop="asyncio",
        http=_fastest({"httptools": "httptools"}, "h11"),
        timeout_graceful_shutdown=CONNECTIONS_GRACE,
    )
    service = getattr(getattr(app, "state", None), "service", None)
    server = _Server(config, service.shutdown if service is not None else None)
    if hasattr(app, "on_failure"):  # the front: when it cannot serve, it shuts down as a signal would
        app.on_failure = server.begin_shutdown
    server.run()
