"""The rules listbot follows in a repository: one pydantic model owns each default, valid value and check.

`Rules` is read from `.github/listbot.yml` (`repo_config`), from the service's `LISTBOT_*`
environment (`bot.service.settings`), and its JSON Schema (`rules_json_schema`) is generated from
it. Its fields are flat, because that is how the plan reads them (`rules.submission_label`); a
field that lives under a mapping in the file (`labels: {submission: …}`) says so with its
`validation_alias` path. A value's check says *why* it is refused in words a maintainer can act
on; readers add where the value came from and what happens instead.

New keys are new fields: a plain field is a top-level key of the file, a field with an `AliasPath`
sits in a group (`GROUPS`). A mapping such as `kinds:` (or a `venues:` table) is a field whose
value has its own reader in `OWN_READERS`, which keeps the parts that are valid and names each
problem, and its own schema (`WithJsonSchema`) in the shape people write.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, Literal, NamedTuple, get_args

from pydantic import (
    AliasPath,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetPydanticSchema,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import core_schema

from bot.core import kinds as kinds_module
from bot.core import venues as venues_module
from bot.core.kinds import BUILTIN_KINDS, Kind, kinds_from_config
from bot.core.lazy_patterns import lazy_pattern
from bot.core.shown import escaped, spanned

SCHEMA_URL = "https://json-schema.org/draft/2020-12/schema"
MAX_LABEL_CHARS = 50  # GitHub's limit on a label name
MAX_PATH_CHARS = 255
MAX_PREFIX_CHARS = 100
MAX_USERS = 200

Placement = Literal["by-date", "top", "bottom"]
PLACEMENTS: tuple[str, ...] = get_args(Placement)
Permission = Literal["write", "maintain", "admin"]
# Defaults other modules name too (the CLI's help, the issue forms' label, placement's signature).
DEFAULT_LIST_PATH = "list/README.md"
DEFAULT_SUBMISSION_LABEL = "submission"
DEFAULT_PLACEMENT: Placement = "by-date"
PERMISSIONS: tuple[str, ...] = get_args(Permission)

_LOGIN = lazy_pattern(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")
_MAIN_LIKE = frozenset({"main", "master", "trunk", "develop", "development", "gh-pages", "head", "refs"})


# --- what makes a value valid ----------------------------------------------------------------


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
    if any(part in ("", ".", "..") for part in value.split("/")):
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
    if any(part.startswith(".") or part.endswith(".lock") for part in value.split("/")[:-1]):
        return "no part of a branch name may start with `.` or end with `.lock`"
    if not value.endswith(("/", "-", "_")):
        return "it must end with `/`, `-` or `_` so the issue number stands apart"
    if value.rstrip("/-_").split("/")[0].lower() in _MAIN_LIKE:
        return "it must not look like the default branch or a ref namespace"
    if not any(ch.isalpha() for ch in value):
        return "it must contain a letter"
    return None


def labels_clash(submission: str, needs_changes: str) -> bool:
    """The two labels must differ, as GitHub compares label names: ignoring case."""
    return submission.casefold() == needs_changes.casefold()


def _checked(problem_of: Callable[[object], str | None]) -> BeforeValidator:
    """A validator that refuses what `problem_of` finds wrong, saying why in its words."""

    def check(value: object) -> object:
        if (why := problem_of(value)) is not None:
            raise ValueError(why)
        return value

    return BeforeValidator(check)


def _one_of(choices: tuple[str, ...]) -> BeforeValidator:
    return _checked(lambda value: None if value in choices else "use one of " + ", ".join(f"`{c}`" for c in choices))


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _login(value: object) -> str:
    login = value.strip().removeprefix("@") if isinstance(value, str) else None
    if login is None or not _LOGIN().fullmatch(login):
        raise ValueError("each entry must be a GitHub login")
    return login


def _login_list(value: object) -> object:
    if value is None:
        return []
    if not isinstance(value, list | tuple | set | frozenset):
        raise ValueError("it must be a list of GitHub logins")
    if len(value) > MAX_USERS:
        raise ValueError(f"at most {MAX_USERS} logins")
    return value


# Validators listed later run first: each value meets its check (and its message) before the type's
# constraints, which are there for the JSON Schema and refuse nothing the check lets through.
ListPath = Annotated[
    str, StringConstraints(max_length=MAX_PATH_CHARS, pattern=r"^[^/\\].*\.md$"), _checked(list_path_problem)
]
Label = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_LABEL_CHARS),
    BeforeValidator(_stripped),
    _checked(label_problem),
]
BranchPrefix = Annotated[
    str, StringConstraints(max_length=MAX_PREFIX_CHARS, pattern=r"^[^/.\-].*[/_-]$"), _checked(branch_prefix_problem)
]
# Login's schema is also the schema of each item of Logins: written once, not generated from a
# TypeAdapter, which would build a validator at import that nothing uses.
_LOGIN_JSON_SCHEMA: dict[str, Any] = {"type": "string", "pattern": r"^\s*@?[A-Za-z0-9][A-Za-z0-9-]{0,38}(\[bot\])?\s*$"}
Login = Annotated[str, BeforeValidator(_login), WithJsonSchema(_LOGIN_JSON_SCHEMA)]
Logins = Annotated[
    frozenset[Login],
    BeforeValidator(_login_list),
    WithJsonSchema(
        # A copy: pydantic copies a WithJsonSchema shallowly, so a shared dict would be one object
        # in every schema generated (and anything that edited one, in all of them).
        {"type": ["array", "null"], "maxItems": MAX_USERS, "items": dict(_LOGIN_JSON_SCHEMA)}
    ),
]


def _kinds(value: object) -> tuple[Kind, ...]:
    """Kinds given in code pass as they are; a `kinds:` mapping is read by `kinds_from_config`."""
    if isinstance(value, tuple) and all(isinstance(kind, Kind) for kind in value):
        return value
    result = kinds_from_config(value)
    if result.problems:
        raise ValueError(result.problems[0])
    return result.kinds


def _kinds_json_schema() -> dict[str, Any]:
    """The `kinds:` mapping as people write it (the model holds the `Kind`s read from it)."""
    text_or_lines = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]}
    field_ids = {"type": "array", "items": {"type": "string"}}
    settings = {
        "form": {"type": "string", "pattern": f"^{kinds_module.FORM_PATH.pattern}$",
                 "description": "The kind's issue form in the repository."},
        "label": {"type": "string", "minLength": 1, "maxLength": MAX_LABEL_CHARS,
                  "description": "The label the form puts on its issues (default: the kind's name)."},
        "section": {**text_or_lines, "description": "The heading(s) entries go under, as written in the list; "
                    "`## {field}` lets a form field pick the heading."},
        "entry": {**text_or_lines, "description": "The entry's line(s) with `{field_id}` placeholders."},
        "one_line": {"type": "boolean", "description": "The entry's parts make one line."},
        "order": {"enum": list(kinds_module.ORDERS), "description": "Where a new entry goes among the others."},
        "order_by": {"type": "string", "description": "The field `order` compares (default: the first)."},
        "identity": {**field_ids, "description": "Fields that make two entries the same (duplicates)."},
        "links": {**field_ids, "description": "Fields checked and compared as links."},
    }
    assert set(settings) == set(kinds_module.KIND_KEYS), "every kind setting is described"
    return {
        "type": "object",
        "maxProperties": kinds_module.MAX_KINDS,
        "propertyNames": {"pattern": f"^{kinds_module.KIND_NAME.pattern}$"},
        "additionalProperties": {
            "type": ["object", "null"],  # null: a built-in kind taken as it is
            "additionalProperties": False,
            "properties": {key: settings[key] for key in kinds_module.KIND_KEYS},
        },
    }


def _kind_names(kinds: tuple[Kind, ...]) -> list[str]:
    return [kind.name for kind in kinds]


# `kinds` is read by `_kinds` and dumped (and logged) as the kinds' names. Its core schema is
# written out: PlainValidator and PlainSerializer make the same one, but only after generating a
# schema for the `Kind` dataclass that they throw away (~2 ms of every command's start).
_KINDS_SCHEMA = GetPydanticSchema(
    lambda _source, _handler: core_schema.no_info_plain_validator_function(
        _kinds,
        serialization=core_schema.plain_serializer_function_ser_schema(
            _kind_names, info_arg=False, return_schema=core_schema.list_schema(core_schema.str_schema())
        ),
        json_schema_input_schema=core_schema.any_schema(),
    )
)


VenueNames = tuple[tuple[str, tuple[str, ...]], ...]  # (canonical name, the ways people write it)


VENUE_EXAMPLE = "`venues: {AMI: [Artificial Intelligence in Medicine]}`"


def read_venues(value: object) -> tuple[VenueNames, list[str]]:
    """`venues:` maps the name listbot writes to the ways people type it: each valid venue is
    kept and each one at fault left out, with a problem saying why and what to write."""
    if value is None:
        return (), []
    if not isinstance(value, dict):
        return (), [f"`venues` must map a venue's name to the ways people write it, like {VENUE_EXAMPLE}; "
                    "it is ignored."]
    names: list[tuple[str, tuple[str, ...]]] = []
    problems: list[str] = []
    for name, aliases in list(value.items())[: venues_module.MAX_OVERRIDES]:
        listed = [aliases] if isinstance(aliases, str) else aliases if isinstance(aliases, list) else None
        why = venues_module.name_problem(name)
        if why is None and (listed is None or not all(isinstance(a, str) and a.strip() for a in listed)):
            why = "it must map to a list of the ways people write the venue"
        if why is not None:
            problems.append(f"{spanned('venues.' + escaped(str(name)))} is not valid: {why}; "
                            f"write it like {VENUE_EXAMPLE}. It is ignored.")
            continue
        assert isinstance(name, str)
        assert listed is not None
        names.append((name.strip(), tuple(alias.strip() for alias in listed)))
    if len(value) > venues_module.MAX_OVERRIDES:
        problems.append(f"`venues` names more than {venues_module.MAX_OVERRIDES} venues; the rest are ignored.")
    return tuple(names), problems


def _venues(value: object) -> VenueNames:
    """Venues given in code pass as they are; a `venues:` mapping is read by `read_venues`."""
    if isinstance(value, tuple):
        return value
    names, problems = read_venues(value)
    if problems:
        raise ValueError(problems[0])
    return names


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


# --- the model -------------------------------------------------------------------------------


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class Group(NamedTuple):
    """A mapping of the file that holds several rules (`labels:`, `commands:`)."""

    key: str
    description: str
    example: str


GROUPS = (
    Group("labels", "The labels listbot reads and sets.", "{submission: paper, needs_changes: needs-work}"),
    Group(
        "commands", "Who may run `/listbot refresh` and `/listbot recreate`.", "{permission: maintain, users: [mona]}"
    ),
    Group(
        "sources", "Which services listbot asks to fill in and check a submission (each on unless set to false).",
        "{arxiv: true, crossref: false}",
    ),
)
SOURCES = ("arxiv", "crossref", "github", "huggingface")
"""The services `sources:` turns on and off, by the key it uses for each."""


class Rules(BaseModel):
    """listbot's rules for one repository: `.github/listbot.yml` over the service's defaults."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_by_name=True, validate_by_alias=True, title="listbot repository settings"
    )

    list_path: ListPath = Field(
        default=DEFAULT_LIST_PATH,
        description="The Markdown file entries go into: relative, ending in `.md`, never under `.github/workflows`.",
        examples=[DEFAULT_LIST_PATH],
    )
    submission_label: Label = Field(
        default=DEFAULT_SUBMISSION_LABEL,
        validation_alias=AliasPath("labels", "submission"),
        description="Marks submission issues (the form adds it); at most 50 characters.",
        examples=[DEFAULT_SUBMISSION_LABEL],
    )
    needs_changes_label: Label = Field(
        default="needs-changes",
        validation_alias=AliasPath("labels", "needs_changes"),
        description="Put on a submission while it needs changes; different from `labels.submission`.",
        examples=["needs-changes"],
    )
    branch_prefix: BranchPrefix = Field(
        default="listbot/issue-",
        description="listbot's branches are `{branch_prefix}{issue number}`: git branch characters, ending in "
        "`/`, `-` or `_`, not like the default branch.",
        examples=["listbot/issue-"],
    )
    placement: Annotated[Placement, _one_of(PLACEMENTS)] = Field(
        default=DEFAULT_PLACEMENT,
        description="Where a new paper goes in its year section: `by-date` (newest first), `top` or `bottom`.",
        examples=["top"],
    )
    command_permission: Annotated[Permission, _one_of(PERMISSIONS)] = Field(
        default="write",
        validation_alias=AliasPath("commands", "permission"),
        description="The least repository permission needed to run `/listbot` commands.",
        examples=["maintain"],
    )
    command_users: Logins = Field(
        default=frozenset(),
        validation_alias=AliasPath("commands", "users"),
        description="GitHub logins (a leading `@` is fine) allowed to run commands whatever their permission.",
        examples=[["mona", "hubot"]],
    )

    source_arxiv: StrictBool = Field(
        default=True,
        validation_alias=AliasPath("sources", "arxiv"),
        description="Fill in and check papers with an arXiv link from arXiv's API.",
        examples=[False],
    )
    source_crossref: StrictBool = Field(
        default=True,
        validation_alias=AliasPath("sources", "crossref"),
        description="Fill in and check papers with a DOI link from Crossref.",
        examples=[False],
    )
    source_github: StrictBool = Field(
        default=True,
        validation_alias=AliasPath("sources", "github"),
        description="Check that a code link's GitHub repository exists and use its current name.",
        examples=[False],
    )
    source_huggingface: StrictBool = Field(
        default=True,
        validation_alias=AliasPath("sources", "huggingface"),
        description="Check that a model link's Hugging Face model exists.",
        examples=[False],
    )

    kinds: Annotated[tuple[Kind, ...], _KINDS_SCHEMA, WithJsonSchema(_kinds_json_schema())] = Field(
        default=BUILTIN_KINDS,
        description="What may be submitted: kind names mapped to their settings (default: paper, dataset, metric). "
        "A built-in kind's name may map to nothing to keep it as it is.",
        json_schema_extra=_without_default,  # the built-in `Kind`s are not what anyone writes in YAML
    )

    venues: Annotated[
        VenueNames,
        PlainValidator(_venues),
        PlainSerializer(lambda names: {name: list(aliases) for name, aliases in names}, return_type=dict[str, Any]),
        WithJsonSchema({
            "type": ["object", "null"],
            "maxProperties": venues_module.MAX_OVERRIDES,
            "additionalProperties": {"type": "array", "items": {"type": "string", "minLength": 1}},
        }),
    ] = Field(
        default=(),
        description="Venue names listbot writes, each with the ways people type it; they add to and take "
        "precedence over the built-in table (`bot/core/venues.yml`).",
        examples=[{"AMI": ["Artificial Intelligence in Medicine", "Artif Intell Med"]}],
    )

    @model_validator(mode="after")
    def _labels_differ(self) -> Rules:
        if labels_clash(self.submission_label, self.needs_changes_label):
            raise ValueError("the submission and needs-changes labels must differ")
        return self

    @property
    def enabled_sources(self) -> frozenset[str]:
        """The `sources:` keys left on, e.g. `{"arxiv", "github"}`."""
        return frozenset(name for name in SOURCES if getattr(self, f"source_{name}"))

    def branch(self, issue: int) -> str:
        return f"{self.branch_prefix}{issue}"

    def issue_of_branch(self, ref: str) -> int | None:
        """The issue number a listbot branch belongs to, or None for any other branch."""
        suffix = ref.removeprefix(self.branch_prefix)
        return int(suffix) if ref.startswith(self.branch_prefix) and suffix.isdigit() else None


