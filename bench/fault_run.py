"""Fault run: many submissions while GitHub fails, rate-limits, and listbot is killed and restarted.

Usage: .venv/bin/python bench/fault_run.py [--n 200] [--quick] [--seed 7] [--failure-rate 0.2]

The GitHub API emulator runs in this process (loopback only) and fails `--failure-rate` of all
requests with a 500/502/503, and every few seconds answers one write with a secondary rate limit
(403 or 429 with Retry-After: 1). listbot runs as a subprocess (`listbot serve`), which is killed
with SIGKILL and restarted `--restarts` times while the submissions are being filed; webhook
deliveries made while it is down fail and are not redelivered, as on GitHub. At the end the faults
are cleared, listbot is restarted once (its start-up resync catches up) and, if anything is still
wrong, once more; then the figures are printed. It asserts nothing and stops by itself
(`--deadline` bounds every wait).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.core import lint  # noqa: E402
from bot.core.markers import read_marker  # noqa: E402
from bot.core.proposal import propose  # noqa: E402
from bot.emulator import GitHubEmulator  # noqa: E402
from tests.deployment import CONTRIBUTOR, LIST_PATH, REPO, prepare_repository  # noqa: E402
from tests.factories import issue_body, paper_values  # noqa: E402

LISTBOT = ROOT / ".venv" / "bin" / "listbot"
BOT = "listbot[bot]"
WEBHOOK_PATH = "/api/github/webhooks"
QUIET_SECONDS = 1.0
_ADJECTIVES = ("Adaptive", "Bayesian", "Causal", "Dense", "Efficient", "Federated", "Graph", "Hierarchical",
               "Implicit", "Joint", "Knowledge", "Latent", "Multiscale", "Neural", "Ordinal", "Prototypical",
               "Quantized", "Robust", "Sparse", "Temporal")
_NOUNS = ("Alignment", "Retrieval", "Distillation", "Grounding", "Captioning", "Pretraining", "Prompting",
          "Segmentation", "Calibration", "Attention")


def paper(i: int) -> dict[str, Any]:
    """Distinct valid form values for paper `i` (distinct title, arXiv id, code repository)."""
    adjective, noun = _ADJECTIVES[i % len(_ADJECTIVES)], _NOUNS[(i // len(_ADJECTIVES)) % len(_NOUNS)]
    return paper_values(
        title=f"{adjective} {noun} for Chest X-ray Reports, Study {i}",
        authors="A. Author, B. Author, et al.",
        venue="arXiv",
        date=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
        paper_url=f"https://arxiv.org/abs/2405.{10000 + i}",
        code_url=f"https://github.com/example/fault-run-{i}",
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Listbot:
    """The `listbot serve` subprocess: start, SIGKILL, poll /healthz."""

    env: dict[str, str]
    port: int
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float) -> None:
        self.starts += 1
        log = (self.workdir / f"listbot-{self.starts}.log").open("wb")
        self.proc = subprocess.Popen(
            [str(LISTBOT), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"listbot exited with {self.proc.returncode}; see {log.name}")
            with contextlib.suppress(OSError):
                self.health()
                return
            time.sleep(0.05)
        raise RuntimeError("listbot did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/healthz", timeout=10) as response:
            data: dict[str, Any] = json.loads(response.read())
            return data


@dataclass
class Outcome:
    """How the submissions ended."""

    correct: int = 0
    lost: list[int] = field(default_factory=list)  # no open PR
    wrong: list[int] = field(default_factory=list)  # an open PR, but wrong list/lint/status
    duplicated: list[int] = field(default_factory=list)  # more than one PR or status comment
    surplus_pulls: int = 0
    surplus_comments: int = 0


def evaluate(github: GitHubEmulator, issues: dict[int, dict[str, Any]]) -> Outcome:
    """Check every submission: one open PR whose list is main plus its entry, lint-clean, one status comment."""
    main = github.file_at(REPO, "main", LIST_PATH) or ""
    pulls_by_head: dict[str, list[Any]] = {}
    for pull in github.pulls(REPO, "all"):
        pulls_by_head.setdefault(pull.head, []).append(pull)
    out = Outcome()
    for number, values in issues.items():
        branch = f"listbot/issue-{number}"
        pulls = pulls_by_head.get(branch, [])
        statuses = [
            c for c in github.comments(REPO, number) if c.user == BOT and read_marker("status", c.body) is not None
        ]
        if len(pulls) > 1 or len(statuses) > 1:
            out.duplicated.append(number)
            out.surplus_pulls += max(0, len(pulls) - 1)
            out.surplus_comments += max(0, len(statuses) - 1)
        open_pulls = [p for p in pulls if p.state == "open"]
        if not open_pulls:
            out.lost.append(number)
            continue
        text = github.file_at(REPO, branch, LIST_PATH) if branch in github.branches(REPO) else None
        right = (
            len(open_pulls) == 1
            and text == propose(values, main).after
            and not lint.lint(text)
            and len(statuses) == 1
            and f"#{open_pulls[0].number}" in statuses[0].body
        )
        if right and number not in out.duplicated:
            out.correct += 1
        elif not right:
            out.wrong.append(number)
    return out


def quiesce(github: GitHubEmulator, listbot: Listbot, deadline: float) -> bool:
    """Wait until deliveries are done, listbot has nothing outstanding and GitHub saw no call for a while."""
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        try:
            outstanding = int(listbot.health()["outstanding"])
        except OSError:
            outstanding = 1
        last = [r for r in github.requests.snapshot()[-50:] if not (r.method == "GET" and r.path == "/app")]
        recent = bool(last) and time.time() - last[-1].timestamp < QUIET_SECONDS
        if github.delivery_backlog() == 0 and outstanding == 0 and not recent:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= QUIET_SECONDS:
                return True
        else:
            quiet_since = None
        time.sleep(0.2)
    return False


@contextlib.contextmanager
def secondary_limits(github: GitHubEmulator, every: float) -> Iterator[list[int]]:
    """Every `every` seconds, make the next write answer a secondary rate limit (403, then 429, ...)."""
    stop = threading.Event()
    added = [0]

    def loop() -> None:
        while not stop.wait(every):
            github.faults.secondary_rate_limit(times=1, retry_after=1, status=(403, 429)[added[0] % 2], write_only=True)
            added[0] += 1

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield added
    finally:
        stop.set()
        thread.join()


def print_outcome(label: str, outcome: Outcome, n: int) -> None:
    print(f"{label}:")
    print(f"  exactly one correct PR and one status comment: {outcome.correct}/{n}")
    print(f"  lost (no open PR):                              {len(outcome.lost)} {outcome.lost[:10]}")
    print(f"  wrong (open PR but wrong list/lint/status):     {len(outcome.wrong)} {outcome.wrong[:10]}")
    print(f"  duplicated (issues with >1 PR or status):      {len(outcome.duplicated)} "
          f"(+{outcome.surplus_pulls} PRs, +{outcome.surplus_comments} comments) {outcome.duplicated[:10]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None, help="submissions to file (default 200; --quick: 20)")
    parser.add_argument("--quick", action="store_true", help="CI variant: 20 submissions, one restart")
    parser.add_argument("--restarts", type=int, default=None, help="SIGKILL+restart during filing (default 2)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--failure-rate", type=float, default=0.2)
    parser.add_argument("--secondary-every", type=float, default=3.0, help="seconds between secondary limits")
    parser.add_argument("--file-interval", type=float, default=0.05, help="seconds between filed issues")
    parser.add_argument("--down", type=float, default=1.0, help="seconds listbot stays down per restart")
    parser.add_argument("--deadline", type=float, default=None, help="overall time bound in seconds")
    args = parser.parse_args(argv)
    n = args.n or (20 if args.quick else 200)
    restarts = args.restarts if args.restarts is not None else (1 if args.quick else 2)
    budget = args.deadline or (120.0 if args.quick else 600.0)
    began = time.monotonic()
    deadline = began + budget

    with GitHubEmulator(rate_limit=10_000_000) as github, tempfile.TemporaryDirectory() as tmp:
        app_id, key, secret = prepare_repository(github)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": tmp,
            "APP_ID": str(app_id),
            "PRIVATE_KEY": key,
            "WEBHOOK_SECRET": secret,
            "GITHUB_API_URL": github.url,
            "LISTBOT_ENV_FILE": str(Path(tmp) / "absent.env"),
            "LISTBOT_LOG_LEVEL": "WARNING",
            "LISTBOT_REQUEST_PAUSE": "0",
            "LISTBOT_WRITE_PAUSE": "0",
            "LISTBOT_RESYNC_INTERVAL": "0",
            "LISTBOT_RETRY_ATTEMPTS": "7",
            "LISTBOT_RETRY_BASE_DELAY": "0.05",
            "LISTBOT_SECONDARY_RATE_WAIT": "1",
            "LISTBOT_SOURCES": "none",  # GitHub's faults are measured here; bench/sources_cost.py measures the sources
        }
        listbot = Listbot(env, free_port(), Path(tmp))
        github.deliver_to(f"{listbot.url}{WEBHOOK_PATH}", secret)
        issues: dict[int, dict[str, Any]] = {}
        try:
            listbot.start(timeout=30)
            quiesce(github, listbot, deadline)  # start-up resync of the empty repository
            github.reset_requests()
            github.faults.random_failure_rate(args.failure_rate, seed=args.seed)
            kill_at = sorted({round(n * (k + 1) / (restarts + 1)) for k in range(restarts)})
            lost_deliveries = 0

            def file_one() -> None:
                values = paper(len(issues))
                number = github.create_issue(REPO, CONTRIBUTOR, "[Paper]: x", issue_body(**values), ("submission",))
                issues[number] = values
                time.sleep(args.file_interval)

            filing_began = time.monotonic()
            with secondary_limits(github, args.secondary_every) as secondary:
                while len(issues) < n and time.monotonic() < deadline:
                    if kill_at and len(issues) >= kill_at[0]:
                        kill_at.pop(0)
                        listbot.kill()
                        seen = len(github.deliveries)
                        down_until = time.monotonic() + args.down
                        while time.monotonic() < down_until and len(issues) < n:  # filed while it is down
                            file_one()
                        github.wait_for_deliveries()
                        lost_deliveries += sum(1 for d in github.deliveries[seen:] if d.status is None)
                        listbot.start(timeout=30)
                        continue
                    file_one()
                filing_s = time.monotonic() - filing_began
                settled_under_faults = quiesce(github, listbot, min(deadline, time.monotonic() + budget / 3))
            under_faults_s = time.monotonic() - filing_began
            under_faults = evaluate(github, issues)
            injected = github.faults.injected
            calls_under_faults = len(github.requests)

            github.faults.clear()
            listbot.kill()
            listbot.start(timeout=30)
            settled = quiesce(github, listbot, deadline)
            final = evaluate(github, issues)
            extra_restart = False
            if final.correct < len(issues) and time.monotonic() < deadline:
                extra_restart = True
                listbot.kill()
                listbot.start(timeout=30)
                settled = quiesce(github, listbot, deadline) and settled
                final = evaluate(github, issues)
            total_s = time.monotonic() - began
        finally:
            listbot.kill()

        requests = github.requests.snapshot()
        probes = sum(1 for r in requests if r.method == "GET" and r.path == "/app")
        writes = sum(1 for r in requests if r.is_write)
        print(f"fault run: {len(issues)} submissions, failure rate {args.failure_rate:.0%} (seed {args.seed}), "
              f"secondary limits every {args.secondary_every:g} s, {restarts} SIGKILL restarts while filing")
        print(f"  filing took {filing_s:.1f} s; {lost_deliveries} webhook deliveries lost while listbot was down")
        print(f"  faults injected: {injected} ({secondary[0]} secondary rate limits armed)")
        print_outcome(
            f"under faults, {under_faults_s:.1f} s after filing began"
            f"{'' if settled_under_faults else ' (did not settle)'}", under_faults, len(issues),
        )
        print_outcome(
            f"after clearing faults and a restart{' (+1 more restart)' if extra_restart else ''}"
            f"{'' if settled else ' (did not settle before the deadline)'}", final, len(issues),
        )
        print(f"  wall time: {total_s:.1f} s")
        print(f"  REST calls: {len(requests)} ({calls_under_faults} under faults), {writes} writes, "
              f"{len(requests) - probes} excluding the background credentials checks (GET /app); "
              f"{len(requests) / max(1, len(issues)):.1f} per submission")
    return 0


if __name__ == "__main__":
    sys.exit(main())
