"""The `listbot` command line: argument parsing and dispatch to the command implementations."""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Callable, Sequence

DEFAULT_LIST_PATH = "list/README.md"
FORMATS = ("text", "github")  # `listbot lint --format`

CommandFunc = Callable[[argparse.Namespace], int]
# Set on the parsed arguments by `console`: the process exits when the command returns.
_PROCESS_ENDS_AFTER = "process_ends_after_command"


def _lazy(target: str) -> CommandFunc:
    """Import a command's module only when it runs, so `listbot lint` never pays for FastAPI."""

    def run(args: argparse.Namespace) -> int:
        module_name, _, attr = target.partition(":")
        func: CommandFunc = getattr(importlib.import_module(module_name), attr)
        return func(args)

    return run


def _one_shot(target: str) -> CommandFunc:
    """A command that reads files, prints or writes, and exits (`lint`, `apply`, `preview`, ...),
    run with the cyclic garbage collector paused. Reading a 20,000-entry list allocates ~100,000
    small objects at once, and each collection they set off walks every object alive: at that
    size the passes cost as much as the command's own work (`listbot lint` 1.0-1.2 s -> 0.7-0.9 s),
    while almost nothing these commands make is cyclic garbage (peak RSS the same either way,
    `bench/README.md`). Reference counting still frees everything else. The collector is resumed
    on return, for callers that run a command in-process (tests, `listbot demo`).

    When the command is the last thing its process does (`console`), what it made is frozen out of
    the collector first: the interpreter's exit would otherwise walk every object still alive
    (the modules, the pydantic models, the memos of the list's entries) in the collections it
    runs whatever the collector's state, and the first collection after resuming would walk
    everything made while paused: 47 M of `listbot lint`'s 931 M instructions at 1,000 entries,
    74 M of 1,377 M at 20,000. The operating system frees the memory of the ending process."""
    run = _lazy(target)

    def paused(args: argparse.Namespace) -> int:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return run(args)
        finally:
            if getattr(args, _PROCESS_ENDS_AFTER, False):
                gc.freeze()
            if was_enabled:
                gc.enable()

    return paused


def installed_version() -> str:
    """listbot's version from the installed package's metadata (pyproject.toml's `version`)."""
    import importlib.metadata  # only for --version: reading the metadata costs every command ~15 ms

    try:
        return importlib.metadata.version("listbot")
    except importlib.metadata.PackageNotFoundError:  # imported from a source tree never installed
        return "unknown (not installed)"


def _serve(args: argparse.Namespace) -> int:
    """`listbot serve`, with the cyclic garbage collector paused first: starting imports a few
    hundred thousand objects that live as long as the process, and the collector's full passes
    over them would delay the first acknowledged delivery by tens of ms. `bot.service.serve`
    freezes them and turns the collector back on once the workers have started."""
    gc.disable()
    return _lazy("bot.service.serve:run")(args)


