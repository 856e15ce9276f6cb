"""Tests for who may run `/listbot` commands, the replies, and the log that makes each happen once."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import messages
from bot.core.commands import (
    DONE_KIND,
    RECENT_COMMANDS,
    CommandLog,
    PostedCommand,
    allowed_without_role,
    body_digest,
    command_in,
    command_log,
    decline,
    done_reply,
    doubled_replies,
    handled,
    log_writes,
    may_run_commands,
    next_log,
    pending,
    posted_commands,
    role_allows,
)
from bot.core.facts import CommentView
from bot.core.markers import read_marker, write_marker
from bot.core.rules import Rules
from bot.core.writes import DeleteComment, EditComment, PostComment

BOT = "listbot[bot]"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("maintain", True), ("write", True), ("triage", False), ("read", False),
     ("none", False), (None, False), ("unheard-of", False)],
)
def test_write_access_or_more_may_run_commands_by_default(role: str | None, allowed: bool) -> None:
    """By default, people with write, maintain or admin may run commands; triage and read may not."""
    assert may_run_commands("mona", role, Rules(), BOT) is allowed


def test_the_configured_permission_raises_the_bar() -> None:
    """With `commands.permission: maintain`, write is no longer enough but maintain and admin are."""
    rules = Rules(command_permission="maintain")
    assert not role_allows("write", rules)
    assert role_allows("maintain", rules)
    assert role_allows("admin", rules)


def test_allow_listed_users_need_no_role_whatever_their_case() -> None:
    """A login on `commands.users` may run commands without a repository role (case-insensitively)."""
    rules = Rules(command_users=frozenset({"Octocat"}))
    assert allowed_without_role("octocat", rules, BOT) is True
    assert may_run_commands("OCTOCAT", None, rules, BOT)


def test_listbot_itself_and_an_empty_login_never_run_commands() -> None:
    """The bot's own comments and anonymous ones are refused without asking GitHub for a role."""
    assert allowed_without_role(BOT, Rules(), BOT) is False
    assert allowed_without_role("", Rules(), BOT) is False
    assert allowed_without_role("mona", Rules(), BOT) is None


def test_a_declined_command_gets_one_reply_per_person() -> None:
    """The reply's marker names the comment and its author: a redelivery, or five more commands
    from the same person, post nothing; someone else's command gets its own reply."""
    [reply] = decline(7, 42, "mallory", [], BOT)
    assert isinstance(reply, PostComment)
    assert reply.issue == 7
    assert messages.COMMAND_DECLINED in reply.body
    assert read_marker(messages.REPLY_KIND, reply.body) == {"comment": 42, "user": "mallory"}
    posted = [CommentView(50, reply.body, BOT)]
    assert decline(7, 42, "mallory", posted, BOT) == []
    assert all(decline(7, n, "Mallory", posted, BOT) == [] for n in range(43, 48))
    assert decline(7, 43, "trudy", posted, BOT) != []
    assert decline(7, 42, "mallory", [CommentView(50, reply.body, "mallory")], BOT) != []


# --- which comments are commands, and the log that makes each happen once ---------------------------


def status_with(log: dict[str, object] | None, comment_id: int = 9) -> CommentView:
    """listbot's status comment on issue 7, logging `log` (None: a status from before the log)."""
    body = messages.proposed_comment(7, 8, "A title", "2024")
    if log is not None:
        body = messages.with_marker_fields(body, {"commands": log})
    return CommentView(comment_id, body, BOT)


def test_a_command_is_a_comment_that_starts_with_one() -> None:
    """`/listbot NAME` at the start, any case, after blanks; anywhere else it is plain text."""
    assert command_in("/listbot recreate") == "recreate"
    assert command_in("  /LISTBOT Refresh please") == "refresh"
    assert command_in("please /listbot recreate") is None
    assert command_in("/listbot recreated") is None
    assert command_in("/listbot") is None


@given(st.lists(st.integers(1, 10_000), max_size=60))
def test_the_log_holds_every_command_added_and_stays_small(ids: list[int]) -> None:
    """Whatever order commands are logged in, each stays logged and at most 20 ids are listed."""
    log = CommandLog()
    for comment_id in ids:
        log = log.adding(comment_id)
    assert all(log.has(comment_id) for comment_id in ids)
    assert len(log.ran) <= RECENT_COMMANDS
    assert all(comment_id > log.upto for comment_id in log.ran)
    assert command_log(status_with(log.as_marker())) == log


def test_a_malformed_or_missing_log_is_none() -> None:
    """No status, a status from before the log, or a log that is not two kinds of ids: None."""
    assert command_log(None) is None
    assert command_log(status_with(None)) is None
    bad_logs: list[dict[str, object]] = [
        {"upto": "3", "ran": []}, {"upto": 3, "ran": [True]}, {"upto": -1, "ran": []}, {"ran": []},
    ]
    for bad in bad_logs:
        assert command_log(status_with(bad)) is None
    assert command_log(status_with({"upto": 3, "ran": [2, 5]})) == CommandLog(3, (5,))


