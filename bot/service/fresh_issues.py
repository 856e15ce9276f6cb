"""When a delivery's issue may stand in for reading the issue: one GitHub request fewer for a new
submission, without ever acting on a body older than one listbot has seen.

A payload is the issue as it was when GitHub sent the event. The reconcile reads the issue again
unless all of this holds, which makes the payload what the read would return, up to the seconds
by which any read is old once listbot writes:

- it comes from an `issues.opened` or `issues.edited` delivery (`bot.service.jobs`), for an open
  issue, not a pull request, with no comments (so there are none to read either);
- it is at most `FRESH_SECONDS` old and newer than this process: its `updated_at` (GitHub's
  clock, whole seconds) against this host's clock, which must be right anyway for GitHub to
  accept the app's JWTs. A delivery processed late, redelivered (from the delivery log after a
  restart, say), or showing the issue before an earlier process may have written to it, is read;
- it is the newest snapshot this process has seen of the issue: every delivery about an issue,
  listbot's own included (which are otherwise ignored), is noted with its `updated_at`, so one
  processed out of order is not used, and two different snapshots within the same second (GitHub
  counts whole seconds) make both unusable;
- this process has written nothing to the issue: after a status comment or a label, GitHub's
  next snapshot is what counts, and a read finds it;
- listbot has no open PR for the issue (`bot.service.observe` checks the PRs it lists anyway):
  whatever another replica did with the issue, a read finds it.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from bot.core.facts import IssueView
from bot.core.webhook import Delivery

FRESH_SECONDS = 30.0
REMEMBERED_ISSUES = 10_000  # per kind of memory; 10,000 issues written to within 30 s is not a real load

IssueKey = tuple[int, str, int]  # installation, repository, issue number
Snapshot = tuple[object, ...]


def snapshot(issue: Mapping[str, Any]) -> Snapshot:
    """What a reconcile reads from an issue payload, to tell two payloads of one second apart."""
    labels = tuple(sorted(str((label or {}).get("name", "")) for label in issue.get("labels") or []))
    return (issue.get("title"), issue.get("body"), issue.get("state"), labels, issue.get("comments"),
            issue.get("pull_request") is not None)


class FreshIssues:
    """The newest issue snapshot seen per issue, and the issues this process wrote to."""

    def __init__(self, clock: Callable[[], float] = time.time, started: float | None = None) -> None:
        self._clock = clock
        self._started = clock() if started is None else started
        self._lock = threading.Lock()
        self._newest: OrderedDict[IssueKey, tuple[str, Snapshot | None]] = OrderedDict()
        self._written: OrderedDict[IssueKey, None] = OrderedDict()

    def note(self, delivery: Delivery) -> None:
        """Remember the snapshot of the issue a delivery carries, if it is the newest so far."""
        issue = delivery.payload.get("issue")
        if not isinstance(issue, Mapping) or delivery.installation_id is None or not delivery.repository:
            return
        updated, number = issue.get("updated_at"), issue.get("number")
        if not isinstance(updated, str) or not isinstance(number, int):
            return
        key, seen = (delivery.installation_id, delivery.repository, number), snapshot(issue)
        with self._lock:
            newest = self._newest.get(key)
            if newest is None or updated > newest[0]:  # ISO 8601 in UTC sorts as it reads
                _remember(self._newest, key, (updated, seen))
            elif updated == newest[0] and seen != newest[1]:
                _remember(self._newest, key, (updated, None))  # two states in one second: read

    def wrote(self, key: IssueKey) -> None:
        """listbot wrote to the issue (or may have): its payloads are no longer to be trusted."""
        with self._lock:
            _remember(self._written, key, None)

    def usable(self, key: IssueKey, issue: Mapping[str, Any] | None) -> IssueView | None:
        """The issue as `issue` (a delivery's payload) shows it, when that is what a read would
        return (see the module's documentation); else None, and the reconcile reads the issue."""
        if issue is None or issue.get("number") != key[2] or issue.get("comments") != 0:
            return None
        if issue.get("state") != "open" or issue.get("pull_request") is not None:
            return None
        updated = issue.get("updated_at")
        if not isinstance(updated, str) or not self._recent(updated):
            return None
        with self._lock:
            if key in self._written or self._newest.get(key) != (updated, snapshot(issue)):
                return None
        labels = frozenset(str((label or {}).get("name", "")) for label in issue.get("labels") or [])
        return IssueView(key[2], str(issue.get("title") or ""), str(issue.get("body") or ""), "open", labels)

    def _recent(self, updated: str) -> bool:
        try:
            when = dt.datetime.fromisoformat(updated).timestamp()
        except ValueError:
            return False
        return when >= self._started and abs(self._clock() - when) <= FRESH_SECONDS


def _remember(memory: OrderedDict[IssueKey, Any], key: IssueKey, value: Any) -> None:
    memory[key] = value
    memory.move_to_end(key)
    while len(memory) > REMEMBERED_ISSUES:
        memory.popitem(last=False)
