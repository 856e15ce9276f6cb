"""arXiv's Atom API (`/api/query?id_list=`): a paper's title, authors, date and journal DOI.

Facts from the API: entries and arXiv's extensions live in two XML namespaces; a malformed id
gets HTTP 400 and a feed whose one entry is an error (`<id>http://arxiv.org/api/errors#…`,
`<title>Error</title>`); a well-formed id that does not exist gets a feed with no entry (its
`totalResults` may still say 1). arXiv asks for at most one request every three seconds.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

from bot.core.autofill import author_from_name
from bot.core.lookups import ARXIV, Lookup, PaperFacts, Status
from bot.sources.http import Answer, Unavailable, get, status_detail
from bot.sources.memo import Pacer

DEFAULT_URL = "https://export.arxiv.org/api/query"
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_ERRORS = "arxiv.org/api/errors"


def query_url(base_url: str, arxiv_id: str) -> str:
    return f"{base_url}?{urlencode({'id_list': arxiv_id, 'max_results': 1})}"


def _bare_id(entry_id: str) -> str:
    """`http://arxiv.org/abs/2010.16056v2` → `2010.16056`."""
    tail = entry_id.rstrip("/").split("/abs/", 1)[-1]
    head, sep, version = tail.rpartition("v")
    return head.lower() if sep and version.isdigit() and head else tail.lower()


def _text(entry: ET.Element, tag: str) -> str:
    return " ".join((entry.findtext(tag) or "").split())


def _published(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise Unavailable("an entry without a valid publication date") from None


def parse_feed(arxiv_id: str, answer: Answer) -> Lookup[PaperFacts]:
    """The lookup an Atom answer amounts to; a body that is not arXiv's Atom raises `Unavailable`."""
    try:
        feed = ET.fromstring(answer.body)  # noqa: S314 - see the import
    except ET.ParseError:
        raise Unavailable(f"HTTP {answer.status} with a body that is not Atom XML") from None
    if feed.tag != f"{_ATOM}feed":
        raise Unavailable("an answer that is not an Atom feed")
    for entry in feed.iter(f"{_ATOM}entry"):
        entry_id = _text(entry, f"{_ATOM}id")
        if _ERRORS in entry_id:
            # arXiv's way of saying the id cannot exist (e.g. `incorrect id format for …`).
            return Lookup(ARXIV, arxiv_id, Status.MISSING, detail=_text(entry, f"{_ATOM}summary"))
        if _bare_id(entry_id) != arxiv_id.lower():
            continue
        title = _text(entry, f"{_ATOM}title")
        names = [_text(author, f"{_ATOM}name") for author in entry.iter(f"{_ATOM}author")]
        if not title or not any(names):
            return Lookup(ARXIV, arxiv_id, Status.MISSING)
        published = _published(_text(entry, f"{_ATOM}published"))
        doi = _text(entry, f"{_ARXIV}doi").lower()
        facts = PaperFacts(
            title=title,
            authors=tuple(author_from_name(name) for name in names if name),
            year=published.year, month=published.month, day=published.day,
            related=frozenset({f"doi:{doi}"} if doi else ()),
        )
        return Lookup(ARXIV, arxiv_id, Status.FOUND, facts)
    if answer.status != 200:
        raise Unavailable(status_detail(answer))
    return Lookup(ARXIV, arxiv_id, Status.MISSING)


class ArxivSource:
    """Looks papers up on arXiv, pacing requests as arXiv asks."""

    def __init__(self, base_url: str, timeout: float, pacer: Pacer) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.pacer = pacer

    def lookup(self, arxiv_id: str) -> Lookup[PaperFacts]:
        self.pacer.wait()
        try:
            answer = get(query_url(self.base_url, arxiv_id), self.timeout)
            if answer.status >= 500 or answer.status == 429:
                raise Unavailable(status_detail(answer))
            return parse_feed(arxiv_id, answer)
        except Unavailable as error:
            return Lookup(ARXIV, arxiv_id, Status.UNAVAILABLE, detail=error.detail)
