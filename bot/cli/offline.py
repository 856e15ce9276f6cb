"""Offline commands: preview and apply a submission, generate the form, parse an issue body."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.cli.exits import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from bot.core.forms import IssueForm, form_from_yaml, load_form, parse_issue_body
from bot.core.proposal import Proposal, propose
from bot.core.submission import SubmissionError
from bot.core.template import TEMPLATE_PATH, render_template


class UsageError(Exception):
    """A command-line mistake: a missing file, an unreadable template."""


def _read_text(path: str, what: str) -> str:
    # Bytes, not text mode: text mode would turn a CRLF list into LF and rewrite every line.
    if path == "-":
        return sys.stdin.buffer.read().decode("utf-8")
    try:
        return Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise UsageError(f"{what} `{path}` does not exist.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {what} `{path}`: {error}.") from None


def _form(template: str | None) -> IssueForm:
    if template is None:
        return form_from_yaml(render_template())
    try:
        return load_form(Path(template))
    except FileNotFoundError:
        raise UsageError(f"template `{template}` does not exist.") from None
    except (OSError, ValueError) as error:
        raise UsageError(f"template `{template}` is not a valid issue form: {error}") from None


def _proposal(args: argparse.Namespace) -> Proposal:
    form = _form(args.template)
    body = _read_text(args.body, "issue body")
    list_text = _read_text(args.list_path, "list")
    return propose(parse_issue_body(body, form), list_text)


def _run(args: argparse.Namespace, write: bool) -> int:
    try:
        proposal = _proposal(args)
    except UsageError as error:
        print(f"listbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SubmissionError as error:
        print("listbot: the submission cannot be added:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_INVALID
    if write:
        Path(args.list_path).write_bytes(proposal.after.encode("utf-8"))
        print(
            f"listbot: added “{proposal.paper.title}” to {proposal.paper.section} "
            f"(line {proposal.insertion.line} of {args.list_path})."
        )
    else:
        sys.stdout.write(proposal.diff(args.list_path))
    return EXIT_OK


def preview(args: argparse.Namespace) -> int:
    """`listbot preview BODY [--list PATH]`: print the PR's diff; write nothing."""
    return _run(args, write=False)


def apply(args: argparse.Namespace) -> int:
    """`listbot apply BODY [--list PATH]`: write the entry into the list."""
    return _run(args, write=True)


def template(args: argparse.Namespace) -> int:
    """`listbot template [--check]`: write the issue form, or check the committed one is current."""
    path = Path(args.output or TEMPLATE_PATH)
    expected = render_template()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != expected:
            state = "is missing" if current is None else "is stale"
            print(f"listbot: {path} {state}; run `listbot template` and commit it.", file=sys.stderr)
            return EXIT_INVALID
        print(f"listbot: {path} is up to date.")
        return EXIT_OK
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(expected, encoding="utf-8")
    print(f"listbot: wrote {path}.")
    return EXIT_OK


def form_parse(args: argparse.Namespace) -> int:
    """`listbot form parse BODY --template TEMPLATE`: the body as JSON keyed by field id."""
    try:
        form = _form(args.template)
        body = _read_text(args.body, "issue body")
    except UsageError as error:
        print(f"listbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(parse_issue_body(body, form), indent=2, ensure_ascii=False))
    return EXIT_OK
