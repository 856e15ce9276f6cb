"""`listbot action`: run listbot once inside a GitHub Actions workflow, on the event that started it.

The same reconciler as `listbot serve`, with the workflow's `GITHUB_TOKEN` instead of a GitHub App:
the runner's event file becomes one delivery (a scheduled or manual run becomes a resync of the
repository), its jobs run to completion, and the step fails if any of them could not finish.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.cli.exits import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from bot.core.webhook import Delivery, MalformedDelivery, parse_delivery
from bot.gateway.app import ClientOptions
from bot.gateway.credentials import TOKEN_INSTALLATION, GitHubToken
from bot.gateway.errors import BadCredentials, GitHubError
from bot.gateway.retry import RetryPolicy
from bot.service.logs import configure_logging
from bot.service.reconciler import Reconciler
from bot.service.settings import (
    DEFAULT_API_URL,
    ConfigError,
    Settings,
    log_level_of,
    rules_from_env,
    tuning_from_env,
)

REQUIRED = ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH")
# Events that name no issue: listbot looks at every submission of the repository instead.
RESYNC_EVENTS = frozenset({"schedule", "workflow_dispatch", "repository_dispatch"})
RUN_TIMEOUT = 600.0

NOT_SET = (
    "{name} is not set. Run it as a workflow step (`uses: OWNER/listbot@VERSION` with "
    "`command: submissions`), or set GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_NAME and "
    "GITHUB_EVENT_PATH as a runner does."
)
BAD_REPOSITORY = "GITHUB_REPOSITORY={value!r} is not `owner/name` (e.g. `acme/awesome-list`)."
BAD_EVENT_FILE = "listbot action: cannot read the event in GITHUB_EVENT_PATH={path}: {error}"
CONFIG = "listbot action: {error}"
IGNORED = (
    "listbot action: nothing to do for `{event}` events; listbot handles issues, issue_comment, "
    "pull_request, push, schedule, workflow_dispatch and repository_dispatch."
)
REFUSED = (
    "listbot action: GitHub refused the token ({error}). Pass the workflow's token "
    "(`token: ${{{{ github.token }}}}`, the default) or another valid token."
)
NOTHING_TO_DO = "listbot action: nothing to do for `{event}`: {reason}."
GITHUB_FAILED = "listbot action: GitHub at {url} failed the run: {error}"
FAILED = (
    "listbot action: {failures} job(s) could not finish; the log lines above say why. A 403 `Resource "
    "not accessible by integration` means the workflow's `permissions:` lack `contents`, `issues` or "
    "`pull-requests: write`; `GitHub Actions is not permitted to create or approve pull requests` "
    "means the repository must allow it (Settings → Actions → General → Workflow permissions)."
)
TIMED_OUT = "listbot action: not finished after {seconds:g} s; the next event or scheduled run picks up."
DONE = "listbot action: handled {what} in {repository} as {login}."


@dataclass(frozen=True)
class Runner:
    """What the GitHub Actions runner tells the step about its run."""

    token: str
    repository: str
    event: str
    event_path: Path
    api_url: str
    run_id: str
    bot_login: str | None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Runner:
        """Read the runner's variables; `ConfigError` names the first one missing or wrong."""
        for name in REQUIRED:
            if not env.get(name, "").strip():
                raise ConfigError(NOT_SET.format(name=name))
        repository = env["GITHUB_REPOSITORY"].strip()
        owner, _, name = repository.partition("/")
        if not owner or not name or "/" in name:
            raise ConfigError(BAD_REPOSITORY.format(value=repository))
        return cls(
            token=env["GITHUB_TOKEN"].strip(),
            repository=repository,
            event=env["GITHUB_EVENT_NAME"].strip(),
            event_path=Path(env["GITHUB_EVENT_PATH"]),
            api_url=(env.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL).rstrip("/"),
            run_id=f"actions-{env.get('GITHUB_RUN_ID', 'local')}-{env.get('GITHUB_RUN_ATTEMPT', '1')}",
            bot_login=env.get("LISTBOT_BOT_LOGIN", "").strip() or None,
        )

    def delivery(self) -> Delivery:
        """The run's event as the delivery a webhook would have brought (`MalformedDelivery`, `OSError`)."""
        headers = {"X-GitHub-Event": self.event, "X-GitHub-Delivery": self.run_id}
        delivery = parse_delivery(headers, self.event_path.read_bytes())
        # Workflow events carry no App installation; the token stands for one.
        return dataclasses.replace(delivery, installation_id=TOKEN_INSTALLATION, repository=self.repository)


