"""The status comment's configuration problems: code spans shown verbatim, every other word neutralised."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import cast

import mistune
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.core.facts import BaseView, FileView
from bot.core.messages import with_config_problems
from bot.core.repo_config import CONFIG_PATH
from bot.core.rules import Rules
from bot.core.sanitize import neutralise, neutralise_prose
from bot.core.shown import code_span, escaped
from bot.gateway.reading import RepoReader
from bot.service.observe import observe_repo

STATUS = 'Thanks!\n\n<!-- listbot:status {"issue": 1} -->'
# Pieces a problem's words may hold: backtick runs, escapes, brackets, mentions, references,
# closing keywords, HTML, links, images, entities and invisible characters.
PIECES = st.sampled_from([
    "`", "``", "```", " ", "\\", "\\`", "[", "]", "(", ")", "]: ", "@org/team", "@x", "#1", "GH-2", "o/r#3",
    "fixes #4", "Closes: #5", "<img src=x>", "<b>", "</b>", "[x](https://evil.example)", "![](https://t.example)",
    "<https://a.example>", "&amp;", "&", "<", ">", "\n", "\n\n- ", "\r", "\x1b[31m", "\u202e", "\u200b", "\u2028",
    "*", "_",
])
HOSTILE = st.lists(st.characters(codec="utf-8") | PIECES, max_size=30).map("".join)
WORDS = st.lists(st.sampled_from([" ", "is not valid: use", "the form of", "(line 3)", "kinds.tool", "."]),
                 max_size=4).map("".join)


def _rendered(problem: str) -> str:
    """The HTML of the status comment listing `problem`."""
    return str(mistune.html(with_config_problems(STATUS, [problem])))


def _outside_code(rendered: str) -> str:
    return re.sub(r"<code[^>]*>.*?</code>", "", rendered, flags=re.DOTALL)


def _unbroken_pings(text: str) -> list[str]:
    """Mentions, issue references and closing keywords GitHub would act on in rendered text."""
    text = html.unescape(text)
    return re.findall(r"@[A-Za-z0-9]|(?<![\w\u200b])#\d|\bGH-\d|\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?):?\s+#",
                      text, flags=re.IGNORECASE)


@given(HOSTILE)
def test_any_problem_renders_no_html_or_ping_outside_code(problem: str) -> None:
    """Whatever a problem holds, it renders no raw HTML, unbroken ping or control, bidi or invisible character."""
    rendered = _rendered(problem)
    hidden = {char for char in rendered if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}}
    assert hidden <= {"\n", "\u200b"}, hidden  # \u200b: the zero-width spaces that break pings
    outside = _outside_code(rendered)
    # Markdown's own elements only: its words may make a heading, a link or an image, as they
    # always could (the next property shows that kept spans add none).
    made = {"p", "ul", "ol", "li", "strong", "em", "a", "img", "h", "hr", "blockquote", "pre", "del", "br"}
    assert set(re.findall(r"</?([a-z]+)", outside)) <= made, outside
    assert not _unbroken_pings(re.sub(r"<[^>]*>", "", outside)), outside


@given(HOSTILE)
def test_any_problem_renders_no_link_that_neutralise_did_not(problem: str) -> None:
    """Keeping spans verbatim adds no link or image: outside code there are as many as the prose alone makes."""
    old = _outside_code(str(mistune.html(f"- {neutralise(problem)}")))
    new = _outside_code(_rendered(problem))
    assert new.count("<a ") <= old.count("<a ")
    assert new.count("<img") <= old.count("<img")


@given(st.lists(st.tuples(WORDS, HOSTILE), min_size=1, max_size=4), WORDS)
def test_each_shown_value_renders_as_code_holding_its_shown_text(parts: list[tuple[str, str]], end: str) -> None:
    """Each `code_span(value)` between listbot's words renders as one code element holding exactly its shown text."""
    problem = "".join(f"{words}{code_span(value)} " for words, value in parts) + end
    shown = [escaped(value) for _, value in parts]
    assume(all(text.strip(" ") for text in shown))  # a span of nothing but spaces is a different story
    codes = [html.unescape(code) for code in re.findall(r"<code>(.*?)</code>", _rendered(problem), re.DOTALL)]
    codes = codes[1:]  # the first is the heading's `.github/listbot.yml`
    assert [code.strip(" ") for code in codes] == [text.strip(" ") for text in shown]


def test_a_value_with_html_and_a_mention_shows_verbatim_in_its_span() -> None:
    """`<`, `>`, `&` and `@` in a quoted value reach the comment as written, not as `&lt;` or a zero-width space."""
    problem = f"{code_span('entry: - <{a}> & @{b}')} is wrong @org fixes #1 <b>"
    assert neutralise_prose(problem) == "`entry: - <{a}> & @{b}` is wrong @\u200borg fixes\u200b #\u200b1 &lt;b&gt;"


def test_text_without_a_safe_span_is_neutralised_as_before() -> None:
    """A span holding a line break, an escaped opener or a bracket before a span falls back to `neutralise`."""
    for problem in ("`a\nb <i>`", "\\`a` `<i>`", "[a](`b) <i> `c`", "`\u202e` <i>"):
        assert neutralise_prose(problem) == neutralise(problem)


def test_a_long_problem_is_clipped_outside_its_spans() -> None:
    """A problem past the limit keeps its spans whole and clips its other text, each span counted as one character."""
    assert neutralise_prose("`@x` " + "y" * 600 + " `@z`") == "`@x` " + "y" * 497 + "…"  # a span counts as one


class _BranchOnly:
    """A repository with a default branch, a listbot.yml naming one kind, and no forms."""

    full_name = "o/r"

    def head(self, branch: str) -> BaseView:
        return BaseView(branch, "c0ffee", None)

    def file_at(self, path: str, sha: str) -> FileView | None:
        config = "kinds:\n  tool:\n    section: '## Tools'\n    entry: '- {name}'\n"
        return FileView(config, "b10b") if path == CONFIG_PATH else None


def test_a_default_branch_with_a_backtick_stays_in_its_code_span() -> None:
    """A default branch named with a backtick and HTML is quoted in a span it cannot end."""
    branch = "x` <img src=x> `y"
    view = observe_repo(cast(RepoReader, _BranchOnly()), branch, Rules())
    assert any(f"is not on {code_span(branch)};" in problem for problem in view.config_problems)
    assert "<img" not in _outside_code(_rendered(view.config_problems[0]))
