"""One small HTTP GET with a timeout for the sources; a source that cannot be reached is `Unavailable`."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_BODY = 4 * 1024 * 1024  # no answer about one paper is anywhere near this
USER_AGENT = "listbot (+https://github.com/apps/listbot)"


class Unavailable(Exception):
    """The source did not answer usefully; `detail` says why, for the status comment."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON; a body that is not is the source misbehaving."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Unavailable(f"HTTP {self.status} with a body that is not JSON") from None


def get(url: str, timeout: float, headers: Mapping[str, str] | None = None) -> Answer:
    """GET `url`; any HTTP status comes back as an `Answer`, a network fault raises `Unavailable`."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) from configuration
            return Answer(response.status, dict(response.headers.items()), response.read(MAX_BODY))
    except urllib.error.HTTPError as error:
        with error:
            body = error.read(MAX_BODY) if error.fp is not None else b""
        return Answer(error.code, dict(error.headers.items()) if error.headers else {}, body)
    except TimeoutError:
        raise Unavailable(f"no answer within {timeout:g} s") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise Unavailable(f"no answer within {timeout:g} s") from None
        raise Unavailable(f"cannot connect: {reason}") from None
    except (OSError, ValueError) as error:  # reset connections, bad status lines, bad URLs
        raise Unavailable(f"connection failed: {error.__class__.__name__}") from None


def status_detail(answer: Answer) -> str:
    """Why an answer is no use, e.g. `HTTP 503` or `rate-limited (HTTP 429, retry after 60 s)`."""
    if answer.status == 429 or (answer.status == 503 and "retry-after" in {k.lower() for k in answer.headers}):
        after = next((v for k, v in answer.headers.items() if k.lower() == "retry-after"), "")
        suffix = f", retry after {after} s" if after.strip().isdigit() else ""
        return f"rate-limited (HTTP {answer.status}{suffix})"
    return f"HTTP {answer.status}"
