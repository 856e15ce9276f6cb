"""The base64 of written files, spliced from files written before (`bot.gateway.encodings`): the
very bytes `b64encode` makes, whatever the change, and made afresh only around the change."""

from __future__ import annotations

import base64
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
    """Each file of a chain, each one edit from the last, is encoded exactly as `b64encode` does:
    shifts by any count of bytes, mod 3 or not, at the start, in the middle and at the end."""
    memory = EncodingMemory(piece=piece)
    content = first
    assert _encoded(memory, content) == base64.b64encode(content)
    for edit in edits:
        content = _edited(content, edit)
        assert _encoded(memory, content) == base64.b64encode(content)


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


def test_unrelated_files_are_encoded_afresh_and_all_are_right() -> None:
    """Files that share little are each encoded whole (nothing to splice), and rightly."""
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
