"""`listbot lint [PATH...] [--fix] [--format text|github] [--config PATH]`: print each list's
findings, optionally after repairing it.

The list's kinds (and their forms) come from the repository's `.github/listbot.yml`, so each
kind's entries are checked against its own template; without PATH the configured list is linted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.exits import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from bot.cli.repo import Repository, UsageError, load_repository
from bot.core.annotations import error_annotation, workflow_command
from bot.core.lint import Finding, fix, lint

MISSING_FILE = "listbot: `{path}` does not exist."
UNREADABLE_FILE = "listbot: cannot read `{path}`: {error}."
FIXED = "listbot: fixed `{path}`."


def _finding_line(finding: Finding, path: str, output_format: str) -> str:
    """`PATH:LINE:COL: CODE message` (text), or a GitHub error annotation (github)."""
    if output_format == "github":
        return error_annotation(path.removeprefix("./"), finding.line, finding.col, finding.code, finding.message)
    return finding.format(path)


def _usage_error(message: str, output_format: str) -> None:
    """Say why a file could not be linted: on stderr, and as an annotation in a workflow."""
    print(message, file=sys.stderr)
    if output_format == "github":
        print(workflow_command("error", {"title": "listbot lint"}, message))


def _read(path: Path) -> str:
    """The file's text byte-exactly (no newline translation), or `OSError`/`UnicodeError`."""
    return path.read_bytes().decode("utf-8")


def _lint_one(name: str, repair: bool, output_format: str, repo: Repository) -> int:
    """Lint (and with `repair` first fix) one file; its exit status."""
    path = Path(name)
    try:
        text = _read(path)
    except FileNotFoundError:
        _usage_error(MISSING_FILE.format(path=name), output_format)
        return EXIT_USAGE
    except (OSError, UnicodeError) as error:
        _usage_error(UNREADABLE_FILE.format(path=name, error=error), output_format)
        return EXIT_USAGE
    if repair:
        fixed = fix(text, repo.rules.kinds, repo.forms)
        if fixed != text:
            path.write_bytes(fixed.encode("utf-8"))
            print(FIXED.format(path=name), file=sys.stderr)
            text = fixed
    findings = lint(text, repo.rules.kinds, repo.forms)
    for finding in findings:
        print(_finding_line(finding, name, output_format))
    return EXIT_INVALID if findings else EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Lint every PATH; exit 0 all clean, 1 findings, 2 a file could not be read (the worst wins)."""
    try:
        repo = load_repository(getattr(args, "config", None))
    except UsageError as error:
        _usage_error(f"listbot: {error}", args.format)
        return EXIT_USAGE
    paths = args.paths or [repo.list_path(None)]
    statuses = [_lint_one(name, args.fix, args.format, repo) for name in paths]
    return max(statuses, default=EXIT_OK)
