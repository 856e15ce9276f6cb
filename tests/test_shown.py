"""How messages quote a value from outside listbot: `bot.core.shown` and the messages built on it."""

from __future__ import annotations

import html
import json
import re
import string

import mistune
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.core import textrules
from bot.core.kinds import ORDERS, kinds_from_config
from bot.core.messages import already_listed_comment, proposed_comment, pull_body, with_config_problems
from bot.core.repo_config import parse_repo_config
from bot.core.rules import Rules
from bot.core.shown import SHOWN_LENGTH, code_span, escaped, plain, spanned

# Text that tries everything a message must not pass on: terminal escapes, line breaks, bidi
# controls, invisible characters, backtick runs, mentions, links, images and HTML.
HOSTILE = st.lists(
    st.characters(codec="utf-8")  # every character but surrogates
    | st.sampled_from(["`", "``", " ", "\x1b[31m", "\x9b", "\n", "\r", "\u202e", "\u200b", "\u2028", "\ufeff",
                       "@org/team", "<img src=x>", "[x](https://evil.example)", "![](https://t.example)", "\\"]),
    max_size=40,
).map("".join)
# What `listbot.yml` values looked like in every message before: printable ASCII, no backtick.
PLAIN_ASCII = st.text(st.sampled_from([c for c in string.printable if c not in "`\t\n\r\x0b\x0c"]), max_size=57)
DEFAULTS = Rules()
STATUS = 'Thanks!\n\n<!-- listbot:status {"issue": 1} -->'


def _code_span_before(text: str, *, whole: bool = False) -> str:
    """`kinds.code_span` as it was before `shown`: the reference the moved code must match."""
    def escape(char: str) -> str:
        return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"

    def is_plain(char: str) -> bool:
        return char.isprintable() and not textrules.invisible_characters(char)

    length = len(text) if whole else 60
    shown = "".join(char if is_plain(char) else escape(char) for char in text[:length])
    shown += "…" if len(text) > length else ""
    fence = "`" * (max(map(len, re.findall("`+", shown)), default=0) + 1)
    padding = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{padding}{shown}{padding}{fence}"


def _outside_code(markdown: str) -> str:
    """The HTML GitHub-flavoured rendering gives for `markdown`, with every code element cut out."""
    return re.sub(r"<code>.*?</code>", "", str(mistune.html(markdown)), flags=re.DOTALL)


@given(HOSTILE, st.integers(min_value=0, max_value=80))
def test_shown_text_holds_no_control_bidi_or_invisible_character(text: str, length: int) -> None:
    """Escaped text is printable and holds no invisible character, whatever the value held."""
    shown = escaped(text, length)
    assert plain(shown)
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", shown)


@given(HOSTILE, st.integers(min_value=0, max_value=80))
def test_shown_text_keeps_within_its_length(text: str, length: int) -> None:
    """Escaped text shows at most `length` of the value's characters, then `…` when it was longer."""
    shown = escaped(text, length)
    assert shown == escaped(text[:length], None) + ("…" if len(text) > length else "")
    assert len(shown) <= 10 * length + 1  # `\U0001f600` is the longest escape


@given(HOSTILE)
def test_nothing_in_a_value_ends_its_code_span(text: str) -> None:
    """A quoted value renders as one code element holding exactly its shown text, between the words around it."""
    shown = escaped(text)
    assume(shown.strip(" "))  # a code span of nothing but spaces is a different (harmless) story
    rendered = str(mistune.html(f"a {spanned(shown)} b"))
    match = re.fullmatch(r"<p>a <code>(.*)</code> b</p>\n", rendered, flags=re.DOTALL)
    assert match is not None, rendered
    assert "<code>" not in match[1]
    assert html.unescape(match[1]).strip(" ") == shown.strip(" ")


