"""`/listbot` commands for maintainers: one table, posted as the answer to `/listbot help` and
printed in README.md's "For maintainers" section (a test keeps the README equal to it)."""

from __future__ import annotations

from dataclasses import dataclass

HELP_KIND = "help"  # the marker kind on listbot's answers to `/listbot help`
MAINTAINERS = (
    "people with at least `commands.permission` on the repository (write by default), "
    "and the logins in `commands.users`"
)
ANYONE = "anyone who can comment on the issue"


@dataclass(frozen=True)
class Command:
    """One `/listbot` command: what to type, who may run it and what it does."""

    name: str
    who: str
    what: str

    @property
    def usage(self) -> str:
        return f"/listbot {self.name}"


COMMANDS = (
    Command(
        "refresh",
        MAINTAINERS,
        "Look at this issue again now, as a resync would: re-read the issue, the list on the default "
        "branch and `.github/listbot.yml`, then bring the pull request, labels and status comment up to "
        "date. A pull request a maintainer closed stays closed, and a branch someone else pushed to is "
        "left alone.",
    ),
    Command(
        "recreate",
        MAINTAINERS,
        "Start this submission afresh: rewrite listbot's branch from the default branch and update (or "
        "reopen, or open again) its pull request, even after a maintainer closed it or someone else "
        "pushed to the branch. Their commits on the branch are replaced.",
    ),
    Command(
        "help",
        ANYONE,
        "Answer with this table.",
    ),
)
INTRO = (
    "Start a comment on a submission's issue with one of these. A command from someone who may not "
    "run it is declined with a reply; `commands.permission` and `commands.users` are set in "
    "`.github/listbot.yml`. listbot reacts with 👀 when it takes a command on and replies once it is "
    "done. Each command is carried out once: a repeated delivery of it does nothing, and one that "
    "was not carried out when listbot stopped is carried out when it starts again."
)


def help_table() -> str:
    """The commands as a Markdown table (the README section's body)."""
    rows = [f"| `{c.usage}` | {c.who} | {c.what} |" for c in COMMANDS]
    return "\n".join(["| command | who may run it | what it does |", "|---|---|---|", *rows])


def command_names() -> tuple[str, ...]:
    """What may follow `/listbot ` at the start of a comment."""
    return tuple(command.name for command in COMMANDS)


def help_text() -> str:
    """The README section's text: the introduction, then the table."""
    return f"{INTRO}\n\n{help_table()}\n"
