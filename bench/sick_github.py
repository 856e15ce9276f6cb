"""listbot under a sick GitHub: probe latency, attempts per request, and shutdown time.

Usage: .venv/bin/python bench/sick_github.py [--probes N] [--waiting N]

1. For a GitHub that refuses connections, one that never answers and one that answers 502, runs
   listbot under real uvicorn and times `GET /healthz` and `GET /readyz` (p50 / p99 / max over N
   probes each, sent while listbot's own requests to GitHub fail or hang), and notes /readyz's reason.
2. Against the emulator answering 502 after a warm start, sends one push and prints how many times
   the most-repeated request was sent (the budget is 7).
3. Starts `listbot serve` as a process, lets N submissions wait on a GitHub that does not answer,
   sends SIGTERM and prints the time to exit and the exit status, then restarts it and prints how
   long it took to open every pull request.

It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli.sandbox import serving
from bot.emulator import GitHubEmulator
from bot.gateway.retry import MAX_ATTEMPTS
from bot.service.app import WEBHOOK_PATH
from bot.service.settings import Settings
from bot.service.wiring import build_app
from tests.deployment import LIST_PATH, MAINTAINER, REPO, deployed
from tests.factories import issue_body
from tests.serve_process import ServeProcess, prepared_process
from tests.test_sick_github import bad_gateway, refusing, silent

SICKNESSES: dict[str, Callable[[], contextlib.AbstractContextManager[Settings]]] = {
    "refuses connections": refusing,
    "never answers": silent,
    "answers 502": bad_gateway,
}


def timed_get(url: str) -> tuple[float, int, str]:
    """Milliseconds one GET took, its status and (for 503) the reason."""
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            status, reason = int(response.status), ""
    except urllib.error.HTTPError as error:
        status, reason = int(error.code), str(json.loads(error.read()).get("reason", ""))
    return (time.perf_counter() - began) * 1000, status, reason


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):6.2f} / {p99:6.2f} / {ordered[-1]:6.2f} ms"


def probes(count: int) -> None:
    print(f"== probes under a sick GitHub ({count} of each; p50 / p99 / max)")
    for name, sick in SICKNESSES.items():
        with sick() as settings, serving(build_app(settings)) as (url, _server):
            time.sleep(1.5)  # let the first credentials check and the start-up resync fail or hang
            health = [timed_get(f"{url}/healthz") for _ in range(count)]
            ready = [timed_get(f"{url}/readyz") for _ in range(count)]
        statuses = Counter(status for _ms, status, _reason in ready)
        print(f"GitHub {name:20} /healthz {figures([ms for ms, _s, _r in health])}  "
              f"/readyz {figures([ms for ms, _s, _r in ready])}  readyz {dict(statuses)}: {ready[-1][2]}")


def attempts() -> None:
    print("== attempts per request, GitHub answering 502 after a warm start (one push to main)")
    with GitHubEmulator() as github, deployed(github, retry_attempts=MAX_ATTEMPTS, retry_base_delay=0.01) as listbot:
        github.faults.fail(status=502, times=None)
        github.reset_requests()
        github.push_commit(REPO, "main", {LIST_PATH: "# moved\n"}, MAINTAINER)
        listbot.wait_idle()
        sent = Counter((r.method, r.path) for r in github.requests.snapshot())
    (method, path), most = sent.most_common(1)[0]
    print(f"{sum(sent.values())} requests; most repeated: {method} {path} × {most} (budget {MAX_ATTEMPTS})")


@contextlib.contextmanager
def serve_process(github: GitHubEmulator, workdir: Path) -> Iterator[ServeProcess]:
    process, _ = prepared_process(github, workdir)
    try:
        yield process
    finally:
        process.stop()


def shutdown(waiting: int) -> None:
    print(f"== SIGTERM with {waiting} deliveries waiting on a GitHub that does not answer")
    with GitHubEmulator() as github, tempfile.TemporaryDirectory() as workdir, \
            serve_process(github, Path(workdir)) as listbot:
        listbot.start()
        listbot.wait_idle()
        github.add_hook(listbot.url + WEBHOOK_PATH, listbot.env["WEBHOOK_SECRET"])
        github.faults.latency(60.0)
        for i in range(waiting):
            body = issue_body(title=f"Bench Paper {i}: Waiting Out a Silent GitHub",
                              paper_url=f"https://arxiv.org/abs/2403.{40000 + i}",
                              code_url=f"https://github.com/example/bench-{i}")
            github.create_issue(REPO, "octocat", "[Paper]: x", body, ("submission",))
        github.wait_for_deliveries()
        while listbot.get("/healthz")[1]["outstanding"] < waiting:
            time.sleep(0.05)
        began = time.monotonic()
        listbot.signal(signal.SIGTERM)
        code = listbot.wait(timeout=60)
        print(f"exit status {code} after {time.monotonic() - began:.2f} s (LISTBOT_SHUTDOWN_GRACE 10 s)")
        github.faults.latency(0.0)
        began = time.monotonic()
        listbot.start()
        listbot.wait_idle(backlog=github.delivery_backlog, timeout=120)
        print(f"restart: {len(github.pulls(REPO))} of {waiting} pull requests open after "
              f"{time.monotonic() - began:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probes", type=int, default=200, help="probes of each kind per sickness")
    parser.add_argument("--waiting", type=int, default=20, help="deliveries waiting at SIGTERM")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # listbot's own lines (retries, give-ups) are not the figures
    probes(args.probes)
    attempts()
    shutdown(args.waiting)
    return 0


if __name__ == "__main__":
    sys.exit(main())
