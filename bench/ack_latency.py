"""Benchmark webhook acknowledgement: cold start, p50/p99 latency and RSS, listbot vs Probot 14.

Usage: .venv/bin/python bench/ack_latency.py [--quick] [--deliveries N] [--cold-runs N] [--no-probot]
       .venv/bin/python bench/ack_latency.py --list-sizes 1000,5000,20000 [--cold-runs N]

Cold start (process start to the first 2XX on a signed delivery) is the median of alternating runs
of listbot, Probot 14 and the floor (`bench/floor_app.py`, a bare FastAPI + uvicorn app that only
checks the signature), taken in the same run. With --list-sizes it measures only listbot's cold
start against the GitHub API emulator holding a list of each size (and one open submission, so the
start-up resync reconciles it meanwhile). It prints figures and asserts nothing. A throwaway
RSA key and webhook secret are generated at run time; nothing secret is written in the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import hmac
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: the repository's packages are not on the path
    sys.path.insert(0, str(REPO))

from bench.bytecode import cached_bytecode_env  # noqa: E402

WEBHOOK_PATH = "/api/github/webhooks"
PROBOT_DIR = Path(os.environ.get("LISTBOT_BENCH_PROBOT_DIR", "~/.cache/listbot-bench/probot"))
PROBOT_APP = 'export default (app) => { app.on("issues.opened", async () => {}) }\n'
CLIENTS = 20
START_TIMEOUT = 60.0
SETTLE_SECONDS = 2.0  # latency is measured this long after the first answer, once start-up work is over
COLD_RUNS = 11  # alternating rounds of cold starts (after one warm-up round that is not counted)


@dataclass(frozen=True)
class Server:
    """How to start one server under test on a given port."""

    name: str
    cmd: list[str]
    env: Callable[[int], dict[str, str]]  # the environment for a port
    cwd: Path
    log: Path
    port_flag: bool = False  # pass `--port PORT` on the command line too


@dataclass
class Result:
    """Figures measured for one server."""

    name: str
    sequential_ms: list[float] = field(default_factory=list)
    concurrent_ms: list[float] = field(default_factory=list)
    concurrent_rps: float = float("nan")
    rss_mb: float = float("nan")
    errors: int = 0


def generate_key() -> str:
    """A fresh 2048-bit RSA key as PEM text (PKCS#1, the form GitHub hands out)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def issues_opened_body(size: int = 12 * 1024) -> bytes:
    """A realistic `issues.opened` payload padded to about `size` bytes."""
    user = {"login": "mona", "id": 1, "type": "User", "site_admin": False,
            "html_url": "https://github.com/mona", "avatar_url": "https://avatars.example/u/1"}
    issue: dict[str, object] = {
        "number": 1347, "title": "[Paper] A chest X-ray report generator", "state": "open",
        "user": user, "labels": [{"name": "submission", "color": "ededed"}],
        "html_url": "https://github.com/octo/list/issues/1347", "body": "",
    }
    payload = {
        "action": "opened",
        "issue": issue,
        "repository": {"id": 1296269, "full_name": "octo/list", "name": "list", "owner": user,
                       "private": False, "default_branch": "main"},
        "installation": {"id": 777, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc3"},
        "sender": user,
    }
    text = "### Title\n\nA chest X-ray report generator\n\n" * 1000
    issue["body"] = text
    body = json.dumps(payload).encode()
    while len(body) > size:  # a character is one or two bytes once JSON-escaped
        text = text[: len(text) - max(1, (len(body) - size) // 2)]
        issue["body"] = text
        body = json.dumps(payload).encode()
    return body


def headers_for(body: bytes, secret: bytes) -> dict[str, str]:
    """Headers GitHub sends with an issues delivery."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/bench",
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest(),
    }


def send(conn: http.client.HTTPConnection, body: bytes, secret: bytes) -> tuple[int, float]:
    """POST one delivery on a keep-alive connection; return its status and latency in ms."""
    headers = headers_for(body, secret)
    began = time.perf_counter()
    conn.request("POST", WEBHOOK_PATH, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status, (time.perf_counter() - began) * 1000


def wait_for_first_ack(port: int, body: bytes, secret: bytes, proc: subprocess.Popen[bytes]) -> None:
    """Retry a delivery until the server answers 2XX."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            status, _ = send(conn, body, secret)
            if 200 <= status < 300:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.005)
    raise RuntimeError("server did not acknowledge a delivery in time")


def run_sequential(port: int, body: bytes, secret: bytes, count: int) -> tuple[list[float], int]:
    """Send `count` deliveries one after another on one connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, errors = [], 0
    for _ in range(count):
        status, ms = send(conn, body, secret)
        latencies.append(ms)
        errors += not 200 <= status < 300
    conn.close()
    return latencies, errors


def run_concurrent(
    port: int, body: bytes, secret: bytes, count: int
) -> tuple[list[float], int, float]:
    """Send `count` deliveries from CLIENTS threads, each on its own keep-alive connection."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1)

    def client(share: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        barrier.wait()
        for _ in range(share):
            status, ms = send(conn, body, secret)
            mine.append(ms)
            bad += not 200 <= status < 300
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    shares = [count // CLIENTS + (i < count % CLIENTS) for i in range(CLIENTS)]
    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return latencies, errors[0], count / (time.perf_counter() - began)


def listening_pid(port: int, root: int) -> int:
    """The process in `root`'s tree that owns the socket listening on `port` (else `root`)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in list(lines)[1:]:
                parts = line.split()
                if int(parts[1].rsplit(":", 1)[1], 16) == port and parts[3] == "0A":
                    inodes.add(f"socket:[{parts[9]}]")
    for pid in [root, *descendants(root)]:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                        return pid
    return root


def descendants(pid: int) -> list[int]:
    """All descendants of `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def rss_mb(pid: int) -> float:
    """Resident set size of `pid` in MB, from /proc/PID/status."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@contextlib.contextmanager
def server(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server process in its own session; stop it (and its children) afterwards."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            yield proc
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 15)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()


def command(spec: Server, port: int) -> list[str]:
    return [*spec.cmd, "--port", str(port)] if spec.port_flag else spec.cmd


def cold_start(spec: Server, secret: bytes) -> float:
    """Seconds from starting `spec` to its first 2XX answer to a signed delivery (nan if none)."""
    body = issues_opened_body()
    port = free_port()
    began = time.perf_counter()
    with server(command(spec, port), spec.env(port), spec.cwd, spec.log) as proc:
        try:
            wait_for_first_ack(port, body, secret, proc)
        except RuntimeError as exc:
            print(f"{spec.name}: {exc}; see {spec.log}", file=sys.stderr)
            return float("nan")
        return time.perf_counter() - began


def cold_starts(specs: list[Server], secret: bytes, runs: int) -> dict[str, list[float]]:
    """`runs` rounds, each starting every server once; the order rotates from round to round so
    no server always follows the same one. One uncounted round first warms the page cache."""
    found: dict[str, list[float]] = {spec.name: [] for spec in specs}
    for spec in specs:
        cold_start(spec, secret)
    for round_ in range(runs):
        for spec in specs[round_ % len(specs):] + specs[: round_ % len(specs)]:
            found[spec.name].append(cold_start(spec, secret))
    return found


def measure(spec: Server, secret: bytes, count: int) -> Result:
    """Sequential and concurrent latency, then RSS, for one server (started once)."""
    body = issues_opened_body()
    result = Result(spec.name)
    port = free_port()
    with server(command(spec, port), spec.env(port), spec.cwd, spec.log) as proc:
        try:
            wait_for_first_ack(port, body, secret, proc)
        except RuntimeError as exc:
            print(f"{spec.name}: {exc}; see {spec.log}", file=sys.stderr)
            return result
        time.sleep(SETTLE_SECONDS)  # steady state: after any start-up work (listbot's warm-up thread)
        run_sequential(port, body, secret, min(50, count))  # warm-up, not measured
        result.sequential_ms, bad = run_sequential(port, body, secret, count)
        result.concurrent_ms, bad2, result.concurrent_rps = run_concurrent(port, body, secret, count)
        result.errors = bad + bad2
        result.rss_mb = rss_mb(listening_pid(port, proc.pid))
    return result


def listbot_server(key: str, secret: str, workdir: Path) -> Server:
    """`listbot serve` as a subprocess; GitHub is unreachable, so its workers retry meanwhile."""
    base = cached_bytecode_env(workdir) | {"APP_ID": "1", "PRIVATE_KEY": key, "WEBHOOK_SECRET": secret,
                         "LISTBOT_LOG_LEVEL": "INFO", "PYTHONPATH": str(REPO),
                         "GITHUB_API_URL": f"http://127.0.0.1:{free_port()}"}
    cmd = [sys.executable, "-m", "bot.cli.main", "serve", "--host", "127.0.0.1"]
    return Server("listbot", cmd, lambda _port: base, REPO, workdir / "listbot.log", port_flag=True)


def floor_server(secret: str, workdir: Path) -> Server:
    """The floor: bench/floor_app.py, a bare FastAPI + uvicorn app that only checks the signature."""
    base = cached_bytecode_env(workdir) | {"WEBHOOK_SECRET": secret}
    cmd = [sys.executable, str(REPO / "bench" / "floor_app.py")]
    return Server("floor", cmd, lambda port: base | {"PORT": str(port)}, REPO, workdir / "floor.log")


def probot_server(key: str, secret: str, workdir: Path) -> Server | None:
    """Probot 14 (installed once, outside the repository) running a no-op app, started with
    `node` directly: `npx` or `npm start` would add their own start-up to Probot's."""
    if not (shutil.which("node") and shutil.which("npm")):
        print("node/npm not found: skipping Probot", file=sys.stderr)
        return None
    probot_dir = PROBOT_DIR.expanduser()
    probot_dir.mkdir(parents=True, exist_ok=True)
    package = probot_dir / "package.json"
    if not package.exists():
        package.write_text('{"name": "probot-bench", "private": true, "type": "module"}\n')
    if not (probot_dir / "node_modules" / "probot").exists():
        install = subprocess.run(["npm", "install", "probot@14", "--no-audit", "--no-fund"],
                                 cwd=probot_dir, capture_output=True, text=True, check=False)
        if install.returncode != 0:
            print(f"npm install probot@14 failed: skipping Probot\n{install.stderr}",
                  file=sys.stderr)
            return None
    (probot_dir / "app.js").write_text(PROBOT_APP)
    base = os.environ | {"APP_ID": "1", "PRIVATE_KEY": key, "WEBHOOK_SECRET": secret,
                         "HOST": "127.0.0.1", "LOG_LEVEL": "info", "NODE_ENV": "production"}
    base.pop("WEBHOOK_PROXY_URL", None)
    cmd = ["node", str(probot_dir / "node_modules" / "probot" / "bin" / "probot.js"), "run", "./app.js"]
    return Server("probot@14", cmd, lambda port: base | {"PORT": str(port)}, probot_dir,
                  workdir / "probot.log")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def table(results: list[Result], count: int) -> str:
    """Render the results side by side."""
    rows: list[tuple[str, list[str]]] = [
        (f"sequential p50 (ms, n={count})",
         [f"{statistics.median(r.sequential_ms):.2f}" if r.sequential_ms else "-"
          for r in results]),
        ("sequential p99 (ms)", [f"{percentile(r.sequential_ms, 99):.2f}" for r in results]),
        (f"{CLIENTS} clients p50 (ms)",
         [f"{statistics.median(r.concurrent_ms):.2f}" if r.concurrent_ms else "-"
          for r in results]),
        (f"{CLIENTS} clients p99 (ms)", [f"{percentile(r.concurrent_ms, 99):.2f}" for r in results]),
        (f"{CLIENTS} clients throughput (req/s)", [f"{r.concurrent_rps:.0f}" for r in results]),
        ("RSS after burst (MB)", [f"{r.rss_mb:.1f}" for r in results]),
        ("non-2XX answers", [str(r.errors) for r in results]),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"{'':{width}}  " + "  ".join(f"{r.name:>10}" for r in results)]
    lines += [f"{label:{width}}  " + "  ".join(f"{v:>10}" for v in values) for label, values in rows]
    return "\n".join(lines)


def _same(env: dict[str, str], _port: int) -> dict[str, str]:
    return env


def list_size_cold_starts(sizes: list[int], runs: int, workdir: Path) -> dict[str, list[float]]:
    """listbot's cold start against the emulator (in this process) holding a list of each size in
    its own repository and installation, with one open submission the start-up resync reconciles."""
    from bench.synthetic import make_list
    from bot.cli.sandbox import CONTRIBUTOR, prepare_repository
    from bot.emulator import GitHubEmulator
    from tests.factories import issue_body

    secret = uuid.uuid4().hex
    cmd = [sys.executable, "-m", "bot.cli.main", "serve", "--host", "127.0.0.1"]
    with GitHubEmulator() as github:
        specs = []
        for n, size in enumerate(sizes):
            repo = f"acme/list-{size}"
            app_id, key, _secret = prepare_repository(github, make_list(size), repo=repo, app_id=6000 + n)
            github.create_issue(repo, CONTRIBUTOR, "[Paper]: x", issue_body(), ("submission",))
            env = cached_bytecode_env(workdir) | {"APP_ID": str(app_id), "PRIVATE_KEY": key, "WEBHOOK_SECRET": secret,
                                         "GITHUB_API_URL": github.url, "LISTBOT_LOG_LEVEL": "INFO",
                                         "PYTHONPATH": str(REPO)}
            specs.append(Server(f"{size:,} entries", cmd, functools.partial(_same, env), REPO,
                                workdir / f"listbot-{size}.log", port_flag=True))
        return cold_starts(specs, secret.encode(), runs)


def cold_table(found: dict[str, list[float]]) -> str:
    """Median, fastest and slowest cold start of each server, in milliseconds."""
    width = max(11, *(len(name) + 2 for name in found))
    lines = [f"{'cold start to first 2XX (ms)':30}" + "".join(f"{name:>{width}}" for name in found)]
    for label, pick in (("median", statistics.median), ("fastest", min), ("slowest", max)):
        lines.append(f"{label:30}" + "".join(f"{pick(v) * 1000:>{width}.0f}" for v in found.values()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="100 deliveries and 5 cold-start rounds")
    parser.add_argument("--deliveries", type=int, default=None, metavar="N")
    parser.add_argument("--cold-runs", type=int, default=None, metavar="N",
                        help=f"alternating cold-start rounds (default {COLD_RUNS}; 0 skips cold start)")
    parser.add_argument("--no-probot", action="store_true", help="measure listbot (and the floor) only")
    parser.add_argument("--list-sizes", default=None, metavar="N,N,…",
                        help="only listbot's cold start against the emulator holding lists of these sizes")
    args = parser.parse_args(argv)
    count = args.deliveries or (100 if args.quick else 500)
    runs = args.cold_runs if args.cold_runs is not None else (5 if args.quick else COLD_RUNS)
    if args.list_sizes:
        sizes = [int(size) for size in args.list_sizes.split(",")]
        with tempfile.TemporaryDirectory(prefix="listbot-bench-") as tmp:
            found = list_size_cold_starts(sizes, runs or COLD_RUNS, Path(tmp))
        print(f"listbot cold start against the emulator, by list size: medians of {runs or COLD_RUNS} "
              "alternating rounds (one open submission each, reconciled by the start-up resync)")
        print(cold_table(found))
        return 0
    key = generate_key()
    secret = uuid.uuid4().hex
    with tempfile.TemporaryDirectory(prefix="listbot-bench-") as tmp:
        workdir = Path(tmp)
        listbot = listbot_server(key, secret, workdir)
        probot = None if args.no_probot else probot_server(key, secret, workdir)
        peers = [spec for spec in (listbot, probot) if spec is not None]
        if runs > 0:
            found = cold_starts([*peers, floor_server(secret, workdir)], secret.encode(), runs)
            print(f"cold start: medians of {runs} alternating rounds (listbot, Probot, floor; rotating order)")
            print(cold_table(found))
            print()
        results = [measure(spec, secret.encode(), count) for spec in peers]
    print(f"{count} signed ~{len(issues_opened_body()) // 1024} KB issues.opened deliveries "
          f"(sequential on one keep-alive connection, then {CLIENTS} concurrent clients)")
    print(table(results, count))
    return 0


if __name__ == "__main__":
    sys.exit(main())
