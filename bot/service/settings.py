"""Service settings read from the environment, with Probot's variable names.

`ServiceSettings` (`bot.service.service_settings`) is what `listbot serve` needs to listen and
acknowledge deliveries; `Settings` adds the default rules and the sources, which only the worker
needs and which import much more (the kinds, their forms, the sources' clients).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any, Self

from pydantic import Field

from bot.core.rules import Rules, check_value, labels_clash
from bot.service.service_settings import (
    BAD_SETTING,
    DEFAULT_API_URL,
    DEFAULT_WEBHOOK_PATH,
    ConfigError,
    ServiceSettings,
    log_level_of,
    service_values,
    tuning_from_env,
)
from bot.sources.gather import SourceConfigError, SourceSettings

__all__ = [
    "DEFAULT_API_URL", "DEFAULT_WEBHOOK_PATH", "ENV_RULES", "ConfigError", "ServiceSettings", "Settings",
    "get_settings", "log_level_of", "rules_from_env", "tuning_from_env",
]


class Settings(ServiceSettings):
    """Everything the service needs to know, validated once at start-up."""

    rules: Rules = Field(default_factory=Rules)  # the defaults for repositories without `.github/listbot.yml`
    sources: SourceSettings = Field(default_factory=SourceSettings)  # arXiv, Crossref, Hugging Face: where and how

    @property
    def list_path(self) -> str:
        return self.rules.list_path

    @property
    def submission_label(self) -> str:
        return self.rules.submission_label

    @property
    def needs_changes_label(self) -> str:
        return self.rules.needs_changes_label

    @property
    def branch_prefix(self) -> str:
        return self.rules.branch_prefix

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Read and validate settings from `environ` (default: the process environment)."""
        env = os.environ if environ is None else environ
        return cls.validated(service_values(env) | {"rules": rules_from_env(env), "sources": _sources(env)})

    @classmethod
    def with_defaults(cls, service: ServiceSettings) -> Settings:
        """`service` with the default rules and sources: what `from_env` reads from an
        environment that sets no rule or source variable (see `sets_rules_or_sources`)."""
        return cls(**{name: getattr(service, name) for name in ServiceSettings.model_fields})


def rules_from_env(env: Mapping[str, str]) -> Rules:
    """The default rules, each `LISTBOT_*` rule variable checked exactly as `.github/listbot.yml` is."""
    chosen: dict[str, Any] = {}
    for name, rule in ENV_RULES.items():
        if not (raw := env.get(name, "").strip()):
            continue
        kept, problem = check_value(rule, raw)
        if problem is not None:
            raise ConfigError(BAD_SETTING.format(name=name, reason=problem.why))
        chosen[rule] = kept
    defaults = Rules()
    submission = chosen.get("submission_label", defaults.submission_label)
    if labels_clash(submission, chosen.get("needs_changes_label", defaults.needs_changes_label)):
        reason = "it must differ from the submission label"
        raise ConfigError(BAD_SETTING.format(name="LISTBOT_NEEDS_CHANGES_LABEL", reason=reason))
    return defaults.model_copy(update=chosen)


def _sources(env: Mapping[str, str]) -> SourceSettings:
    """`LISTBOT_ARXIV_API_URL`, `LISTBOT_SOURCES`, `LISTBOT_CONTACT_EMAIL` and the other source variables."""
    try:
        return SourceSettings.from_env(env)
    except SourceConfigError as error:
        raise ConfigError(str(error)) from None


# Rules the environment may set for repositories without `.github/listbot.yml`: variable → rule.
ENV_RULES = {
    "LISTBOT_LIST_PATH": "list_path",
    "LISTBOT_SUBMISSION_LABEL": "submission_label",
    "LISTBOT_NEEDS_CHANGES_LABEL": "needs_changes_label",
    "LISTBOT_BRANCH_PREFIX": "branch_prefix",
}


@functools.cache
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings.from_env()
