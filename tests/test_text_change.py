"""Where a text differs from one read before (`text_change`): whole lines, found exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.text_change import LineChange, common_prefix, common_suffix, line_change, lines_of, worth_carrying

_TEXTS = st.text(alphabet="ab \n", max_size=60)
_PIECES = st.sampled_from([1, 2, 3, 7, 1 << 16])


def _edited(old: str, start: int, stop: int, inserted: str) -> str:
    start, stop = sorted((min(start, len(old)), min(stop, len(old))))
    return old[:start] + inserted + old[stop:]


def _offset(lines: list[str], index: int, text: str) -> int:
    """Where line `index` starts (the text's length past the last line)."""
    return len(text) if index >= len(lines) else sum(len(line) + 1 for line in lines[:index])


def _check(old: str, new: str, change: LineChange) -> None:
    before, after = lines_of(old), lines_of(new)
    assert before[:change.start] == after[:change.start]
    assert before[change.old_end:] == after[change.new_end:]
    assert change.start <= change.old_end <= len(before)
    assert change.start <= change.new_end <= len(after)
    assert change.start_offset == _offset(before, change.start, old) == _offset(after, change.start, new)
    assert change.old_end_offset == _offset(before, change.old_end, old)
    assert change.new_end_offset == _offset(after, change.new_end, new)
    assert old[:change.start_offset] == new[:change.start_offset]
    assert old[change.old_end_offset:] == new[change.new_end_offset:]
    assert change.line_shift == len(after) - len(before)
    assert change.offset_shift == len(new) - len(old)


@given(_TEXTS, _TEXTS, _PIECES)
def test_common_prefix_and_suffix_are_the_longest(old: str, new: str, piece: int) -> None:
    """The common prefix and suffix found piece by piece are the longest ones."""
    prefix = common_prefix(old, new, piece)
    assert old[:prefix] == new[:prefix]
    assert prefix == min(len(old), len(new)) or old[prefix] != new[prefix]
    most = min(len(old), len(new)) - prefix
    suffix = common_suffix(old, new, most, piece)
    assert suffix <= most
    assert old[len(old) - suffix:] == new[len(new) - suffix:]
    assert suffix == most or old[len(old) - suffix - 1] != new[len(new) - suffix - 1]


@settings(max_examples=400)
@given(_TEXTS, st.integers(0, 60), st.integers(0, 60), _TEXTS, _PIECES)
def test_a_change_names_the_lines_that_differ(old: str, start: int, stop: int, inserted: str, piece: int) -> None:
    """Every line outside the change is the same line, at the same offset less the shift, in both texts."""
    new = _edited(old, start, stop, inserted)
    change = line_change(old, new, piece)
    assert change is not None
    _check(old, new, change)


@given(_TEXTS, _PIECES)
def test_equal_texts_differ_in_no_line(text: str, piece: int) -> None:
    """Equal texts differ in no line: the change is empty, past the last line."""
    change = line_change(text, text, piece)
    assert change is not None
    _check(text, text, change)
    assert change.start == change.old_end == change.new_end == len(lines_of(text))


def test_an_inserted_entry_is_its_own_lines() -> None:
    """An entry inserted between two others is named as the lines inserted and nothing else."""
    old = "# List\n\n**A**\n\n**C**\n"
    new = "# List\n\n**A**\n\n**B**\n\n**C**\n"
    change = line_change(old, new)
    assert change is not None
    _check(old, new, change)
    assert change.old_end == change.start
    assert change.new_end == change.start + 2


def test_texts_with_other_line_endings_are_not_compared() -> None:
    """A text with a carriage return has no line change: its lines are not split on line feeds."""
    assert line_change("a\r\nb\r\n", "a\r\nc\r\n") is None


def test_a_change_of_most_of_the_text_is_not_worth_carrying() -> None:
    """A change of a few lines of a long text is worth carrying, one of most of it is not."""
    old = "".join(f"line {index}\n" for index in range(1000))
    assert worth_carrying(line_change(old, old.replace("line 500\n", "line 500\nnew\n")), old)
    assert not worth_carrying(line_change(old, "other\n" * 999), "other\n" * 999)
