"""Each kind's issue form: the one committed in the repository, else a built-in kind's generated one.

The bot parses every issue with its kind's form as committed on the default branch, so a
maintainer who renames a field's label there changes the heading listbot looks for too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from bot.core.entry_template import template_fields
from bot.core.forms import IssueForm, form_from_yaml
from bot.core.kinds import Kind
from bot.core.template import render_form

MISSING = "`{path}`, the form of the `{kind}` kind, is not {where}; {effect}."
INVALID = "`{path}`, the form of the `{kind}` kind, is not a valid issue form ({why}); {effect}."
NO_FIELD = (
    "`{path}` has no field with `id: {field}`, which the `{kind}` kind's entry or section uses; "
    "add it (or change `kinds.{kind}`) so its entries can be written."
)
BUILTIN_EFFECT = "listbot reads these issues with its built-in form"
CUSTOM_EFFECT = "submissions of this kind cannot be read until it is there"


@lru_cache(maxsize=256)
def _parse(text: str) -> IssueForm | str:
    """The form, or why it is not one (memoised: the same commit is read again and again)."""
    try:
        return form_from_yaml(text)
    except ValueError as error:
        return str(error).splitlines()[0][:200]


@lru_cache(maxsize=16)
def generated_form(kind: Kind) -> IssueForm:
    """A built-in kind's form as `listbot template` writes it."""
    return form_from_yaml(render_form(kind))


def builtin_forms(kinds: Sequence[Kind]) -> dict[str, IssueForm]:
    """The generated form of every built-in kind among `kinds`."""
    return {kind.name: generated_form(kind) for kind in kinds if kind.builtin}


def kind_forms(
    kinds: Sequence[Kind], committed: Mapping[str, str | None], where: str
) -> tuple[dict[str, IssueForm], list[str]]:
    """Each kind's form from the committed text at its path (None: absent), and the problems.

    `where` says where the forms were looked for, e.g. "on `main`" or "in this checkout".
    """
    forms: dict[str, IssueForm] = {}
    problems: list[str] = []
    for kind in kinds:
        effect = BUILTIN_EFFECT if kind.builtin else CUSTOM_EFFECT
        text = committed.get(kind.form_path)
        parsed = _parse(text) if text is not None else None
        if isinstance(parsed, IssueForm):
            forms[kind.name] = parsed
            problems.extend(_missing_fields(kind, parsed))
            continue
        if parsed is None and not kind.builtin:
            problems.append(MISSING.format(path=kind.form_path, kind=kind.name, where=where, effect=effect))
        elif parsed is not None:
            problems.append(INVALID.format(path=kind.form_path, kind=kind.name, why=parsed, effect=effect))
        if kind.builtin:
            forms[kind.name] = generated_form(kind)
    return forms, problems


def _missing_fields(kind: Kind, form: IssueForm) -> list[str]:
    """A `listbot.yml` kind's placeholders that its form does not ask for."""
    if kind.builtin:
        return []
    ids = {item.id for item in form.fields}
    used = [*template_fields(kind.template), *template_fields(kind.section)]
    missing = [name for name in dict.fromkeys(used) if name not in ids]
    return [NO_FIELD.format(path=kind.form_path, field=name, kind=kind.name) for name in missing]
