"""Assembles the running service from settings: the web app now, the worker side on a warm-up thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.service.service_settings import ServiceSettings
from bot.service.webhook_endpoint import MAX_PAYLOAD_BYTES

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bot.service.backend import Backend
    from bot.service.front import Front


def build_app(
    settings: ServiceSettings,
    *,
    max_payload_bytes: int = MAX_PAYLOAD_BYTES,
    after_warm_up: Callable[[], None] | None = None,
) -> FastAPI:
    """The webhook service wired to a real reconciler and a background credentials check.

    `settings` may be the full `Settings`; plain `ServiceSettings` (what `listbot serve` checks
    when the environment sets no rule or source variable) get the default rules and sources.
    `after_warm_up` runs once the worker side has started (or failed to).
    """
    from bot.service.app import create_app

    return create_app(
        settings, lambda: warm_up(settings), max_payload_bytes=max_payload_bytes, after_warm_up=after_warm_up
    )


def build_front(
    settings: ServiceSettings,
    *,
    max_payload_bytes: int = MAX_PAYLOAD_BYTES,
    after_warm_up: Callable[[], None] | None = None,
) -> Front:
    """`build_app`'s service as `listbot serve` runs it: the webhook answered before FastAPI is
    imported, the FastAPI app built on a thread for everything else (see `bot.service.front`)."""
    from bot.service.front import create_front

    return create_front(
        settings, lambda: warm_up(settings), max_payload_bytes=max_payload_bytes, after_warm_up=after_warm_up
    )


def warm_up(settings: ServiceSettings) -> Backend:
    """Build the worker side: imported here, on the warm-up thread, because PyGithub, the rules,
    the sources and the reconciler take longer to import than everything that answers a delivery."""
    from bot.service.backend import Backend
    from bot.service.settings import Settings

    return Backend(settings if isinstance(settings, Settings) else Settings.with_defaults(settings))
