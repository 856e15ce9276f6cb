"""The base64 of written files, spliced from files written before (`bot.gateway.encodings`): the
very bytes `b64encode` makes, whatever the change, and made afresh only around the change."""

from __future__ import annotations

import base64
import random
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import make_list
from bot.gateway.contents import ContentsPutBody, contents_put_body
from bot.gateway.encodings import EncodingMemory

_FILES = st.binary(max_size=80)
_PIECES = st.sampled_from([3, 6, 9, 48])
# One edit: bytes start..stop of a file (each cut to its length) become `inserted`.
_EDITS = st.tuples(st.integers(0, 90), st.integers(0, 90), st.binary(max_size=12))


def _edited(old: bytes, edit: tuple[int, int, bytes]) -> bytes:
    start, stop, inserted = edit
    start, stop = sorted((min(start, len(old)), min(stop, len(old))))
    return old[:start] + inserted + old[stop:]


def _encoded(memory: EncodingMemory, content: bytes) -> bytes:
    return b"".join(memory.encode(content))


@settings(max_examples=400)
@given(_FILES, st.lists(_EDITS, max_size=12), _PIECES)
def test_every_file_of_a_chain_of_edits_is_its_base64(
    first: bytes, edits: list[tuple[int, int, bytes]], piece: int
) -> None:
    """Each file of a chain, each one edit from the last, is encoded exactly as `b64encode` does
    (shifts by any count of bytes, mod 3 or not, at the start, in the middle and at the end), in
    pieces of at least half a piece but the last."""
    memory = EncodingMemory(piece=piece)
    content = first
    assert _encoded(memory, content) == base64.b64encode(content)
    for edit in edits:
        content = _edited(content, edit)
        pieces = memory.encode(content)
        assert b"".join(pieces) == base64.b64encode(content)
        assert all(len(encoded) // 4 * 3 >= piece // 2 for encoded in pieces[:-1])  # none shrinks


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 2), _EDITS), min_size=1, max_size=10), _FILES, _PIECES)
def test_files_edited_from_any_of_those_kept_are_their_base64(
    steps: list[tuple[int, tuple[int, int, bytes]]], first: bytes, piece: int
) -> None:
    """Files edited from any of the last three written (as submissions on one base and after merges
    are): each is spliced from a kept file it is one short stretch from, and is its base64."""
    memory = EncodingMemory(piece=piece)
    written = [first]
    assert _encoded(memory, first) == base64.b64encode(first)
    for back, edit in steps:
        content = _edited(written[-1 - min(back, len(written) - 1)], edit)
        assert _encoded(memory, content) == base64.b64encode(content)
        written.append(content)


