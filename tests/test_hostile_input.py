"""Hostile user text: every parser reads what the old regexes read, and reads no shape as a field.

That each parser stays linear in its input is a speed target, printed by `python -m bench.parse_hostile`
(the worst growth of each parser when a shape doubles), not a timed assertion here: under load on a 2-core
machine a ratio of CPU times is noise, and it failed test runs that had changed nothing it measures."""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from bench.adversarial import MAX_BODY, SHAPES, corpus, paper_form
from bot.core import messages
from bot.core.forms import _without_closing_hashes, parse_issue
from bot.core.markdown_blocks import atx_heading
from bot.core.markers import read_marker, write_marker
from bot.core.plan import IssueView, is_submission
from bot.core.rules import Rules
from bot.core.sanitize import defuse_references, neutralise
from bot.core.textrules import contains_html, contains_link
from tests.factories import issue_body

# The regexes the linear readers replaced, kept here as the specification they must agree with.
OLD_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+\Z")
OLD_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*\Z")
OLD_MARKER = re.compile(r"<!-- listbot:(\w+) (\{.*?\}) -->")
OLD_HTML = re.compile(r"<\s*/?\s*[A-Za-z!?]|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE)
OLD_AUTOLINK = re.compile(r"[a-z][a-z0-9+.-]*://|\bwww\.", re.IGNORECASE)


def test_the_hostile_corpus_parses_as_plain_text() -> None:
    """No shape of the 65 KB corpus is read as a form field, a marker or a proposed entry."""
    form = paper_form()
    for shape, text in corpus().items():
        assert len(text) == MAX_BODY, shape
        assert read_marker("status", text) is None, shape
        if not text.startswith("### Paper title"):
            assert parse_issue(text, form).values == {}, shape


def test_an_unlabelled_issue_is_parsed_only_when_it_starts_like_the_form() -> None:
    """An issue without the submission label counts only if its first line is a field heading."""
    form, rules = paper_form(), Rules()

    def issue(body: str, labels: frozenset[str] = frozenset()) -> IssueView:
        return IssueView(number=1, title="A paper", body=body, state="open", labels=labels)

    assert is_submission(issue(issue_body()), form, rules)
    assert is_submission(issue("\n\n" + issue_body()), form, rules)
    assert not is_submission(issue("Hello!\n\n" + issue_body()), form, rules)
    assert not is_submission(issue(SHAPES["heading, spaces, #y"](MAX_BODY)), form, rules)
    assert is_submission(issue("Hello!", frozenset({rules.submission_label})), form, rules)


def test_references_are_defused_like_mentions() -> None:
    """`#3`, `owner/repo#2` and `GH-4` in quoted text no longer link or cross-reference."""
    for text in ("see #3", "owner/repo#2", "GH-4", "Fixes #5"):
        quoted = neutralise(text)
        assert quoted != text
        assert quoted.replace("\u200b", "") == text
    assert "#\u200b3" in defuse_references("title #3")
    assert neutralise("listbot's own pull request #3", keep_references=True).endswith("#3")


@given(st.text(alphabet=" \t#ab", max_size=14))
def test_closing_hashes_are_removed_as_the_regex_did(text: str) -> None:
    """The one-pass closing-`#` remover agrees with the regex it replaced."""
    assert _without_closing_hashes(text) == OLD_CLOSING_HASHES.sub("", text)


@given(st.text(alphabet=" \t#ab", max_size=14))
def test_atx_headings_are_read_as_the_regex_did(line: str) -> None:
    """The one-pass ATX heading reader agrees with the regex it replaced."""
    old = OLD_ATX.match(line)
    assert atx_heading(line) == (None if old is None else (len(old[1]), old[2] or ""))


@given(st.text(alphabet=" \t\n</&#;xX1aZ!?", max_size=14))
def test_html_is_found_as_the_regex_found_it(text: str) -> None:
    """The linear tag-and-entity check agrees with the regex it replaced."""
    assert contains_html(text) == (OLD_HTML.search(text) is not None)


@given(st.text(alphabet="aZ1+.-:/ wW\u212a_", max_size=14))
def test_links_are_found_as_the_regex_found_them(text: str) -> None:
    """The linear scheme-and-`www.` check agrees with the regex it replaced."""
    assert contains_link(text) == (OLD_AUTOLINK.search(text) is not None)


_MARKER_PIECES = st.sampled_from(["<!-- listbot:", "status", " ", "{", "}", '"a"', ":", "1", " -->", "\n", "x"])


@given(st.lists(_MARKER_PIECES, max_size=14).map("".join))
def test_markers_are_found_as_the_regex_found_them(text: str) -> None:
    """The one-pass marker reader finds the marker the regex found, in text of marker fragments."""
    matches = list(OLD_MARKER.finditer(text))
    if any(" -->" in m[2] or "<!-- listbot:" in m[2] for m in matches):
        return  # the regex ran past a closer or swallowed an opener: the reader is stricter there
    old = next((m for m in matches if m[1] == "status"), None)
    try:
        data = None if old is None else json.loads(old[2])
    except ValueError:
        data = None
    assert read_marker("status", text) == (data if isinstance(data, dict) else None)


@given(st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=3), st.integers(1, 50))
def test_a_marker_after_thousands_of_openers_is_still_found(data: dict[str, str], openers: int) -> None:
    """Stray openers before a real marker do not hide it."""
    text = "<!-- listbot:status {" * openers + "\n" + write_marker("status", data)
    assert read_marker("status", text) == data


def test_a_status_listing_600_problems_fits_in_a_github_comment() -> None:
    """Problem lists stop after MAX_LISTED items with "… and N more", far below 65,536 characters."""
    problems = [f"unknown key `{'k' * 400}{index}`" for index in range(600)]
    status = messages.with_config_problems(messages.proposed_comment(1, 2, "A title", "2024"), problems)
    assert len(status) < 65_536 // 2
    assert f"… and {600 - messages.MAX_LISTED} more" in status
    assert read_marker(messages.STATUS_KIND, status) is not None
    findings = messages.lint_failed_comment(1, [f"line {n}: bad" for n in range(600)])
    assert findings.count("\n- line ") == messages.MAX_LISTED
