"""Each kind's issue form: the one committed in the repository, else a built-in kind's generated one.

The bot parses every issue with its kind's form as committed on the default branch, so a
maintainer who renames a field's label there changes the heading listbot looks for too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache

from bot.core import textrules
from bot.core.entry_template import (
    Adjacent,
    adjacent_fields,
    alike_parts,
    fill,
    placeholder_spans,
    placeholders,
    template_fields,
)
from bot.core.forms import IssueForm, form_from_yaml
from bot.core.kinds import Kind, optional_fields
from bot.core.shown import code_span, escaped
from bot.core.template import kind_form, render_form

MISSING = "`{path}`, the form of the `{kind}` kind, is not {where}; {effect}."
INVALID = "`{path}`, the form of the `{kind}` kind, is not a valid issue form ({why}); {effect}."
NO_FIELD = (
    "`{path}` has no field with `id: {field}`, which the `{kind}` kind's entry or section uses; "
    "add it (or change `kinds.{kind}`) so its entries can be written."
)
SHARED_OPTIONAL = (
    "{where} ({line}) writes `{{{field}}}`, which `{path}` does not require, with other text: when it is "
    "left empty the {piece} is still written, as {written}, which `listbot lint` reports ({codes}) and "
    "listbot cannot read back; {fix}, or mark `{field}` `required: true` in the form."
)
OPTIONAL_FIRST = (
    "{where} ({line}) is left out when {fields} empty, as `{path}` allows, but the {rest} after it "
    "{are} still written, so the entry does not read as the `{kind}` kind's and `listbot lint` reports "
    "it (LB016); put it after a {piece} that is always written, or mark {required} `required: true` "
    "in the form."
)
ALIKE_OPTIONAL = (
    "{where} ({line}) and {other} ({other_line}) start alike, so when {fields} empty, as `{path}` allows, "
    "and {this} is left out, listbot reads {other} back as {this}, into the wrong fields; {fix}, or mark "
    "{required} `required: true` in the form."
)
ADJACENT = (
    "{where} {write} `{{{first}}}` and `{{{second}}}` with {between} between them{when}, so listbot cannot "
    "tell where `{first}` ends ({why}) and reads such entries back into the wrong fields; {fix}."
)
BUILTIN_EFFECT = "listbot reads these issues with its built-in form"
CUSTOM_EFFECT = "submissions of this kind cannot be read until it is there"


@lru_cache(maxsize=256)
def _parse(text: str) -> IssueForm | str:
    """The form, or why it is not one (memoised: the same commit is read again and again)."""
    try:
        return form_from_yaml(text)
    except ValueError as error:
        return escaped(str(error).splitlines()[0][:200], None)


@lru_cache(maxsize=16)
def generated_form(kind: Kind) -> IssueForm:
    """A built-in kind's form as `listbot template` writes it (and the bot reads that file).

    When every text in it is printable, it is the mapping that file is written from
    (`kind_form`), validated without the round trip through YAML, which reads such text back as
    written (property-tested; writing YAML in PyYAML's pure-Python emitter cost `listbot lint` in a
    repository without committed forms more than all its other work). A label holding a line
    break such as U+0085 does not come back as written: that form is read from its file's text.
    """
    mapping = kind_form(kind)
    if all(text.isprintable() for text in _texts(mapping)):
        return IssueForm.model_validate(mapping)
    return form_from_yaml(render_form(kind))


def _texts(data: object) -> Iterator[str]:
    """Every string in a YAML-ready mapping: its keys and values, however deeply nested."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _texts(key)
            yield from _texts(value)
    elif isinstance(data, list):
        for item in data:
            yield from _texts(item)


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
            if not kind.builtin:
                problems.extend(optional_field_problems(kind, parsed))
                problems.extend(adjacent_field_problems(kind, parsed))
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


# Filling a template (`entry_template.fill`) leaves out a line, or a part of a one-line template,
# only when every field it names is empty; reading it back (`template_pattern`) allows it to be
# absent only when every field it names is optional, and reads each field as non-empty text.
# So an entry with an optional field left empty reads back exactly when that field's line is
# either written whole or left out whole, a left-out line is not the first (the line break or
# space that joins the next one to it would be missing), and the line written in its place does
# not start as it does (`entry_template.alike_parts`).


