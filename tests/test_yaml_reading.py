"""`yaml_reading.safe_load` answers as `yaml.safe_load` does: the same data, or the same error.

libyaml reads the forms and configuration when its answer is the pure-Python loader's; these
tests compare the two on the texts listbot reads, on damaged copies of them and on generated
YAML-like text, down to each error's type and message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import yaml_reading
from bot.core.kinds import BUILTIN_KINDS
from bot.core.template import render_form
from bot.core.yaml_reading import MAX_FAST_DEPTH, nested_within, safe_load
from tests.factories import ROOT

_COMMITTED = sorted((ROOT / ".github").rglob("*.yml"))
_TEXTS = [path.read_text(encoding="utf-8") for path in _COMMITTED] + [render_form(kind) for kind in BUILTIN_KINDS]


def _outcome(load: object, text: str) -> tuple[str, str]:
    """What a loader made of the text: its data (as repr, so NaN equals NaN), or its error."""
    assert callable(load)
    try:
        return "data", repr(load(text))
    except RecursionError:  # its message names the call the stack ran out in, a frame either way
        return "RecursionError", ""
    except Exception as error:  # any error is an outcome to compare
        return type(error).__name__, str(error)


def _same(text: str) -> None:
    assert _outcome(safe_load, text) == _outcome(yaml.safe_load, text)


@pytest.mark.parametrize("path", _COMMITTED, ids=lambda path: str(Path(path).relative_to(ROOT)))
def test_the_committed_files_read_alike(path: Path) -> None:
    _same(path.read_text(encoding="utf-8"))


def test_libyaml_reads_the_forms() -> None:
    """The point of it: the forms and configuration listbot reads are not left to the slow loader."""
    for text in _TEXTS:
        fast = yaml_reading._fast_load(text)
        assert fast is not yaml_reading._REFUSED
        assert nested_within(fast, MAX_FAST_DEPTH)


# What YAML is made of: indicators, quotes, block scalars, anchors, tags, directives, odd blanks
# and line breaks, and characters a reader refuses; each indicator alone too, so that it meets
# every neighbour (`[a?b]`, `>#`, a bare `!`).
_PIECES = st.one_of(
    st.sampled_from([
        "- ", ": ", "? ", "key", "a b", "1", "0x1F", "1e3", ".nan", "~", "null", "yes", "2024-01-02", "''",
        '\\"', "\\x41", "\\u00e9", "\\/", "|-", ">+", "|2", " # note", "&a ", "*a", "!!str ", "!!binary ", "!x ",
        "<<: ", "---", "...", "%YAML 1.1", "%TAG ! t:", "\n", "\n  ", "\n    ", "\n- ", "  ", "\r\n",
    ]),
    st.sampled_from(list("-:?,[]{}#&*!|>'\"%@`<= a\t\r\n\x85\u2028\ufeff\x00\x7fé中😀")),
)
_GENERATED = st.lists(_PIECES, max_size=16).map("".join)


# Where the two loaders were seen to part ways: the reference must read these.
_KNOWN_APART = ["key\t", "a: b\t", "- a\t", "a b\t\nc", "a: 1\n\ufeff", "!", "a: !", "- !", ">#", "|#",
                "a: >#\n  x", "[a?b]", "{a?b: c}", "<<: {x\\/? }"]


@pytest.mark.parametrize("text", _KNOWN_APART)
def test_where_libyaml_differs_the_reference_reads(text: str) -> None:
    _same(text)


@st.composite
def _damaged(draw: st.DrawFn) -> str:
    """A text listbot reads, with a few pieces put in, cut out or lines moved."""
    text = draw(st.sampled_from(_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "cut", "swap"]))
        if edit == "insert":
            text = text[:at] + draw(_PIECES) + text[at:]
        elif edit == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


@settings(max_examples=1500, deadline=None)
@given(_damaged())
def test_damaged_forms_and_configurations_read_alike(text: str) -> None:
    _same(text)


@settings(max_examples=3000, deadline=None)
@given(_GENERATED)
def test_generated_yaml_reads_alike(text: str) -> None:
    _same(text)


@pytest.mark.parametrize("depth", [1, MAX_FAST_DEPTH, MAX_FAST_DEPTH + 1, 600, 1200])
def test_deep_nesting_reads_alike(depth: int) -> None:
    """Past the fast path's depth the reference reads it, and runs out of recursion where it did."""
    _same("[" * depth + "]" * depth)
    _same("".join(f"{'  ' * level}k{level}:\n" for level in range(depth)) + "  " * depth + "v\n")


def test_self_holding_and_shared_structures_read_alike() -> None:
    _same("&a [*a]")
    _same("&m {k: *m}")
    _same("l0: &l0 [x, x]\nl1: &l1 [*l0, *l0]\nl2: [*l1, *l1, *l0]")


def test_shared_structures_are_walked_once_per_level() -> None:
    """Aliases can share a list 9 times at each of 30 levels (9**30 paths): still a quick answer."""
    shared: list[object] = ["x"]
    for _ in range(30):
        shared = [shared] * 9
    assert nested_within(shared, MAX_FAST_DEPTH)
    assert not nested_within([shared], 29)


def test_nested_within_counts_levels_of_lists_and_mappings() -> None:
    assert nested_within("text", 0)
    assert nested_within({"a": 1}, 0)
    assert not nested_within({"a": [1]}, 0)
    assert nested_within({"a": [1]}, 1)
    assert not nested_within({"a": [[1]]}, 1)
    holding: list[object] = []
    holding.append(holding)
    assert not nested_within(holding, MAX_FAST_DEPTH)