def test_a_file_one_entry_longer_reuses_the_pieces_outside_the_entry() -> None:
    """Lists each one entry longer than the last, as merges make them: once the first few writes
    have made pieces in all three of the ways an entry's length can fall against base64's groups
    of 3 bytes, each write reuses every piece made before except those around its entry."""
    content = make_list(1000).encode()
    memory = EncodingMemory()
    made_before = {id(piece): piece for piece in memory.encode(content)}  # kept alive: ids stay theirs
    middle = content.index(b"\n", len(content) // 2) + 1
    for step in range(9):
        entry = b"- **A New Paper %d" % step + b"x" * (step % 3) + b"** [[paper]](https://arxiv.org/abs/2501.0000)\n"
        content = content[:middle] + entry + content[middle:]
        pieces = memory.encode(content)
        assert b"".join(pieces) == base64.b64encode(content)
        afresh = sum(len(piece) for piece in pieces if id(piece) not in made_before)
        if step >= 3:
            assert afresh <= 3 * 64 * 1024, step  # the pieces around the entry
        made_before |= {id(piece): piece for piece in pieces}


def test_unrelated_files_are_each_their_base64() -> None:
    """Files that share little, one after another, are each their base64."""
    memory = EncodingMemory(piece=6)
    for content in (b"a" * 100, b"b" * 100, b"", b"abc", bytes(range(256)) * 3):
        assert _encoded(memory, content) == base64.b64encode(content)


def test_what_is_kept_stays_within_its_bound_in_bytes() -> None:
    """The files kept and their base64 never hold more than the bound; a file over it alone is
    encoded and not kept."""
    memory = EncodingMemory(max_bytes=100_000, piece=3 << 10)
    for index in range(20):
        content = bytes([65 + index]) * 30_000
        assert _encoded(memory, content) == base64.b64encode(content)
        assert memory.held_bytes <= 100_000
    huge = b"z" * 200_000
    assert _encoded(memory, huge) == base64.b64encode(huge)
    assert memory.held_bytes <= 100_000


def test_pieces_stay_at_least_half_a_piece_however_many_edits() -> None:
    """Hundreds of one-line insertions at random places leave the file in about as many pieces as
    one encoded afresh (each piece is a system call when sent, and a file of many small pieces is
    slower to splice than to encode)."""
    piece = 3 << 8
    content = make_list(300).encode()
    memory = EncodingMemory(piece=piece)
    memory.encode(content)
    places = random.Random(16)
    for step in range(300):
        lines = content.split(b"\n")
        at = places.randrange(len(lines))
        content = b"\n".join([*lines[:at], b"- **Paper %d** %s" % (step, b"x" * places.randrange(40)), *lines[at:]])
        pieces = memory.encode(content)
        assert b"".join(pieces) == base64.b64encode(content)
        assert len(pieces) <= 2 * len(content) // piece + 2, step


def test_a_byte_inserted_where_a_piece_starts_makes_no_piece_of_three_bytes() -> None:
    """One byte inserted where a piece starts, where the pieces after it come from a cut that
    starts its pieces two bytes later: the stretch between is encoded with the piece after it,
    not as a piece of its own."""
    memory = EncodingMemory(piece=48)
    content = bytes(range(100)) * 3
    memory.encode(content)
    edited = content[:48] + b"\xff" + content[48:]
    pieces = memory.encode(edited)
    assert b"".join(pieces) == base64.b64encode(edited)
    assert min(len(encoded) for encoded in pieces[:-1]) >= 32  # 24 bytes: half a piece


def test_a_file_over_the_bound_is_not_kept_and_drops_none() -> None:
    """A file too large to keep is encoded, and the files kept before stay kept."""
    memory = EncodingMemory(max_bytes=200_000, piece=3 << 10)
    for letter in b"abc":
        memory.encode(bytes([letter]) * 20_000)
    held = memory.held_bytes
    huge = b"z" * 300_000
    assert _encoded(memory, huge) == base64.b64encode(huge)
    assert memory.count == 3
    assert memory.held_bytes == held


def test_at_most_eight_files_are_kept() -> None:
    """However small the files, no more than eight are kept (each encode compares with them)."""
    memory = EncodingMemory()
    for index in range(50):
        memory.encode(b"file %d " % index + bytes(range(256)) * (index % 5))
    assert memory.count == 8


def test_a_file_is_spliced_from_the_kept_file_nearest_to_it() -> None:
    """An edit of an older file, made after a newer one rewrote a tenth of it around the same place,
    reuses the older file's pieces: only the pieces around the edit are made afresh."""
    older = make_list(10000).encode()
    memory = EncodingMemory()
    made_before = {id(piece): piece for piece in memory.encode(older)}
    middle, tenth = len(older) // 2, len(older) // 10
    rewritten = older[:middle] + bytes(reversed(older[middle:middle + tenth])) + older[middle + tenth:]
    memory.encode(rewritten)
    edited = older[:middle + 100] + b"edited" + older[middle + 100:]  # 6 bytes: cut 0's pieces follow
    pieces = memory.encode(edited)
    assert b"".join(pieces) == base64.b64encode(edited)
    afresh = sum(len(piece) for piece in pieces if id(piece) not in made_before)
    assert afresh <= 3 * 64 * 1024


def test_threads_encoding_edits_of_one_file_at_once_get_their_base64() -> None:
    """Workers of several installations share one memory: each file is encoded rightly."""
    base = make_list(300).encode()
    memory = EncodingMemory(piece=3 << 8)
    memory.encode(base)
    failures: list[int] = []

    def work(worker: int) -> None:
        for step in range(20):
            at = (worker * 7919 + step * 104729) % len(base)
            content = base[:at] + b"worker %d step %d\n" % (worker, step) + base[at:]
            if _encoded(memory, content) != base64.b64encode(content):
                failures.append(worker)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_a_put_body_with_kept_encodings_is_the_same_json() -> None:
    """A contents PUT's body whose base64 is in spliced pieces is byte for byte the body with the
    base64 made whole."""
    memory = EncodingMemory(piece=9)
    fields = {"message": "Add a paper", "sha": "0" * 40, "branch": "listbot/issue-1"}
    for content in (b"# list\n", b"# list\n- one\n", b"# a list\n- one\n"):
        body = ContentsPutBody(fields, content, memory)
        assert b"".join(body) == contents_put_body(fields, content)
        assert len(body) == len(contents_put_body(fields, content))


def test_a_piece_must_be_a_multiple_of_three_bytes() -> None:
    """A piece size that base64's groups of 3 bytes do not divide is refused."""
    with pytest.raises(ValueError, match="multiple of 3"):
        EncodingMemory(piece=4)
