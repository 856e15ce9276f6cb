"""The list repository as the offline commands see it: its `.github/listbot.yml`, kinds and forms.

The commands run in a list repository's checkout (or take `--config PATH`), and read what the
bot reads on the default branch: the configuration, each kind's form, the list.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

from bot.core.forms import IssueForm
from bot.core.kind_forms import kind_forms
from bot.core.kinds import Kind
from bot.core.repo_config import CONFIG_PATH, parse_repo_config
from bot.core.rules import Rules


class UsageError(Exception):
    """A command-line mistake: a missing file, an unreadable template, an unknown kind."""


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class Repository(NamedTuple):
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


def root_of(config: Path) -> Path:
    """The repository root a config file belongs to (the folder holding `.github`)."""
    parent = config.resolve().parent
    return parent.parent if parent.name == ".github" else parent


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def read_forms(root: Path, rules: Rules) -> tuple[dict[str, IssueForm], list[str]]:
    """Each kind's form in the checkout at `root` (a built-in kind's generated one when it has
    none there), and what is wrong with them, as the bot would report it."""
    committed: dict[str, str | None] = {}
    for kind in rules.kinds:
        try:
            committed[kind.form_path] = _read(root / kind.form_path)
        except (OSError, UnicodeDecodeError):
            committed[kind.form_path] = None
    return kind_forms(rules.kinds, committed, "in this checkout")


def load_repository(config: str | None) -> Repository:
    """Read the configuration (`--config`, else `./.github/listbot.yml` when present) and forms.

    Problems with the configuration and the forms are printed on stderr, as the bot reports
    them in its status comment; the commands go on with the defaults for the keys at fault.
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
    root = root_of(path) if config else Path.cwd()
    result = parse_repo_config(text, Rules())
    forms, form_problems = read_forms(root, result.rules)
    for problem in [*result.problems, *form_problems]:
        print(f"listbot: {path}: {problem}", file=sys.stderr)
    missing = {
        kind.name: f"its form `{kind.form_path}` is missing or not a valid issue form"
        for kind in result.rules.kinds if kind.name not in forms
    }
    return Repository(root, result.rules, forms, missing)
