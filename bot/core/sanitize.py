"""Making user text safe to quote in PR bodies and comments: no pings, no closing, no HTML."""

from __future__ import annotations

import re
import unicodedata

from bot.core.markdown_blocks import fence_around

# Any `@` before a login character: markdown around it (`_@x_`, a closed code span) can make
# even a mid-word `@` a live mention, so none is trusted.
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
# Possessive blanks: with `\s*:?\s+` a keyword followed by thousands of spaces took seconds.
_CLOSING = re.compile(
    r"\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)(\s*+:\s++|\s++)(?=(?:[\w.-]+/[\w.-]+)?#\d)", re.IGNORECASE
)
# `#3`, `owner/repo#3` and `GH-3` become links (and cross-references on the issue they name).
_REFERENCE = re.compile(r"(#|\bGH-)(?=\d)", re.IGNORECASE)
_MAX_QUOTE = 500


def neutralise(text: str, limit: int = _MAX_QUOTE, *, keep_references: bool = False) -> str:
    """User text that, quoted in markdown, cannot mention, close/link issues or inject HTML.

    `keep_references` leaves `#N` links alone, for listbot's own sentences that point at its
    pull requests (user values inside them are quoted in code spans, which GitHub never links).
    """
    cleaned = "".join(
        " " if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} else char for char in text
    )
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    cleaned = cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return defuse_references(cleaned, keep_references=keep_references)


def code_block(lines: list[str]) -> str:
    """Lines inside a fence that the lines cannot close (they never contain backticks runs)."""
    fence = fence_around("\n".join(lines))
    return "\n".join([f"{fence}markdown", *(defuse_references(line) for line in lines), fence])


def defuse_references(line: str, *, keep_references: bool = False) -> str:
    """A line with mentions, closing keywords and (unless kept) issue references broken by
    invisible zero-width spaces, otherwise as is."""
    line = _MENTION.sub("@\u200b", line)
    line = _CLOSING.sub(lambda m: m[1] + "\u200b" + m[2], line)
    return line if keep_references else _REFERENCE.sub(lambda m: m[1] + "\u200b", line)
