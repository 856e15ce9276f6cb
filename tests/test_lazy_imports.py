"""Fast paths that spare the command line an import give the answer the import would give.

The CLI's whole-process commands (`listbot apply`, `lint`) import only what a run uses; each
shortcut that skips a library is checked against the library here, on generated text.
"""

from __future__ import annotations

import ftfy
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import document, venues
from bot.core.mistune_reading import heading_plain_text
from bot.core.textrules import _fix_encoding

# ASCII with what ftfy looks at: control characters, HTML entities, escapes, odd spacing.
_ASCII_PIECES = st.sampled_from(
    ["&amp;", "&eacute;", "&#233;", "&ATILDE;", "\\x", "%C3%A9", "\x1a", "\x00", "\x7f", "\t", "\r\n", "  ", "A", "z"]
)
_ASCII = st.lists(st.one_of(_ASCII_PIECES, st.text(st.characters(max_codepoint=0x7F))), max_size=20).map("".join)
# Text near mojibake: Latin-1/cp1252 look-alikes, UTF-8 read as Latin-1, C1 controls, ligatures.
_MOJIBAKE_PIECES = st.sampled_from(["Ã©", "Ã§", "â€™", "â€œ", "Ã", "\x85", "\x9d", "ﬁ", "é", "Ģµ", "\u00a0", "ç"])
_TEXT = st.lists(st.one_of(_MOJIBAKE_PIECES, _ASCII_PIECES, st.text(max_size=5)), max_size=20).map("".join)


@settings(max_examples=400, deadline=None)
@given(_ASCII)
def test_ascii_text_needs_no_ftfy(text: str) -> None:
    assert _fix_encoding(text) == ftfy.fix_encoding(text) == text


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_fix_encoding_is_ftfys(text: str) -> None:
    assert _fix_encoding(text) == ftfy.fix_encoding(text)


# Heading text: words, digits and the punctuation lists use, plus every markup character.
_HEADING_TEXT = st.text(st.sampled_from(list("aZ09 .,:;'\"()-/?+=%$@{}|^é中\t\u00a0\\`*_[]!<>&~#")), max_size=16)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_HEADING_TEXT, st.text(max_size=16)))
def test_a_headings_plain_text_is_mistunes(raw: str) -> None:
    assert document._inline_plain(raw) == heading_plain_text(raw)


def test_libyaml_reads_the_venue_table_as_the_python_loader_does() -> None:
    text = venues._builtin_text()
    assert yaml.load(text, Loader=venues.BUILTIN_LOADER) == yaml.safe_load(text)  # noqa: S506 - a safe loader
