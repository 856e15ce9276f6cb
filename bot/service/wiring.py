"""Assembles the running service from settings: GitHub App client, reconciler, readiness and web app."""

from __future__ import annotations

from fastapi import FastAPI

from bot.core.rules import Rules
from bot.gateway.app import ClientOptions, GitHubApp
from bot.gateway.errors import BadCredentials, GitHubError, NotFound, PermissionDenied, Unreachable
from bot.gateway.retry import RetryPolicy
from bot.service.app import MAX_PAYLOAD_BYTES, create_app
from bot.service.readiness import CredentialsWatch, HealthResult
from bot.service.reconciler import Reconciler
from bot.service.recovery import DeliveryRecovery
from bot.service.settings import Settings
from bot.sources.gather import Sources


def rules_from(settings: Settings) -> Rules:
    return settings.rules


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        attempts=int(settings.retry_attempts),
        base_delay=settings.retry_base_delay,
        secondary_wait=settings.secondary_rate_wait,
    )


def github_app(settings: Settings) -> GitHubApp:
    options = ClientOptions(
        base_url=settings.github_api_url.rstrip("/"),
        request_pause=settings.request_pause,
        write_pause=settings.write_pause,
        timeout=settings.github_timeout,
    )
    return GitHubApp(settings.app_id, settings.private_key.get_secret_value(), options)


def credentials_check(app: GitHubApp, timeout: float) -> HealthResult:
    """One `GET /app` with the app's JWT: does GitHub accept the key and id, and if not, why."""
    try:
        return HealthResult(ok=True, detail=f"authenticated as app {app.check_credentials(max_age=0)}")
    except Unreachable as error:
        if "Timeout" in error.message:
            return HealthResult(ok=False, detail=f"GitHub did not answer within {timeout:g} s ({error.message})")
        return HealthResult(ok=False, detail=f"GitHub is unreachable: {error.message}")
    except (BadCredentials, PermissionDenied, NotFound) as error:
        return HealthResult(ok=False, detail=f"GitHub refused the app's credentials ({error.status})")
    except GitHubError as error:
        return HealthResult(ok=False, detail=f"GitHub answered {error.status} to the credentials check")


def build_app(settings: Settings, *, max_payload_bytes: int = MAX_PAYLOAD_BYTES) -> FastAPI:
    """The webhook service wired to a real reconciler and a background credentials check."""
    app = github_app(settings)
    reconciler = Reconciler(
        app, rules_from(settings), policy=retry_policy(settings), resync_interval=settings.resync_interval,
        sources=Sources(settings.sources), recovery=DeliveryRecovery(app),
        recovery_interval=settings.redelivery_interval,
    )
    watch = CredentialsWatch(lambda: credentials_check(app, settings.github_timeout), settings.readiness_interval)
    return create_app(settings, reconciler, watch, max_payload_bytes=max_payload_bytes)
