"""Reconcile: turn each delivery into "look at issue N again" and converge GitHub to the plan."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.forms import IssueForm, form_from_yaml
from bot.github import GitHubApp, RepoGateway
from bot.logging_setup import fields
from bot.plan import Plan, Rules, plan_issue
from bot.template import render_template
from bot.webhook import Delivery

log = logging.getLogger("listbot.reconcile")

HANDLED_EVENTS = frozenset({"issues", "issue_comment", "pull_request", "push"})
ISSUE_ACTIONS = frozenset({"opened", "edited", "reopened", "labeled", "unlabeled", "closed"})


@lru_cache(maxsize=1)
def paper_form() -> IssueForm:
    """The issue form the bot parses bodies with: the one generated from the schema."""
    return form_from_yaml(render_template())


@dataclass(frozen=True)
class Target:
    """One unit of reconcile work: an issue of a repository, reached through an installation."""

    installation_id: int
    repository: str
    default_branch: str
    issue: int


def targets_of(delivery: Delivery, rules: Rules, bot_login: str) -> list[Target] | str:
    """The issues a delivery asks to look at again, or why it asks for nothing."""
    payload = delivery.payload
    repo = payload.get("repository") or {}
    if delivery.installation_id is None or not delivery.repository:
        return "no installation or repository"
    if delivery.sender_login == bot_login:
        return "caused by listbot itself"

    def target(issue: int) -> Target:
        branch = str(repo.get("default_branch") or "main")
        return Target(delivery.installation_id or 0, delivery.repository or "", branch, issue)

    if delivery.event == "issues" and delivery.action in ISSUE_ACTIONS and delivery.issue_number:
        return [target(delivery.issue_number)]
    if delivery.event == "pull_request" and delivery.action == "closed":
        head = ((payload.get("pull_request") or {}).get("head") or {}).get("ref", "")
        issue = rules.issue_of_branch(str(head))
        return [target(issue)] if issue else "not a listbot pull request"
    return f"nothing to do for {delivery.name}"


class Reconciler:
    """The webhook dispatcher: deliveries in, converged submissions out."""

    def __init__(self, app: GitHubApp, rules: Rules, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.app = app
        self.rules = rules
        self.today = today

    def handles(self, event: str) -> bool:
        return event in HANDLED_EVENTS

    def dispatch(self, delivery: Delivery) -> None:
        found = targets_of(delivery, self.rules, self.app.bot_login)
        if isinstance(found, str):
            log.info("delivery ignored", extra=fields(delivery_id=delivery.delivery_id, reason=found))
            return
        for target in found:
            self.reconcile(target, delivery.delivery_id)

    def reconcile(self, target: Target, delivery_id: str | None = None) -> Plan:
        """Read the issue's current state, plan, and apply whatever differs."""
        started = time.monotonic()
        gateway = RepoGateway(
            self.app.client(target.installation_id), target.repository, target.default_branch,
            self.app.bot_login, self.rules,
        )
        observed, surplus = gateway.observe(target.issue)
        plan = plan_issue(observed, paper_form(), self.rules, self.today())
        pull = None
        if not plan.is_noop or surplus:
            pull = gateway.apply(plan, observed, surplus)
        log.info("reconciled", extra=fields(**_log_fields(target, delivery_id, plan, pull, started)))
        return plan


def _log_fields(
    target: Target, delivery_id: str | None, plan: Plan, pull: int | None, started: float
) -> dict[str, Any]:
    return {
        "delivery_id": delivery_id,
        "installation_id": target.installation_id,
        "repository": target.repository,
        "issue": target.issue,
        "outcome": plan.reason,
        "changed": not plan.is_noop,
        "pull": pull,
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
    }


def reconcile_all(reconciler: Reconciler, targets: Iterable[Target]) -> int:
    """Reconcile several issues; return how many plans changed something."""
    return sum(0 if reconciler.reconcile(target).is_noop else 1 for target in targets)
