"""Per-repository configuration: `.github/listbot.yml` parsed into `Rules`, with human problems."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from bot.core.kinds import kinds_from_config
from bot.core.plan import Rules

CONFIG_PATH = ".github/listbot.yml"
MAX_CONFIG_BYTES = 64 * 1024
MAX_LABEL_CHARS = 50  # GitHub's limit on a label name
MAX_PATH_CHARS = 255
MAX_PREFIX_CHARS = 100
MAX_USERS = 200

PLACEMENTS = ("by-date", "top", "bottom")
PERMISSIONS = ("write", "maintain", "admin")
TOP_KEYS = ("list_path", "labels", "branch_prefix", "placement", "commands", "kinds")
LABEL_KEYS = ("submission", "needs_changes")
COMMAND_KEYS = ("permission", "users")

_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")
_MAIN_LIKE = frozenset({"main", "master", "trunk", "develop", "development", "gh-pages", "head", "refs"})

TOO_BIG = "`{path}` is larger than {limit} KB; listbot ignores it and uses the defaults for every key."
NOT_YAML = "`{path}` is not valid YAML ({reason}); listbot uses the defaults for every key."
NOT_MAPPING = (
    "`{path}` must be a mapping of keys to values (e.g. `placement: top`), not {kind}; "
    "listbot uses the defaults for every key."
)
UNKNOWN_KEY = "`{where}{key}` is not a listbot setting{hint}; it is ignored. Known keys: {known}."
BAD_VALUE = "`{where}{key}: {value}` is not valid: {why} (e.g. `{key}: {example}`). Using the default `{default}`."


@dataclass(frozen=True)
class RepoConfigResult:
    """The rules to use (defaults overridden by every valid key) and what was wrong with the file."""

    rules: Rules
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file (or its absence) raised no problem."""
        return not self.problems


