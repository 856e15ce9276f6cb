"""The cold-start floor for `ack_latency.py`: a bare FastAPI + uvicorn app that only checks the signature.

Usage: WEBHOOK_SECRET=… PORT=… python bench/floor_app.py

It answers a POST to /api/github/webhooks with 202 when X-Hub-Signature-256 matches the body and
401 otherwise, and does nothing else: no settings, no logging set-up, no worker. uvicorn runs as
`listbot serve` runs it (stock asyncio loop, httptools when installed, no access log). It stays
FastAPI's floor: `listbot serve` answers its first deliveries before importing FastAPI (its
front, `bot/service/front.py`), so it starts below this floor.
"""

from __future__ import annotations

import hashlib
import hmac
import os

import uvicorn
from fastapi import FastAPI, Request, Response

SECRET = os.environ["WEBHOOK_SECRET"].encode()
app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.post("/api/github/webhooks")
async def webhook(request: Request) -> Response:
    body = await request.body()
    expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("x-hub-signature-256", "")):
        return Response(status_code=401)
    return Response(b'{"ok": true}', status_code=202, media_type="application/json")


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), loop="asyncio", access_log=False,
                log_config=None, server_header=False)