def optional_field_problems(kind: Kind, form: IssueForm) -> list[str]:
    """Template lines (or parts) an entry cannot be read back from when a field `form` does not
    require is left empty: the field shares its line with another field, it is the first line, or
    its line starts as a later one written in its place does."""
    optional = optional_fields(kind, form)
    pieces = kind.template
    problems: list[str] = []
    for number, line in enumerate(pieces, 1):
        names = list(dict.fromkeys(placeholders(line)))
        where = _where(kind, number)
        if len(names) > 1:
            problems.extend(
                _shared_problem(kind, where, line, number, name, optional) for name in names if name in optional
            )
    for index, alike in alike_parts(pieces, one_line=kind.one_line, optional=optional).items():
        problems.append(_alike_problem(kind, index, alike, optional))
    first = list(dict.fromkeys(placeholders(pieces[0])))
    # A later line is written when it names no field, or one the first line does not.
    rest_kept = any(not (later := set(placeholders(line))) or not later <= set(first) for line in pieces[1:])
    if first and set(first) <= optional and rest_kept:
        problems.append(_first_problem(kind, first))
    return problems


def _where(kind: Kind, number: int) -> str:
    if len(kind.template) == 1:
        return f"`kinds.{kind.name}.entry`"
    return f"`kinds.{kind.name}.entry` {'part' if kind.one_line else 'line'} {number}"


def _shared_problem(kind: Kind, where: str, line: str, number: int, field: str, optional: set[str]) -> str:
    """The problem of optional `field` written on template line `number` with other fields."""
    written = fill((line,), {name: "{" + name + "}" for name in placeholders(line) if name != field})[0]
    ends_line = number == len(kind.template) or not kind.one_line
    codes = "LB016 not this kind's entry"
    if ends_line and textrules.trailing_whitespace(written):
        codes = "LB012 trailing whitespace, " + codes
    return SHARED_OPTIONAL.format(
        where=where, line=code_span(line, None), field=field, path=kind.form_path, written=code_span(written, None),
        codes=codes,
        piece="part" if kind.one_line and len(kind.template) > 1 else "line",
        fix=_own_part(kind, number, field, optional),
    )


def _own_part(kind: Kind, number: int, field: str, optional: set[str]) -> str:
    """How to give `field` a part (or line) of its own: with the `entry:` to write when the line
    splits, at the first space after the field before it, into parts that join into the same line."""
    line = kind.template[number - 1]
    token = "{" + field + "}"
    generic = f"give `{token}` a {'part' if kind.one_line else 'line'} of its own" + (
        "" if kind.one_line else " (or, with `one_line: true`, a part of its own)"
    )
    spans = placeholder_spans(line)
    at = next(start for name, start, _ in spans if name == field)
    space = line.find(" ", max((end for _, _, end in spans if end <= at), default=0), at)
    before, own = line[:max(space, 0)], line[space + 1:]
    splits = (
        space > 0 and placeholders(line).count(field) == 1 and before == before.rstrip()
        and set(placeholders(own)) == {field} and bool(placeholders(before))
    )
    if not splits or (not kind.one_line and len(kind.template) > 1):
        return generic
    parts = (*kind.template[: number - 1], before, own, *kind.template[number:])
    if not _reads_back(kind, parts, optional, one_line=True):
        return generic
    setting = "" if kind.one_line else "`one_line: true` and "
    return f"give `{token}` a part of its own ({setting}{_entry_setting(parts)} writes the same entries)"


def _first_problem(kind: Kind, first: list[str]) -> str:
    """The problem of a first line (or part) whose fields are all optional, with more after it."""
    piece = "part" if kind.one_line else "line"
    several = len(kind.template) > 2
    return OPTIONAL_FIRST.format(
        where=_where(kind, 1), line=code_span(kind.template[0], None), path=kind.form_path, kind=kind.name,
        fields=" and ".join(f"`{{{name}}}`" for name in first) + (" are" if len(first) > 1 else " is"),
        rest=f"{piece}s" if several else piece, are="are" if several else "is",
        piece=piece, required=" and ".join(f"`{name}`" for name in first),
    )


def _alike_problem(kind: Kind, index: int, later: int, optional: set[str]) -> str:
    """The problem of template line (or part) `index`, all its fields optional, that starts as the
    `later` one does, which is written in its place when it is left out."""
    names = list(dict.fromkeys(placeholders(kind.template[index])))
    piece = "part" if kind.one_line else "line"
    return ALIKE_OPTIONAL.format(
        where=_where(kind, index + 1), line=code_span(kind.template[index]),
        other=f"{piece} {later + 1}", other_line=code_span(kind.template[later]),
        fields=" and ".join(f"`{{{name}}}`" for name in names) + (" are" if len(names) > 1 else " is"),
        path=kind.form_path, this=f"{piece} {index + 1}", kind=kind.name,
        fix=_own_start(kind, index, optional), required=" and ".join(f"`{name}`" for name in names),
    )


