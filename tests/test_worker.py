"""Tests for the work queue: collapsing bursts, serialising per installation, never losing a job."""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, replace

from bot.gateway.transport import check_cancelled
from bot.service.worker import Job, Origin, WorkQueue


@dataclass(frozen=True)
class Work:
    """A job for issue `issue` of installation `installation_id`."""

    installation_id: int
    issue: int
    tag: str = ""

    @property
    def key(self) -> Hashable:
        return (self.installation_id, self.issue)

    def merge(self, other: Job) -> Job:
        return replace(self, tag=self.tag + (other.tag if isinstance(other, Work) else ""))


def wait_idle(queue: WorkQueue) -> None:
    """Wait until the queue has nothing waiting or running."""
    deadline = time.monotonic() + 5
    while queue.pending():
        assert time.monotonic() < deadline
        time.sleep(0.005)


class Gate(threading.Event):
    """Held shut, it keeps the only worker busy with its first job; `busy` says that job started."""

    def __init__(self) -> None:
        super().__init__()
        self.busy = threading.Event()


def gated_queue() -> tuple[WorkQueue, list[Work], Gate]:
    """A one-worker queue recording its jobs in the order they ran, each waiting for the gate."""
    ran: list[Work] = []
    gate = Gate()

    def run(job: Job) -> None:
        gate.busy.set()
        gate.wait(5)
        assert isinstance(job, Work)
        ran.append(job)

    return WorkQueue(run, workers=1), ran, gate


def test_a_burst_for_one_issue_collapses_into_one_run() -> None:
    """Jobs submitted while an equal one waits are merged into a single run."""
    queue, ran, gate = gated_queue()
    queue.submit(Work(1, 99))  # occupies the only worker until the gate opens
    queue.start()
    assert gate.busy.wait(5)
    for tag in "abc":
        queue.submit(Work(1, 7, tag))
    gate.set()
    wait_idle(queue)
    queue.stop()
    assert [job.tag for job in ran if job.issue == 7] == ["abc"]


def test_an_event_during_a_run_causes_one_more_run() -> None:
    """A job submitted while its twin runs is run again afterwards, not dropped."""
    runs: list[str] = []
    started = threading.Event()
    release = threading.Event()

    def run(job: Job) -> None:
        assert isinstance(job, Work)
        runs.append(job.tag)
        started.set()
        release.wait(5)

    queue = WorkQueue(run, workers=2)
    queue.start()
    queue.submit(Work(1, 7, "first"))
    assert started.wait(5)
    queue.submit(Work(1, 7, "second"))
    queue.submit(Work(1, 7, "third"))
    release.set()
    wait_idle(queue)
    queue.stop()
    assert runs == ["first", "secondthird"]


def test_one_installation_runs_one_job_at_a_time() -> None:
    """Jobs of the same installation never overlap, while other installations proceed."""
    active: dict[int, int] = {}
    overlap: list[int] = []
    lock = threading.Lock()

    def run(job: Job) -> None:
        assert isinstance(job, Work)
        with lock:
            active[job.installation_id] = active.get(job.installation_id, 0) + 1
            if active[job.installation_id] > 1:
                overlap.append(job.installation_id)
        time.sleep(0.01)
        with lock:
            active[job.installation_id] -= 1

    queue = WorkQueue(run, workers=4)
    queue.start()
    for issue in range(12):
        queue.submit(Work(issue % 2, issue))
    wait_idle(queue)
    queue.stop()
    assert overlap == []


def test_a_delivery_job_runs_before_the_waiting_resync_jobs() -> None:
    """A job submitted while 200 resync jobs wait runs as soon as the worker is free."""
    queue, ran, gate = gated_queue()
    queue.submit(Work(1, 0), background=True)  # occupies the only worker until the gate opens
    queue.start()
    assert gate.busy.wait(5)
    for issue in range(1, 201):
        queue.submit(Work(1, issue, "resync"), background=True)
    queue.submit(Work(1, 500, "new submission"))
    queue.submit(Work(1, 150, "edited"))  # its resync job waits: it goes first, and runs once
    gate.set()
    wait_idle(queue)
    queue.stop()
    assert [job.issue for job in ran[:3]] == [0, 500, 150]
    assert [job.tag for job in ran if job.issue == 150] == ["resyncedited"]
    assert sorted(job.issue for job in ran) == [*range(201), 500]


def test_a_failing_job_does_not_stop_the_queue() -> None:
    """An exception in one job is logged and the next job still runs."""
    done: list[int] = []

    def run(job: Job) -> None:
        assert isinstance(job, Work)
        if job.issue == 1:
            raise RuntimeError("boom")
        done.append(job.issue)

    queue = WorkQueue(run, workers=1)
    queue.start()
    queue.submit(Work(1, 1))
    queue.submit(Work(1, 2))
    wait_idle(queue)
    queue.stop()
    assert done == [2]


def test_a_job_submitted_later_runs_after_its_delay_and_counts_as_pending() -> None:
    """A delayed follow-up keeps the queue busy until it has run."""
    ran: list[float] = []
    queue = WorkQueue(lambda job: ran.append(time.monotonic()), workers=1)
    queue.start()
    start = time.monotonic()
    queue.submit_later(Work(1, 7), 0.1)
    assert queue.pending() == 1
    wait_idle(queue)
    queue.stop()
    assert len(ran) == 1
    assert ran[0] - start >= 0.1


def test_stop_lets_the_call_in_flight_finish_starts_nothing_more_and_reports_both_interrupted() -> None:
    """On stop, a waiting job is dropped and a running one ends at its next GitHub call; both origins
    hear `interrupted`, and a job submitted afterwards is refused."""
    started, in_flight_done = threading.Event(), threading.Event()
    calls_after_stop: list[str] = []

    def run(job: Job) -> None:
        started.set()
        in_flight_done.wait(5)  # the GitHub call in flight
        check_cancelled()  # where the next call would start
        calls_after_stop.append("next call")

    heard: list[tuple[str, str]] = []
    queue = WorkQueue(run, workers=1)
    queue.start()
    running, waiting = (Origin(lambda o, outcome: heard.append((o.fields["name"], outcome)), name=n) for n in "AB")
    assert queue.submit(Work(1, 1), running)
    assert started.wait(5)
    assert queue.submit(Work(1, 2), waiting)
    stopper = threading.Thread(target=queue.stop, kwargs={"grace": 5.0})
    stopper.start()
    while not queue.stopping:
        time.sleep(0.001)
    in_flight_done.set()
    stopper.join(5)
    assert sorted(heard) == [("A", "interrupted"), ("B", "interrupted")]
    assert calls_after_stop == []
    assert queue.submit(Work(1, 3)) is False
    assert not queue.alive()
