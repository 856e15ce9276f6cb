"""The list repository as the offline commands see it: its `.github/listbot.yml`, kinds and forms.

The commands run in a list repository's checkout (or take `--config PATH`), and read what the
bot reads on the default branch: the configuration, each kind's form, the list.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from bot.core.forms import IssueForm, form_from_yaml
from bot.core.kinds import Kind
from bot.core.repo_config import CONFIG_PATH, parse_repo_config
from bot.core.rules import Rules
from bot.core.template import render_form


class UsageError(Exception):
    """A command-line mistake: a missing file, an unreadable template, an unknown kind."""


@dataclass(frozen=True)
class Repository:
    """The configuration in force, the repository root and each kind's form (None if missing)."""

    root: Path
    rules: Rules
    forms: dict[str, IssueForm]
    missing_forms: dict[str, str]  # kind name -> why its form could not be read

    def kind(self, name: str) -> Kind:
        """The kind called `name`, or a `UsageError` listing the kinds there are."""
        for kind in self.rules.kinds:
            if kind.name == name:
                return kind
        known = ", ".join(f"`{kind.name}`" for kind in self.rules.kinds) or "none"
        raise UsageError(f"there is no kind `{name}`; the kinds here are {known}.")

    def list_path(self, given: str | None) -> str:
        """`--list` when given, else the configured list path under the repository root."""
        if given is not None:
            return given
        path = self.root / self.rules.list_path
        return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def _root_of(config: Path) -> Path:
    """The repository root a config file belongs to (the folder holding `.github`)."""
    parent = config.resolve().parent
    return parent.parent if parent.name == ".github" else parent


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def load_repository(config: str | None) -> Repository:
    """Read the configuration (`--config`, else `./.github/listbot.yml` when present) and forms.

    Problems with the configuration are printed on stderr, as the bot reports them in its
    status comment; the commands go on with the defaults for the keys at fault.
    """
    path = Path(config) if config else Path(CONFIG_PATH)
    text: str | None = None
    if config or path.exists():
        try:
            text = _read(path)
        except FileNotFoundError:
            raise UsageError(f"configuration `{path}` does not exist.") from None
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"cannot read configuration `{path}`: {error}.") from None
    root = _root_of(path) if config else Path.cwd()
    result = parse_repo_config(text, Rules())
    for problem in result.problems:
        print(f"listbot: {path}: {problem}", file=sys.stderr)
    forms: dict[str, IssueForm] = {}
    missing: dict[str, str] = {}
    for kind in result.rules.kinds:
        form_path = root / kind.form_path
        try:
            forms[kind.name] = form_from_yaml(_read(form_path))
        except FileNotFoundError:
            if kind.builtin:
                forms[kind.name] = form_from_yaml(render_form(kind))
            else:
                missing[kind.name] = f"its form `{kind.form_path}` does not exist"
        except (OSError, UnicodeDecodeError, ValueError) as error:
            missing[kind.name] = f"its form `{kind.form_path}` is not a valid issue form: {error}"
    return Repository(root, result.rules, forms, missing)
