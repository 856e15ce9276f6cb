"""The worker side of the service: the GitHub App client, the reconciler and the credentials watch.

`bot.service.wiring` imports this module on the warm-up thread, once `listbot serve` is already
acknowledging deliveries: it brings in PyGithub, the rules, the sources and everything the
reconciler plans with, none of which answering a delivery needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.core.webhook import Delivery
from bot.gateway.app import ClientOptions, GitHubApp
from bot.gateway.errors import BadCredentials, GitHubError, NotFound, PermissionDenied, Unreachable
from bot.gateway.retry import RetryPolicy, rate_limit_backoff
from bot.service.readiness import CredentialsWatch, HealthResult
from bot.service.reconciler import Reconciler
from bot.service.recovery import DeliveryRecovery
from bot.service.running import GitHubSeen
from bot.service.settings import Settings
from bot.service.worker import Job, Origin
from bot.sources.gather import Sources


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


class Backend:
    """The reconciler's workers and the credentials watch, started and stopped together."""

    def __init__(self, settings: Settings) -> None:
        app = github_app(settings)
        self.github = app.memory  # what this app's answers said of its GitHub, not another's
        self.reconciler = Reconciler(
            app, settings.rules, policy=retry_policy(settings), resync_interval=settings.resync_interval,
            sources=Sources(settings.sources), recovery=DeliveryRecovery(app),
            recovery_interval=settings.redelivery_interval,
        )
        check = settings.github_timeout
        self.watch = CredentialsWatch(lambda: credentials_check(app, check), settings.readiness_interval)

    def start(self) -> None:
        self.reconciler.start()
        self.watch.start()

    def stop(self, grace: float) -> int:
        """Stop the watch and the workers; how many jobs were still running at the deadline."""
        self.watch.stop()
        return self.reconciler.stop(grace)

    def alive(self) -> bool:
        return self.reconciler.alive()

    def jobs_for(self, delivery: Delivery) -> list[Job] | str:
        return self.reconciler.jobs_for(delivery)

    def submit(self, jobs: list[Job], on_done: Callable[[Origin, str], None], received: float | None,
               **log_fields: Any) -> int:
        """Queue a delivery's jobs under one origin (`on_done` once all ended); how many were taken.

        `received` (monotonic), when given, is when the delivery was acknowledged, so the
        delivery's duration includes its wait for the workers to start.
        """
        origin = Origin(on_done, **log_fields)
        if received is not None:
            origin.began = received
        return sum(self.reconciler.queue.submit(job, origin) for job in jobs)

    def github_seen(self) -> GitHubSeen:
        """What GitHub's answers so far said: when it last answered, its rate-limit window, any wait."""
        budget = self.github.rate_budget()
        window = None if budget is None else (budget.remaining, budget.limit, budget.reset)
        return GitHubSeen(self.github.last_success(), window, rate_limit_backoff())