def _own_start(kind: Kind, index: int, optional: set[str]) -> str:
    """How to tell template line (or part) `index` from the later one it starts like: a label
    before its first field, with the `entry:` to write when that tells them apart."""
    piece = "part" if kind.one_line else "line"
    line = kind.template[index]
    first, at, _ = placeholder_spans(line)[0]
    generic = f"start {piece} {index + 1} with text of its own"
    labelled = f"{line[:at]}{first}: {line[at:]}"
    template = _gaps_labelled(kind, (*kind.template[:index], labelled, *kind.template[index + 1:]), optional)
    if labelled == line or not _reads_back(kind, template, optional):
        return generic
    return f"{generic} ({_entry_setting(template)} tells them apart)"


def adjacent_field_problems(kind: Kind, form: IssueForm) -> list[str]:
    """Fields of the template that an entry can write with nothing but blanks between them, where
    reading cannot tell where the first ends (`entry_template.adjacent_fields`)."""
    optional = optional_fields(kind, form)
    found = adjacent_fields(kind.template, one_line=kind.one_line, optional=optional, links=kind.links)
    if not found:
        return []
    labelled = _gaps_labelled(kind, kind.template, optional)
    fix = "put text other than spaces between them, such as a label"
    if _reads_back(kind, labelled, optional):
        fix += f" ({_entry_setting(labelled)} reads back)"
    return [_adjacent_problem(kind, pair, fix) for pair in found]


def _adjacent_problem(kind: Kind, pair: Adjacent, fix: str) -> str:
    piece = "part" if kind.one_line else "line"
    first, second = pair.first_part, pair.second_part
    if first == second:
        where = f"{_where(kind, first + 1)} ({code_span(kind.template[first])})"
    else:
        where = (f"`kinds.{kind.name}.entry` {piece} {first + 1} ({code_span(kind.template[first])}) and "
                 f"{piece} {second + 1} ({code_span(kind.template[second])})")
    if not pair.between:
        between = "nothing"
    elif pair.links:
        between = "only spaces and " + " and ".join(f"`{{{name}}}`" for name in pair.links)
    else:
        between = "only a space" if pair.between == " " else "only blanks"
    left_out = " and ".join(f"`{{{name}}}`" for name in pair.left_out)
    return ADJACENT.format(
        where=where, write="writes" if first == second else "write", first=pair.first, second=pair.second,
        between=between, when=f" when {left_out} {'are' if len(pair.left_out) > 1 else 'is'} empty" if left_out else "",
        why=_why(kind, pair), fix=fix,
    )


def _why(kind: Kind, pair: Adjacent) -> str:
    if not pair.between:
        return "nothing marks it"
    if pair.second in kind.links:
        return f"it may hold spaces, and `{{{pair.second}}}` may be left out"
    return "both may hold spaces"


def _gaps_labelled(kind: Kind, template: tuple[str, ...], optional: set[str]) -> tuple[str, ...]:
    """`template` with a label (`b: `) before the second field of each pair that reading cannot
    tell apart, which marks where the first ends."""
    lines = list(template)
    for pair in adjacent_fields(template, one_line=kind.one_line, optional=optional, links=kind.links):
        line, token = lines[pair.second_part], "{" + pair.second + "}"
        at = next(start for name, start, _ in placeholder_spans(line) if name == pair.second)
        space = " " if at > 0 and not line[at - 1].isspace() else ""
        if f"{pair.second}: {token}" not in line:
            lines[pair.second_part] = f"{line[:at]}{space}{pair.second}: {line[at:]}"
    return tuple(lines)


def _reads_back(kind: Kind, template: tuple[str, ...], optional: set[str], *, one_line: bool | None = None) -> bool:
    """Whether entries written from `template` read back (as far as the form's checks tell): no
    optional part starts as one written in its place, no field runs into the next."""
    joined = kind.one_line if one_line is None else one_line
    return not alike_parts(template, one_line=joined, optional=optional) and not adjacent_fields(
        template, one_line=joined, optional=optional, links=kind.links
    )


def _entry_setting(parts: Sequence[str]) -> str:
    """The `entry:` setting that gives these template parts, to copy: each part a JSON string,
    which YAML reads as the same text whatever quotes or backslashes it holds."""
    import json  # only these messages need it: the commands' start does not import it

    listed = ", ".join(json.dumps(part, ensure_ascii=False) for part in parts)
    return code_span(f"entry: [{listed}]", None)
