"""What listbot asks mistune: the ATX headings of a document's block pass, and a heading's plain text.

Kept apart from `document` so that mistune (and the regexes it compiles) is imported only when
a list needs it: a list whose headings are plain is read by `markdown_blocks` alone.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Any

import mistune
from mistune.core import BlockState
from mistune.inline_parser import InlineParser
from mistune.plugins import import_plugin


class _BlockParser(mistune.BlockParser):
    """mistune's block parser, but reading an ATX heading's closing `#`s in one pass.

    mistune trims them with the regex `(\\s+|^)#+\\s*$`, which is quadratic on a heading of
    `x`, thousands of spaces and `#y`: a 65 KB line of that took listbot lint minutes.
    """

    def parse_atx_heading(self, m: re.Match[str], state: BlockState) -> int:
        text = m.group("atx_2").strip(string.whitespace)
        unclosed = text.rstrip("#")
        if unclosed != text and (not unclosed or unclosed[-1].isspace()):
            text = unclosed.rstrip()
        state.append_token({"type": "heading", "text": text, "attrs": {"level": len(m.group("atx_1"))}, "style": "atx"})
        return m.end() + 1


@lru_cache(maxsize=1)
def _markdown() -> mistune.Markdown:
    plugins = [import_plugin(name) for name in ("strikethrough", "table")]
    return mistune.Markdown(renderer=None, block=_BlockParser(), inline=InlineParser(), plugins=plugins)


def _plain_text(tokens: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for token in tokens:
        if "raw" in token:
            parts.append(str(token["raw"]))
        elif token.get("type") in {"softbreak", "linebreak"}:
            parts.append(" ")
        if "children" in token:
            parts.append(_plain_text(token["children"]))
    return "".join(parts)


def atx_headings(text: str) -> list[tuple[int, str]]:
    """The (level, raw text) of each top-level ATX heading mistune's block pass finds, in order.

    Only the block pass runs: inline parsing of every entry would cost three times as much and
    tells nothing about structure.
    """
    markdown = _markdown()
    state = markdown.block.state_cls()
    # The same normalisation Markdown.parse does before its block pass.
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    state.process(normalised if normalised.endswith("\n") else normalised + "\n")
    for hook in markdown.before_parse_hooks:
        hook(markdown, state)
    markdown.block.parse(state)
    return [
        (int(token["attrs"]["level"]), str(token.get("text", "")).strip())
        for token in state.tokens
        if token.get("type") == "heading" and token.get("style") == "atx"
    ]


def heading_plain_text(raw: str) -> str:
    """The text a heading shows once its inline markup is read (`**2024**` -> `2024`)."""
    tokens = _markdown()(f"# {raw}" if raw else "#")
    assert isinstance(tokens, list)
    heading = next((t for t in tokens if t.get("type") == "heading"), None)
    return _plain_text(heading.get("children", [])).strip() if heading else raw.strip()
