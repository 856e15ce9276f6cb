"""Assembles the running service from settings: GitHub App client, reconciler and web app."""

from __future__ import annotations

from fastapi import FastAPI

from bot.core.plan import Rules
from bot.gateway.errors import GitHubError, Unreachable
from bot.gateway.github import ClientOptions, GitHubApp
from bot.gateway.retry import RetryPolicy
from bot.service.app import HealthResult, create_app
from bot.service.reconciler import Reconciler
from bot.service.settings import Settings


def rules_from(settings: Settings) -> Rules:
    return Rules(
        list_path=settings.list_path,
        submission_label=settings.submission_label,
        needs_changes_label=settings.needs_changes_label,
        branch_prefix=settings.branch_prefix,
    )


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
        retry=retry_policy(settings),
    )
    return GitHubApp(settings.app_id, settings.private_key.get_secret_value(), options)


def build_app(settings: Settings) -> FastAPI:
    """The webhook service wired to a real reconciler and a credentials health check."""
    app = github_app(settings)
    reconciler = Reconciler(
        app, rules_from(settings), policy=retry_policy(settings), resync_interval=settings.resync_interval
    )

    def credentials_work() -> HealthResult:
        try:
            return HealthResult(ok=True, detail=f"authenticated as app {app.check_credentials()}")
        except Unreachable as error:
            return HealthResult(ok=False, detail=f"GitHub is unreachable: {error.message}")
        except GitHubError as error:
            return HealthResult(ok=False, detail=f"GitHub refused the app's credentials ({error.status})")

    return create_app(settings, reconciler, health_check=credentials_work)
