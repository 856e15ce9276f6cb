"""One plain token in place of the GitHub App: a workflow's `GITHUB_TOKEN` (or a personal or app
token) for the one repository it may write to. `listbot action` runs the reconciler with it."""

from __future__ import annotations

from typing import Protocol

import github
from github import Auth

from bot.gateway.app import ClientOptions
from bot.gateway.cache import ShaCache
from bot.gateway.encodings import EncodingMemory
from bot.gateway.errors import PermissionDenied, translated, translating
from bot.gateway.transport import ServerMemory

# Jobs carry an installation id; a plain token belongs to no installation listbot knows of.
TOKEN_INSTALLATION = 0
# Who a workflow's GITHUB_TOKEN acts as (GET /user answers 403 for it, as for any integration).
ACTIONS_BOT = "github-actions[bot]"


class TokenRefresh(Protocol):
    def invalidate(self, installation_id: int) -> None: ...


class Credentials(Protocol):
    """What the reconciler needs to reach GitHub: the App (`GitHubApp`) or one token (`GitHubToken`)."""

    @property
    def tokens(self) -> TokenRefresh: ...

    @property
    def base_cache(self) -> ShaCache: ...

    @property
    def encodings(self) -> EncodingMemory: ...

    @property
    def known_bot_login(self) -> str | None: ...

    @property
    def bot_login(self) -> str: ...

    def client(self, installation_id: int) -> github.Github: ...

    def installations(self) -> list[tuple[int, list[tuple[str, str]]]]: ...


class _FixedToken:
    """A plain token cannot be minted again: after a 401 the retry simply fails as well."""

    def invalidate(self, installation_id: int) -> None:
        return None


class GitHubToken:
    """A plain token, for one repository; `bot_login` is whoever GitHub says the token acts as;
    `memory`, what its answers said of the server."""

    def __init__(self, token: str, repository: str, options: ClientOptions, bot_login: str | None = None) -> None:
        self.repository = repository
        self.tokens = _FixedToken()
        self.base_cache = ShaCache(options.file_cache_bytes)
        self.encodings = EncodingMemory(options.encoding_cache_bytes)
        self.memory = ServerMemory(options.base_url)
        self._client = options.client(Auth.Token(token), self.memory)
        self._bot_login = bot_login

    def client(self, installation_id: int) -> github.Github:
        return self._client

    @property
    def known_bot_login(self) -> str | None:
        return self._bot_login

    @property
    def bot_login(self) -> str:
        """The login the token writes as: a user's for a personal token, else `github-actions[bot]`."""
        if self._bot_login is None:
            try:
                with translated():
                    self._bot_login = str(self._client.get_user().login)
            except PermissionDenied:  # an integration's token (GITHUB_TOKEN) is no user
                self._bot_login = ACTIONS_BOT
        return self._bot_login

    @translating
    def installations(self) -> list[tuple[int, list[tuple[str, str]]]]:
        """The token's one repository, with its default branch (this also checks the token works)."""
        repo = self._client.get_repo(self.repository)
        return [(TOKEN_INSTALLATION, [(repo.full_name, repo.default_branch)])]
