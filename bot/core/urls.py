"""Links: validating submitted URLs, recognising GitHub repositories and identifying papers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urlsplit

from bot.core.lazy_patterns import lazy_pattern

MAX_URL_LENGTH = 2000
URL_EXAMPLE = "`https://arxiv.org/abs/2401.12208`"

_HOST = lazy_pattern(r"(?=.{1,253}\Z)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_GITHUB_HOSTS = {"github.com", "www.github.com"}
_GITHUB_OWNER = lazy_pattern(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_GITHUB_REPO = lazy_pattern(r"[A-Za-z0-9._-]{1,100}")
# First path segments on github.com that are GitHub's own pages, never an owner.
_GITHUB_RESERVED = {
    "about", "apps", "collections", "enterprise", "explore", "features", "login", "marketplace",
    "new", "notifications", "orgs", "organizations", "pricing", "search", "settings", "sponsors",
    "topics", "trending", "users",
}
_ARXIV_ID = re.compile(
    r"(?:arxiv\.org|export\.arxiv\.org|ar5iv\.org|ar5iv\.labs\.arxiv\.org|huggingface\.co/papers|alphaxiv\.org/abs)"
    r"/(?:(?:abs|pdf|html)/)?(?:arxiv:)?"
    r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf|/index\.html)?/?$",
    re.IGNORECASE,
)
_ARXIV_PAGE = "https://arxiv.org/abs/{}"
_ARXIV_DOI = lazy_pattern(r"^10\.48550/arxiv\.(\d{4}\.\d{4,5})$")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s?#]+)", re.IGNORECASE)
# Publishers whose article URLs carry the DOI suffix without its prefix.
_DOI_HOSTS = {"nature.com": "10.1038"}
_ACL_ANTHOLOGY = lazy_pattern(r"/([A-Z]\d{2}-\d{4}|\d{4}\.[a-z0-9-]+\.\d+)(?:v\d+)?(?:\.pdf)?/?$", re.IGNORECASE)
_CVF_PAPER = lazy_pattern(r"/(?:papers|html)/([^/]+?)_paper\.(?:pdf|html)$")
# Sites that serve https, so an `http://` link to them is written `https://`.
HTTPS_HOSTS = frozenset({
    "arxiv.org", "doi.org", "dx.doi.org", "github.com", "gitlab.com", "huggingface.co", "openreview.net",
    "aclanthology.org", "openaccess.thecvf.com", "link.springer.com", "sciencedirect.com", "ieeexplore.ieee.org",
    "nature.com", "proceedings.mlr.press", "proceedings.neurips.cc", "papers.nips.cc", "ojs.aaai.org", "ijcai.org",
    "dl.acm.org", "pubs.rsna.org", "physionet.org", "medrxiv.org", "biorxiv.org", "pubmed.ncbi.nlm.nih.gov",
    "ncbi.nlm.nih.gov", "academic.oup.com", "onlinelibrary.wiley.com", "thelancet.com", "ai.nejm.org",
    "paperswithcode.com", "zenodo.org", "figshare.com", "aimi.stanford.edu", "openi.nlm.nih.gov", "mdpi.com",
    "frontiersin.org", "jamanetwork.com", "papers.miccai.org", "conferences.miccai.org", "aclweb.org",
    "semanticscholar.org", "researchgate.net", "bitbucket.org", "kaggle.com", "stanfordmlgroup.github.io",
})
# What people type in an optional link field to say there is no link.
NO_LINK = frozenset({
    "n/a", "na", "n.a.", "none", "no", "nil", "null", "-", "--", "–", "—", "/", "tbd", "tba", "todo",
    "not available", "not applicable", "coming soon", "not yet", "not released", "unavailable",
})
_MARKDOWN_LINK = lazy_pattern(r"\[[^\]]*\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?\s*\)")
_BARE_DOI = lazy_pattern(r"(?:doi\s*:?\s*)?(10\.\d{4,9}/\S+)", re.IGNORECASE)
_BARE_ARXIV = lazy_pattern(r"(?:arxiv\s*:?\s*)?(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)
_SCHEMELESS = lazy_pattern(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/\S*", re.IGNORECASE)
# Query parameters that never change which document a URL names.
_QUERY_NOISE = lazy_pattern(r"^(utm_.*|ref|ref_src|source|src|via|fbclid|gclid|mc_[a-z]+)$", re.I)


class UrlError(ValueError):
    """A link that cannot go into the list; the message says what a valid one looks like."""


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class GitHubRepo(NamedTuple):
    """The `owner/repo` a GitHub code link names; it becomes the stars badge."""

    owner: str
    name: str

    @property
    def url(self) -> str:
        return f"https://github.com/{self.owner}/{self.name}"

    @property
    def key(self) -> str:
        return f"{self.owner}/{self.name}".lower()


def _has_balanced_parentheses(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def validate_url(text: str) -> str:
    """Return the trimmed URL if it is an absolute http(s) link safe inside `[x](...)`."""
    url = text.strip()
    if any(char in url for char in "[]"):
        raise UrlError(
            f"the link contains `[` or `]`; paste only the address, such as {URL_EXAMPLE}, "
            "not a Markdown link or a list of links."
        )
    if not url:
        raise UrlError(f"the link is empty; paste a full address such as {URL_EXAMPLE}.")
    if len(url) > MAX_URL_LENGTH:
        raise UrlError(
            f"the link is {len(url)} characters long; the limit is {MAX_URL_LENGTH}: "
            f"use a shorter address for the same page, such as {URL_EXAMPLE}."
        )
    if any(char.isspace() or unicodedata.category(char) in {"Cc", "Cf"} for char in url):
        raise UrlError(
            f"the link contains spaces or invisible characters; use one address such as {URL_EXAMPLE}."
        )
    if any(char in url for char in "<>\"`\\{}|^"):
        raise UrlError(f"the link contains characters not allowed in a URL; use an address such as {URL_EXAMPLE}.")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise UrlError(f"`{url[:60]}` is not a web address listbot can read; use one such as {URL_EXAMPLE}.") from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise UrlError(f"only http:// and https:// links are accepted; use one such as {URL_EXAMPLE}.")
    if parts.username or parts.password:
        raise UrlError("the link must not contain a user name or password; use the address without them.")
    host = (parts.hostname or "").lower()
    if not _HOST().fullmatch(host):
        raise UrlError(f"`{host or url[:60]}` is not a public host name; use an address such as {URL_EXAMPLE}.")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise UrlError(
            f"the link has an invalid port number; use the address without it, such as {URL_EXAMPLE}."
        ) from None
    if not _has_balanced_parentheses(url):
        raise UrlError("the link has unbalanced parentheses; write them percent-encoded, as %28 and %29.")
    return url


def github_repo(url: str) -> GitHubRepo | None:
    """The repository a github.com URL names, or None when the URL is not on github.com (nor
    one `urlsplit` can read, such as `https://[x`: validation says what is wrong with it)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if (parts.hostname or "").lower() not in _GITHUB_HOSTS:
        return None
    segments = [segment for segment in parts.path.split("/") if segment]
    if len(segments) < 2:
        raise UrlError(
            "a GitHub code link must name a repository; use its address, like `https://github.com/owner/repo`."
        )
    owner, name = segments[0], segments[1].removesuffix(".git")
    if (
        owner.lower() in _GITHUB_RESERVED
        or not _GITHUB_OWNER().fullmatch(owner)
        or not _GITHUB_REPO().fullmatch(name)
        or name in {".", ".."}
    ):
        raise UrlError(
            f"`{owner}/{name}` is not a GitHub repository; use `https://github.com/owner/repo`."
        )
    return GitHubRepo(owner, name)


