"""`/listbot` commands happen exactly once: a replayed delivery (same GUID, same bytes) does nothing,
before or after a restart, and a command acknowledged but not carried out before the process stopped
is carried out by the next start-up resync. Asserted on the emulator: PR state, reactions, replies."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.core.markers import read_marker, write_marker
from bot.emulator import GitHubEmulator
from tests.deployment import MAINTAINER, REPO, Deployment, deployed

pytestmark = pytest.mark.e2e

EYES = [("listbot[bot]", "eyes")]


@pytest.fixture
def listbot(github_emulator: GitHubEmulator) -> Iterator[Deployment]:
    with deployed(github_emulator) as deployment:
        yield deployment


def done_replies(listbot: Deployment, number: int) -> list[Any]:
    """listbot's replies saying a command was carried out."""
    return [c for c in listbot.bot_comments(number) if read_marker("done", c.body) is not None]


def delivery_of(listbot: Deployment, comment_id: int) -> tuple[str, dict[str, Any], str]:
    """The `issue_comment` delivery GitHub made for a comment: event, payload and GUID."""
    with listbot.github.lock:
        [made] = [
            d for d in listbot.github.state.hook_deliveries
            if d.event == "issue_comment" and d.payload["comment"]["id"] == comment_id
        ]
    return made.event, made.payload, made.guid


def closed_by_maintainer(listbot: Deployment, number: int) -> int:
    """Close issue `number`'s PR as a maintainer would; its number."""
    pull = listbot.pull_for(number)
    listbot.github.close_issue(REPO, pull.number, actor=MAINTAINER)
    listbot.wait_idle()
    assert listbot.pull_for(number).state == "closed"
    return int(pull.number)


def test_a_replayed_recreate_is_ignored_before_and_after_a_restart(listbot: Deployment) -> None:
    """A maintainer's `/listbot recreate` reopens the PR once: its delivery POSTed again byte for
    byte after the maintainer closed the PR changes nothing, in the same process (the delivery id is
    remembered) and after a restart (the status comment logs the command)."""
    number = listbot.file_issue()
    closed_by_maintainer(listbot, number)
    comment = listbot.comment(number, MAINTAINER, "/listbot recreate")
    assert listbot.pull_for(number).state == "open"
    assert listbot.github.reactions(REPO, comment) == EYES
    [reply] = done_replies(listbot, number)
    assert f"#{listbot.pull_for(number).number}" in reply.body

    event, payload, guid = delivery_of(listbot, comment)
    closed_by_maintainer(listbot, number)
    assert listbot.deliver(event, payload, guid) == 202
    listbot.wait_idle()
    assert listbot.pull_for(number).state == "closed"

    listbot.restart()
    listbot.wait_idle()
    assert listbot.deliver(event, payload, guid) == 202
    listbot.wait_idle()
    assert listbot.pull_for(number).state == "closed"
    assert listbot.github.reactions(REPO, comment) == EYES
    assert len(done_replies(listbot, number)) == 1
    assert len(listbot.status_comments(number)) == 1
    assert "maintainer closed" in listbot.status_comments(number)[0].body


def test_a_command_acknowledged_but_not_run_before_a_stop_runs_once_after_the_restart(
    github_emulator: GitHubEmulator,
) -> None:
    """A `/listbot recreate` whose delivery was acknowledged while GitHub failed the command's
    reads, then the process stopped: the start-up resync finds it and carries it out, once."""
    with deployed(github_emulator, retry_base_delay=2.0) as listbot:
        github = listbot.github
        number = listbot.file_issue()
        closed_by_maintainer(listbot, number)
        github.faults.fail("GET", rf"/issues/{number}$", status=502, times=None)
        comment = listbot.comment(number, MAINTAINER, "/listbot recreate", wait=False)
        _wait_until(lambda: github.faults.injected > 0 and _acknowledged(listbot, comment))
        listbot.stop_service()
        github.faults.clear()
        assert listbot.pull_for(number).state == "closed"
        assert github.reactions(REPO, comment) == []
        assert done_replies(listbot, number) == []

        listbot.start_service()
        listbot.wait_idle()
        assert listbot.pull_for(number).state == "open"
        assert github.reactions(REPO, comment) == EYES
        assert len(done_replies(listbot, number)) == 1

        closed_by_maintainer(listbot, number)
        listbot.restart()
        listbot.wait_idle()
        assert listbot.pull_for(number).state == "closed"
        assert len(done_replies(listbot, number)) == 1
        assert len(listbot.status_comments(number)) == 1


def _acknowledged(listbot: Deployment, comment_id: int) -> bool:
    with listbot.github.lock:
        return any(
            d.event == "issue_comment" and d.payload["comment"]["id"] == comment_id and d.status_code == 202
            for d in listbot.github.state.hook_deliveries
        )


def _wait_until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.01)