def test_posted_commands_know_which_were_answered() -> None:
    """Each command comment, marked answered when a reply of listbot's (done, help, decline) names it."""
    comments = [
        CommentView(10, "/listbot recreate", "mona"),
        CommentView(11, "/listbot help", "eve"),
        CommentView(12, "/listbot refresh", "mallory"),
        CommentView(13, "just a remark", "mona"),
        CommentView(14, "/listbot refresh", "mona"),
        CommentView(15, "/listbot refresh", BOT),
        CommentView(20, "Done.\n\n" + write_marker(DONE_KIND, {"comment": 10}), BOT),
        CommentView(21, "Help\n\n" + write_marker("help", {"comment": 11}), BOT),
        CommentView(22, "Sorry\n\n" + write_marker("reply", {"comment": 12, "user": "mallory"}), BOT),
        CommentView(23, "forged\n\n" + write_marker(DONE_KIND, {"comment": 14}), "mona"),
    ]
    posted = posted_commands(comments, BOT)
    assert [(p.id, p.command, p.answered) for p in posted] == [
        (10, "recreate", True), (11, "help", True), (12, "refresh", True), (14, "refresh", False),
    ]
    assert posted[0].digest == body_digest("/listbot recreate")


def test_pending_commands_are_those_neither_logged_nor_answered() -> None:
    """A status that logs commands tells which were never handled; one from before the log tells none."""
    posted = (
        PostedCommand(10, "mona", "recreate", "a"), PostedCommand(30, "mona", "refresh", "b", answered=True),
        PostedCommand(40, "mona", "refresh", "c"), PostedCommand(50, "mona", "recreate", "d"),
    )
    status = status_with({"upto": 20, "ran": [40]})
    assert [p.id for p in pending(status, posted)] == [50]
    assert pending(status_with(None), posted) == ()
    assert pending(None, posted) == ()
    assert [handled(n, status, posted) for n in (10, 30, 40, 50)] == [True, True, True, False]
    assert [handled(n, status_with(None), posted) for n in (10, 30, 50)] == [False, True, False]


def test_the_next_log_adds_the_command_carried_out() -> None:
    """A first status starts an empty log; an old status adopts every posted command as handled."""
    posted = (PostedCommand(10, "mona", "recreate", "a"), PostedCommand(50, "mona", "refresh", "b"))
    assert next_log(None, posted) == CommandLog()
    assert next_log(None, posted, 50) == CommandLog(0, (50,))
    assert next_log(status_with(None), posted) is None
    assert next_log(status_with(None), posted, 60) == CommandLog(50, (60,))
    assert next_log(status_with({"upto": 5, "ran": []}), posted, 50) == CommandLog(5, (50,))


def test_an_old_status_adopts_only_commands_older_than_an_hour() -> None:
    """A status from before the log, rewritten: a command posted minutes ago may still have its
    delivery or job on the way, so it stays pending; one from hours ago counts as handled."""
    now = dt.datetime(2026, 12, 6, 3, 0, tzinfo=dt.UTC)
    posted = (
        PostedCommand(10, "mona", "recreate", "a", created_at=now - dt.timedelta(hours=5)),
        PostedCommand(50, "mona", "recreate", "b", created_at=now - dt.timedelta(seconds=20)),
        PostedCommand(60, "mona", "refresh", "c", created_at=now - dt.timedelta(seconds=5)),
    )
    log = next_log(status_with(None), posted, 60, now)
    assert log == CommandLog(10, (60,))
    assert [p.id for p in pending(status_with(log.as_marker()), posted)] == [50]
    [edit] = log_writes(7, status_with(None), posted, 60, now)
    assert isinstance(edit, EditComment)
    assert command_log(CommentView(9, edit.body, BOT)) == CommandLog(10, (60,))


def test_a_command_handled_without_a_reconcile_is_logged_in_one_status_edit() -> None:
    """A declined, edited or deleted command is logged in the status marker; once, and only with a status."""
    posted = (PostedCommand(50, "mallory", "recreate", "a"),)
    status = status_with({"upto": 0, "ran": []})
    [edit] = log_writes(7, status, posted, 50)
    assert isinstance(edit, EditComment)
    assert edit.comment_id == status.id
    assert command_log(CommentView(9, edit.body, BOT)) == CommandLog(0, (50,))
    assert edit.body.split("<!--")[0] == status.body.split("<!--")[0]
    assert log_writes(7, CommentView(9, edit.body, BOT), posted, 50) == []
    assert log_writes(7, None, posted, 50) == []


def test_the_done_reply_says_where_the_submission_stands_once() -> None:
    """After a command the reply names the open PR (or points at the status), and is posted once."""
    status = status_with({"upto": 0, "ran": [50]})
    [reply] = done_reply(7, "recreate", 50, [status], BOT)
    assert isinstance(reply, PostComment)
    assert "#8" in reply.body
    assert read_marker(DONE_KIND, reply.body) == {"comment": 50}
    assert done_reply(7, "recreate", 50, [status, CommentView(60, reply.body, BOT)], BOT) == []
    closed = CommentView(9, messages.maintainer_closed_comment(7, 8), BOT)
    [note] = done_reply(7, "refresh", 51, [closed], BOT)
    assert messages.COMMAND_DONE_STATUS.strip() in note.body
    [nothing] = done_reply(7, "refresh", 52, [], BOT)
    assert "no submission" in nothing.body


def test_a_doubled_reply_to_one_command_keeps_the_oldest() -> None:
    """Two replicas answering one command at once: every reply after the oldest goes, others stay."""
    def reply(comment_id: int, command: int, author: str = BOT) -> CommentView:
        return CommentView(comment_id, "Done.\n\n" + write_marker(DONE_KIND, {"comment": command}), author)

    comments = [reply(20, 10), reply(21, 11), reply(22, 10), reply(23, 10, "mona"), reply(24, 10)]
    assert doubled_replies(7, 10, comments, BOT, DONE_KIND) == [DeleteComment(7, 22), DeleteComment(7, 24)]
    assert doubled_replies(7, 11, comments, BOT, DONE_KIND) == []