# --- reading one value -----------------------------------------------------------------------


def _read_kinds(value: object) -> tuple[tuple[Kind, ...], list[str]]:
    result = kinds_from_config(value)
    return result.kinds, result.problems


# Rules with a reader of their own, which keeps every part that is valid (a `kinds:` entry at
# fault is left out, the others apply) and names each problem itself.
OWN_READERS: dict[str, Callable[[object], tuple[Any, list[str]]]] = {"kinds": _read_kinds, "venues": read_venues}


def key_path(field: str) -> tuple[str, ...]:
    """Where a rule sits in `.github/listbot.yml`: `("labels", "submission")`, `("placement",)`."""
    alias = Rules.model_fields[field].validation_alias
    return tuple(str(part) for part in alias.path) if isinstance(alias, AliasPath) else (field,)


def field_at(path: tuple[str, ...]) -> str | None:
    """The rule at a key path of the file, or None."""
    return _fields_by_path().get(path)


@cache
def _fields_by_path() -> dict[tuple[str, ...], str]:
    return {key_path(field): field for field in Rules.model_fields}


def keys_under(prefix: tuple[str, ...]) -> tuple[str, ...]:
    """The keys the file knows directly under `prefix`, in the model's order."""
    found: dict[str, None] = {}
    for path in _fields_by_path():
        if path[: len(prefix)] == prefix and len(path) > len(prefix):
            found[path[len(prefix)]] = None
    return tuple(found)


