"""Writing one file with the contents API (`PUT /repos/{owner}/{repo}/contents/{path}`).

GitHub documents the request's body only as JSON holding the file in base64. PyGithub's
`update_file` makes the base64 a `str` and has `json.dumps` escape-check it character by
character: for a 4 MB list (5.4 MB of base64) that check costs three times the base64 encoding
itself. Base64's alphabet (`A-Z a-z 0-9 + / =`) holds no character JSON escapes, so its bytes go
into the body as they are, between quotes: the same JSON object, and sent as made, with no copy.
Given an `EncodingMemory`, the base64 is spliced from that of a file written before where the two
differ in one short stretch (`bot.gateway.encodings`).
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

from github.Requester import Requester

from bot.gateway.encodings import EncodingMemory

_JSON = {"Content-Type": "application/json"}


class ContentsPutBody:
    """The JSON body `json.dumps({**fields, "content": base64 of content})` stands for (the same
    object once parsed; `fields` must not name `content`), the base64 not escape-checked, kept in
    its pieces: what comes before the base64, the base64 (in one piece, or in the pieces an
    `EncodingMemory` keeps), what comes after.

    Not joined: joining copies the base64 (5.4 MB for a 4 MB list) into a fresh buffer only for
    it to be sent. requests sends an iterable that has a length as a body of that
    `Content-Length`, each piece with its own `sendall`: the same bytes on the wire, one copy
    fewer. Iterated afresh each time, it is sent again as it is should a retry need to."""

    def __init__(self, fields: Mapping[str, str], content: bytes, encodings: EncodingMemory | None = None) -> None:
        if "content" in fields:
            raise ValueError("the file's content is given apart from the other fields")
        rest = json.dumps(dict(fields))[1:]  # `"key": value, ...}`, or `}` with no fields
        separator = "" if rest == "}" else ", "
        encoded = [base64.b64encode(content)] if encodings is None else encodings.encode(content)
        self.pieces = (b'{"content": "', *encoded, f'"{separator}{rest}'.encode("ascii"))

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.pieces)

    def __len__(self) -> int:
        return sum(len(piece) for piece in self.pieces)

    def __repr__(self) -> str:  # what PyGithub's DEBUG log of a request shows of its body
        return f"<contents PUT body, {len(self):,} bytes>"


def contents_put_body(fields: Mapping[str, str], content: bytes) -> bytes:
    """The body `ContentsPutBody(fields, content)` sends, in one `bytes`."""
    return b"".join(ContentsPutBody(fields, content))


def put_contents(
    requester: Requester, repo_url: str, path: str, text: str, fields: Mapping[str, str],
    encodings: EncodingMemory | None = None,
) -> dict[str, Any]:
    """PUT `text` (UTF-8) at `path` with the other body `fields` (`message`, `sha`, `branch`, ...)
    and return GitHub's answer (its `commit` and `content`); an error status raises as PyGithub's
    `update_file` would. `encodings`: where the base64 of files written before is kept."""
    body = ContentsPutBody(fields, text.encode("utf-8"), encodings)
    _, data = requester.requestMemoryBlobAndCheck(
        "PUT", f"{repo_url}/contents/{urllib.parse.quote(path)}", None, dict(_JSON), body,  # type: ignore[arg-type]
    )
    return data if isinstance(data, dict) else {}
