"""End-to-end: PRs an older listbot marked with the edited list's fingerprint, after an upgrade."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.core.markers import fingerprint, read_marker
from bot.emulator import GitHubEmulator
from tests.deployment import Deployment, deployed

pytestmark = pytest.mark.e2e


@pytest.fixture
def listbot(github_emulator: GitHubEmulator) -> Iterator[Deployment]:
    """listbot deployed against a fresh emulator with the seed list on `main`."""
    with deployed(github_emulator) as deployment:
        yield deployment


def test_a_right_pull_marked_by_an_older_listbot_gets_no_write(listbot: Deployment) -> None:
    """A right PR whose marker records its list's fingerprint, as listbot wrote them before, is
    reconciled without a write."""
    github = listbot.github
    number = listbot.file_issue()
    [pull] = listbot.open_pulls()
    marker = read_marker("pull", pull.body)
    assert marker is not None
    text = listbot.list_on(pull.head)
    assert text is not None
    older = pull.body.replace(str(marker["list"]), fingerprint(text))
    assert older != pull.body
    with github.deliveries_paused(drop=True):
        github.edit_issue(listbot.repo, pull.number, body=older, actor=listbot.bot)
    head, comments = github.branches(listbot.repo)[pull.head], listbot.bot_comments(number)

    github.reset_requests()
    event, payload = github.webhook("issues", "opened", listbot.repo, issue=number)
    assert listbot.deliver(event, payload) == 202
    listbot.wait_idle()
    assert github.requests.count("GET", rf"/issues/{number}$")  # the issue was reconciled
    assert github.requests.count(write_only=True) == 0
    [still] = listbot.open_pulls()
    assert still.body == older
    assert github.branches(listbot.repo)[pull.head] == head
    assert [comment.body for comment in listbot.bot_comments(number)] == [comment.body for comment in comments]
