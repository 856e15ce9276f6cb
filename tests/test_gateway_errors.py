"""Tests for how GitHub's answers become listbot's own errors at the gateway's edge."""

from __future__ import annotations

import pytest
import requests
from github import GithubException

from bot.gateway import errors
from bot.gateway.errors import translate, translated


def answer(status: int, message: str = "", **headers: str) -> BaseException:
    """What the gateway raises for a GitHub answer PyGithub turned into an exception."""
    return translate(GithubException(status, {"message": message}, headers))


def test_missing_and_deleted_objects_are_not_found() -> None:
    """404 and 410 both mean the object is not there."""
    assert isinstance(answer(404, "Not Found"), errors.NotFound)
    assert isinstance(answer(410, "This issue was deleted"), errors.NotFound)


def test_a_create_that_lost_a_race_is_already_exists() -> None:
    """422 "Reference already exists" and "A pull request already exists" are AlreadyExists."""
    assert isinstance(answer(422, "Reference already exists"), errors.AlreadyExists)
    nested = translate(GithubException(422, {"message": "Validation Failed", "errors": [
        {"message": "A pull request already exists for acme:listbot/issue-1."}
    ]}))
    assert isinstance(nested, errors.AlreadyExists)
    assert isinstance(answer(422, "Validation Failed"), errors.Rejected)
    assert not isinstance(answer(422, "Validation Failed"), errors.AlreadyExists)


def test_rate_limits_carry_the_wait_github_asked_for() -> None:
    """A 403 or 429 rate limit says how long to wait: Retry-After, else the reset, else the default."""
    told = answer(429, "secondary rate limit", **{"Retry-After": "7"})
    assert isinstance(told, errors.RateLimited)
    assert told.wait(60) == 7
    reset = answer(403, "API rate limit exceeded", **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1030"})
    assert isinstance(reset, errors.RateLimited)
    assert reset.wait(60, now=1000) == 31
    untold = answer(403, "You have exceeded a secondary rate limit")
    assert isinstance(untold, errors.RateLimited)
    assert untold.wait(60) == 60


def test_a_plain_403_is_a_missing_permission() -> None:
    """A 403 that is not a rate limit means the app lacks a permission."""
    assert isinstance(answer(403, "Resource not accessible by integration"), errors.PermissionDenied)


def test_credentials_conflicts_and_server_faults_have_their_own_types() -> None:
    """401 is bad credentials, 409 a moved SHA, 5xx transient, a dropped connection unreachable."""
    assert isinstance(answer(401, "Bad credentials"), errors.BadCredentials)
    assert isinstance(answer(409, "sha does not match"), errors.Conflict)
    assert isinstance(answer(502, "Bad Gateway"), errors.Transient)
    dropped = translate(requests.exceptions.ConnectionError("reset"))
    assert isinstance(dropped, errors.Unreachable)
    assert isinstance(dropped, errors.Transient)


def test_translated_blocks_raise_listbot_errors_and_keep_the_cause() -> None:
    """Inside `translated()` a PyGithub exception comes out as a listbot error chained to it."""
    original = GithubException(404, {"message": "Not Found"}, {})
    with pytest.raises(errors.NotFound) as raised, translated():
        raise original
    assert raised.value.__cause__ is original
    assert raised.value.status == 404


def test_other_exceptions_pass_through_untouched() -> None:
    """A bug is not disguised as a GitHub error."""
    bug = ValueError("bug")
    assert translate(bug) is bug