def arxiv_id(url: str) -> str | None:
    """The arXiv identifier of an abs/pdf/html link or an arXiv DOI, without its version."""
    return _arxiv_of(_read(url)[2], lambda: doi(url))


def _arxiv_of(address: str, doi_of: Callable[[], str | None]) -> str | None:
    """`address`: the link without its query and fragment."""
    match = _ARXIV_ID.search(address)
    if match:
        return match[1].lower()
    found = doi_of()
    arxiv = _ARXIV_DOI().match(found) if found else None
    return arxiv[1] if arxiv else None


def doi(url: str) -> str | None:
    """The DOI a link names (doi.org, a publisher URL that embeds it, or a known publisher's
    article URL), lower-cased."""
    parts = urlsplit(url)
    return _doi_of(parts, _bare_host(parts))


def _bare_host(parts: SplitResult) -> str:
    """The link's host, lower-cased, without `www.`."""
    return (parts.hostname or "").lower().removeprefix("www.")


def _doi_of(parts: SplitResult, host: str) -> str | None:
    path = unquote(parts.path)
    if match := _DOI.search(path):
        return match[1].rstrip("/.").lower()
    prefix = _DOI_HOSTS.get(host)
    if prefix and (article := re.fullmatch(r"/articles/([^/]+?)(?:\.pdf)?/?", path)):
        return f"{prefix}/{article[1]}".lower()
    return None


