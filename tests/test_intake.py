"""Webhook bodies read under a fixed budget, hashed as they stream in; replays recognised."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from bot.core.webhook import SignatureCheck
from bot.service.intake import BUSY, LARGE_BUSY, Intake, Limits, Refusal, SeenDeliveries

SECRET = b"It's a Secret to Everybody"
VECTOR = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


async def chunks(*parts: bytes, pause: float = 0.0, gate: asyncio.Event | None = None) -> AsyncIterator[bytes]:
    for index, part in enumerate(parts):
        if gate is not None and index:
            await gate.wait()  # the first part arrives, the rest wait for the gate
        await asyncio.sleep(pause)
        yield part


def test_the_signature_is_computed_as_the_body_streams_in() -> None:
    """GitHub's test vector checks out when `Hello, World!` arrives in pieces."""
    check = SignatureCheck(SECRET)
    body = asyncio.run(Intake(Limits(1000)).read(chunks(b"Hello, ", b"World", b"!"), check))
    assert body == b"Hello, World!"
    assert check.matches(VECTOR)
    assert not check.matches(VECTOR[:-1] + "0")


def test_a_body_slower_than_the_deadline_is_refused_with_408() -> None:
    """A sender that trickles its body past the deadline gets 408 and is not waited for."""
    intake = Intake(Limits(1000, deadline=0.05))
    result = asyncio.run(intake.read(chunks(b"a", b"b", b"c", pause=0.03), SignatureCheck(SECRET)))
    assert isinstance(result, Refusal)
    assert result.status == 408
    assert intake.in_flight == 0


def test_a_body_past_the_size_cap_is_refused_with_413() -> None:
    """A body that grows past the payload cap is refused as soon as it does."""
    result = asyncio.run(Intake(Limits(10)).read(chunks(b"x" * 8, b"x" * 8), SignatureCheck(SECRET)))
    assert isinstance(result, Refusal)
    assert result.status == 413


def test_large_bodies_and_requests_in_flight_are_capped() -> None:
    """Past the large-body and in-flight caps, further bodies are refused with 503, and the slots free up after."""

    async def scenario() -> list[bytes | Refusal]:
        intake = Intake(Limits(10_000, large_bytes=100, max_large=1, max_in_flight=2))
        gate = asyncio.Event()
        big = b"x" * 150
        first = asyncio.create_task(intake.read(chunks(big, b"end", gate=gate), SignatureCheck(SECRET)))
        await asyncio.sleep(0.01)  # `first` holds a request slot and the large-body slot
        second = await intake.read(chunks(big), SignatureCheck(SECRET))
        third = asyncio.create_task(intake.read(chunks(b"s", b"mall", gate=gate), SignatureCheck(SECRET)))
        await asyncio.sleep(0.01)  # `third` holds the other request slot
        fourth = await intake.read(chunks(b"y"), SignatureCheck(SECRET))
        gate.set()
        done = [await first, second, await third, fourth]
        return [*done, await intake.read(chunks(big), SignatureCheck(SECRET))]

    first, second, third, fourth, after = asyncio.run(scenario())
    assert first == b"x" * 150 + b"end"
    assert second == LARGE_BUSY
    assert third == b"small"
    assert fourth == BUSY
    assert after == b"x" * 150


def test_a_delivery_id_counts_once_until_it_is_forgotten() -> None:
    """A replayed id is recognised; it is forgotten after its time to live or when capacity runs out."""
    now = [0.0]
    seen = SeenDeliveries(capacity=2, ttl=60, clock=lambda: now[0])
    assert seen.first_time("a")
    assert not seen.first_time("a")
    now[0] = 61
    assert seen.first_time("a")
    assert seen.first_time("b")
    assert seen.first_time("c")
    assert len(seen) == 2
    assert seen.first_time("a")  # pushed out by capacity, not remembered forever
    seen.forget("c")
    assert seen.first_time("c")