def test_the_status_log_alone_stops_a_replay_after_a_restart(listbot: Deployment) -> None:
    """With listbot's reply deleted, the status comment's log still tells a replay after a restart
    from a new command: the replay changes nothing."""
    github = listbot.github
    number = listbot.file_issue()
    closed_by_maintainer(listbot, number)
    comment = listbot.comment(number, MAINTAINER, "/listbot recreate")
    [reply] = done_replies(listbot, number)
    github.delete_comment(REPO, reply.id)
    event, payload, guid = delivery_of(listbot, comment)
    closed_by_maintainer(listbot, number)

    listbot.restart()
    listbot.wait_idle()
    assert listbot.deliver(event, payload, guid) == 202
    listbot.wait_idle()
    assert listbot.pull_for(number).state == "closed"
    assert done_replies(listbot, number) == []


def test_a_command_edited_deleted_or_no_longer_permitted_before_it_runs_is_not_carried_out(
    listbot: Deployment,
) -> None:
    """Before acting, listbot reads the command again: an edited comment, a deleted one, and one
    whose author lost write access meanwhile reopen nothing (the last gets the one polite reply)."""
    github = listbot.github
    number = listbot.file_issue()
    closed_by_maintainer(listbot, number)
    github.add_user("wes", "write", repo=REPO)
    with github.deliveries_paused():
        edited = listbot.comment(number, MAINTAINER, "/listbot recreate", wait=False)
        github.edit_comment(REPO, edited, "/listbot recreate? no, never mind")
        deleted = listbot.comment(number, MAINTAINER, "/listbot recreate", wait=False)
        github.delete_comment(REPO, deleted)
        revoked = listbot.comment(number, "wes", "/listbot recreate", wait=False)
        github.add_user("wes", "read", repo=REPO)
    listbot.wait_idle()
    assert listbot.pull_for(number).state == "closed"
    assert github.reactions(REPO, edited) == []
    assert github.reactions(REPO, revoked) == []
    assert done_replies(listbot, number) == []
    declined = [c for c in listbot.bot_comments(number) if read_marker("reply", c.body) is not None]
    assert [read_marker("reply", c.body) for c in declined] == [{"comment": revoked, "user": "wes"}]

    listbot.restart()  # the start-up resync finds nothing left to carry out
    listbot.wait_idle()
    assert listbot.pull_for(number).state == "closed"
    assert done_replies(listbot, number) == []


def test_two_replicas_getting_the_same_command_answer_it_once(github_emulator: GitHubEmulator) -> None:
    """Both replicas receive each command's delivery and may answer at the same moment: each
    command ends with one 👀 and one reply (the later poster reads the replies back)."""
    with deployed(github_emulator, replicas=2) as listbot:
        number = listbot.file_issue()
        commands = [listbot.comment(number, MAINTAINER, "/listbot refresh") for _ in range(4)]
        replies = [read_marker("done", c.body) for c in done_replies(listbot, number)]
        assert replies == [{"comment": comment} for comment in commands]
        assert all(listbot.github.reactions(REPO, comment) == EYES for comment in commands)
        assert len(listbot.status_comments(number)) == 1


def test_a_status_from_before_the_log_does_not_swallow_a_command_posted_just_before_its_rewrite(
    listbot: Deployment,
) -> None:
    """A status written before listbot logged commands, rewritten (the submission was edited)
    while a `/listbot recreate` posted a moment earlier has not run yet: the command is not taken
    for handled; it is carried out once, and its late delivery then changes nothing."""
    github = listbot.github
    number = listbot.file_issue()
    [status] = listbot.status_comments(number)
    marker = read_marker("status", status.body)
    assert marker is not None
    assert "commands" in marker
    del marker["commands"]
    text, _, _ = status.body.rpartition("\n\n<!-- listbot:")
    github.edit_comment(REPO, status.id, f"{text}\n\n{write_marker('status', marker)}")
    listbot.wait_idle()
    with github.deliveries_paused(drop=True):
        comment = listbot.comment(number, MAINTAINER, "/listbot recreate", wait=False)
    [(event, payload)] = [
        (d.event, d.payload) for d in github.deliveries
        if d.event == "issue_comment" and d.payload["comment"]["id"] == comment
    ]
    listbot.edit_issue(number, title="RadRotator v2: Better Reports")
    assert "RadRotator v2" in listbot.status_comments(number)[0].body
    assert github.reactions(REPO, comment) == EYES
    assert len(done_replies(listbot, number)) == 1

    assert listbot.deliver(event, payload, "late-delivery") == 202
    listbot.wait_idle()
    assert github.reactions(REPO, comment) == EYES
    assert len(done_replies(listbot, number)) == 1


def test_a_reaction_github_refuses_with_404_does_not_stop_the_command(listbot: Deployment) -> None:
    """The 👀 is a courtesy: when GitHub answers 404 to it (the comment deleted that moment), the
    command is still carried out and answered."""
    github = listbot.github
    number = listbot.file_issue()
    closed_by_maintainer(listbot, number)
    github.faults.fail("POST", r"/issues/comments/\d+/reactions$", status=404, times=None)
    listbot.comment(number, MAINTAINER, "/listbot recreate")
    github.faults.clear()
    assert listbot.pull_for(number).state == "open"
    assert len(done_replies(listbot, number)) == 1
