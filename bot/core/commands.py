"""`/listbot` commands: which comments are commands, who may run them, the replies, and the log
of handled commands that makes each happen once.

The log lives in the status comment's marker (`commands`: every comment id up to `upto`, plus the
ids in `ran`), so it survives restarts: a delivery replayed after the in-process memory of
deliveries is gone finds its comment logged and does nothing, and the resync carries out a command
that was acknowledged but never run (posted, neither logged nor answered).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core import messages
from bot.core.facts import CommentView
from bot.core.help import HELP_KIND, command_names
from bot.core.markers import fingerprint, read_marker, write_marker
from bot.core.ownership import recorded_pull, status_comments
from bot.core.rules import Rules
from bot.core.writes import DeleteComment, EditComment, PostComment, Write

# A command is a comment that starts with one; anchored and without nested repetition: linear.
_COMMAND = re.compile(rf"\s*/listbot\s+({'|'.join(command_names())})\b", re.IGNORECASE)
DONE_KIND = "done"  # the marker kind on listbot's reply once a command was carried out
RECENT_COMMANDS = 20  # ids kept in the log beside `upto`; older ones fold into `upto`
LOG_FIELD = "commands"  # the status marker's field holding the log
# A status from before the log adopts only commands at least this old: a newer one may still have
# its delivery or job on the way (or be waiting in the queue), and must not count as handled.
ADOPT_AFTER = dt.timedelta(hours=1)
_ANSWER_KINDS = (DONE_KIND, HELP_KIND, messages.REPLY_KIND)


def command_in(body: str) -> str | None:
    """The `/listbot` command a comment starts with (lower case), or None."""
    match = _COMMAND.match(body)
    return match[1].lower() if match else None


def body_digest(body: str) -> str:
    """A short hash of a command comment's body: a comment edited since its delivery differs."""
    return fingerprint(body)


@dataclass(frozen=True)
class PostedCommand:
    """A `/listbot` command comment on an issue, and whether one of listbot's replies names it."""

    id: int
    author: str
    command: str
    digest: str
    answered: bool = False
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class CommandLog:
    """The command comments listbot has handled on one issue: every id up to `upto`, and `ran`
    (at most `RECENT_COMMANDS`, each above `upto`). GitHub's comment ids grow over time, so the
    oldest fold into `upto` and the log stays small however many commands an issue gets."""

    upto: int = 0
    ran: tuple[int, ...] = ()

    def has(self, comment_id: int) -> bool:
        return comment_id <= self.upto or comment_id in self.ran

    def adding(self, comment_id: int) -> CommandLog:
        if self.has(comment_id):
            return self
        ran = sorted({*self.ran, comment_id})
        upto = self.upto
        while len(ran) > RECENT_COMMANDS:
            upto = max(upto, ran.pop(0))
        return CommandLog(upto, tuple(ran))

    def as_marker(self) -> dict[str, Any]:
        return {"upto": self.upto, "ran": list(self.ran)}


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def command_log(status: CommentView | None) -> CommandLog | None:
    """The log a status comment's marker records; None when it records none (no status, or one
    written before listbot kept the log) or a malformed one."""
    marker = read_marker(messages.STATUS_KIND, status.body) if status else None
    logged = marker.get(LOG_FIELD) if marker else None
    if not isinstance(logged, dict):
        return None
    upto, ran = logged.get("upto"), logged.get("ran")
    if not _is_id(upto) or not isinstance(ran, list) or not all(_is_id(i) for i in ran):
        return None
    return CommandLog(int(upto), tuple(sorted(int(i) for i in ran if i > upto)))  # type: ignore[arg-type]


def posted_commands(comments: Sequence[CommentView], bot_login: str) -> tuple[PostedCommand, ...]:
    """Every command comment on an issue (listbot's own aside), oldest first, each marked
    answered when a reply of listbot's marker names it (a done reply, a help answer, a decline)."""
    answered: set[object] = set()
    for comment in comments:
        if comment.author == bot_login:
            for kind in _ANSWER_KINDS:
                marker = read_marker(kind, comment.body)
                if marker is not None:
                    answered.add(marker.get("comment"))
    posted = []
    for comment in comments:
        command = command_in(comment.body) if comment.author != bot_login else None
        if command is not None:
            posted.append(PostedCommand(
                comment.id, comment.author, command, body_digest(comment.body), comment.id in answered,
                comment.created_at,
            ))
    return tuple(posted)


