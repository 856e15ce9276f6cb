"""Benchmark one per-delivery log line: JSON formatting with and without the secrets to scrub.

Usage: .venv/bin/python bench/log_lines.py [--lines N]

`listbot serve` scrubs the webhook secret, the private key and each of the key's lines (27
strings for a 2048-bit key) from every line it logs. This formats a "delivery received" line N
times with those secrets and without any, and prints the time per line of each and the
difference (the scrubbing). A throwaway key is generated; nothing secret is written. It asserts
nothing.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ack_latency import generate_key  # noqa: E402
from bot.core.logfields import FIELDS_ATTR  # noqa: E402
from bot.service.logs import JsonFormatter  # noqa: E402
from bot.service.serve import secrets_of  # noqa: E402
from bot.service.service_settings import ServiceSettings  # noqa: E402


def per_line_us(formatter: JsonFormatter, record: logging.LogRecord, lines: int) -> float:
    began = time.perf_counter()
    for _ in range(lines):
        formatter.format(record)
    return (time.perf_counter() - began) / lines * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, default=20_000)
    args = parser.parse_args(argv)
    settings = ServiceSettings.from_env(
        {"APP_ID": "1", "PRIVATE_KEY": generate_key(), "WEBHOOK_SECRET": "0123456789abcdef0123456789"}
    )
    secrets = secrets_of(settings)
    record = logging.LogRecord("listbot.app", logging.INFO, __file__, 1, "delivery received", None, None)
    setattr(record, FIELDS_ATTR, {
        "delivery_id": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "event": "issues", "action": "opened",
        "installation_id": 777, "repository": "octo/list", "issue": 1347, "outcome": "queued", "status": 202,
        "duration_ms": 0.52,
    })
    scrubbed = per_line_us(JsonFormatter(secrets), record, args.lines)
    plain = per_line_us(JsonFormatter(()), record, args.lines)
    print(f"one 'delivery received' line, {args.lines:,} times: {scrubbed:.1f} us with {len(secrets)} secrets "
          f"to scrub, {plain:.1f} us without: scrubbing {scrubbed - plain:.1f} us per line")
    return 0


if __name__ == "__main__":
    sys.exit(main())
