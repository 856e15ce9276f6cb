"""Tests for who may run `/listbot` commands and the reply to those who may not."""

from __future__ import annotations

import pytest

from bot.core import messages
from bot.core.commands import allowed_without_role, decline, may_run_commands, role_allows
from bot.core.facts import CommentView
from bot.core.markers import read_marker
from bot.core.rules import Rules
from bot.core.writes import PostComment

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
