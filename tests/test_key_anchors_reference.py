"""Tests for bot.core.key_anchors' passes over a whole list: each answers as its plain definition does.

`TextAnchors` reads a list's text once per list with the cheapest C-level passes found (an encoding
that copies a text of one-byte characters as it is, a search whose class is a bitmap); these
properties compare each with a line-by-line, character-by-character reading of what it means, on
text outside ASCII (one-byte, wider and lone surrogate characters, Unicode spaces), line feeds,
carriage returns, empty lines, and first and last lines.
"""

from __future__ import annotations

import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.key_anchors import TextAnchors, letters, line_letters

_KEPT = string.ascii_letters + string.digits
# What a key's text is made of, and what a Unicode rule would fold differently: one-byte
# characters outside ASCII, wider ones (Kelvin sign and dotted I lower-case to ASCII letters),
# a lone surrogate, and the spaces `\s` matches inside and outside ASCII.
_CHARACTERS = (
    "aZ09-./:%[]?#()!*_ \t\r\x0b\x0c\x1c\x1f\x7f"
    "\x80\x85\xa0\xc9\xe9\xff\u0130\u212a\u2028\u3000\u03a3\U0001d400\ud800"
)
_PIECES = st.one_of(
    st.sampled_from(_CHARACTERS),
    st.sampled_from(("//", "https://", "//ex.org", "//[", "//x]", "//a\x1c[", "//a\xa0]", "//a b[", "//é[", "](//")),
)
_LINE = st.lists(_PIECES, max_size=8).map("".join)
_LINES = st.lists(_LINE, max_size=8)
_TEXT = st.lists(st.one_of(_PIECES, st.just("\n")), max_size=24).map("".join)
# The bracket-in-host rule as it reads each line: the text's own spaces, Unicode ones included.
_HOST_BRACKET = re.compile(r"//[^/?#\s\[\]]*+[\[\]]")


def _reference_letters(text: str, kept: str = _KEPT) -> bytes:
    """Each character that is an ASCII letter or digit (or one of `kept`), lower-cased."""
    return "".join(char.lower() for char in text if char in kept).encode("ascii")


def _reference_wild(lines: list[str]) -> list[int]:
    """The lines outside ASCII, with `%`, or with a bracket in a link's host, read one by one."""
    return [
        index for index, line in enumerate(lines)
        if not line.isascii() or "%" in line or _HOST_BRACKET.search(line)
    ]


@settings(max_examples=1000)
@given(st.one_of(_TEXT, st.text()))
def test_letters_are_each_ascii_letter_and_digit_lower_cased(text: str) -> None:
    """Letters, and letters line by line, are the text's ASCII letters and digits, whatever else it holds."""
    assert letters(text) == _reference_letters(text)
    assert line_letters(text) == _reference_letters(text, _KEPT + "\n")


@settings(max_examples=1000)
@given(_LINES)
def test_wild_lines_are_those_outside_ascii_or_with_an_escape_or_a_bracketed_host(lines: list[str]) -> None:
    """The wild lines are those the rule finds reading each line alone, given the joined text or not."""
    expected = _reference_wild(lines)
    assert TextAnchors(lines).wild == expected
    assert TextAnchors(lines, "\n".join(lines)).wild == expected


@settings(max_examples=500)
@given(_LINES)
def test_the_letters_of_the_lines_are_those_of_each_line(lines: list[str]) -> None:
    """The anchors' letters are each line's letters, in order, with and without line breaks between them."""
    anchors = TextAnchors(lines)
    each = [_reference_letters(line) for line in lines]
    assert anchors._line_letters == b"\n".join(each)
    assert anchors._letters == b"".join(each)
