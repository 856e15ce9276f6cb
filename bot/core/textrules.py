"""Rules for the one-line text fields that go into an entry: safe, plain, single-line text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from bot.core.lazy_patterns import lazy_pattern

_LINE_BREAKS = lazy_pattern(r"[\r\n\v\f\x85\u2028\u2029]")
# A tag opener or an entity. One run of blanks after `<` (`<\s*/?\s*` tried every split of a
# long run of blanks between its two `\s*`: quadratic); each `&` scans only the word after it.
_HTML = lazy_pattern(r"<\s*(?:/\s*)?[A-Za-z!?]|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE)
# A URL scheme (a letter, then letters, digits, `+.-`, then `://`) or `www.`. Tried only where a
# run of scheme characters begins, skipping its leading digits and `+.-`: matching a scheme from
# every letter of a long word rescanned the word from each one (quadratic). Same texts match.
_AUTOLINK = lazy_pattern(r"(?<![a-z0-9+.-])[0-9+.-]*[a-z][a-z0-9+.-]*://|\bwww\.", re.IGNORECASE)
# Characters that would end the **bold** / *italic* wrapper, start a link or a code span,
# or escape the wrapper: any of them lets user text reshape the entry block.
_MARKDOWN_CHARS = "*`[]\\<>"
# A line may not begin like a block of its own (heading, quote, list, table, rule, setext).
_BLOCK_START = lazy_pattern(r"^(?:[#>+=|-]|\d+[.)](?:\s|$))")
# GitHub turns an e-mail address into a `mailto:` link, even inside bold or italic text.
_EMAIL = lazy_pattern(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Characters that only restyle inline text (`_x_` emphasis, `~x~` strike-through, `$x$` math):
# they are written escaped, so the entry shows them as typed.
_INLINE_STYLE = lazy_pattern(r"(?<![^\W_])_|_(?![^\W_])|[~$]")
_ESCAPED_STYLE = lazy_pattern(r"\\([_~$])")


class TextError(ValueError):
    """Text that cannot go into an entry; the message says how to fix it."""


# Characters that render blank or overlay others without being format characters (category Cf):
# Hangul and braille fillers, the grapheme joiner, strike-through overlays, variation selectors.
_LOOKALIKE_BLANKS = frozenset(
    {0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x0335, 0x0336, 0x0337, 0x0338, 0x20D2, 0x20E5}
    | set(range(0xFE00, 0xFE10))
    | set(range(0xE0100, 0xE01F0))
)


def invisible_characters(text: str) -> list[str]:
    """Names of the bidi controls, zero-width, blank-looking and control characters in text."""
    found = []
    for char in text:
        invisible = unicodedata.category(char) in {"Cf", "Cc", "Co", "Cs"} or ord(char) in _LOOKALIKE_BLANKS
        if invisible and char != "\t":
            found.append(f"U+{ord(char):04X}")
    return found


# --- lines `listbot lint` reports: LB012 and LB014 here, LB013 is `mojibake_runs` below ----------

# The control characters an ASCII line may hold: every C0 control but the tab and the line feed
# (which ends a line), and DEL.
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def trailing_whitespace(line: str) -> str:
    """The whitespace a line ends in, "" when none (lint's LB012)."""
    return line[len(line.rstrip()):]


def invisible_columns(line: str) -> Iterator[tuple[int, str]]:
    """(index, `U+XXXX`) of each invisible or control character in a line (lint's LB014)."""
    if line.isascii():
        for match in _ASCII_CONTROL.finditer(line):
            yield match.start(), f"U+{ord(match[0]):04X}"
        return
    for index, char in enumerate(line):
        if not char.isprintable() and (names := invisible_characters(char)):
            yield index, names[0]


# --- mis-decoded text -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _cp1252_table() -> dict[str, int]:
    """Each character a cp1252 decoder produces for a byte 0x80-0xFF, mapped back to the byte.

    The five bytes cp1252 leaves undefined are taken to decode to the same-numbered C1 control.
    """
    table: dict[str, int] = {}
    for byte in range(0x80, 0x100):
        try:
            char = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            char = chr(byte)
        table[char] = byte
    return table


@lru_cache(maxsize=1)
def _mojibake_pattern() -> re.Pattern[str]:
    """One UTF-8 sequence of 2-4 bytes, each byte shown as its cp1252 character."""

    def chars(low: int, high: int) -> str:
        return "".join(re.escape(c) for c, b in _cp1252_table().items() if low <= b <= high)

    cont = f"[{chars(0x80, 0xBF)}]"
    return re.compile(
        f"[{chars(0xC2, 0xDF)}]{cont}|[{chars(0xE0, 0xEF)}]{cont}{{2}}|[{chars(0xF0, 0xF4)}]{cont}{{3}}"
    )


def mojibake_runs(line: str) -> Iterator[tuple[int, str, str]]:
    """Runs of mis-decoded text in a line: (start index, run, repaired text)."""
    if line.isascii():
        return
    run_start, run, repaired = -1, "", ""
    for match in _mojibake_pattern().finditer(line):
        try:
            decoded = bytes(_cp1252_table()[c] for c in match[0]).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if run and match.start() == run_start + len(run):
            run, repaired = run + match[0], repaired + decoded
            continue
        if run:
            yield run_start, run, repaired
        run_start, run, repaired = match.start(), match[0], decoded
    if run:
        yield run_start, run, repaired


def repair_mojibake(line: str) -> str:
    """The line with every mis-decoded run replaced by the text it was meant to be."""
    for start, run, repaired in reversed(list(mojibake_runs(line))):
        line = line[:start] + repaired + line[start + len(run):]
    return line



# Plain records are NamedTuples rather than frozen dataclasses: making a dataclass at import costs
# every command ~0.7 ms (six generated methods), a NamedTuple a fifth of that.
class Repaired(NamedTuple):
    """Text after the repairs that keep its meaning, and the reason for each repair made."""

    text: str
    reasons: tuple[str, ...] = ()


def _fix_encoding(text: str) -> str:
    """ftfy's `fix_encoding`, importing ftfy (30-120 ms) only for text it could change.

    ftfy returns ASCII text unchanged before any other test (its first step), so ASCII text,
    what most submissions are, is answered here; `tests/test_properties.py` checks the two agree.
    """
    if text.isascii():
        return text
    import ftfy  # only a submission's non-ASCII text needs it, never `listbot lint`

    return ftfy.fix_encoding(text)


def repair(text: str) -> Repaired:
    """Undo what copying from PDFs and mis-decoding does: a BOM, `FranÃ§ois`, `ﬁ`/`ﬃ` ligatures."""
    value = text.removeprefix("\ufeff")
    if invisible_characters(value):
        return Repaired(value)  # refused later, by the code points the submitter typed
    reasons: list[str] = []
    fixed = _fix_encoding(value)
    # A "repair" that yields invisible or overlay characters read real text (`Ģµ`) as mojibake.
    if fixed != value and not invisible_characters(fixed):
        reasons.append("it contained mis-decoded characters, which I repaired")
        value = fixed
    normal = unicodedata.normalize("NFKC", value)
    if normal != value:
        reasons.append("it contained typographic forms such as PDF ligatures, which I wrote as plain letters")
    return Repaired(normal, tuple(reasons))


def escape_inline(text: str) -> str:
    """Text with the characters that would restyle it on GitHub escaped (`_`, `~`, `$`)."""
    return _INLINE_STYLE().sub(lambda match: "\\" + match[0], text)


def unescape_inline(text: str) -> str:
    """The plain text an `escape_inline` result shows."""
    return _ESCAPED_STYLE().sub(r"\1", text) if "\\" in text else text  # most text escapes nothing


def contains_html(text: str) -> bool:
    """Whether text holds something GitHub may render as an HTML tag or entity (linear in text)."""
    return _HTML().search(text) is not None


def contains_link(text: str) -> bool:
    """Whether text holds something GitHub may turn into a link: a URL scheme or `www.` (linear)."""
    return _AUTOLINK().search(text) is not None


def _refuse_invisible(value: str) -> None:
    if invisible := invisible_characters(value):
        listed = ", ".join(sorted(set(invisible))[:5])
        raise TextError(
            f"contains invisible or direction-changing characters ({listed}); retype it as plain text."
        )


def clean_line(
    text: str,
    *,
    max_length: int,
    example: str,
    forbidden: str = _MARKDOWN_CHARS,
) -> str:
    """Trim text and check it is one plain line; raise `TextError` naming the problem."""
    value = text.strip()
    if not value:
        raise TextError(f"this field is empty; write something like {example}.")
    if _LINE_BREAKS().search(value):
        raise TextError(f"must be a single line; put it all on one line, like {example}.")
    _refuse_invisible(value)
    value = " ".join(value.split())  # collapse tabs and runs of spaces
    if len(value) > max_length:
        raise TextError(
            f"is {len(value)} characters long; the limit is {max_length}: write a shorter form, like {example}."
        )
    if contains_html(value):
        raise TextError(f"must not contain HTML tags or entities; write plain text like {example}.")
    if contains_link(value):
        raise TextError("must not contain a link; put links in the link fields.")
    if email := _EMAIL().search(value):
        raise TextError(
            f"must not contain an e-mail address (`{email[0]}`): GitHub would turn it into a mail link; "
            f"write plain text like {example}."
        )
    if runs := list(mojibake_runs(value)):
        _, run, meant = runs[0]
        guess = f" (`{meant}`?)" if meant.isprintable() else ""
        raise TextError(f"contains mis-decoded text `{run}`; retype it as it appears in the paper{guess}.")
    if bad := sorted({char for char in value if char in forbidden}):
        shown = " ".join("`` ` ``" if char == "`" else f"`{char}`" for char in bad)
        raise TextError(
            f"must not contain {shown} (they would change the list's formatting); write plain text like {example}."
        )
    if _BLOCK_START().match(value):
        raise TextError(
            f"must not start with `{value[0]}` (markdown would read it as a heading, quote or list); "
            f"write plain text like {example}."
        )
    return value
