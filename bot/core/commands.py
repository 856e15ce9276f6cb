"""`/listbot` commands: who may run them, and the one reply to someone who may not."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core import messages
from bot.core.facts import CommentView
from bot.core.markers import read_marker, write_marker
from bot.core.rules import Rules
from bot.core.writes import PostComment

# GitHub's repository roles, weakest first. `role_name`, not the legacy `permission` field, which
# reports maintain as write. Triage ranks with read: it cannot push.
ROLE_RANKS = {"none": 0, "read": 1, "triage": 1, "write": 2, "maintain": 3, "admin": 4}


def allowed_without_role(login: str, rules: Rules, bot_login: str) -> bool | None:
    """The answer when the login alone decides it (allow-list, listbot itself, nobody), else
    None: then the person's repository role decides."""
    if login.casefold() in {user.casefold() for user in rules.command_users}:
        return True
    if login == bot_login or not login:
        return False
    return None


def role_allows(role: str | None, rules: Rules) -> bool:
    """Whether a repository role ranks at least the configured command permission."""
    return ROLE_RANKS.get(str(role), 0) >= ROLE_RANKS[rules.command_permission]


def may_run_commands(login: str, role: str | None, rules: Rules, bot_login: str) -> bool:
    """Whether `login` (with repository role `role`) may run `/listbot` commands."""
    decided = allowed_without_role(login, rules, bot_login)
    return decided if decided is not None else role_allows(role, rules)


def reply_once(
    issue: int, command_comment: int, comments: Iterable[CommentView], bot_login: str, kind: str, text: str
) -> list[PostComment]:
    """Answer a command comment with `text`, unless an earlier delivery already did: the reply's
    `kind` marker names the comment it answers."""
    for comment in comments:
        marker = read_marker(kind, comment.body)
        if comment.author == bot_login and marker and marker.get("comment") == command_comment:
            return []
    return [PostComment(issue, f"{text}\n\n{write_marker(kind, {'comment': command_comment})}")]


def decline(
    issue: int, command_comment: int, author: str, comments: Iterable[CommentView], bot_login: str
) -> list[PostComment]:
    """The reply saying a command was not run: one per person and issue, however many commands
    they post (or deliveries repeat them); the reply's marker names the comment and the person."""
    for comment in comments:
        marker = read_marker(messages.REPLY_KIND, comment.body)
        if comment.author != bot_login or not marker:
            continue
        if marker.get("comment") == command_comment or str(marker.get("user", "")).lower() == author.lower():
            return []
    written = write_marker(messages.REPLY_KIND, {"comment": command_comment, "user": author})
    return [PostComment(issue, f"{messages.COMMAND_DECLINED}\n\n{written}")]
