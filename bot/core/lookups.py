"""Facts the sources looked up about a submission, as plain data the core can decide on.

The sources (`bot/sources/`) do the I/O and hand these over; nothing here fetches anything.
`wanted` says which identifiers a submission's links name, so the caller knows what to ask for.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar
from urllib.parse import unquote, urlsplit

from bot.core import urls

T = TypeVar("T")

ARXIV = "arXiv"
CROSSREF = "Crossref"
GITHUB = "GitHub"
HUGGING_FACE = "Hugging Face"
SOURCE_KEYS = {"arxiv": ARXIV, "crossref": CROSSREF, "github": GITHUB, "huggingface": HUGGING_FACE}
"""The names `sources:` in `.github/listbot.yml` uses for each source."""

_HF_HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}
_HF_NOT_MODELS = {"datasets", "spaces", "docs", "blog", "papers", "models", "api", "collections", "organizations"}


class Status(enum.Enum):
    FOUND = "found"
    MISSING = "missing"  # the source answered: there is no such paper, repository or model
    UNAVAILABLE = "unavailable"  # the source did not answer usefully (down, slow, rate-limited)
    UNKNOWN = "unknown"  # the source does not hold this identifier (e.g. a DataCite DOI): nothing to say


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class Author(NamedTuple):
    """One author as a source names them; a team has only a family name."""

    given: str
    family: str


class PaperFacts(NamedTuple):
    """What arXiv or Crossref says about a paper."""

    title: str
    authors: tuple[Author, ...]
    year: int
    month: int | None = None
    day: int | None = None
    journal: str | None = None  # the journal's (container's) name; None for an arXiv preprint
    related: frozenset[str] = frozenset()  # identity keys of other versions: "doi:…", "arxiv:…"

    @property
    def iso_date(self) -> str:
        """The date as the form accepts it: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`."""
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
            if self.day:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)


class RepoFacts(NamedTuple):
    """A GitHub repository as GitHub names it now (after any rename), and whether it is archived."""

    full_name: str
    archived: bool = False


class ModelFacts(NamedTuple):
    """A Hugging Face model as the Hub names it."""

    id: str


@dataclass(frozen=True)
class Lookup(Generic[T]):
    """One source's answer about one identifier."""

    source: str
    identifier: str
    status: Status
    facts: T | None = None
    detail: str = ""  # why it was unavailable, e.g. "timed out after 5 s" or "HTTP 503"

    @property
    def found(self) -> T | None:
        return self.facts if self.status is Status.FOUND else None


class Wanted(NamedTuple):
    """The identifiers a submission's links name: what to look up, and where."""

    arxiv: str | None = None
    doi: str | None = None
    repo: str | None = None  # `owner/name` as written in the code link
    model: str | None = None  # a Hugging Face model id, `owner/name`

    @property
    def empty(self) -> bool:
        return not (self.arxiv or self.doi or self.repo or self.model)


class Facts(NamedTuple):
    """Every lookup made for one submission; `None` where nothing was looked up."""

    paper: Lookup[PaperFacts] | None = None
    repo: Lookup[RepoFacts] | None = None
    model: Lookup[ModelFacts] | None = None


NO_FACTS = Facts()


def _text(values: Mapping[str, Any], field_id: str) -> str:
    value = values.get(field_id)
    return value.strip() if isinstance(value, str) else ""


def huggingface_model(url: str) -> str | None:
    """The model id of a Hugging Face model page (`https://huggingface.co/owner/name`), else None."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in _HF_HOSTS:
        return None
    segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    if len(segments) < 2 or segments[0].lower() in _HF_NOT_MODELS:
        return None
    return f"{segments[0]}/{segments[1]}"


def wanted(values: Mapping[str, Any]) -> Wanted:
    """What to look up for these form values: the paper link's arXiv id or DOI, the code link's
    GitHub repository and the model link's Hugging Face model. Invalid links ask for nothing
    (validation reports them)."""
    paper = _text(values, "paper_url")
    arxiv = _read_link(urls.arxiv_id, paper)
    doi = _read_link(urls.doi, paper) if arxiv is None else None
    repo = _read_link(urls.github_repo, _text(values, "code_url"))
    return Wanted(
        arxiv=arxiv,
        doi=doi,
        repo=f"{repo.owner}/{repo.name}" if repo else None,
        model=_read_link(huggingface_model, _text(values, "model_url")),
    )


def _read_link(read: Callable[[str], T | None], link: str) -> T | None:
    """`read(link)`, or None for no link and for one that is not a link of its kind or that
    `urlsplit` cannot take apart (`https://[x`): a `UrlError` or a `ValueError`."""
    if not link:
        return None
    try:
        return read(link)
    except ValueError:
        return None
