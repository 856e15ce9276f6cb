"""`listbot replay`: send a saved payload to a running service as a signed GitHub delivery."""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from bot.core.webhook import sign

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
USER_AGENT = "GitHub-Hookshot/listbot-replay"
TIMEOUT_SECONDS = 30.0

CANNOT_READ = "listbot replay: cannot read {path}: {reason}"
NOT_JSON = "listbot replay: {path} is not valid JSON: {reason}"
NO_SIGNING_KEY = (
    "listbot replay: no webhook secret: set WEBHOOK_SECRET (the service's secret) or pass --secret"
)
BAD_URL = "listbot replay: --url must be an http:// or https:// URL, got {url!r}"
UNREACHABLE = "listbot replay: cannot reach {url}: {reason}"


def _load(path: str) -> bytes | None:
    """Read the payload file and check it is JSON; print why and return None if not."""
    try:
        body = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        print(CANNOT_READ.format(path=path, reason=exc.strerror or exc), file=sys.stderr)
        return None
    try:
        json.loads(body)
    except ValueError as exc:
        print(NOT_JSON.format(path=path, reason=exc), file=sys.stderr)
        return None
    return body


def build_request(url: str, event: str, body: bytes, secret: bytes) -> urllib.request.Request:
    """Build the POST GitHub would send for `body`, with a fresh delivery id."""
    return urllib.request.Request(  # noqa: S310 - the scheme is checked by the caller
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": sign(secret, body),
        },
    )


def run(args: argparse.Namespace) -> int:
    """Send the delivery and print the response status; 0 on 2XX, 1 otherwise, 2 on misuse."""
    secret = getattr(args, "secret", None) or os.environ.get("WEBHOOK_SECRET", "")
    if not secret:
        print(NO_SIGNING_KEY, file=sys.stderr)
        return EXIT_USAGE
    if not args.url.lower().startswith(("http://", "https://")):
        print(BAD_URL.format(url=args.url), file=sys.stderr)
        return EXIT_USAGE
    body = _load(args.payload)
    if body is None:
        return EXIT_USAGE
    request = build_request(args.url, args.event, body, secret.encode("utf-8"))
    delivery = request.get_header("X-github-delivery")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status, text = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        print(UNREACHABLE.format(url=args.url, reason=reason), file=sys.stderr)
        return EXIT_FAILED
    print(f"{status} {args.event} delivery {delivery}: {text.strip()}")
    return EXIT_OK if 200 <= status < 300 else EXIT_FAILED
