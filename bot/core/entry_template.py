"""Entry templates: `{field_id}` placeholders filled to write an entry, and read back from the list.

A template is a tuple of lines. Filling it drops every line whose placeholders are all empty
(an optional link line, say); a one-line template joins the remaining parts with a space, so
an optional part of one line (` [[code]](…)`) disappears with its space. Reading inverts
filling: the same template becomes a regular expression that recognises an entry and gives its
field values back, with the optional parts optional. `{{` and `}}` stand for literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from bot.core.shown import code_span

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|\{|\}")
FIELD_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class TemplateError(ValueError):
    """A template that cannot be filled or read: an unmatched brace or a bad placeholder."""


def _tokens(line: str) -> Iterator[tuple[str, bool]]:
    """(text, is_placeholder) pieces of a template line; raises `TemplateError` on stray braces."""
    position = 0
    for match in _TOKEN.finditer(line):
        if match.start() > position:
            yield line[position:match.start()], False
        token = match[0]
        if match[1]:
            yield match[1], True
        elif token in ("{{", "}}"):
            yield token[0], False
        else:
            raise TemplateError(
                f"{code_span(line)} has a stray `{token}`; placeholders look like `{{field_id}}` "
                "(letters, digits and `_`), and a literal brace is written `{{` or `}}`"
            )
        position = match.end()
    if position < len(line):
        yield line[position:], False


def placeholder_spans(line: str) -> list[tuple[str, int, int]]:
    """(field id, start, end) of each placeholder in a template line, in order: where `{b}` stands,
    which a plain search for the text `{b}` would also find inside a literal `{{b}}`."""
    return [(match[1], *match.span()) for match in _TOKEN.finditer(line) if match[1]]


def placeholders(line: str) -> list[str]:
    """The field ids a template line names, in order (repeats kept)."""
    return [text for text, is_field in _tokens(line) if is_field]


def template_fields(template: Sequence[str]) -> list[str]:
    """Every field id a template names, first appearance first."""
    seen: dict[str, None] = {}
    for line in template:
        for name in placeholders(line):
            seen.setdefault(name)
    return list(seen)


def fill(template: Sequence[str], values: Mapping[str, str], *, one_line: bool = False) -> list[str]:
    """The entry's lines: placeholders replaced, lines whose placeholders are all empty left out."""
    kept: list[str] = []
    for line in template:
        names = placeholders(line)
        if names and not any(values.get(name) for name in names):
            continue
        kept.append("".join(values.get(text, "") if is_field else text for text, is_field in _tokens(line)))
    return [" ".join(kept)] if one_line and kept else kept


# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class Reader(NamedTuple):
    """A compiled template that recognises an entry's text and returns its field values."""

    pattern: re.Pattern[str]
    fields: tuple[str, ...]

    def read(self, text: str) -> dict[str, str] | None:
        """The entry's field values (absent optional parts as ""), or None when it does not match."""
        match = self.pattern.fullmatch(text)
        if match is None:
            return None
        return {name: match.group(name) or "" for name in self.fields}


def _line_pattern(line: str, fields: Mapping[str, str], seen: set[str], uncaptured: Collection[str]) -> str:
    parts: list[str] = []
    for text, is_field in _tokens(line):
        if not is_field:
            parts.append(re.escape(text))
        elif text in seen:
            if text in uncaptured:
                raise TemplateError(f"the field `{text}` appears twice, so it must be captured")
            parts.append(f"(?P={text})")
        else:
            seen.add(text)
            parts.append(f"(?:{fields[text]})" if text in uncaptured else f"(?P<{text}>{fields[text]})")
    return "".join(parts)


def _head_and_fields(line: str) -> tuple[str, set[str]]:
    """A template line's literal text before its first placeholder (all of it when it names none),
    and the fields it names."""
    tokens = list(_tokens(line))
    first = next((index for index, (_, is_field) in enumerate(tokens) if is_field), len(tokens))
    return "".join(text for text, _ in tokens[:first]), {text for text, is_field in tokens[first:] if is_field}


# Where a line (or part) whose fields are all optional may start, an entry's text starts with the
# head of whichever part is written there (the line break or space that joins it, then its literal
# text before its first field), or it ends. The parts that can be written there are the later ones
# up to the first that is always written, but not one naming only the part's own fields (it is
# left out with it). Reading tells them apart by their heads: a part is taken as there when the
# text starts with its head and with no longer head of those parts. So two parts whose heads differ
# read back exactly, as long as no field's value starts with the rest of a longer head (text of the
# template, which values are not expected to hold; and after a value, the template's next text
# tells where it ends). Two parts with the very same head (`{a}` then `{b}`, or `- {a}` then
# `- {b}`) cannot be told apart when the first is left out: `alike_parts` names them, and the
# form's problems refuse such a kind (`kind_forms.optional_field_problems`).


