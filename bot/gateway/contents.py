"""Writing one file with the contents API (`PUT /repos/{owner}/{repo}/contents/{path}`).

GitHub documents the request's body only as JSON holding the file in base64. PyGithub's
`update_file` makes the base64 a `str` and has `json.dumps` escape-check it character by
character: for a 4 MB list (5.4 MB of base64) that check costs three times the base64 encoding
itself. Base64's alphabet (`A-Z a-z 0-9 + / =`) holds no character JSON escapes, so its bytes go
into the body as they are, between quotes: the same JSON object, made by one copy.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

from github.Requester import Requester

_JSON = {"Content-Type": "application/json"}


def contents_put_body(fields: Mapping[str, str], content: bytes) -> bytes:
    """The JSON body `json.dumps({**fields, "content": base64 of content})` stands for (the same
    object once parsed; `fields` must not name `content`), the base64 not escape-checked."""
    if "content" in fields:
        raise ValueError("the file's content is given apart from the other fields")
    rest = json.dumps(dict(fields))[1:]  # `"key": value, ...}`, or `}` with no fields
    separator = b"" if rest == "}" else b", "
    return b"".join([b'{"content": "', base64.b64encode(content), b'"', separator, rest.encode("ascii")])


def put_contents(
    requester: Requester, repo_url: str, path: str, text: str, fields: Mapping[str, str]
) -> dict[str, Any]:
    """PUT `text` (UTF-8) at `path` with the other body `fields` (`message`, `sha`, `branch`, ...)
    and return GitHub's answer (its `commit` and `content`); an error status raises as PyGithub's
    `update_file` would."""
    body = contents_put_body(fields, text.encode("utf-8"))
    # Bytes, not a file: sent in one piece, and sent again as they are should a retry need to.
    _, data = requester.requestMemoryBlobAndCheck(
        "PUT", f"{repo_url}/contents/{urllib.parse.quote(path)}", None, dict(_JSON), body,  # type: ignore[arg-type]
    )
    return data if isinstance(data, dict) else {}
