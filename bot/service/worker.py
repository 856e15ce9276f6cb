"""The work queue: jobs keyed by what they reconcile, collapsed, one at a time per installation,
deliveries' work before the resync's."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.logfields import fields, log_context
from bot.gateway.transport import Cancelled, cancellable
from bot.service.metrics import JOB_SECONDS

log = logging.getLogger("listbot.worker")

OK, FAILED, INTERRUPTED = "ok", "failed", "interrupted"
_SEVERITY = (FAILED, INTERRUPTED)  # an origin's outcome is its worst job's


class Job(Protocol):
    """A unit of work: its key collapses duplicates; its installation serialises writes."""

    @property
    def key(self) -> Hashable: ...

    @property
    def installation_id(self) -> int: ...

    def merge(self, other: Job) -> Job:
        """The job that does the work of both (e.g. a rebuild wins over a refresh)."""
        ...


class Origin:
    """Who asked for jobs (a delivery, a resync): told once, when every job it caused has ended.

    `on_done(origin, outcome)` runs on the worker thread that ended the last job; the outcome is
    `failed` if any job failed, `interrupted` if shutdown stopped one, else the last job's result.
    """

    def __init__(self, on_done: Callable[[Origin, str], None], **log_fields: Any) -> None:
        self.fields = log_fields
        self.began = time.monotonic()
        self._on_done = on_done
        self._lock = threading.Lock()
        self._open = 0
        self._outcome: str | None = None

    def expect(self) -> None:
        with self._lock:
            self._open += 1

    def finish(self, outcome: str) -> None:
        with self._lock:
            self._open -= 1
            if self._outcome not in _SEVERITY:
                self._outcome = outcome
            done = self._open == 0
        if done:
            self._on_done(self, self._outcome or OK)

    @property
    def elapsed_ms(self) -> float:
        return round((time.monotonic() - self.began) * 1000, 1)


@dataclass
class _Entry:
    job: Job
    origins: list[Origin] = field(default_factory=list)
    background: bool = False  # resync work: runs only when no delivery's work can

    def absorb(self, other: _Entry) -> None:
        self.job = self.job.merge(other.job)
        self.origins.extend(other.origins)
        self.background = self.background and other.background


class WorkQueue:
    """Worker threads draining keyed jobs.

    A job submitted while an equal-keyed job waits is merged into it (a burst of events for one
    issue becomes one run). A job submitted while an equal-keyed job runs is kept and runs after
    it, because the running one may have read state from before the event. At most one job per
    installation runs at a time, so writes to one installation go one after another.

    Background jobs (a resync's) wait in a second lane that is served only when no job in the
    first lane can run, so a new submission is not queued behind hundreds of resync checks. A
    delivery's job for an issue already waiting in the background lane takes it to the first.
    Deliberately, nothing ages a background job into the first lane: under a delivery load that
    never leaves an installation's first lane empty, its resync checks wait as long as that load
    lasts (`depth` counts them). Such a load already has each touched issue looked at afresh.

    `run(job)` returns the job's outcome (None means ok); an exception means it failed. `stop`
    drops waiting jobs and lets running ones finish their GitHub call in flight, no more.
    """

    def __init__(self, run: Callable[[Job], str | None], workers: int = 4) -> None:
        self._run = run
        self._cond = threading.Condition()
        self._waiting: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._background: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._after_running: dict[Hashable, _Entry] = {}
        self._running_keys: set[Hashable] = set()
        self._busy_installations: set[int] = set()
        self._stopping = False
        self._cancel = threading.Event()
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

    def stop(self, grace: float = 10.0) -> int:
        """Take no more jobs, drop waiting ones, give running ones `grace` seconds; return how
        many were still running at the deadline (their threads are abandoned: they are daemons)."""
        self._cancel.set()  # first: no new GitHub request from here on; sleeps before a retry end now
        with self._cond:
            self._stopping = True
            dropped = [*self._waiting.values(), *self._background.values(), *self._after_running.values()]
            self._waiting.clear()
            self._background.clear()
            self._after_running.clear()
            self._cond.notify_all()
        deadline = time.monotonic() + grace
        for thread in self._threads:
            if thread.is_alive():
                thread.join(max(0.0, deadline - time.monotonic()))
        for entry in dropped:
            for origin in entry.origins:
                origin.finish(INTERRUPTED)
        return sum(thread.is_alive() for thread in self._threads)

    @property
    def stopping(self) -> bool:
        return self._stopping

    def alive(self) -> bool:
        """Whether the worker threads run (started, not stopped, none died)."""
        return self._started and not self._stopping and all(thread.is_alive() for thread in self._threads)

    def submit(self, job: Job, origin: Origin | None = None, background: bool = False) -> bool:
        """Queue a job (told to `origin` when it ends), in the background lane if `background`;
        False once the queue is stopping."""
        entry = _Entry(job, [origin] if origin is not None else [], background)
        with self._cond:
            if self._stopping:
                return False
            if origin is not None:
                origin.expect()
            self._submit_locked(entry)
        return True

    def _submit_locked(self, entry: _Entry) -> None:
        """Queue or merge an entry; the caller holds `self._cond`."""
        key = entry.job.key
        if key in self._running_keys:
            earlier = self._after_running.get(key)
            if earlier is None:
                self._after_running[key] = entry
            else:
                earlier.absorb(entry)
        elif key in self._waiting:
            self._waiting[key].absorb(entry)
        elif key in self._background and entry.background:
            self._background[key].absorb(entry)
        else:
            if key in self._background:  # a delivery's job takes the waiting resync job along
                earlier = self._background.pop(key)
                earlier.absorb(entry)
                entry = earlier
            self._lane(entry)[key] = entry
            # One waiting worker is enough for one new job; a worker that finishes a job
            # wakes everyone, since that may unblock jobs of its installation.
            self._cond.notify()

    def _lane(self, entry: _Entry) -> OrderedDict[Hashable, _Entry]:
        return self._background if entry.background else self._waiting

    def submit_later(self, job: Job, delay: float) -> None:
        """Submit a job after `delay` seconds (a follow-up check); counted as pending meanwhile."""

        def fire() -> None:
            with self._cond:  # hand over in one step, so pending() never reads a false 0
                self._scheduled -= 1
                if not self._stopping:
                    self._submit_locked(_Entry(job))

        with self._cond:
            self._scheduled += 1
        timer = threading.Timer(delay, fire)
        timer.daemon = True
        timer.start()

    def pending(self) -> int:
        """Jobs waiting, running or scheduled; 0 means idle."""
        with self._cond:
            waiting = len(self._waiting) + len(self._background) + len(self._after_running)
            return waiting + len(self._running_keys) + self._scheduled

    @property
    def depth(self) -> int:
        """Jobs waiting for a worker (not running, not scheduled for later)."""
        with self._cond:
            return len(self._waiting) + len(self._background) + len(self._after_running)

    def _next_runnable(self) -> _Entry | None:
        for lane in (self._waiting, self._background):
            for key, entry in lane.items():
                if entry.job.installation_id not in self._busy_installations:
                    del lane[key]
                    return entry
        return None

    def _work(self) -> None:
        with cancellable(self._cancel):
            while (entry := self._take()) is not None:
                outcome = self._execute(entry.job, entry.origins)
                with self._cond:
                    self._running_keys.discard(entry.job.key)
                    self._busy_installations.discard(entry.job.installation_id)
                    if (follow_up := self._after_running.pop(entry.job.key, None)) is not None:
                        self._lane(follow_up)[entry.job.key] = follow_up
                    self._cond.notify_all()
                for origin in entry.origins:
                    origin.finish(outcome)

    def _take(self) -> _Entry | None:
        """The next job this worker may run (marked running), or None once stopping."""
        with self._cond:
            entry = self._next_runnable()
            while entry is None:
                if self._stopping:
                    return None
                self._cond.wait()
                entry = self._next_runnable()
            self._running_keys.add(entry.job.key)
            self._busy_installations.add(entry.job.installation_id)
            return entry

    def _execute(self, job: Job, origins: list[Origin]) -> str:
        """Run one job with its delivery's ids on every log line; its outcome, never raising."""
        delivery = next((o.fields.get("delivery_id") for o in origins if o.fields.get("delivery_id")), None)
        began = time.monotonic()
        with log_context(delivery_id=delivery, installation_id=job.installation_id):
            try:
                outcome = self._run(job) or OK
            except Cancelled:
                outcome = INTERRUPTED
                log.info("job interrupted by shutdown; the start-up resync finds it again",
                         extra=fields(job=repr(job)))
            except Exception:
                outcome = FAILED
                log.exception("job failed", extra=fields(job=repr(job)))
        JOB_SECONDS.labels(type(job).__name__, outcome).observe(time.monotonic() - began)
        return outcome