def _part_readings(
    template: Sequence[str], *, one_line: bool, optional: Collection[str]
) -> list[tuple[tuple[str, ...], int | None] | None]:
    """For each line (or part) whose fields are all `optional`, which may be left out, the longer
    heads of the parts that can be written in its place (where the text starts with one, it is
    not there) and the first of them with its very head, if any; None for the other lines."""
    separator = " " if one_line else "\n"
    read = [_head_and_fields(line) for line in template]
    heads = [(separator if index else "") + head for index, (head, _) in enumerate(read)]
    names = [fields for _, fields in read]
    allowed = set(optional)
    readings: list[tuple[tuple[str, ...], int | None] | None] = []
    for index, own in enumerate(names):
        if not own or not own <= allowed:
            readings.append(None)
            continue
        longer: list[str] = []
        alike: int | None = None
        for later in range(index + 1, len(template)):
            if not (names[later] and names[later] <= own):
                if heads[later] == heads[index]:
                    alike = later if alike is None else alike
                elif heads[later].startswith(heads[index]):
                    longer.append(heads[later])
            if not (names[later] and names[later] <= allowed):
                break  # always written: no part after it is written in this one's place
        readings.append((tuple(longer), alike))
    return readings


def alike_parts(template: Sequence[str], *, one_line: bool, optional: Collection[str]) -> dict[int, int]:
    """Each line (or part; by index) whose fields are all `optional` that reading cannot tell,
    when it is left out, from a later one written in its place (the same head), with that one."""
    readings = _part_readings(template, one_line=one_line, optional=optional)
    return {index: reading[1] for index, reading in enumerate(readings) if reading and reading[1] is not None}


# Reading finds where a field's value ends by the template text after it: each field is read as
# the shortest text after which the rest of the entry still reads (`template_pattern`'s lazy
# groups). Text that is nothing but blanks tells nothing when the field's value may hold blanks
# too, as text may (`[^\n]+?`) and a link may not (`\S+?`). So in a row of fields written with
# nothing but blanks between them (the space that joins one-line parts, say, when an optional
# part between them is left out), a link ends at the first blank and one text field may take the
# blanks up to the links after it, which end the row when they are always written; a second text
# field, or a link that may be left out with nothing but blanks after it in its part (nothing
# then marks whether it is there), makes the split a guess (`{a} {b}` writes `Static site
# generator Apache 2.0`, read back as a=`Static`; `{a}` then an optional `{url}` part reads an
# `a` of `Hugo Go` as a=`Hugo`, url=`Go`). Nothing at all between two fields is a guess whatever
# they hold. (An optional part before a text field, written with the same head, is `alike_parts`.)
# Text with more than blanks in it (` - `, `](`) is taken as telling where a value ends: values
# are not expected to hold template text.


class Adjacent(NamedTuple):
    """Two fields an entry can write with nothing but blanks between them, where reading cannot
    tell where the first ends: their lines (or parts) by index, the text between them (links
    written there as their placeholders; "": nothing at all), the link fields among it, and the
    optional fields left out for them to meet."""

    first: str
    first_part: int
    second: str
    second_part: int
    between: str
    links: tuple[str, ...]
    left_out: tuple[str, ...]


# Two field occurrences (by their order in the template) written one straight after the other,
# the text between them, and the optional fields left out for that. (A plain tuple: only this
# module's check makes them, and a class costs every command's start.)
_Meeting = tuple[int, int, str, tuple[str, ...]]


def _occurrences(template: Sequence[str]) -> tuple[list[tuple[str, int, str]], list[str]]:
    """Each field occurrence as (field, line index, literal text before it in its line since the
    field before), and each line's literal text after its last field (all of it when it names none)."""
    found: list[tuple[str, int, str]] = []
    tails: list[str] = []
    for index, line in enumerate(template):
        text = ""
        for piece, is_field in _tokens(line):
            if is_field:
                found.append((piece, index, text))
                text = ""
            else:
                text += piece
        tails.append(text)
    return found, tails


def _meetings(
    found: list[tuple[str, int, str]], tails: list[str], names: list[set[str]], *, one_line: bool,
    optional: Collection[str],
) -> list[_Meeting]:
    """Every pair of field occurrences (`_occurrences`) an entry can write one straight after the
    other: in a line, and, in a one-line template, across the space that joins parts when the
    ones between are left out. (Between lines there is a line break, which no value holds.)"""
    firsts = {part: at for at, (_, part, _) in reversed(list(enumerate(found)))}
    meetings: list[_Meeting] = [  # in a line
        (at - 1, at, before, ()) for at, (_, part, before) in enumerate(found)
        if at and found[at - 1][1] == part
    ]
    for at, (name, part, _) in enumerate(found):
        if not one_line or (at + 1 < len(found) and found[at + 1][1] == part):
            continue  # not its line's last field
        between = tails[part]
        left_out: tuple[str, ...] = ()
        for later in range(part + 1, len(names)):
            if later not in firsts:
                between += " " + tails[later]  # text alone: always written
                continue
            after = firsts[later]
            if found[after][0] not in left_out:
                meetings.append((at, after, between + " " + found[after][2], left_out))
            if not (names[later] <= set(optional) and name not in names[later]):
                break  # always written when this field is: nothing after it meets this one
            left_out = (*left_out, *sorted(names[later] - set(left_out)))
    return meetings


