"""Per-repository configuration: `.github/listbot.yml` read over the default `Rules`, with human problems.

What is valid is `Rules`' business (`bot.core.rules`); this module reads the YAML, walks its keys
and says what is wrong in the words the bot posts (and `listbot config check` prints). A bad key
keeps its default while the others still apply; an unknown key gets a "did you mean" hint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from bot.core.rules import (
    GROUPS,
    OWN_READERS,
    Rules,
    check_value,
    example_of,
    field_at,
    keys_under,
    labels_clash,
)
from bot.core.shown import escaped, spanned
from bot.core.yaml_reading import safe_load

if TYPE_CHECKING:
    import yaml

CONFIG_PATH = ".github/listbot.yml"
SCHEMA_PATH = ".github/listbot.schema.json"  # next to CONFIG_PATH, which names it on its first line
MAX_CONFIG_BYTES = 64 * 1024

TOO_BIG = "`{path}` is larger than {limit} KB; listbot ignores it and uses the defaults for every key."
NOT_YAML = "`{path}` is not valid YAML ({reason}); listbot uses the defaults for every key."
NOT_MAPPING = (
    "`{path}` must be a mapping of keys to values (e.g. `placement: top`), not {kind}; "
    "listbot uses the defaults for every key."
)
UNKNOWN_KEY = "{setting} is not a listbot setting{hint}; it is ignored. Known keys: {known}."
BAD_VALUE = "{setting} is not valid: {why} (e.g. `{key}: {example}`). Using the default `{default}`."
NOT_GROUP = "`{key}` must be a mapping (e.g. `{key}: {example}`), not {kind}; using {fallback}."
LABELS_CLASH = (
    "`labels.submission` and `labels.needs_changes` are both {label}; they must differ. Using the default labels."
)
UNUSABLE = "the settings do not fit together ({reason}); listbot uses the defaults for every key."
# What a group that is not a mapping falls back to, in the words of its message.
_GROUP_FALLBACK: dict[str, Callable[[Rules], str]] = {
    "labels": lambda _: "the default labels",
    "commands": lambda d: f"the defaults (permission `{d.command_permission}`, {_users_phrase(d.command_users)})",
}


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

    Only a safe loader reads it (`yaml_reading.safe_load`, which answers as `yaml.safe_load`). A
    key with a bad value keeps its default and adds a problem; an unreadable file keeps every
    default. Nothing in the file can widen who may run commands beyond what it states validly,
    nor point listbot at a workflow file.
    """
    if text is None:
        return RepoConfigResult(defaults)
    import yaml  # only a file to read needs PyYAML (see `yaml_reading`)

    if len(text.encode("utf-8", "replace")) > MAX_CONFIG_BYTES:
        return RepoConfigResult(defaults, [TOO_BIG.format(path=CONFIG_PATH, limit=MAX_CONFIG_BYTES // 1024)])
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        return RepoConfigResult(defaults, [NOT_YAML.format(path=CONFIG_PATH, reason=_yaml_reason(exc))])
    except RecursionError:
        return RepoConfigResult(defaults, [NOT_YAML.format(path=CONFIG_PATH, reason="nested too deeply")])
    if data is None:
        return RepoConfigResult(defaults)
    if not isinstance(data, dict):
        return RepoConfigResult(defaults, [NOT_MAPPING.format(path=CONFIG_PATH, kind=_kind(data))])
    reader = _Reader(defaults)
    rules = reader.read(data)
    return RepoConfigResult(rules, reader.problems)


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
    """A value as a message quotes it: text `shown.escaped` (control, bidi and invisible characters
    as escapes, at most 60 characters and `…`), other values in YAML's words."""
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
    return escaped(shown)


def _users_phrase(users: frozenset[str]) -> str:
    return "users " + ", ".join(f"`{u}`" for u in sorted(users)) if users else "no users"


def _flow(value: object) -> str:
    """A value as YAML flow text, for examples and defaults (`[mona, hubot]`, `[]`)."""
    if isinstance(value, set | frozenset):
        value = sorted(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return _show(value)


class _Reader:
    """Walks the parsed mapping along `Rules`' key paths, keeping valid values and collecting problems."""

    def __init__(self, defaults: Rules) -> None:
        self.defaults = defaults
        self.chosen: dict[str, Any] = {}
        self.problems: list[str] = []

    def read(self, data: Mapping[Any, Any]) -> Rules:
        for key, value in data.items():
            self._key((), key, value)
        return self._rules()

    def _key(self, where: tuple[str, ...], key: object, value: object) -> None:
        known = keys_under(where)
        if not isinstance(key, str) or key not in known:
            self._unknown(where, key, known)
            return
        path = (*where, key)
        if (rule := field_at(path)) is not None:
            self._value(rule, path, value)
        elif value is None:
            return  # a group with every key left out: all keep their defaults
        elif not isinstance(value, dict):
            self._not_group(key, value)
        else:
            for sub, item in value.items():
                self._key(path, sub, item)

    def _value(self, rule: str, path: tuple[str, ...], value: object) -> None:
        if (own_reader := OWN_READERS.get(rule)) is not None:
            self.chosen[rule], problems = own_reader(value)
            self.problems.extend(problems)
            return
        kept, problem = check_value(rule, value)
        if problem is None:
            self.chosen[rule] = kept
            return
        full = (*path, *(part for part in problem.where if isinstance(part, str)))
        where = "".join(f"{part}." for part in full[:-1])
        self.problems.append(
            BAD_VALUE.format(
                setting=spanned(f"{where}{full[-1]}: {_show(problem.value)}"), key=full[-1], why=problem.why,
                example=_flow(example_of(rule)), default=_flow(getattr(self.defaults, rule)),
            )
        )

    def _unknown(self, where: tuple[str, ...], key: object, known: tuple[str, ...]) -> None:
        prefix = "".join(f"{part}." for part in where)
        name = _show(key)
        import difflib  # only for a key the file gets wrong: `listbot apply` need not import it

        close = difflib.get_close_matches(name.lower().replace("-", "_"), known, n=1, cutoff=0.6)
        hint = f" (did you mean `{prefix}{close[0]}`?)" if close else ""
        listed = ", ".join(f"`{k}`" for k in known)
        self.problems.append(UNKNOWN_KEY.format(setting=spanned(prefix + name), hint=hint, known=listed))

    def _not_group(self, key: str, value: object) -> None:
        group = next(g for g in GROUPS if g.key == key)
        fallback_of = _GROUP_FALLBACK.get(key)
        fallback = fallback_of(self.defaults) if fallback_of else f"the defaults for `{key}`"
        self.problems.append(NOT_GROUP.format(key=key, example=group.example, kind=_kind(value), fallback=fallback))

    def _rules(self) -> Rules:
        submission = self.chosen.get("submission_label", self.defaults.submission_label)
        needs_changes = self.chosen.get("needs_changes_label", self.defaults.needs_changes_label)
        if labels_clash(submission, needs_changes):
            self.problems.append(LABELS_CLASH.format(label=spanned(_show(submission))))
            self.chosen.pop("submission_label", None)
            self.chosen.pop("needs_changes_label", None)
        try:
            defaults = {rule: getattr(self.defaults, rule) for rule in Rules.model_fields}
            return Rules.model_validate({**defaults, **self.chosen})
        except ValidationError as error:  # a rule across keys that no single value breaks
            self.problems.append(UNUSABLE.format(reason=error.errors()[0]["msg"]))
            return self.defaults
