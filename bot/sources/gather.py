"""Asking every enabled source about one submission, with caching, pacing and counting.

`Sources.gather` takes what the core says a submission's links name (`Wanted`) and returns the
`Facts`; it never raises for a source's fault (a lookup then says `UNAVAILABLE`, and why).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from bot.core.lookups import (
    SOURCE_KEYS,
    Facts,
    Lookup,
    ModelFacts,
    PaperFacts,
    RepoFacts,
    Wanted,
)
from bot.sources import arxiv, crossref, huggingface
from bot.sources.memo import LookupCache, Pacer

T = TypeVar("T")
RepoLookup = Callable[[str], Lookup[RepoFacts]]
ALL_SOURCES = frozenset(SOURCE_KEYS)


class SourceConfigError(ValueError):
    """A `LISTBOT_*` source variable that cannot be used; the message names it and an example."""


@dataclass(frozen=True)
class SourceSettings:
    """Where the sources are and how politely to ask them (from the `LISTBOT_*` environment)."""

    arxiv_url: str = arxiv.DEFAULT_URL
    crossref_url: str = crossref.DEFAULT_URL
    hf_url: str = huggingface.DEFAULT_URL
    timeout: float = 5.0  # seconds per request: a slow source must never hold a submission up long
    arxiv_interval: float = 3.0  # arXiv asks for one request every three seconds
    contact_email: str | None = None  # Crossref's polite pool
    cache_ttl: float = 6 * 3600.0
    enabled: frozenset[str] = ALL_SOURCES  # `LISTBOT_SOURCES`: what this deployment may ask at all

    @classmethod
    def off(cls) -> SourceSettings:
        """Sources turned off for the whole deployment (an air-gapped server, the sandbox)."""
        return cls(enabled=frozenset())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SourceSettings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, key in (("LISTBOT_ARXIV_API_URL", "arxiv_url"), ("LISTBOT_CROSSREF_API_URL", "crossref_url"),
                          ("LISTBOT_HF_API_URL", "hf_url")):
            if raw := env.get(name, "").strip():
                if not raw.startswith(("https://", "http://")):
                    raise SourceConfigError(f"{name}={raw} is not an http(s) URL; e.g. {name}={getattr(cls, key)}")
                values[key] = raw.rstrip("/") if key != "arxiv_url" else raw
        for name, key, example in (("LISTBOT_SOURCES_TIMEOUT", "timeout", "5"),
                                   ("LISTBOT_ARXIV_INTERVAL", "arxiv_interval", "3")):
            if raw := env.get(name, "").strip():
                values[key] = _seconds(name, raw, example)
        if (listed := env.get("LISTBOT_SOURCES", "").strip()) and listed.lower() != "all":
            values["enabled"] = _enabled(listed)
        if email := env.get("LISTBOT_CONTACT_EMAIL", "").strip():
            if "@" not in email or any(char.isspace() for char in email):
                raise SourceConfigError(f"LISTBOT_CONTACT_EMAIL={email} is not an e-mail address; "
                                        "e.g. LISTBOT_CONTACT_EMAIL=maintainers@example.org")
            values["contact_email"] = email
        return cls(**values)  # type: ignore[arg-type]


def _enabled(listed: str) -> frozenset[str]:
    """`arxiv,crossref` → those sources; `none` → no source at all."""
    if listed.lower() == "none":
        return frozenset()
    names = frozenset(name.strip().lower() for name in listed.split(",") if name.strip())
    unknown = sorted(names - ALL_SOURCES)
    if unknown:
        known = ",".join(sorted(ALL_SOURCES))
        raise SourceConfigError(f"LISTBOT_SOURCES names `{unknown[0]}`, which is not a source; use `none`, `all` or "
                                f"some of {known} (e.g. LISTBOT_SOURCES=arxiv,crossref)")
    return names


def _seconds(name: str, raw: str, example: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < 3600:
        raise SourceConfigError(f"{name}={raw} is not a number of seconds; e.g. {name}={example}")
    return value


@dataclass
class SourceStats:
    """Requests sent to the sources and the time spent waiting for them (for `bench/`)."""

    requests: int = 0
    cached: int = 0
    seconds: float = 0.0


class Sources:
    """The sources listbot asks, each behind a cache by identifier; thread-safe."""

    def __init__(self, settings: SourceSettings | None = None) -> None:
        self.settings = settings or SourceSettings()
        s = self.settings
        self.arxiv = arxiv.ArxivSource(s.arxiv_url, s.timeout, Pacer(s.arxiv_interval))
        self.crossref = crossref.CrossrefSource(s.crossref_url, s.timeout, s.contact_email)
        self.huggingface = huggingface.HuggingFaceSource(s.hf_url, s.timeout)
        self._papers: LookupCache[PaperFacts] = LookupCache(s.cache_ttl)
        self._repos: LookupCache[RepoFacts] = LookupCache(s.cache_ttl)
        self._models: LookupCache[ModelFacts] = LookupCache(s.cache_ttl)
        self.stats = SourceStats()
        self._lock = threading.Lock()

    def _cached(self, cache: LookupCache[T], key: str, fetch: Callable[[], Lookup[T]]) -> Lookup[T]:
        started = time.monotonic()
        found, fetched = cache.lookup(key, fetch)
        with self._lock:
            if fetched:
                self.stats.requests += 1
                self.stats.seconds += time.monotonic() - started
            else:
                self.stats.cached += 1
        return found

    def gather(
        self, wanted: Wanted, enabled: frozenset[str] = ALL_SOURCES, repo_lookup: RepoLookup | None = None
    ) -> Facts:
        """Look up what `wanted` names with the `enabled` sources (`arxiv`, `crossref`, `github`,
        `huggingface`); GitHub only when the caller passes the bot's `repo_lookup`."""
        enabled = enabled & self.settings.enabled
        paper: Lookup[PaperFacts] | None = None
        if wanted.arxiv and "arxiv" in enabled:
            arxiv_id = wanted.arxiv
            paper = self._cached(self._papers, f"arxiv:{arxiv_id}", lambda: self.arxiv.lookup(arxiv_id))
        elif wanted.doi and "crossref" in enabled:
            doi = wanted.doi
            paper = self._cached(self._papers, f"doi:{doi}", lambda: self.crossref.lookup(doi))
        repo: Lookup[RepoFacts] | None = None
        if wanted.repo and "github" in enabled and repo_lookup is not None:
            name, lookup = wanted.repo, repo_lookup
            repo = self._cached(self._repos, name, lambda: lookup(name))
        model: Lookup[ModelFacts] | None = None
        if wanted.model and "huggingface" in enabled:
            model_id = wanted.model
            model = self._cached(self._models, model_id.lower(), lambda: self.huggingface.lookup(model_id))
        return Facts(paper=paper, repo=repo, model=model)