def _tuning(env: Mapping[str, str], api_url: str) -> tuple[ClientOptions, RetryPolicy]:
    """Pacing and retries from the same variables `listbot serve` reads, else the same defaults."""
    tuning = tuning_from_env(env)

    def value(key: str) -> float:
        default = Settings.model_fields[key].default
        return float(tuning.get(key, default))

    policy = RetryPolicy(
        attempts=int(value("retry_attempts")),
        base_delay=value("retry_base_delay"),
        secondary_wait=value("secondary_rate_wait"),
    )
    options = ClientOptions(
        base_url=api_url, request_pause=value("request_pause"), write_pause=value("write_pause"),
        timeout=value("github_timeout"),
    )
    return options, policy


def _log_level(env: Mapping[str, str]) -> str:
    return log_level_of(env)  # LISTBOT_LOG_LEVEL, else Probot's LOG_LEVEL, as `listbot serve` reads them


def run(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> int:
    """Handle this workflow run's event; 0 done, 1 a job failed or GitHub refused, 2 bad configuration."""
    environ = os.environ if env is None else env
    try:
        runner = Runner.from_env(environ)
        options, policy = _tuning(environ, runner.api_url)
        rules = rules_from_env(environ)
        level = _log_level(environ)
    except ConfigError as error:
        print(CONFIG.format(error=error), file=sys.stderr)
        return EXIT_USAGE
    try:
        delivery = None if runner.event in RESYNC_EVENTS else runner.delivery()
    except (OSError, MalformedDelivery) as error:
        print(BAD_EVENT_FILE.format(path=runner.event_path, error=error), file=sys.stderr)
        return EXIT_USAGE
    configure_logging(level, secrets=[runner.token])
    credentials = GitHubToken(runner.token, runner.repository, options, runner.bot_login)
    reconciler = Reconciler(credentials, rules, policy=policy, resync_interval=0, workers=1)
    if delivery is not None and not reconciler.handles(delivery.event):
        print(IGNORED.format(event=runner.event))
        return EXIT_OK
    status = _run_to_completion(reconciler, delivery, runner.api_url)
    if status == EXIT_OK:
        what = "a resync" if delivery is None else f"`{delivery.name}`"
        print(DONE.format(what=what, repository=runner.repository, login=credentials.bot_login))
    return status


def _run_to_completion(reconciler: Reconciler, delivery: Delivery | None, api_url: str) -> int:
    """Run the delivery's jobs (or a resync) until none is left; say why when any could not finish."""
    try:
        reconciler.learn_bot_login()
        jobs = None if delivery is None else reconciler.jobs_for(delivery)
        if isinstance(jobs, str):
            print(NOTHING_TO_DO.format(event=delivery.name if delivery else "", reason=jobs))
            return EXIT_OK
        finished = reconciler.run_once(jobs, RUN_TIMEOUT)
    except BadCredentials as error:
        print(REFUSED.format(error=error), file=sys.stderr)
        return EXIT_INVALID
    except GitHubError as error:
        print(GITHUB_FAILED.format(url=api_url, error=error), file=sys.stderr)
        return EXIT_INVALID
    if not finished:
        print(TIMED_OUT.format(seconds=RUN_TIMEOUT), file=sys.stderr)
        return EXIT_INVALID
    if reconciler.failures:
        print(FAILED.format(failures=reconciler.failures), file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK
