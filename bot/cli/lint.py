"""`listbot lint [PATH] [--fix]`: print the list's findings, optionally after repairing it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.exits import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from bot.core.lint import fix, lint

MISSING_FILE = "listbot: `{path}` does not exist."
UNREADABLE_FILE = "listbot: cannot read `{path}`: {error}."
FIXED = "listbot: fixed `{path}`."


def _read(path: Path) -> str:
    """The file's text byte-exactly (no newline translation), or `OSError`/`UnicodeError`."""
    return path.read_bytes().decode("utf-8")


def run(args: argparse.Namespace) -> int:
    """Lint (and with `--fix` first repair) the list; exit 0 clean, 1 findings, 2 usage error."""
    path = Path(args.path)
    try:
        text = _read(path)
    except FileNotFoundError:
        print(MISSING_FILE.format(path=args.path), file=sys.stderr)
        return EXIT_USAGE
    except (OSError, UnicodeError) as error:
        print(UNREADABLE_FILE.format(path=args.path, error=error), file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "fix", False):
        fixed = fix(text)
        if fixed != text:
            path.write_bytes(fixed.encode("utf-8"))
            print(FIXED.format(path=args.path), file=sys.stderr)
            text = fixed
    findings = lint(text)
    for finding in findings:
        print(finding.format(args.path))
    return EXIT_INVALID if findings else EXIT_OK
