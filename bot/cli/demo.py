"""`listbot demo [--body PATH]`: the whole job on this machine, with no GitHub account.

Starts the bundled GitHub emulator and the listbot service on free loopback ports, files an issue
(by default `examples/issue-body.md`, embedded in the package), waits for listbot and prints the
pull request it opened (title, body, diff) and its status comment, then stops both.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from importlib import resources
from typing import TextIO

from bot.cli.exits import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from bot.cli.sandbox import CONTRIBUTOR, LIST_PATH, REPO, Sandbox, prepare_repository, sandbox_settings
from bot.core.forms import form_from_yaml, parse_issue_body
from bot.core.markers import read_marker
from bot.core.messages import STATUS_KIND
from bot.core.template import render_template
from bot.emulator import GitHubEmulator

DEMO_DATA = resources.files("bot.cli") / "demo_data"
WAIT_SECONDS = 30.0
RULE = "─" * 78
TITLE_PREFIX = "[Paper]: "
NO_BODY = "listbot demo: cannot read `{path}`: {error}"
DID_NOT_FINISH = "listbot demo: listbot did not finish within {seconds:g} s."
NO_PULL = "listbot opened no pull request for this issue; its status comment says why."


def embedded(name: str) -> str:
    """A file the demo ships with (`list.md`, `issue-body.md`)."""
    return (DEMO_DATA / name).read_text(encoding="utf-8")


def _read_body(path: str | None) -> str:
    if path is None:
        return embedded("issue-body.md")
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as file:
        return file.read()


def _issue_title(body: str) -> str:
    """The title GitHub's form would give the issue: its prefix plus the paper's title field."""
    title = parse_issue_body(body, form_from_yaml(render_template())).get("title")
    return TITLE_PREFIX + (title.strip() if isinstance(title, str) and title.strip() else "untitled")


def _diff(before: str, after: str, path: str) -> str:
    return "".join(difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=f"a/{path}", tofile=f"b/{path}",
    ))


def _section(out: TextIO, heading: str, text: str) -> None:
    out.write(f"\n{RULE}\n{heading}\n{RULE}\n{text.rstrip()}\n")


def _report(github: GitHubEmulator, sandbox: Sandbox, number: int, out: TextIO) -> int:
    """Print listbot's pull request and status comment for issue `number`; EXIT_OK when it opened one."""
    branch = sandbox.settings.branch_prefix + str(number)
    pulls = [pull for pull in github.pulls(REPO, "all") if pull.head == branch]
    status = 0
    if pulls:
        pull = pulls[-1]
        before = github.file_at(REPO, pull.base, LIST_PATH) or ""
        after = github.file_at(REPO, pull.head_sha, LIST_PATH) or ""
        _section(out, f"Pull request #{pull.number} by @{pull.user} ({pull.state}): {pull.title}", pull.body or "")
        _section(out, f"Diff: {pull.base} ← {branch}", _diff(before, after, LIST_PATH))
    else:
        _section(out, "No pull request", NO_PULL)
        status = EXIT_INVALID
    comments = [c for c in github.comments(REPO, number) if read_marker(STATUS_KIND, c.body) is not None]
    for comment in comments:
        _section(out, f"Status comment on issue #{number} by @{comment.user}", comment.body)
    return status


def run(args: argparse.Namespace) -> int:
    """Run the demo; exit 0 when listbot opened a pull request, 1 when it declined, 2 on usage errors."""
    try:
        body = _read_body(args.body)
    except (OSError, UnicodeDecodeError) as error:
        print(NO_BODY.format(path=args.body, error=error), file=sys.stderr)
        return EXIT_USAGE
    out = sys.stdout
    started = time.monotonic()
    with GitHubEmulator() as github:
        app_id, key, secret = prepare_repository(github, embedded("list.md"))
        sandbox = Sandbox(github, sandbox_settings(github, app_id, key, secret))
        with sandbox.running():
            out.write(
                f"listbot demo: a GitHub emulator at {github.url} and listbot at {sandbox.url}, "
                "both on this machine.\n"
                f"Repository {REPO} holds the list ({LIST_PATH}) and the issue form; listbot is installed on it.\n"
            )
            title = _issue_title(body)
            number = github.create_issue(REPO, CONTRIBUTOR, title, body, ["submission"])
            _section(out, f"Issue #{number} by @{CONTRIBUTOR}: {title}", body)
            try:
                sandbox.wait_idle(WAIT_SECONDS)
            except TimeoutError:
                print(DID_NOT_FINISH.format(seconds=WAIT_SECONDS), file=sys.stderr)
                return EXIT_INVALID
            status = _report(github, sandbox, number, out)
    out.write(f"\nlistbot demo: done in {time.monotonic() - started:.1f} s; the emulator and listbot are stopped.\n")
    return EXIT_OK if status == 0 else status
