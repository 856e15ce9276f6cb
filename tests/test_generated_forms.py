"""A built-in kind's generated form is the form its written file reads back as.

`generated_form` validates the mapping `listbot template` writes (`kind_form`) without the round
trip through YAML; the reference is that round trip: the file's text (`render_form`) read as the
bot reads a committed form (`form_from_yaml`).
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.core.forms import form_from_yaml
from bot.core.kind_forms import generated_form
from bot.core.kinds import BUILTIN_KINDS, Kind, kinds_from_config
from bot.core.template import render_form

# Text YAML reads apart from its plain words: indicators, quotes, words it reads as other types,
# blanks at the ends, line breaks of every kind, escapes, a byte-order mark, wide characters.
_YAML_PIECES = st.sampled_from([
    "yes", "No", "null", "~", "123", "0x1F", "1e3", ".inf", "2024-01-01", ": ", " #", "#", "- ", "? ", "'", '"',
    "[", "]", "{", "}", ",", "&a", "*a", "!", "!!str ", "%", "@", "`", "|", ">", "\\", " ", "  ", "\t", "\n",
    "\r\n", "\x85", "\u2028", "\u2029", "\ufeff", "\x00", "\x1b", "\x7f", "\xa0", "é", "中", "😀", "\ud800",
])
_LABELS = st.lists(st.one_of(_YAML_PIECES, st.text(max_size=6)), min_size=1, max_size=12).map("".join)


@pytest.mark.parametrize("kind", BUILTIN_KINDS, ids=lambda kind: kind.name)
def test_a_built_in_kinds_generated_form_is_what_its_file_reads_as(kind: Kind) -> None:
    """Each built-in kind, as it comes."""
    assert generated_form(kind) == form_from_yaml(render_form(kind))


@settings(max_examples=500, deadline=None)
@given(st.sampled_from([kind.name for kind in BUILTIN_KINDS]), _LABELS)
def test_a_relabelled_built_in_kinds_generated_form_is_what_its_file_reads_as(name: str, label: str) -> None:
    """With any label `kinds:` may give a built-in kind (the one setting its form shows)."""
    result = kinds_from_config({name: {"label": label}})
    assume(not result.problems)
    kind = next(kind for kind in result.kinds if kind.name == name)
    assert kind.label == label.strip()
    assert generated_form(kind) == form_from_yaml(render_form(kind))
