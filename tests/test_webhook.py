"""Tests for bot.core.webhook: signature checking and delivery parsing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.webhook import Delivery, MalformedDelivery, parse_delivery, sign, verify_signature

VECTOR_SECRET = b"It's a Secret to Everybody"
VECTOR_BODY = b"Hello, World!"
VECTOR_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

ISSUES_OPENED = {
    "action": "opened",
    "issue": {"number": 42, "title": "Add a paper"},
    "repository": {"full_name": "octo/list"},
    "installation": {"id": 777},
    "sender": {"login": "mona", "type": "User"},
}


def headers(event: str = "issues", delivery: str = "d-1") -> dict[str, str]:
    """Headers of a delivery of `event`."""
    return {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery}


def test_sign_matches_githubs_test_vector() -> None:
    """sign() produces GitHub's documented signature for the documented secret and body."""
    assert sign(VECTOR_SECRET, VECTOR_BODY) == VECTOR_SIGNATURE


def test_verify_accepts_githubs_test_vector() -> None:
    """verify_signature() accepts GitHub's documented signature."""
    assert verify_signature(VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE)


def test_verify_rejects_a_tampered_body() -> None:
    """A body that differs from the signed one fails verification."""
    assert not verify_signature(VECTOR_SECRET, b"Hello, World?", VECTOR_SIGNATURE)


def test_verify_rejects_a_different_secret() -> None:
    """A signature made with another secret fails verification."""
    assert not verify_signature(b"another secret", VECTOR_BODY, VECTOR_SIGNATURE)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        VECTOR_SIGNATURE.removeprefix("sha256="),
        "sha1=" + VECTOR_SIGNATURE.removeprefix("sha256="),
        VECTOR_SIGNATURE.upper(),
        VECTOR_SIGNATURE + "00",
        "sha256=ü",
    ],
)
def test_verify_rejects_missing_or_malformed_headers(header: str | None) -> None:
    """A missing, truncated, differently prefixed or non-ASCII header fails verification."""
    assert not verify_signature(VECTOR_SECRET, VECTOR_BODY, header)


def test_verify_rejects_everything_under_an_empty_secret() -> None:
    """An empty secret never verifies, even a signature made with it."""
    assert not verify_signature(b"", VECTOR_BODY, sign(b"", VECTOR_BODY))


@given(secret=st.binary(min_size=1), body=st.binary())
def test_verify_accepts_what_sign_produces(secret: bytes, body: bytes) -> None:
    """verify_signature() accepts every signature sign() makes."""
    assert verify_signature(secret, body, sign(secret, body))


@given(
    secret=st.binary(min_size=1),
    body=st.binary(min_size=1),
    index=st.integers(min_value=0),
    delta=st.integers(min_value=1, max_value=255),
)
def test_any_one_byte_change_to_the_body_fails(
    secret: bytes, body: bytes, index: int, delta: int
) -> None:
    """Changing any single byte of the body invalidates its signature."""
    position = index % len(body)
    tampered = bytearray(body)
    tampered[position] = (tampered[position] + delta) % 256
    assert not verify_signature(secret, bytes(tampered), sign(secret, body))


@given(
    secret=st.binary(min_size=1),
    body=st.binary(),
    index=st.integers(min_value=0),
    replacement=st.sampled_from("0123456789abcdef"),
)
def test_any_one_character_change_to_the_signature_fails(
    secret: bytes, body: bytes, index: int, replacement: str
) -> None:
    """Changing any single hex digit of the signature makes it fail."""
    signature = sign(secret, body)
    position = len("sha256=") + index % 64
    if signature[position] == replacement:
        replacement = "f" if replacement != "f" else "0"
    tampered = signature[:position] + replacement + signature[position + 1 :]
    assert not verify_signature(secret, body, tampered)


def test_parse_lifts_routing_fields_out_of_an_issues_payload() -> None:
    """An issues delivery yields its id, event, action, installation, repo, issue and sender."""
    delivery = parse_delivery(headers(), json.dumps(ISSUES_OPENED).encode())
    assert delivery == Delivery(
        delivery_id="d-1",
        event="issues",
        action="opened",
        installation_id=777,
        repository="octo/list",
        issue_number=42,
        sender_login="mona",
        sender_type="User",
        payload=ISSUES_OPENED,
    )
    assert delivery.payload == ISSUES_OPENED
    assert delivery.name == "issues.opened"


def test_parse_reads_headers_case_insensitively() -> None:
    """Header names are matched regardless of case, as HTTP requires."""
    lowered = {"x-github-event": "issues", "x-github-delivery": "d-2"}
    assert parse_delivery(lowered, b"{}").delivery_id == "d-2"


def test_parse_takes_the_number_of_a_pull_request() -> None:
    """A pull_request delivery reports the pull request's number as its issue number."""
    body = json.dumps({"action": "closed", "pull_request": {"number": 7}}).encode()
    assert parse_delivery(headers("pull_request"), body).issue_number == 7


def test_parse_leaves_absent_fields_empty() -> None:
    """A push carries no action or issue, and those fields come back as None."""
    delivery = parse_delivery(headers("push"), b'{"ref": "refs/heads/main"}')
    assert (delivery.action, delivery.issue_number, delivery.installation_id) == (None, None, None)
    assert delivery.name == "push"


def test_parse_ignores_fields_of_the_wrong_type() -> None:
    """Booleans, strings and objects where ids belong are not mistaken for ids."""
    body = json.dumps(
        {"action": 3, "issue": {"number": True}, "installation": {"id": "9"}, "sender": []}
    ).encode()
    delivery = parse_delivery(headers(), body)
    assert (delivery.action, delivery.issue_number, delivery.installation_id) == (None, None, None)
    assert delivery.sender_login is None


@pytest.mark.parametrize(
    ("hdrs", "body", "message"),
    [
        ({"X-GitHub-Delivery": "d"}, b"{}", "X-GitHub-Event"),
        ({"X-GitHub-Event": "issues"}, b"{}", "X-GitHub-Delivery"),
        ({"X-GitHub-Event": " ", "X-GitHub-Delivery": "d"}, b"{}", "X-GitHub-Event"),
        (headers(), b"{not json", "not valid JSON"),
        (headers(), b"[1, 2]", "JSON object"),
        (headers(), b"\xff\xfe{}", "UTF-8"),
        (headers(), b"", "not valid JSON"),
    ],
)
def test_parse_rejects_malformed_deliveries_with_a_clear_message(
    hdrs: dict[str, str], body: bytes, message: str
) -> None:
    """Missing headers, bad JSON, non-objects and non-UTF-8 raise MalformedDelivery saying why."""
    with pytest.raises(MalformedDelivery, match=message):
        parse_delivery(hdrs, body)
