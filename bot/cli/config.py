"""`listbot config`: write or check the JSON Schema of `.github/listbot.yml`, and check such a file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.exits import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from bot.cli.repo import read_forms, root_of
from bot.core.repo_config import SCHEMA_PATH, parse_repo_config
from bot.core.rules import Rules, rules_json_schema_text


def schema(args: argparse.Namespace) -> int:
    """`listbot config schema [--check]`: write the schema, or check the committed one is current."""
    path = Path(args.output or SCHEMA_PATH)
    expected = rules_json_schema_text()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != expected:
            state = "is missing" if current is None else "is stale"
            print(f"listbot: {path} {state}; run `listbot config schema` and commit it.", file=sys.stderr)
            return EXIT_INVALID
        print(f"listbot: {path} is up to date.")
        return EXIT_OK
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(expected, encoding="utf-8")
    print(f"listbot: wrote {path}.")
    return EXIT_OK


def check(args: argparse.Namespace) -> int:
    """`listbot config check [PATH]`: print what the bot would say about the file; 0 valid, 1 problems."""
    path = Path(args.path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        print(f"listbot: `{path}` does not exist.", file=sys.stderr)
        return EXIT_USAGE
    except UnicodeDecodeError:
        print(f"listbot: `{path}` is not UTF-8 text.", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"listbot: cannot read `{path}`: {error.strerror or error}.", file=sys.stderr)
        return EXIT_USAGE
    # Built-in defaults: a repository's file is checked the way a fresh listbot reads it.
    result = parse_repo_config(text, Rules())
    # The kinds' forms next to the file are checked too: the bot reports those problems as well.
    problems = [*result.problems, *read_forms(root_of(path), result.rules)[1]]
    for problem in problems:
        print(f"{path}: {problem}")
    if problems:
        return EXIT_INVALID
    print(f"listbot: {path} is valid.")
    return EXIT_OK
