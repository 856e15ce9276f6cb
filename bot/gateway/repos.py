"""Facts about the GitHub repository behind a code link, read with the bot's own client.

Through the installation token the bot already holds (or, offline, an optional personal token):
does the repository exist, how GitHub spells it now (a renamed repository answers 301 and
PyGithub follows it to the new name), and is it archived.
"""

from __future__ import annotations

import github
from github import Auth

from bot.core.lookups import GITHUB, Lookup, RepoFacts, Status
from bot.gateway.errors import GitHubError, NotFound, PermissionDenied, translated

DEFAULT_API_URL = "https://api.github.com"


def repository_facts(client: github.Github, full_name: str) -> Lookup[RepoFacts]:
    """What GitHub says about `owner/name`: found (canonical name, archived), missing or unavailable."""
    try:
        with translated():
            repo = client.get_repo(full_name)
            archived = bool(repo.archived)  # reading it fetches the repository, even from a lazy client
            facts = RepoFacts(repo.full_name, archived)
    except NotFound:
        return Lookup(GITHUB, full_name, Status.MISSING)
    except PermissionDenied as error:  # e.g. a repository blocked for legal reasons (451 is a 403 here)
        return Lookup(GITHUB, full_name, Status.UNAVAILABLE, detail=f"HTTP {error.status}")
    except GitHubError as error:
        detail = f"HTTP {error.status}" if error.status else error.__class__.__name__
        return Lookup(GITHUB, full_name, Status.UNAVAILABLE, detail=detail)
    except RuntimeError as error:  # PyGithub refuses a redirect to another host
        return Lookup(GITHUB, full_name, Status.UNAVAILABLE, detail=str(error)[:80])
    return Lookup(GITHUB, full_name, Status.FOUND, facts)


def public_client(base_url: str = DEFAULT_API_URL, token: str | None = None, timeout: float = 5.0) -> github.Github:
    """A client for the offline CLI: anonymous (60 requests an hour) or with `GITHUB_TOKEN`."""
    return github.Github(
        auth=Auth.Token(token) if token else None, base_url=base_url, timeout=int(max(1, timeout)), retry=0,
    )
