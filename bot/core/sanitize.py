"""Making user text safe to quote in PR bodies and comments: no pings, no closing, no HTML."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict

from bot.core import shown
from bot.core.markdown_blocks import fence_around

# Any `@` before a login character: markdown around it (`_@x_`, a closed code span) can make
# even a mid-word `@` a live mention, so none is trusted.
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
# Possessive blanks: with `\s*:?\s+` a keyword followed by thousands of spaces took seconds.
_CLOSING = re.compile(
    r"\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)(\s*+:\s++|\s++)(?=(?:[\w.-]+/[\w.-]+)?#\d)", re.IGNORECASE
)
# `#3`, `owner/repo#3` and `GH-3` become links (and cross-references on the issue they name).
# No word boundary is trusted before `GH-`: markdown around it (`_GH-3_`, `*GH-3*`) makes the
# rendered reference a word of its own, as it does a mention.
_REFERENCE = re.compile(r"(#|GH-)(?=\d)", re.IGNORECASE)
_MAX_QUOTE = 500
_BACKTICKS = re.compile("`+")
# Where a renderer could read backticks differently from `_code_spans`: an escaped backtick
# outside a span or before one (its private-use stand-in), or a link destination or label
# (`](`, `][`, `]:`) that may swallow an opener.
_AMBIGUOUS = re.compile("\\\\[`\ue000-\uf8ff]|]")


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


def neutralise_prose(text: str, limit: int = _MAX_QUOTE) -> str:
    """`neutralise` for a message that quotes values in code spans (`shown.code_span`): each span
    that is safe as one (one line, nothing invisible: what `shown` writes) is kept verbatim, as
    GitHub renders no mention, link or HTML inside a span but would show `&lt;` or a zero-width
    space there literally; everything else is neutralised exactly as `neutralise` does it.

    The spans, together no longer than `limit`, stand in for one private-use character each while
    `neutralise` runs, so it sees the same word boundaries and clips no span in half."""
    spans = _safe_spans(text, limit)
    sentinel = next((chr(code) for code in range(0xE000, 0xF900) if chr(code) not in text), None)
    if not spans or sentinel is None:
        return neutralise(text, limit)
    prose, kept, end = [], [], 0
    for start, stop in spans:
        prose.append(text[end:start])
        kept.append(text[start:stop])
        end = stop
    prose.append(text[end:])
    if _AMBIGUOUS.search(sentinel.join(prose)):
        return neutralise(text, limit)
    first, *rest = neutralise(sentinel.join(prose), limit).split(sentinel)
    # Clipping may have cut the text before the last spans: only those still marked come back.
    return first + "".join(span + piece for span, piece in zip(kept, rest, strict=False))


def _safe_spans(text: str, limit: int) -> list[tuple[int, int]]:
    """(start, end) of each code span in `text` kept verbatim: plain, and within `limit` in all."""
    safe, budget = [], limit
    for start, stop, content in _code_spans(text):
        if shown.plain(content) and stop - start <= budget:
            safe.append((start, stop))
            budget -= stop - start
    return safe


def _code_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, content) of each code span, by CommonMark's rule: a backtick string opens a
    span that the next backtick string of the same length closes; one with none is literal."""
    runs = list(_BACKTICKS.finditer(text))
    by_length: defaultdict[int, list[int]] = defaultdict(list)
    for index, run in enumerate(runs):
        by_length[len(run[0])].append(index)
    spans, index = [], 0
    while index < len(runs):
        opener = runs[index]
        same = by_length[len(opener[0])]
        after = bisect_right(same, index)
        if after == len(same):
            index += 1  # no closer: the backticks are literal text
            continue
        closer = runs[same[after]]
        spans.append((opener.start(), closer.end(), text[opener.end():closer.start()]))
        index = same[after] + 1
    return spans


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