@given(HOSTILE)
def test_code_span_is_the_one_kinds_had(text: str) -> None:
    """`code_span` quotes any text as `kinds.code_span` did, clipped and whole."""
    assert code_span(text) == _code_span_before(text)
    assert code_span(text, None) == _code_span_before(text, whole=True)


@given(HOSTILE)
def test_kinds_messages_quote_any_value_safely(value: str) -> None:
    """Every `kinds:` problem about a hostile value is plain text whose Markdown has no link, image, HTML or mention."""
    kind = {"section": value, "entry": value, "form": value, "order": value, "identity": [value], "label": value,
            value: 1}
    other = {"section": "## O", "entry": "- {a}", "label": value}
    result = kinds_from_config({"tool": kind, value: {}, "other": other})
    config = parse_repo_config(f"placement: {json.dumps(value)}\n{json.dumps(value + 'x')}: 1\n", DEFAULTS)
    problems = [*result.problems, *config.problems]
    for problem in problems:
        assert plain(problem), problem
        assert "@" not in _outside_code(problem)
        assert re.findall(r"</?[a-z]+", _outside_code(problem)) in ([], ["<p", "</p"]), problem
    posted = _outside_code(with_config_problems(STATUS, problems))
    assert "<a " not in posted
    assert "<img" not in posted


@given(PLAIN_ASCII)
def test_plain_ascii_values_read_as_before(value: str) -> None:
    """A printable ASCII value without a backtick is quoted in a single-backtick span, as it always was."""
    assume(value not in ORDERS and value.strip() == value and value)
    orders = kinds_from_config({"tool": {"section": "## T", "entry": "- {a}", "order": value}}).problems
    assert orders[0].startswith(f"`kinds.tool.order: {value}` is not valid: use one of")
    placement = parse_repo_config(f"placement: {json.dumps(value)}", DEFAULTS).problems
    assume(placement)
    assert placement[0].startswith(f"`placement: {value}` is not valid: use one of")


def test_a_hostile_section_name_reaches_config_check_escaped() -> None:
    """A section holding an ESC sequence, a backtick, a mention, HTML and a line break is quoted escaped in one span."""
    value = "\x1b[31m` [x](https://evil.example) @org/team <img src=x>\nnext"
    problem = kinds_from_config({"tool": {"section": value, "entry": "- {a}"}}).problems[0]
    assert problem == (
        "``kinds.tool.section: \\u001b[31m` [x](https://evil.example) @org/team <img src=x>\\u000anext`` "
        "is not a Markdown heading; write it like `## Tools`."
    )


def test_repo_config_quotes_long_values_clipped_with_an_ellipsis() -> None:
    """A long bad value shows its first 60 characters, then `…`, as every quoted value does."""
    [problem] = parse_repo_config("placement: " + "y" * 100, DEFAULTS).problems
    assert problem.startswith(f"`placement: {'y' * SHOWN_LENGTH}…` is not valid")


def test_a_backtick_in_a_value_makes_no_link_or_image_in_the_status_comment() -> None:
    """A value that closes a single-backtick span stays inside its span in the posted comment."""
    value = "x` [x](https://evil.example) ![](https://t.example/p.png) `y"
    problems = kinds_from_config({"tool": {"section": value, "entry": "- {a}", "order": value}}).problems
    posted = _outside_code(with_config_problems(STATUS, problems))
    assert "evil.example" not in posted
    assert "t.example" not in posted


def test_a_submitted_section_name_neither_mentions_nor_closes() -> None:
    """A section named by a submitted value (`## {category}`) is neutralised in the status comment and PR body."""
    section = "Tools › @org/team fixes #1 <img src=x>"
    for text in (proposed_comment(5, 6, "T", section), pull_body(5, ["- T"], section, {"issue": 5}),
                 already_listed_comment(5, 6, "T", section, "main")):
        assert "@org" not in text
        assert "fixes #1" not in text
        assert "<img" not in text
    assert "**Papers › 2024**" in pull_body(5, ["- T"], "Papers › 2024", {"issue": 5})