class _VersionAction(argparse.Action):
    """`--version`: argparse's version action, reading the package metadata only when asked
    (looking it up costs every other command tens of milliseconds)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **_: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        parser._print_message(f"{parser.prog} {installed_version()}\n", sys.stdout)
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser; every command and flag here is a public interface."""
    parser = argparse.ArgumentParser(
        prog="listbot",
        description="Turn issue-form submissions into pull requests against a curated list.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for name, target, help_text in (
        ("preview", "bot.cli.offline:preview", "print the unified diff a PR would contain"),
        ("apply", "bot.cli.offline:apply", "write the submission into the list"),
    ):
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument("body", metavar="BODY", help="file holding the issue body ('-' for stdin)")
        cmd.add_argument(
            "--list", dest="list_path", default=None, metavar="PATH",
            help=f"the list file (default: `list_path` from the configuration, else {DEFAULT_LIST_PATH})",
        )
        cmd.add_argument(
            "--kind", default=None, metavar="KIND",
            help="what the body submits (default: the kind whose form's headings the body matches)",
        )
        cmd.add_argument(
            "--config", default=None, metavar="PATH",
            help="the list repository's listbot.yml (default: ./.github/listbot.yml when present)",
        )
        cmd.add_argument(
            "--template", default=None, metavar="TEMPLATE",
            help="issue form the body came from (default: the kind's form in the repository)",
        )
        cmd.add_argument(
            "--no-fetch", action="store_true",
            help="ask no source (arXiv, Crossref, GitHub, Hugging Face): no autofill, no checks of the links",
        )
        cmd.set_defaults(func=_one_shot(target))

    template = sub.add_parser(
        "template", help="write the built-in kinds' issue forms and config.yml, generated from the schema"
    )
    template.add_argument("--check", action="store_true", help="exit 1 if a committed file is stale or missing")
    template.add_argument(
        "--dir", default=".github/ISSUE_TEMPLATE", metavar="DIR", help="where the forms live"
    )
    template.add_argument(
        "--list-url", default=None, metavar="URL",
        help="config.yml's link to the list (default: the committed one, else from the origin remote)",
    )
    template.add_argument("--output", default=None, metavar="PATH", help="write only the paper form, here")
    template.set_defaults(func=_one_shot("bot.cli.offline:template"))

    form = sub.add_parser("form", help="issue-form tools")
    form_sub = form.add_subparsers(dest="form_command", required=True, metavar="ACTION")
    parse = form_sub.add_parser("parse", help="print an issue body as JSON keyed by field id")
    parse.add_argument("body", metavar="BODY", help="file holding the issue body ('-' for stdin)")
    parse.add_argument("--template", required=True, metavar="TEMPLATE", help="issue form YAML")
    parse.set_defaults(func=_one_shot("bot.cli.offline:form_parse"))

    config = sub.add_parser("config", help="the JSON Schema of .github/listbot.yml, and checking such a file")
    config_sub = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    config_schema = config_sub.add_parser("schema", help="write .github/listbot.schema.json from the settings model")
    config_schema.add_argument("--check", action="store_true", help="exit 1 if the committed schema is stale")
    config_schema.add_argument("--output", default=None, metavar="PATH", help="where the schema lives")
    config_schema.set_defaults(func=_one_shot("bot.cli.config:schema"))
    config_check = config_sub.add_parser("check", help="check a .github/listbot.yml with the bot's own messages")
    config_check.add_argument("path", nargs="?", default=".github/listbot.yml", metavar="PATH")
    config_check.set_defaults(func=_one_shot("bot.cli.config:check"))

    lint = sub.add_parser("lint", help="check the list against its house style")
    lint.add_argument(
        "paths", nargs="*", default=[], metavar="PATH",
        help=f"the list file(s) to check (default: `list_path` from the configuration, else {DEFAULT_LIST_PATH})",
    )
    lint.add_argument("--fix", action="store_true", help="repair what needs no judgement")
    lint.add_argument(
        "--format", choices=FORMATS, default="text",
        help="text: PATH:LINE:COL: CODE message (default); github: GitHub Actions error annotations",
    )
    lint.add_argument(
        "--config", default=None, metavar="PATH",
        help="the list repository's listbot.yml (default: ./.github/listbot.yml when present)",
    )
    lint.set_defaults(func=_one_shot("bot.cli.lint:run"))

    demo = sub.add_parser(
        "demo", help="see listbot do its whole job against a bundled GitHub emulator (no account needed)",
    )
    demo.add_argument(
        "--body", default=None, metavar="BODY",
        help="issue body to file ('-' for stdin; default: the embedded examples/issue-body.md)",
    )
    demo.set_defaults(func=_lazy("bot.cli.demo:run"))

    action = sub.add_parser(
        "action",
        help="run listbot once in a GitHub Actions workflow, on its event, with its GITHUB_TOKEN",
        description="Reads GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_NAME, GITHUB_EVENT_PATH and "
        "GITHUB_API_URL as a runner sets them (see README.md, 'listbot as a GitHub Action').",
    )
    action.set_defaults(func=_lazy("bot.cli.action:run"))

    serve = sub.add_parser("serve", help="run the GitHub App webhook service")
    serve.add_argument("--host", default=None, help="address to listen on (default: $HOST, else all interfaces)")
    serve.add_argument("--port", type=int, default=None, help="port to listen on (default: $PORT, else 3000)")
    serve.set_defaults(func=_serve)

    replay = sub.add_parser("replay", help="send a signed delivery to a running service")
    replay.add_argument("payload", metavar="PAYLOAD.json")
    replay.add_argument("--event", required=True, metavar="NAME")
    replay.add_argument("--url", default="http://localhost:3000/api/github/webhooks")
    replay.add_argument(
        "--secret", default=None, metavar="SECRET",
        help="webhook secret to sign with (default: $WEBHOOK_SECRET)",
    )
    replay.set_defaults(func=_lazy("bot.cli.replay:run"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status; the process goes on (tests, in-process callers)."""
    return _run(build_parser().parse_args(argv))


def console(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `listbot` console script and `python -m bot.cli[.main]`: `main`, in a
    process that exits once the command returns (see `_one_shot`)."""
    args = build_parser().parse_args(argv)
    setattr(args, _PROCESS_ENDS_AFTER, True)
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    func: CommandFunc = args.func
    return func(args)


if __name__ == "__main__":
    sys.exit(console())