def adjacent_fields(
    template: Sequence[str], *, one_line: bool, optional: Collection[str], links: Collection[str]
) -> list[Adjacent]:
    """Each pair of fields an entry written from `template` can hold where reading cannot tell
    where the first ends (see above): with nothing between them, or a text field (not in `links`)
    and a text field or a link that may be left out, with nothing but blanks and links between."""
    found, tails = _occurrences(template)
    names = [set(placeholders(line)) for line in template]
    meetings = _meetings(found, tails, names, one_line=one_line, optional=optional)
    adjacent: dict[tuple[int, int], Adjacent] = {}

    def add(first: int, second: int, between: str, links: tuple[str, ...], left_out: tuple[str, ...]) -> None:
        if found[first][0] != found[second][0]:  # a repeat must equal the first: it cannot take its text
            adjacent.setdefault((first, second), Adjacent(
                found[first][0], found[first][1], found[second][0], found[second][1], between, links, left_out
            ))

    blank_before: dict[int, list[_Meeting]] = {}
    for meeting in meetings:
        if not meeting[2]:
            add(meeting[0], meeting[1], "", (), meeting[3])
        elif not meeting[2].strip():
            blank_before.setdefault(meeting[1], []).append(meeting)
    for second, (name, part, _) in enumerate(found):
        last = second + 1 == len(found) or found[second + 1][1] != part
        if name in links and not (names[part] <= set(optional) and last and not tails[part].strip()):
            continue  # a link that is always written, or is followed by text of its part, is told apart
        # Back along the blanks, through links, to the text fields this one can meet.
        paths: list[tuple[_Meeting, str, tuple[str, ...], tuple[str, ...]]] = [
            (meeting, meeting[2], (), meeting[3]) for meeting in blank_before.get(second, [])
        ]
        while paths:
            meeting, between, through, left_out = paths.pop(0)
            first = found[meeting[0]][0]
            if first not in links:
                add(meeting[0], second, between, through, tuple(dict.fromkeys(left_out)))
                continue
            paths.extend(
                (earlier, earlier[2] + "{" + first + "}" + between, (first, *through), (*earlier[3], *left_out))
                for earlier in blank_before.get(meeting[0], [])
            )
    return [adjacent[key] for key in sorted(adjacent, key=lambda key: (key[1], key[0]))]


def template_pattern(
    template: Sequence[str],
    fields: Mapping[str, str],
    *,
    one_line: bool,
    optional: Collection[str],
    uncaptured: Collection[str] = (),
) -> str:
    """The regular expression of entries written from `template`: each field's first occurrence
    is the named group of the pattern `fields` gives it (a group of none for an `uncaptured`
    field, which must not repeat: a caller that does not read it spares the search the copy), a
    repeat must equal it, and a line (or, in a one-line template, a part) whose fields are all
    `optional` may be absent (and is read as absent where the text starts with the longer head
    of a later part that can be written in its place: see `_part_readings`)."""
    seen: set[str] = set()
    pattern = ""
    separator = " " if one_line else "\n"
    readings = _part_readings(template, one_line=one_line, optional=optional)
    for index, line in enumerate(template):
        piece = _line_pattern(line, fields, seen, uncaptured)
        joined = piece if index == 0 else re.escape(separator) + piece
        reading = readings[index]
        if reading is None:
            pattern += joined
            continue
        longer = reading[0]
        not_theirs = f"(?!{'|'.join(re.escape(head) for head in longer)})" if longer else ""
        pattern += f"(?:{not_theirs}{joined})?"
    return pattern


@lru_cache(maxsize=256)
def _compiled(
    template: tuple[str, ...], one_line: bool, links: frozenset[str], optional: frozenset[str]
) -> Reader:
    # A link is one run of non-space characters; text is anything on the line.
    fields = {name: r"\S+?" if name in links else r"[^\n]+?" for name in template_fields(template)}
    pattern = template_pattern(template, fields, one_line=one_line, optional=optional)
    return Reader(re.compile(pattern), tuple(template_fields(template)))


def reader(
    template: Sequence[str], *, one_line: bool, links: Collection[str], optional: Collection[str]
) -> Reader:
    """The reader for entries written from `template` (`optional` fields may be absent)."""
    return _compiled(tuple(template), one_line, frozenset(links), frozenset(optional))


def check_template(template: Sequence[str]) -> list[str]:
    """What is wrong with a template, as sentences (empty when it is usable)."""
    problems: list[str] = []
    if not template or not any(line.strip() for line in template):
        return ["the entry template is empty; give at least one line such as `- [{name}]({url})`"]
    for line in template:
        try:
            list(_tokens(line))
        except TemplateError as error:
            problems.append(str(error))
        if "\n" in line or "\r" in line:
            problems.append(f"{code_span(line.strip(), 40)} holds a line break; give the lines as a YAML list")
    if not problems and not template_fields(template):
        problems.append("the entry template names no field; use placeholders such as `{name}`")
    return problems
