"""The GitHub App: its JWT, installation tokens (cached until near expiry) and one PyGithub client
per installation, paced and retried as GitHub advises."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import github
import jwt
from github import Auth, GithubIntegration
from github.HookDelivery import HookDeliverySummary
from github.PaginatedList import PaginatedList
from github.Repository import Repository

from bot.core.redelivery import DeliveryAttempt
from bot.gateway import transport
from bot.gateway.app_key import load_app_key
from bot.gateway.cache import DEFAULT_CACHE_BYTES, ShaCache
from bot.gateway.encodings import DEFAULT_ENCODING_BYTES, EncodingMemory
from bot.gateway.errors import translated, translating

TOKEN_REFRESH_MARGIN = dt.timedelta(minutes=5)  # refresh well before GitHub's 1-hour expiry
DELIVERY_PAGE = 100  # the most `GET /app/hook/deliveries` lists per page


@dataclass(frozen=True)
class ClientOptions:
    """How PyGithub paces requests: GitHub's advice in production, fast in tests.

    PyGithub itself never retries (`retry=None`): `bot.gateway.retry` is the one retry layer.
    """

    base_url: str = "https://api.github.com"
    request_pause: float = 0.25
    write_pause: float = 1.0
    timeout: float = 15.0
    file_cache_bytes: int = DEFAULT_CACHE_BYTES  # the bound of the per-commit file cache
    encoding_cache_bytes: int = DEFAULT_ENCODING_BYTES  # the bound of the written files' base64 kept

    def client(self, auth: Auth.Auth, memory: transport.ServerMemory) -> github.Github:
        """A PyGithub client authenticated with `auth`, paced as these options say, whose answers
        `memory` (its connection's) remembers."""
        client = github.Github(
            auth=auth,
            base_url=self.base_url,
            timeout=max(1, round(self.timeout)),
            retry=None,  # PyGithub's GithubRetry re-sends POSTs; bot.gateway.retry decides
            seconds_between_requests=self.request_pause,
            seconds_between_writes=self.write_pause,
            per_page=100,
            lazy=True,
        )
        transport.observe(client.requester, memory)
        return client


class InstallationTokens:
    """Installation tokens minted with the app JWT, cached per installation until near expiry."""

    def __init__(self, integration: GithubIntegration) -> None:
        self._integration = integration
        self._lock = threading.Lock()
        self._tokens: dict[int, tuple[str, dt.datetime]] = {}

    def token(self, installation_id: int) -> str:
        with self._lock:
            cached = self._tokens.get(installation_id)
            now = dt.datetime.now(dt.UTC)
            if cached is None or cached[1] - TOKEN_REFRESH_MARGIN <= now:
                minted = self._integration.get_access_token(installation_id)
                cached = (minted.token, minted.expires_at)
                self._tokens[installation_id] = cached
            return cached[0]

    def invalidate(self, installation_id: int) -> None:
        with self._lock:
            self._tokens.pop(installation_id, None)


class _InstallationAuth(Auth.Auth):
    """PyGithub auth that asks the shared token cache on every request."""

    def __init__(self, tokens: InstallationTokens, installation_id: int) -> None:
        self._tokens = tokens
        self._installation_id = installation_id

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        return self._tokens.token(self._installation_id)


def _jwt_signer(private_key: str) -> Callable[[dict[str, Any]], str]:
    """Sign the app's JWTs with one key object, built from the numbers the settings check read
    (`bot.gateway.app_key`): parsing the PEM for every JWT, as PyGithub does with a key string,
    costs tens of ms of CPU each time."""
    key = load_app_key(private_key)

    def sign(payload: dict[str, Any]) -> str:
        return jwt.encode(payload, key=key, algorithm="RS256")

    return sign


class GitHubApp:
    """The GitHub App: its JWT-authenticated integration and one client per installation, and
    `memory`, what all their answers said of the server (last success, rate-limit window)."""

    def __init__(self, app_id: int, private_key: str, options: ClientOptions) -> None:
        self.options = options
        self.memory = transport.ServerMemory(options.base_url)
        self._app_auth = Auth.AppAuth(app_id, sign_func=_jwt_signer(private_key))
        self.integration = GithubIntegration(
            auth=self._app_auth,
            base_url=options.base_url,
            timeout=max(1, round(options.timeout)),
            retry=None,
            seconds_between_requests=options.request_pause,
            seconds_between_writes=options.write_pause,
        )
        transport.observe(self.integration.requester, self.memory)
        self.tokens = InstallationTokens(self.integration)
        self.base_cache = ShaCache(options.file_cache_bytes)
        self.encodings = EncodingMemory(options.encoding_cache_bytes)
        self._clients: dict[int, github.Github] = {}
        self._lock = threading.Lock()
        self._bot_login: str | None = None
        self._credentials_ok: tuple[float, str] = (0.0, "")

    def client(self, installation_id: int) -> github.Github:
        with self._lock:
            if installation_id not in self._clients:
                self._clients[installation_id] = self.options.client(
                    _InstallationAuth(self.tokens, installation_id), self.memory
                )
            return self._clients[installation_id]

    @property
    def known_bot_login(self) -> str | None:
        """The bot's login if already fetched; never calls GitHub."""
        return self._bot_login

    @property
    def bot_login(self) -> str:
        """`{slug}[bot]`, the login GitHub shows for everything the app writes."""
        if self._bot_login is None:
            with translated():
                self._bot_login = f"{self.integration.get_app().slug}[bot]"
        return self._bot_login

    @translating
    def installations(self) -> list[tuple[int, list[tuple[str, str]]]]:
        """Every installation with its repositories' full names and default branches."""
        found = []
        for installation in self.integration.get_installations():
            repos = PaginatedList(
                Repository, self.client(installation.id).requester, "/installation/repositories", None,
                list_item="repositories",
            )
            found.append((installation.id, [(repo.full_name, repo.default_branch) for repo in repos]))
        return found

    @translating
    def check_credentials(self, max_age: float = 60.0) -> str:
        """Raise if the app's key and id do not authenticate; return the app's slug.

        A success is remembered for `max_age` seconds, so frequent health probes cost GitHub
        at most one request a minute.
        """
        checked_at, slug = self._credentials_ok
        if slug and time.monotonic() - checked_at < max_age:
            return slug
        slug = str(self.integration.get_app().slug)
        self._credentials_ok = (time.monotonic(), slug)
        return slug

    @translating
    def hook_deliveries(
        self, newer_than: int | None, since: dt.datetime, limit: int | None
    ) -> list[DeliveryAttempt]:
        """The app's webhook delivery log, newest first: entries after id `newer_than` (None: any)
        made at or after `since`, at most `limit` of them (None: all; pages follow the `Link` cursor)."""
        found: list[DeliveryAttempt] = []
        log = PaginatedList(
            HookDeliverySummary, self.integration.requester, "/app/hook/deliveries", {"per_page": DELIVERY_PAGE},
        )
        for item in log:
            number = int(item.id or 0)
            if (newer_than is not None and number <= newer_than) or _before(item.delivered_at, since):
                break
            found.append(DeliveryAttempt(
                number, str(item.guid), int(item.status_code or 0), bool(item.redelivery), str(item.event or ""),
            ))
            if limit is not None and len(found) >= limit:
                break
        return found

    @translating
    def redeliver(self, delivery_id: int) -> None:
        """Ask GitHub to send a logged delivery again (same GUID and body; 202)."""
        self.integration.requester.requestJsonAndCheck("POST", f"/app/hook/deliveries/{delivery_id}/attempts")


def _before(moment: dt.datetime | None, since: dt.datetime) -> bool:
    return moment is not None and moment.astimezone(dt.UTC) < since