def next_log(
    status: CommentView | None,
    posted: Sequence[PostedCommand],
    handling: int | None = None,
    now: dt.datetime | None = None,
) -> CommandLog | None:
    """The log the next status records: the current one plus `handling` (the command being
    carried out). A status written before listbot kept the log gets one from `adopted_log`; with
    nothing to add, None: such a status is not rewritten only to add a log."""
    log = command_log(status)
    if log is None and status is None:
        log = CommandLog()
    if log is None:
        if handling is None:
            return None
        log = adopted_log(posted, now)
    return log.adding(handling) if handling is not None else log


def adopted_log(posted: Sequence[PostedCommand], now: dt.datetime | None = None) -> CommandLog:
    """The first log of a status written before listbot kept one: every command posted at least
    `ADOPT_AFTER` before `now` counts as handled (that listbot ran it then, or never will, cannot
    be told apart). Newer ones stay out, so they are pending: a command posted seconds ago whose
    job has not run yet is carried out, not taken for done. (`now` None: every command.)"""
    adopted = [command.id for command in posted if _older(command.created_at, now)]
    return CommandLog(upto=max(adopted, default=0))


def _older(created_at: dt.datetime | None, now: dt.datetime | None) -> bool:
    if created_at is None or now is None:
        return True  # cannot tell: as before the log, the command counts as handled
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=dt.UTC)
    return created_at <= now - ADOPT_AFTER


def handled(comment_id: int, status: CommentView | None, posted: Sequence[PostedCommand]) -> bool:
    """Whether listbot already handled this command comment: logged in the status, or answered."""
    log = command_log(status)
    if log is not None and log.has(comment_id):
        return True
    return any(command.id == comment_id and command.answered for command in posted)


def pending(status: CommentView | None, posted: Sequence[PostedCommand]) -> tuple[PostedCommand, ...]:
    """Commands posted but never handled (acknowledged, then the process stopped or gave up):
    neither logged nor answered. Only a status that keeps a log can tell."""
    log = command_log(status)
    if log is None:
        return ()
    return tuple(command for command in posted if not command.answered and not log.has(command.id))


def log_writes(
    issue: int,
    status: CommentView | None,
    posted: Sequence[PostedCommand],
    comment_id: int,
    now: dt.datetime | None = None,
) -> list[Write]:
    """Log a command handled without a reconcile (declined, changed or gone) in the status's
    marker: nothing when there is no status or it is logged already."""
    log = next_log(status, posted, comment_id, now)
    if status is None or log is None or log == command_log(status):
        return []
    return [EditComment(issue, status.id, messages.with_marker_fields(status.body, {LOG_FIELD: log.as_marker()}))]

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


def doubled_replies(
    issue: int, command_comment: int, comments: Iterable[CommentView], bot_login: str, kind: str
) -> list[DeleteComment]:
    """listbot's `kind` replies to one command after the oldest: two replicas that got the same
    delivery answered at once. Whoever posted last reads both back, so one always goes."""
    replies = [
        comment for comment in comments
        if comment.author == bot_login and (read_marker(kind, comment.body) or {}).get("comment") == command_comment
    ]
    return [DeleteComment(issue, comment.id) for comment in replies[1:]]


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


def done_reply(
    issue: int, command: str, comment_id: int, comments: Sequence[CommentView], bot_login: str
) -> list[PostComment]:
    """The reply once a command was carried out, saying where the submission stands (its status),
    unless an earlier run already posted it."""
    statuses = status_comments(comments, bot_login)
    status = statuses[0] if statuses else None
    marker = read_marker(messages.STATUS_KIND, status.body) if status else None
    state = str(marker.get("state")) if marker else None
    text = messages.command_done(command, state, recorded_pull(status))
    return reply_once(issue, comment_id, comments, bot_login, DONE_KIND, text)