class ValueProblem(NamedTuple):
    """Why one value was refused: `where` leads from the value given to the part that is wrong."""

    where: tuple[str | int, ...]
    value: object
    why: str


@cache
def _adapter(field: str) -> TypeAdapter[Any]:
    info = Rules.model_fields[field]
    annotated: Any = Annotated[info.annotation, *info.metadata]  # the field's type with its checks
    return TypeAdapter(annotated)


def check_value(field: str, value: object) -> tuple[Any, ValueProblem | None]:
    """The value as the rule keeps it (e.g. trimmed), or the first problem with it."""
    try:
        return _adapter(field).validate_python(value), None
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "value_error":
            why = str(first["ctx"]["error"])
        else:  # a type's own constraint, in pydantic's words
            why = first["msg"][:1].lower() + first["msg"][1:]
        return None, ValueProblem(tuple(first["loc"]), first["input"], why)


def example_of(field: str) -> object:
    """The example a message offers for a rule (its first schema example)."""
    examples = Rules.model_fields[field].examples
    return examples[0] if examples else Rules.model_fields[field].default


# --- the JSON Schema -------------------------------------------------------------------------


def rules_json_schema() -> dict[str, Any]:
    """The JSON Schema of `.github/listbot.yml`, nested as the file is, generated from `Rules`."""
    flat = Rules.model_json_schema(mode="validation")
    properties: dict[str, Any] = {}
    for field, schema in flat["properties"].items():
        schema.pop("title", None)  # pydantic's title is the flat field name, not the file's key
        path = key_path(field)
        if len(path) == 1:
            properties[path[0]] = schema
        else:
            properties.setdefault(path[0], {"properties": {}})["properties"][path[1]] = schema
    for group in GROUPS:
        keys = properties[group.key]["properties"]
        properties[group.key] = {
            "type": ["object", "null"],  # null: a group with every key left out (`labels:`) keeps the defaults
            "description": group.description,
            "additionalProperties": False,
            "properties": keys,
            "default": {key: schema.get("default") for key, schema in keys.items()},
        }
    document: dict[str, Any] = {
        "$schema": SCHEMA_URL,
        "title": flat["title"],
        "description": "listbot's per-repository settings, read from `.github/listbot.yml` on the default branch. "
        "Every key is optional.",
        "type": "object",
        "additionalProperties": False,
        "properties": {key: properties[key] for key in keys_under(())},
    }
    if "$defs" in flat:
        document["$defs"] = flat["$defs"]
    return document


def rules_json_schema_text() -> str:
    """The schema as committed at `.github/listbot.schema.json`: stable key order, two-space indent."""
    import json  # only `listbot config schema` writes JSON: the list commands need not import it

    return json.dumps(rules_json_schema(), indent=2, ensure_ascii=False) + "\n"
