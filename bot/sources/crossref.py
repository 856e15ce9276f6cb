"""Crossref's REST API (`/works/{doi}`): a published paper's title, authors, date, journal and
the preprint it relates to.

Facts from the API: the record is under `message` (`title` and `container-title` are lists,
`author[]` has `given`/`family` or an organisation's `name`, `issued.date-parts` is `[[y, m, d]]`
with month and day optional, `relation` maps e.g. `has-preprint` / `is-preprint-of` to
`{"id-type": "doi"|"arxiv", "id": …}`). An unknown DOI answers 404 with the text body
`Resource not found.`; `/works/{doi}/agency` then tells a DOI another agency (DataCite) registered
from one that does not exist. Too many requests answer 429 with `x-rate-limit-*` headers.
Polite-pool users send a contact address (`mailto`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from bot.core import urls
from bot.core.lookups import CROSSREF, Author, Lookup, PaperFacts, Status
from bot.sources.http import Answer, Unavailable, get, status_detail

DEFAULT_URL = "https://api.crossref.org"
_RELATIONS = ("has-preprint", "is-preprint-of", "has-version", "is-version-of", "is-identical-to")


def _first(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], str):
        return " ".join(value[0].split())
    return ""


def _authors(record: Mapping[str, Any]) -> tuple[Author, ...]:
    found = []
    for person in record.get("author") or []:
        if not isinstance(person, dict):
            continue
        family = str(person.get("family") or person.get("name") or "").strip()
        if family:
            found.append(Author(str(person.get("given") or "").strip(), family))
    return tuple(found)


def _date(record: Mapping[str, Any]) -> tuple[int, int | None, int | None]:
    for key in ("issued", "published", "published-print", "published-online"):
        parts = ((record.get(key) or {}).get("date-parts") or [[None]])[0]
        if parts and isinstance(parts[0], int):
            numbers = [*parts[:3], None, None]
            return parts[0], numbers[1], numbers[2]
    raise Unavailable("a record without a date")


def _related(record: Mapping[str, Any]) -> frozenset[str]:
    """Identity keys of the record's other versions (its preprint, or the paper it preprints)."""
    keys: set[str] = set()
    relation = record.get("relation") or {}
    for name in _RELATIONS:
        for item in relation.get(name) or []:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            kind, ident = str(item.get("id-type", "")).lower(), item["id"].strip()
            if kind == "doi":
                keys.add(f"doi:{ident.lower()}")
                if arxiv := urls.arxiv_id(f"https://doi.org/{ident}"):
                    keys.add(f"arxiv:{arxiv}")
            elif kind == "arxiv":
                keys.add(f"arxiv:{ident.lower().removeprefix('arxiv:')}")
    return frozenset(keys)


def parse_work(doi: str, answer: Answer) -> Lookup[PaperFacts]:
    """The lookup a 200 answer amounts to; a body that is not a Crossref work raises `Unavailable`."""
    data = answer.json()
    record = data.get("message") if isinstance(data, dict) else None
    if not isinstance(record, dict):
        raise Unavailable("an answer without a `message` record")
    title = _first(record.get("title"))
    if not title:
        raise Unavailable("a record without a title")
    year, month, day = _date(record)
    facts = PaperFacts(
        title=title, authors=_authors(record), year=year, month=month, day=day,
        journal=_first(record.get("container-title")) or None, related=_related(record),
    )
    return Lookup(CROSSREF, doi, Status.FOUND, facts)


class CrossrefSource:
    """Looks DOIs up on Crossref, in the polite pool when a contact address is configured."""

    def __init__(self, base_url: str, timeout: float, mailto: str | None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.mailto = mailto

    def _get(self, path: str) -> Answer:
        query = f"?{urlencode({'mailto': self.mailto})}" if self.mailto else ""
        return get(f"{self.base_url}{path}{query}", self.timeout)

    def lookup(self, doi: str) -> Lookup[PaperFacts]:
        path = f"/works/{quote(doi, safe='/')}"
        try:
            answer = self._get(path)
            if answer.status == 200:
                return parse_work(doi, answer)
            if answer.status == 404:
                return self._not_found(doi, path)
            raise Unavailable(status_detail(answer))
        except Unavailable as error:
            return Lookup(CROSSREF, doi, Status.UNAVAILABLE, detail=error.detail)

    def _not_found(self, doi: str, path: str) -> Lookup[PaperFacts]:
        """A DOI Crossref does not hold: registered elsewhere (nothing to check) or nowhere."""
        answer = self._get(f"{path}/agency")
        if answer.status == 404:
            return Lookup(CROSSREF, doi, Status.MISSING)
        if answer.status != 200:
            raise Unavailable(status_detail(answer))
        agency = ((answer.json().get("message") or {}).get("agency") or {}).get("label") or "another agency"
        return Lookup(CROSSREF, doi, Status.UNKNOWN, detail=f"registered with {agency}")