def _anthology_id(parts: SplitResult, host: str) -> str | None:
    """The ACL Anthology id (`2021.acl-long.459`) of a paper page or its pdf."""
    if host not in {"aclanthology.org", "aclweb.org"}:
        return None
    match = _ACL_ANTHOLOGY().search(parts.path)
    return match[1].lower() if match else None


def _cvf_id(parts: SplitResult, full_host: str) -> str | None:
    """The paper a CVF open-access pdf or html page names (`full_host`: the host lower-cased, `www.` kept)."""
    if full_host != "openaccess.thecvf.com":
        return None
    match = _CVF_PAPER().search(parts.path)
    return match[1].lower() if match else None


def openreview_id(url: str) -> str | None:
    """The OpenReview submission id of a forum or pdf link."""
    parts = urlsplit(url)
    return _openreview_of(parts, _bare_host(parts))


def _openreview_of(parts: SplitResult, host: str) -> str | None:
    if host != "openreview.net":
        return None
    ids = [value for key, value in parse_qsl(parts.query) if key == "id"]
    return ids[0] if ids else None


def normalised_url(url: str) -> str:
    """The URL with scheme, case, `www.`, trailing slash, fragment and tracking noise folded."""
    return _normalised(urlsplit(url.strip()))


def _normalised(parts: SplitResult, host: str | None = None) -> str:
    host = _bare_host(parts) if host is None else host
    path = parts.path.rstrip("/").lower()
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _QUERY_NOISE().match(k)] if (
        parts.query
    ) else []
    tail = f"?{urlencode(sorted(query))}" if query else ""
    return f"{host}{path}{tail}".lower()


# A link urlsplit would take apart without any of its special cases (no user, port, query,
# fragment, escapes, upper-case scheme or host, blanks or controls): most links in a list.
_SIMPLE_URL = re.compile(r"(https?)://([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(/[A-Za-z0-9._~/-]*)?")


def _split(url: str) -> SplitResult:
    """`urlsplit(url)`, read by one regex when the link is of the simple kind."""
    return _read(url)[0]


def _read(url: str) -> tuple[SplitResult, str, str]:
    """The link split (`urlsplit`), its host lower-cased and the link without query and
    fragment; a simple link is its own host and address, so only one regex reads it."""
    if simple := _SIMPLE_URL.fullmatch(url):
        return SplitResult(simple[1], simple[2], simple[3] or "", "", ""), simple[2], url
    parts = urlsplit(url)
    return parts, (parts.hostname or "").lower(), parts._replace(query="", fragment="").geturl()


# The link listbot writes for an arXiv paper (`canonical_link`), most links of a list: its keys are
# its address and its id (no DOI, OpenReview, Anthology or CVF id can be read from it). ASCII
# digits only: `\d` would take fullwidth ones, which no arXiv id has.
ARXIV_PAGE_LINK = re.compile(re.escape(_ARXIV_PAGE).replace(re.escape("{}"), r"([0-9]{4}\.[0-9]{4,5})"))


def identity_keys(url: str) -> set[str]:
    """Every key under which two links would name the same document (`_read_keys`), read at once
    for a link in the form listbot writes an arXiv paper's."""
    if page := ARXIV_PAGE_LINK.fullmatch(url):
        return {f"url:arxiv.org/abs/{page[1]}", f"arxiv:{page[1]}"}
    return _read_keys(url)