def parse_repo_config(text: str | None, defaults: Rules) -> RepoConfigResult:
    """Read `.github/listbot.yml` text (None when the file is absent) over `defaults`.

    Only `yaml.safe_load` is used. A key with a bad value keeps its default and adds a problem; an
    unreadable file keeps every default. Nothing in the file can widen who may run commands beyond
    what it states validly, nor point listbot at a workflow file.
    """
    if text is None:
        return RepoConfigResult(defaults)
    if len(text.encode("utf-8", "replace")) > MAX_CONFIG_BYTES:
        return RepoConfigResult(defaults, [TOO_BIG.format(path=CONFIG_PATH, limit=MAX_CONFIG_BYTES // 1024)])
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return RepoConfigResult(defaults, [NOT_YAML.format(path=CONFIG_PATH, reason=_yaml_reason(exc))])
    except RecursionError:
        return RepoConfigResult(defaults, [NOT_YAML.format(path=CONFIG_PATH, reason="nested too deeply")])
    if data is None:
        return RepoConfigResult(defaults)
    if not isinstance(data, dict):
        return RepoConfigResult(defaults, [NOT_MAPPING.format(path=CONFIG_PATH, kind=_kind(data))])
    reader = _Reader(defaults)
    reader.read(data)
    return RepoConfigResult(reader.rules, reader.problems)


def _yaml_reason(exc: yaml.YAMLError) -> str:
    """A one-line reason with the line and column, without quoting the file back."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or type(exc).__name__
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return str(problem)


def _kind(value: object) -> str:
    """How a YAML value reads to a person."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    return "a date" if type(value).__name__ in {"date", "datetime"} else type(value).__name__


def _show(value: object) -> str:
    """A short rendering of a value for a message (never more than 60 characters)."""
    if isinstance(value, str):
        shown = value if value else "''"
    elif isinstance(value, bool):
        shown = "true" if value else "false"
    elif value is None:
        shown = "null"
    elif isinstance(value, list | dict):
        shown = _kind(value)
    else:
        shown = str(value)
    shown = _CONTROL.sub("?", shown).replace("`", "'")
    return shown if len(shown) <= 60 else shown[:57] + "..."


class _Reader:
    """Walks the parsed mapping, collecting valid overrides and problems."""

    def __init__(self, defaults: Rules) -> None:
        self.defaults = defaults
        self.rules = defaults
        self.problems: list[str] = []

    def read(self, data: Mapping[Any, Any]) -> None:
        handlers: dict[str, Callable[[object], None]] = {
            "list_path": self._list_path,
            "labels": self._labels,
            "branch_prefix": self._branch_prefix,
            "placement": self._placement,
            "commands": self._commands,
            "kinds": self._kinds,
        }
        for key, value in data.items():
            handler = handlers.get(key) if isinstance(key, str) else None
            if handler is None:
                self._unknown("", key, TOP_KEYS)
            else:
                handler(value)

    # --- reporting ---------------------------------------------------------------------------

    def _unknown(self, where: str, key: object, known: tuple[str, ...]) -> None:
        name = _show(key)
        close = difflib.get_close_matches(name.lower().replace("-", "_"), known, n=1, cutoff=0.6)
        hint = f" (did you mean `{where}{close[0]}`?)" if close else ""
        listed = ", ".join(f"`{k}`" for k in known)
        self.problems.append(UNKNOWN_KEY.format(where=where, key=name, hint=hint, known=listed))

    def _bad(self, key: str, value: object, why: str, example: str, default: object, where: str = "") -> None:
        shown_default = "[" + ", ".join(sorted(default)) + "]" if isinstance(default, frozenset) else _show(default)
        self.problems.append(
            BAD_VALUE.format(where=where, key=key, value=_show(value), why=why, example=example, default=shown_default)
        )

    # --- keys --------------------------------------------------------------------------------

    def _list_path(self, value: object) -> None:
        why = list_path_problem(value)
        if why:
            self._bad("list_path", value, why, "list/README.md", self.defaults.list_path)
            return
        assert isinstance(value, str)
        self.rules = replace(self.rules, list_path=value)

    def _labels(self, value: object) -> None:
        if not isinstance(value, dict):
            self.problems.append(
                f"`labels` must be a mapping (e.g. `labels: {{submission: paper, needs_changes: needs-work}}`), "
                f"not {_kind(value)}; using the default labels."
            )
            return
        chosen = {"submission": self.rules.submission_label, "needs_changes": self.rules.needs_changes_label}
        defaults = {"submission": self.defaults.submission_label, "needs_changes": self.defaults.needs_changes_label}
        for key, label in value.items():
            if not isinstance(key, str) or key not in LABEL_KEYS:
                self._unknown("labels.", key, LABEL_KEYS)
                continue
            why = label_problem(label)
            if why:
                self._bad(key, label, why, defaults[key], defaults[key], where="labels.")
                continue
            assert isinstance(label, str)
            chosen[key] = label.strip()
        if chosen["submission"].casefold() == chosen["needs_changes"].casefold():
            self.problems.append(
                f"`labels.submission` and `labels.needs_changes` are both `{_show(chosen['submission'])}`; "
                "they must differ. Using the default labels."
            )
            return
        self.rules = replace(
            self.rules, submission_label=chosen["submission"], needs_changes_label=chosen["needs_changes"]
        )

    def _branch_prefix(self, value: object) -> None:
        why = branch_prefix_problem(value)
        if why:
            self._bad("branch_prefix", value, why, "listbot/issue-", self.defaults.branch_prefix)
            return
        assert isinstance(value, str)
        self.rules = replace(self.rules, branch_prefix=value)

    def _placement(self, value: object) -> None:
        if value not in PLACEMENTS:
            why = "use one of " + ", ".join(f"`{p}`" for p in PLACEMENTS)
            self._bad("placement", value, why, "top", self.defaults.placement)
            return
        assert isinstance(value, str)
        self.rules = replace(self.rules, placement=value)

    def _kinds(self, value: object) -> None:
        result = kinds_from_config(value)
        self.problems.extend(result.problems)
        self.rules = replace(self.rules, kinds=result.kinds)

    def _commands(self, value: object) -> None:
        if not isinstance(value, dict):
            self.problems.append(
                f"`commands` must be a mapping (e.g. `commands: {{permission: maintain, users: [mona]}}`), "
                f"not {_kind(value)}; using the defaults (permission `{self.defaults.command_permission}`, no users)."
            )
            return
        for key, item in value.items():
            if key == "permission":
                self._permission(item)
            elif key == "users":
                self._users(item)
            else:
                self._unknown("commands.", key, COMMAND_KEYS)

    def _permission(self, value: object) -> None:
        if value not in PERMISSIONS:
            why = "use one of " + ", ".join(f"`{p}`" for p in PERMISSIONS)
            self._bad("permission", value, why, "maintain", self.defaults.command_permission, where="commands.")
            return
        assert isinstance(value, str)
        self.rules = replace(self.rules, command_permission=value)

    def _users(self, value: object) -> None:
        default = self.defaults.command_users
        if value is None:
            value = []
        if not isinstance(value, list):
            self._bad("users", value, "it must be a list of GitHub logins", "[mona, hubot]", default, where="commands.")
            return
        if len(value) > MAX_USERS:
            self._bad("users", value, f"at most {MAX_USERS} logins", "[mona, hubot]", default, where="commands.")
            return
        logins: list[str] = []
        for item in value:
            login = item.strip().removeprefix("@") if isinstance(item, str) else None
            if login is None or not _LOGIN.match(login):
                self._bad(
                    "users", item, "each entry must be a GitHub login", "[mona, hubot]", default, where="commands."
                )
                return
            logins.append(login)
        self.rules = replace(self.rules, command_users=frozenset(logins))


def list_path_problem(value: object) -> str | None:
    """Why `value` cannot be the list path, or None."""
    if not isinstance(value, str) or not value.strip():
        return "it must be a path to a Markdown file in the repository"
    if len(value) > MAX_PATH_CHARS:
        return f"at most {MAX_PATH_CHARS} characters"
    if _CONTROL.search(value) or "\\" in value:
        return "control characters and backslashes are not allowed"
    if value.startswith("/"):
        return "it must be relative to the repository root (no leading `/`)"
    parts = value.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "`.`, `..` and empty path segments are not allowed"
    if not value.endswith(".md"):
        return "it must name a Markdown file ending in `.md`"
    lowered = value.lower()
    if lowered.startswith(".github/workflows/") or lowered == ".github/workflows":
        return "listbot never writes under `.github/workflows`"
    return None


def label_problem(value: object) -> str | None:
    """Why `value` cannot be a label name, or None."""
    if not isinstance(value, str) or not value.strip():
        return "it must be a label name"
    if len(value.strip()) > MAX_LABEL_CHARS:
        return f"GitHub label names have at most {MAX_LABEL_CHARS} characters"
    if _CONTROL.search(value):
        return "control characters are not allowed"
    return None


def branch_prefix_problem(value: object) -> str | None:
    """Why `value` cannot prefix listbot's branch names (`{prefix}{issue}`), or None."""
    if not isinstance(value, str) or not value:
        return "it must be a non-empty branch name prefix"
    if len(value) > MAX_PREFIX_CHARS:
        return f"at most {MAX_PREFIX_CHARS} characters"
    if _REF_FORBIDDEN.search(value):
        return "spaces, control characters and `~ ^ : ? * [ \\` are not allowed in git branch names"
    if ".." in value or "@{" in value or "//" in value:
        return "`..`, `@{` and `//` are not allowed in git branch names"
    if value.startswith(("/", "-", ".")):
        return "a branch name cannot start with `/`, `-` or `.`"
    components = value.split("/")
    if any(part.startswith(".") or part.endswith(".lock") for part in components[:-1]):
        return "no part of a branch name may start with `.` or end with `.lock`"
    if not value.endswith(("/", "-", "_")):
        return "it must end with `/`, `-` or `_` so the issue number stands apart"
    if value.rstrip("/-_").split("/")[0].lower() in _MAIN_LIKE:
        return "it must not look like the default branch or a ref namespace"
    if not any(ch.isalpha() for ch in value):
        return "it must contain a letter"
    return None
