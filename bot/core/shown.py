"""How a message shows a value that came from outside listbot (listbot.yml, a form, an issue).

The one definition, for every message `listbot config check` prints in a terminal and the
service posts on GitHub: no control, bidi or invisible character reaches either raw (they could
recolour a terminal, reorder or hide the message's text), a value is clipped to a few dozen
characters, and it sits in a code span that nothing in it ends (GitHub renders no mention, link,
image or HTML inside one). Free user text quoted as prose in a comment is `sanitize.neutralise`'s.
"""

from __future__ import annotations

import re

from bot.core import textrules

SHOWN_LENGTH = 60
_BACKTICKS = re.compile("`+")


def plain(text: str) -> bool:
    """Whether text shows as itself in a message: printable and with no invisible character."""
    return text.isprintable() and not textrules.invisible_characters(text)


def escaped(text: str, length: int | None = SHOWN_LENGTH) -> str:
    """Text as a message quotes it: every character that would not show as itself written as an
    escape (`\\u202e`), and only its first `length` characters (all with None), then `…`."""
    kept = text if length is None else text[:length]
    shown = "".join(char if plain(char) else _escape(char) for char in kept)
    return shown + ("…" if len(kept) < len(text) else "")


def spanned(shown: str) -> str:
    """Already `escaped` text in a code span that no backtick in it ends: the fence is one
    backtick longer than its longest run, padded by a space when the text starts or ends in one."""
    fence = "`" * (max(map(len, _BACKTICKS.findall(shown)), default=0) + 1)
    padding = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{padding}{shown}{padding}{fence}"


def code_span(text: str, length: int | None = SHOWN_LENGTH) -> str:
    """Text `escaped` (clipped to `length`; None: all of it, text to copy) in a code span."""
    return spanned(escaped(text, length))


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