def _read_keys(url: str) -> set[str]:
    """Every key under which two links would name the same document.

    The link is split once and its host read once for every key (each used to split it again:
    five splits per link, 100,000 for a 20,000-entry list). A link `urlsplit` refuses
    (`https://[x`: a bracket that opens no IPv6 host) is only the same link as its own text: a
    hand-edited list may hold one, and lint reports it (LB015) instead of failing on it.
    """
    try:
        parts, full_host, address = _read(url)
    except ValueError:
        return {f"url:{url.strip()}"}
    host = full_host.removeprefix("www.")
    keys = {f"url:{_normalised(parts, host) if url == url.strip() else normalised_url(url)}"}
    found_doi = _doi_of(parts, host)
    if found := _arxiv_of(address, lambda: found_doi):
        keys.add(f"arxiv:{found}")
    if found_doi:
        keys.add(f"doi:{found_doi}")
    if found := _openreview_of(parts, host):
        keys.add(f"openreview:{found}")
    if found := _anthology_id(parts, host):
        keys.add(f"anthology:{found}")
    if found := _cvf_id(parts, full_host):
        keys.add(f"cvf:{found}")
    return keys


class Link(NamedTuple):
    """A link field as listbot writes it (None: no link) and why it differs from what was typed."""

    url: str | None
    reasons: tuple[str, ...] = ()


def read_link(text: str) -> Link:
    """What a submitter meant by a link field: the address inside a pasted Markdown link, a bare
    DOI or arXiv id as its page, `N/A`/`none`/`-`/`TBD` as no link; then `canonical_link`.

    Raises `UrlError` (saying what to write instead) when no valid address is left.
    """
    value = text.strip().removeprefix("\ufeff").strip()
    reasons: list[str] = []
    if value.casefold().rstrip(".") in NO_LINK or value.casefold() in NO_LINK:
        return Link(None, (f"`{value}` means there is no link",))
    if match := _MARKDOWN_LINK().fullmatch(value):
        value = match[1]
        reasons.append("the address inside the pasted Markdown link")
    elif value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    trimmed = value.rstrip(".,;")
    if trimmed != value:
        reasons.append(f"without the trailing `{value[len(trimmed):]}`")
        value = trimmed
    if match := _BARE_DOI().fullmatch(value):
        value = f"https://doi.org/{match[1]}"
        reasons.append("a DOI is written as its doi.org link")
    elif match := _BARE_ARXIV().fullmatch(value):
        value = _ARXIV_PAGE.format(match[1])
        reasons.append("an arXiv id is written as its abstract page")
    elif _SCHEMELESS().fullmatch(value):
        value = f"https://{value}"
        reasons.append("with `https://` in front")
    url = validate_url(value)
    canonical, why = canonical_link(url)
    return Link(canonical, (*reasons, *why))


def canonical_link(url: str) -> tuple[str, tuple[str, ...]]:
    """The form of a valid URL a maintainer writes: arXiv as `https://arxiv.org/abs/ID` (no
    version, no pdf), https for sites that serve it, publisher article pages instead of their pdfs."""
    reasons: list[str] = []
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if found := arxiv_id(url):
        page = _ARXIV_PAGE.format(found)
        if page != url:
            reasons.append("arXiv links are written as the abstract page, without version or pdf")
        return page, tuple(reasons)
    if host == "dx.doi.org" or (host == "doi.org" and parts.scheme == "http"):
        return f"https://doi.org{parts.path}", ("DOI links are written `https://doi.org/…`",)
    if parts.scheme.lower() == "http" and host.removeprefix("www.") in HTTPS_HOSTS:
        url = "https" + url[len(parts.scheme):]
        reasons.append(f"{host} is served over https")
    if host.removeprefix("www.") == "nature.com" and (pdf := re.fullmatch(r"(/articles/[^/]+)\.pdf", parts.path)):
        url = f"https://www.nature.com{pdf[1]}"
        reasons.append("a Nature article is linked by its page, not its pdf")
    elif (anthology := _anthology_id(urlsplit(url), _bare_host(urlsplit(url)))) and parts.path.endswith(".pdf"):
        url = f"https://aclanthology.org/{anthology}/"
        reasons.append("an ACL Anthology paper is linked by its page, not its pdf")
    elif (review := openreview_id(url)) and parts.path.rstrip("/") == "/pdf":
        url = f"https://openreview.net/forum?id={review}"
        reasons.append("an OpenReview paper is linked by its forum page, not its pdf")
    return url, tuple(reasons)
