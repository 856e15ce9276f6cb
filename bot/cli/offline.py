"""Offline commands: preview and apply a submission, generate the form, parse an issue body."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.cli.exits import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from bot.cli.repo import Repository, UsageError, load_repository
from bot.core import lookups
from bot.core.forms import IssueForm, form_from_yaml, load_form, parse_issue, parse_issue_body
from bot.core.kinds import PAPER, Kind, kind_by_body
from bot.core.lookups import NO_FACTS, Facts
from bot.core.proposal import Proposal, propose
from bot.core.rules import Rules
from bot.core.sourced import SourceWait, propose_sourced
from bot.core.submission import SubmissionError
from bot.core.template import CHOOSER_PATH, builtin_forms, chooser_list_url, render_chooser, render_template
from bot.core.venues import table_for

_GITHUB_REMOTE = re.compile(r"(?:https://github\.com/|git@github\.com:)([\w.-]+)/([\w.-]+?)(?:\.git)?/?")


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


def _kind_and_form(args: argparse.Namespace, repo: Repository, body: str) -> tuple[Kind, IssueForm]:
    """The kind the body is read as (`--kind`, else the one whose form's headings it matches)."""
    template = _form(args.template) if args.template else None
    if args.kind:
        kind = repo.kind(args.kind)
    else:
        found = kind_by_body(repo.rules.kinds, repo.forms, body)
        if found is None and template is None:
            known = ", ".join(f"`{kind.name}`" for kind in repo.rules.kinds)
            raise UsageError(f"the body's headings match none of the kinds' forms; pass `--kind` (one of {known}).")
        kind = found or repo.rules.kinds[0]
        if found is not None:
            print(f"listbot: reading the body as a `{kind.name}` submission "
                  f"(its headings match `{kind.form_path}`).", file=sys.stderr)
    form = template or repo.forms.get(kind.name)
    if form is None:
        raise UsageError(f"the kind `{kind.name}` cannot be used: {repo.missing_forms.get(kind.name)}.")
    return kind, form


def _lookups(args: argparse.Namespace, values: Mapping[str, Any], rules: Rules) -> Facts:
    """What arXiv, Crossref, GitHub and the Hub say about the submission's links (none with `--no-fetch`)."""
    wanted = lookups.wanted(values)
    if args.no_fetch or wanted.empty:
        return NO_FACTS
    # Imported here: PyGithub and the HTTP clients take longer to import than `apply --no-fetch`
    # takes to check and place an entry in a 20,000-entry list.
    from bot.gateway.repos import DEFAULT_API_URL, public_client, repository_facts
    from bot.sources.gather import SourceConfigError, Sources, SourceSettings

    try:
        settings = SourceSettings.from_env()
    except SourceConfigError as error:
        raise UsageError(str(error)) from None
    token = os.environ.get("GITHUB_TOKEN", "").strip() or None
    client = public_client(os.environ.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL, token, settings.timeout)
    return Sources(settings).gather(wanted, rules.enabled_sources, lambda name: repository_facts(client, name))


def _proposal(args: argparse.Namespace) -> tuple[Proposal, str]:
    repo = load_repository(args.config)
    body = _read_text(args.body, "issue body")
    kind, form = _kind_and_form(args, repo, body)
    list_path = repo.list_path(args.list_path)
    list_text = _read_text(list_path, "list")
    parsed = parse_issue(body, form)
    options: dict[str, Any] = {
        "kind": kind, "form": form, "kinds": repo.rules.kinds, "forms": repo.forms, "placement": repo.rules.placement,
        "strays": parsed.strays, "venues": table_for(repo.rules.venues),
    }
    if kind.name != PAPER.name:
        return propose(parsed.values, list_text, **options), list_path
    lookups_found = _lookups(args, parsed.values, repo.rules)
    proposal, checked = propose_sourced(parsed.values, lookups_found, list_text, **options)
    for note in checked.notes:
        print(f"listbot: {note}", file=sys.stderr)
    return proposal, list_path


def _run(args: argparse.Namespace, write: bool) -> int:
    try:
        proposal, list_path = _proposal(args)
    except UsageError as error:
        print(f"listbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SourceWait as wait:
        fields = ", ".join(wait.checked.waiting_for)
        print(f"listbot: {wait.checked.waiting_on} did not answer, and {fields} were left empty for it to fill in: "
              "try again later, fill them in, or pass --no-fetch.", file=sys.stderr)
        return EXIT_INVALID
    except SubmissionError as error:
        print("listbot: the submission cannot be added:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_INVALID
    if write:
        Path(list_path).write_bytes(proposal.after.encode("utf-8"))
        print(
            f"listbot: added “{proposal.submission.title}” to {proposal.submission.section} "
            f"(line {proposal.insertion.line} of {list_path})."
        )
    else:
        sys.stdout.write(proposal.diff(list_path))
    return EXIT_OK


def preview(args: argparse.Namespace) -> int:
    """`listbot preview BODY [--list PATH]`: print the PR's diff; write nothing."""
    return _run(args, write=False)


def apply(args: argparse.Namespace) -> int:
    """`listbot apply BODY [--list PATH]`: write the entry into the list."""
    return _run(args, write=True)


def _expected_forms(args: argparse.Namespace) -> dict[Path, str]:
    """Every generated file and its exact text: one form per built-in kind, and `config.yml`."""
    if args.output:  # the paper form alone, at a path of the caller's choosing
        return {Path(args.output): render_template()}
    folder = Path(args.dir)
    expected = {folder / Path(path).name: text for path, text in builtin_forms().items()}
    chooser = folder / Path(CHOOSER_PATH).name
    list_url = args.list_url or _committed_list_url(chooser) or _origin_list_url()
    if list_url is None:
        raise UsageError(
            f"no link to the list for `{chooser}`: pass `--list-url https://github.com/OWNER/REPO` "
            "(or run where `git remote get-url origin` names the repository)."
        )
    expected[chooser] = render_chooser(list_url)
    return expected


def _committed_list_url(chooser: Path) -> str | None:
    try:
        return chooser_list_url(chooser.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _origin_list_url() -> str | None:
    """`https://github.com/OWNER/REPO` from the checkout's `origin` remote, if it is on GitHub."""
    import subprocess  # only `listbot template` asks git; apply and preview need not import it

    try:
        found = subprocess.run(
            ["git", "remote", "get-url", "origin"],  # noqa: S607 - git from PATH, as the user runs it
            capture_output=True, text=True, check=False, timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = _GITHUB_REMOTE.fullmatch(found.stdout.strip()) if found.returncode == 0 else None
    return f"https://github.com/{match[1]}/{match[2]}" if match else None


def template(args: argparse.Namespace) -> int:
    """`listbot template [--check]`: write the forms and `config.yml`, or check they are current."""
    try:
        expected = _expected_forms(args)
    except UsageError as error:
        print(f"listbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.check:
        stale = 0
        for path, text in expected.items():
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current != text:
                state = "is missing" if current is None else "is stale"
                print(f"listbot: {path} {state}; run `listbot template` and commit it.", file=sys.stderr)
                stale += 1
        if stale:
            return EXIT_INVALID
        print(f"listbot: {', '.join(str(path) for path in expected)} up to date.")
        return EXIT_OK
    for path, text in expected.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
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
    import json  # only `listbot form parse` prints JSON: apply and preview need not import it

    print(json.dumps(parse_issue_body(body, form), indent=2, ensure_ascii=False))
    return EXIT_OK
