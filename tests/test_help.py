"""`/listbot help`: one text, answered on GitHub and printed in README.md's "For maintainers"."""

from __future__ import annotations

import re

from bot.core.help import COMMANDS, help_text
from bot.core.markers import read_marker
from bot.emulator import GitHubEmulator
from tests.deployment import CONTRIBUTOR, deployed
from tests.factories import ROOT


def _readme_section(title: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n\n(.*?)(?=^## )", readme, re.MULTILINE | re.DOTALL)
    assert match is not None, f"README.md has no '## {title}' section"
    return match[1].rstrip("\n") + "\n"


def test_readme_for_maintainers_is_the_help_text() -> None:
    """README.md's "For maintainers" section is exactly what `/listbot help` answers."""
    assert _readme_section("For maintainers") == help_text(), (
        "README.md's 'For maintainers' section differs from bot/core/help.py; paste this:\n\n" + help_text()
    )


def test_every_command_is_listed_with_who_and_what() -> None:
    """Each command appears once in the table with who may run it and what it does."""
    table = help_text()
    for command in COMMANDS:
        assert table.count(f"| `{command.usage}` |") == 1
        assert command.who
        assert command.what
    assert [c.usage for c in COMMANDS] == ["/listbot refresh", "/listbot recreate", "/listbot help"]


def test_anyone_gets_the_help_table_once(github_emulator: GitHubEmulator) -> None:
    """`/listbot help` from a reader is answered with the table; a redelivery posts nothing more."""
    with deployed(github_emulator) as deployment:
        number = deployment.file_issue()
        comment_id = deployment.comment(number, CONTRIBUTOR, "/listbot help")
        [reply] = [c for c in deployment.bot_comments(number) if read_marker("help", c.body) is not None]
        assert reply.body.startswith(help_text())
        assert read_marker("help", reply.body) == {"comment": comment_id}
        [event] = [p for e, p in github_emulator.events if e == "issue_comment" and p["comment"]["id"] == comment_id]
        assert deployment.deliver("issue_comment", event) == 202
        deployment.wait_idle()
        assert len([c for c in deployment.bot_comments(number) if read_marker("help", c.body)]) == 1
        assert deployment.pull_for(number).state == "open"
