"""Peak memory of `listbot serve` under 20 concurrent unsigned 25 MiB webhook bodies.

    .venv/bin/python -m bench.webhook_memory                 # 20 clients × 25 MiB
    .venv/bin/python -m bench.webhook_memory --clients 40 --mib 10

Starts `listbot serve` as a subprocess (no reachable GitHub: only the webhook endpoint matters),
sends one signed delivery to know it is up and reads its RSS, then opens the clients at once,
each POSTing a body of zeros under a forged `X-Hub-Signature-256` as fast as loopback allows,
and prints every status the clients got, the server's peak RSS (VmHWM) and how long it took.
Goal (issue 14): peak RSS ≤ 200 MB. Asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.ack_latency import (
    REPO,
    WEBHOOK_PATH,
    free_port,
    generate_key,
    issues_opened_body,
    listening_pid,
    server,
    wait_for_first_ack,
)


def peak_rss_mb(pid: int) -> float:
    """The high-water mark of `pid`'s resident set, in MB (VmHWM in /proc/PID/status)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def unsigned_upload(port: int, size: int, statuses: list[str]) -> None:
    """POST `size` bytes with a forged signature, streaming; record the answer (or the error)."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        head = (
            f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"X-GitHub-Event: issues\r\nX-GitHub-Delivery: {uuid.uuid4()}\r\n"
            f"X-Hub-Signature-256: sha256={'0' * 64}\r\nContent-Length: {size}\r\n\r\n"
        ).encode()
        sock.sendall(head)
        chunk = b"0" * (256 * 1024)
        sent = 0
        with sock:
            try:
                while sent < size:
                    sent += sock.send(chunk[: size - sent])
            except OSError:
                pass  # the server answered and closed early: read its answer below
            response = http.client.HTTPResponse(sock)
            response.begin()
            statuses.append(str(response.status))
    except (OSError, http.client.HTTPException) as exc:
        statuses.append(type(exc).__name__)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--mib", type=int, default=25)
    args = parser.parse_args()
    secret = uuid.uuid4().hex  # generated per run, 32 characters
    port = free_port()
    env = {"APP_ID": "1", "PRIVATE_KEY": generate_key(), "WEBHOOK_SECRET": secret,
           "LISTBOT_LOG_LEVEL": "WARNING", "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "bot.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryDirectory() as work, server(cmd, os.environ | env, REPO,
                                                       Path(work) / "listbot.log") as proc:
        wait_for_first_ack(port, issues_opened_body(), secret.encode(), proc)
        pid = listening_pid(port, proc.pid)
        idle = peak_rss_mb(pid)
        statuses: list[str] = []
        threads = [threading.Thread(target=unsigned_upload, args=(port, args.mib * 1024 * 1024, statuses))
                   for _ in range(args.clients)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        peak = peak_rss_mb(pid)
    counts = ", ".join(f"{n} × {status}" for status, n in sorted(collections.Counter(statuses).items()))
    print(f"{args.clients} concurrent unsigned {args.mib} MiB bodies: {counts} in {elapsed:.1f} s")
    print(f"peak RSS {peak:.0f} MB (after start-up and one delivery: {idle:.0f} MB); goal ≤ 200 MB")


if __name__ == "__main__":
    main()
