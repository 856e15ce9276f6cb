"""The custom media types a request names in `Accept`, and the raw answers they ask for.

GitHub documents its media types as `application/vnd.github[.version].param[+json]`
(docs.github.com, "Media types"): `application/vnd.github.raw+json`, the older spelling without
`+json` and `application/vnd.github.v3.raw` all name the `raw` parameter, while
`application/vnd.github+json`, `application/json` and `*/*` ask for the default JSON
representation. Only the endpoints that document parameters look at them here: repository
contents (`raw`, `html`, `object`) and git blobs (`raw`).

Undocumented: a parameter the endpoint does not support is a 406 naming it, as GitHub answered
the contents API asked for `full` ("406 This resource does not support the 'full' media type
parameter.", reported in piotrmurach/github issue 108, 2013); `-preview` names (graduated
previews) ask for nothing, the emulator's choice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .state import ApiError

# The largest file or blob the contents and blob APIs serve (both document "100 MB").
API_FILE_LIMIT = 100 * 1024 * 1024

_GITHUB_TYPE = re.compile(r"application/vnd\.github(?:\.v3)?(?:\.(?P<param>[a-z][a-z0-9-]*))?(?P<json>\+json)?")


@dataclass(frozen=True, slots=True)
class MediaType:
    """What `Accept` asked of a resource: a parameter (None: the default JSON) and `+json` or not."""

    param: str | None = None
    json_suffix: bool = True

    @property
    def header(self) -> str:
        """The answer's `X-GitHub-Media-Type` (documented shape: `github.v3; param=full; format=json`)."""
        param = f"; param={self.param}" if self.param else ""
        return f"github.v3{param}" + ("; format=json" if self.json_suffix else "")


def requested(accept: str | None) -> MediaType:
    """The first GitHub media type in `accept` that names a parameter, else the default."""
    for entry in (accept or "").split(","):
        found = _GITHUB_TYPE.fullmatch(entry.split(";", 1)[0].strip().lower())
        param = found.group("param") if found else None
        if found is not None and param is not None and not param.endswith("-preview"):
            return MediaType(param, found.group("json") is not None)
    return MediaType()


def supported(media: MediaType, params: frozenset[str]) -> MediaType:
    """`media` when this resource serves its parameter; else the 406 GitHub has been seen to
    answer (piotrmurach/github#108: contents asked for `full`)."""
    if media.param is None or media.param in params:
        return media
    raise ApiError(406, f"This resource does not support the '{media.param}' media type parameter.")


def too_large(limit: int) -> ApiError:
    """Over 100 MB the contents and blob APIs serve nothing (documented); GitHub's answer for a
    blob over an API's limit is a 403 naming `too_large` whose message states the limit, as the
    contents API's answer over its former 1 MB limit read: "This API returns blobs up to 1 MB in
    size. The requested blob is too large to fetch via the API, but you can use the Git Data API to
    request blobs up to 100 MB in size." (api.github.com's answer as public client code records it).
    Here the limit is whichever is in force (tests lower it); the Git Data API hint is left out,
    since the blob API's limit is the same one."""
    return ApiError(
        403,
        f"This API returns blobs up to {_size(limit)} in size. The requested blob is too large to fetch via the API.",
        errors=[{"resource": "Blob", "field": "data", "code": "too_large"}],
    )


def _size(limit: int) -> str:
    """A size limit as GitHub words it ("1 MB", "100 MB"); bytes when not a whole number of MB."""
    mb = 1024 * 1024
    return f"{limit // mb} MB" if limit % mb == 0 else f"{limit} bytes"


def raw_headers(media: MediaType) -> dict[str, str]:
    """Headers of a raw answer: the bytes as stored, in no declared character set (a file's bytes
    need not be text; GitHub documents none)."""
    return {"Content-Type": "application/vnd.github.raw", "X-GitHub-Media-Type": media.header}
