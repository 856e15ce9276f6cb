"""Rules for the one-line text fields that go into an entry: safe, plain, single-line text."""

from __future__ import annotations

import re
import unicodedata

_LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]")
_HTML = re.compile(r"<\s*/?\s*[A-Za-z!?]|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE)
_AUTOLINK = re.compile(r"[a-z][a-z0-9+.-]*://|\bwww\.", re.IGNORECASE)
# Characters that would end the **bold** / *italic* wrapper, start a link or a code span,
# or escape the wrapper: any of them lets user text reshape the entry block.
_MARKDOWN_CHARS = "*`[]\\<>"
# A line may not begin like a block of its own (heading, quote, list, table, rule, setext).
_BLOCK_START = re.compile(r"^(?:[#>+=~|-]|\d+[.)](?:\s|$))")


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
    if _LINE_BREAKS.search(value):
        raise TextError(f"must be a single line; put it all on one line, like {example}.")
    if invisible := invisible_characters(value):
        listed = ", ".join(sorted(set(invisible))[:5])
        raise TextError(
            f"contains invisible or direction-changing characters ({listed}); retype it as plain text."
        )
    value = " ".join(value.split())  # collapse tabs and runs of spaces
    if len(value) > max_length:
        raise TextError(f"is {len(value)} characters long; the limit is {max_length}.")
    if _HTML.search(value):
        raise TextError(f"must not contain HTML tags or entities; write plain text like {example}.")
    if _AUTOLINK.search(value):
        raise TextError("must not contain a link; put links in the link fields.")
    if bad := sorted({char for char in value if char in forbidden}):
        shown = " ".join("`` ` ``" if char == "`" else f"`{char}`" for char in bad)
        raise TextError(
            f"must not contain {shown} (they would change the list's formatting); write plain text like {example}."
        )
    if "~~" in value or "__" in value:
        raise TextError(f"must not contain `~~` or `__` (markdown formatting); write plain text like {example}.")
    if _BLOCK_START.match(value):
        raise TextError(
            f"must not start with `{value[0]}` (markdown would read it as a heading, quote or list); "
            f"write plain text like {example}."
        )
    return value
