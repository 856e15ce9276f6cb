"""Pure webhook handling: signature checking and parsing of GitHub deliveries (no I/O)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SIGNATURE_PREFIX = "sha256="
# The events listbot acts on, which are also the ones its app manifest subscribes to.
HANDLED_EVENTS: tuple[str, ...] = ("issues", "issue_comment", "pull_request", "push")

MISSING_EVENT = "missing X-GitHub-Event header"
MISSING_DELIVERY = "missing X-GitHub-Delivery header"
NOT_JSON = "body is not valid JSON: {detail}"
NOT_OBJECT = "body must be a JSON object, got {kind}"
NOT_UTF8 = "body is not valid UTF-8"


class MalformedDelivery(ValueError):
    """A delivery whose headers or body cannot be understood."""


def sign(secret: bytes, body: bytes) -> str:
    """Return the `X-Hub-Signature-256` header value GitHub would send for `body`."""
    return SIGNATURE_PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """Tell whether `header` is the valid HMAC-SHA256 signature of `body` under `secret`."""
    check = SignatureCheck(secret)
    check.update(body)
    return check.matches(header)


class SignatureCheck:
    """The HMAC-SHA256 of a body fed chunk by chunk as it arrives, checked against the
    `X-Hub-Signature-256` header at the end: the body need not be whole to be hashed."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._mac = hmac.new(secret, digestmod=hashlib.sha256)

    def update(self, chunk: bytes) -> None:
        self._mac.update(chunk)

    def matches(self, header: str | None) -> bool:
        if not self._secret or header is None or not header.startswith(SIGNATURE_PREFIX):
            return False
        expected = (SIGNATURE_PREFIX + self._mac.hexdigest()).encode("ascii")
        return hmac.compare_digest(expected, header.encode("utf-8", "replace"))


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook delivery, with the fields listbot routes on lifted out of the payload."""

    delivery_id: str
    event: str
    action: str | None
    installation_id: int | None
    repository: str | None
    issue_number: int | None
    sender_login: str | None
    sender_type: str | None
    payload: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        """The event name with its action, Probot-style (`issues.opened`)."""
        return f"{self.event}.{self.action}" if self.action else self.event


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Look a header up case-insensitively (plain dicts are accepted as well as Starlette's)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value.strip() if value is not None else None


def _obj(value: object) -> Mapping[str, Any]:
    """Return `value` if it is a JSON object, else an empty mapping."""
    return value if isinstance(value, dict) else {}


def _int(value: object) -> int | None:
    """Return `value` if it is a JSON integer (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: object) -> str | None:
    """Return `value` if it is a string, else None."""
    return value if isinstance(value, str) else None


def _issue_number(payload: Mapping[str, Any]) -> int | None:
    """Find the issue (or pull request) number an event is about, if any."""
    for key in ("issue", "pull_request"):
        number = _int(_obj(payload.get(key)).get("number"))
        if number is not None:
            return number
    return _int(payload.get("number"))


def parse_payload(body: bytes) -> dict[str, Any]:
    """Decode a delivery body, which must be a UTF-8 JSON object."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedDelivery(NOT_UTF8) from exc
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise MalformedDelivery(NOT_JSON.format(detail=exc)) from exc
    if not isinstance(value, dict):
        raise MalformedDelivery(NOT_OBJECT.format(kind=type(value).__name__))
    return value


def parse_delivery(headers: Mapping[str, str], body: bytes) -> Delivery:
    """Build a `Delivery` from request headers and the raw body (the signature is not checked)."""
    event = _header(headers, "X-GitHub-Event")
    if not event:
        raise MalformedDelivery(MISSING_EVENT)
    delivery_id = _header(headers, "X-GitHub-Delivery")
    if not delivery_id:
        raise MalformedDelivery(MISSING_DELIVERY)
    payload = parse_payload(body)
    sender = _obj(payload.get("sender"))
    return Delivery(
        delivery_id=delivery_id,
        event=event,
        action=_str(payload.get("action")),
        installation_id=_int(_obj(payload.get("installation")).get("id")),
        repository=_str(_obj(payload.get("repository")).get("full_name")),
        issue_number=_issue_number(payload),
        sender_login=_str(sender.get("login")),
        sender_type=_str(sender.get("type")),
        payload=payload,
    )


WebhookEvent = Delivery
"""Alias: some callers think of a delivery as the event it carries."""
