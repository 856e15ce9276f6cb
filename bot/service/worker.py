"""The work queue: jobs keyed by what they reconcile, collapsed, one at a time per installation."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Protocol

from bot.core.logfields import fields

log = logging.getLogger("listbot.worker")


class Job(Protocol):
    """A unit of work: its key collapses duplicates; its installation serialises writes."""

    @property
    def key(self) -> Hashable: ...

    @property
    def installation_id(self) -> int: ...

    def merge(self, other: Job) -> Job:
        """The job that does the work of both (e.g. a rebuild wins over a refresh)."""
        ...


class WorkQueue:
    """Worker threads draining keyed jobs.

    A job submitted while an equal-keyed job waits is merged into it (a burst of events for one
    issue becomes one run). A job submitted while an equal-keyed job runs is kept and runs after
    it, because the running one may have read state from before the event. At most one job per
    installation runs at a time, so writes to one installation go one after another.
    """

    def __init__(self, run: Callable[[Job], None], workers: int = 4) -> None:
        self._run = run
        self._cond = threading.Condition()
        self._waiting: OrderedDict[Hashable, Job] = OrderedDict()
        self._after_running: dict[Hashable, Job] = {}
        self._running_keys: set[Hashable] = set()
        self._busy_installations: set[int] = set()
        self._stopping = False
        self._scheduled = 0
        self._threads = [
            threading.Thread(target=self._work, name=f"listbot-worker-{n}", daemon=True) for n in range(workers)
        ]
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            for thread in self._threads:
                thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout)

    def submit(self, job: Job) -> None:
        with self._cond:
            self._submit_locked(job)

    def _submit_locked(self, job: Job) -> None:
        """Queue or merge a job; the caller holds `self._cond`."""
        if job.key in self._running_keys:
            earlier = self._after_running.get(job.key)
            self._after_running[job.key] = earlier.merge(job) if earlier else job
        elif job.key in self._waiting:
            self._waiting[job.key] = self._waiting[job.key].merge(job)
        else:
            self._waiting[job.key] = job
            # One waiting worker is enough for one new job; a worker that finishes a job
            # wakes everyone, since that may unblock jobs of its installation.
            self._cond.notify()

    def submit_later(self, job: Job, delay: float) -> None:
        """Submit a job after `delay` seconds (a follow-up check); counted as pending meanwhile."""

        def fire() -> None:
            with self._cond:  # hand over in one step, so pending() never reads a false 0
                self._scheduled -= 1
                if not self._stopping:
                    self._submit_locked(job)

        with self._cond:
            self._scheduled += 1
        timer = threading.Timer(delay, fire)
        timer.daemon = True
        timer.start()

    def pending(self) -> int:
        """Jobs waiting, running or scheduled; 0 means idle."""
        with self._cond:
            return len(self._waiting) + len(self._running_keys) + len(self._after_running) + self._scheduled

    def _next_runnable(self) -> Job | None:
        for key, job in self._waiting.items():
            if job.installation_id not in self._busy_installations:
                del self._waiting[key]
                return job
        return None

    def _work(self) -> None:
        while True:
            with self._cond:
                job = self._next_runnable()
                while job is None:
                    if self._stopping:
                        return
                    self._cond.wait()
                    job = self._next_runnable()
                self._running_keys.add(job.key)
                self._busy_installations.add(job.installation_id)
            try:
                self._run(job)
            except Exception:
                log.exception("job failed", extra=fields(job=repr(job)))
            finally:
                with self._cond:
                    self._running_keys.discard(job.key)
                    self._busy_installations.discard(job.installation_id)
                    if (follow_up := self._after_running.pop(job.key, None)) is not None:
                        self._waiting[job.key] = follow_up
                    self._cond.notify_all()
