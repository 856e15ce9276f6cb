"""Properties of what listbot writes, whatever was submitted: GitHub shows the entry as submitted,
lint finds nothing in the list, and the preview diff applies with `patch` to give the list."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from typing import Any

import cmarkgfm
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.core.lint import lint
from bot.core.proposal import Proposal, propose
from bot.core.submission import SubmissionError
from tests.factories import SEED, TODAY, paper_values

# Characters that mean something to Markdown or GitHub, mixed with letters, digits and any Unicode.
_MARKUP = "_~*$[]()<>!#@.:|-&;`\\'\"/%^=+{}"
_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(_MARKUP + "aZ09 ")),
        st.characters(whitelist_categories=("L", "N", "P", "S", "Zs")),
    ),
    min_size=1, max_size=60,
)
_RENDERED = re.compile(r"<p><strong>(.*)</strong>\n<em>(.*)</em>\n(.*)\n<a href=\"([^\"]*)\">paper</a>", re.DOTALL)
# A list without a final newline, and one with CRLF line endings, beside the seed itself.
_LISTS = st.sampled_from([SEED, SEED.rstrip("\n"), SEED.replace("\n", "\r\n"), SEED.replace("\n", "\r\n").rstrip()])


def accepted(values: dict[str, Any], list_text: str = SEED) -> Proposal:
    """The proposal for these values; examples listbot refuses are not the property's concern."""
    try:
        return propose(values, list_text, today=TODAY)
    except SubmissionError:
        assume(False)
        raise


def plain(fragment: str) -> str:
    """Rendered HTML that must hold no element: its text, or a failure naming the element."""
    assert "<" not in fragment, f"rendered as markup: {fragment}"
    return html.unescape(fragment)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(title=_TEXT, authors=_TEXT, venue=_TEXT)
def test_an_accepted_entry_renders_as_plain_text_on_github(title: str, authors: str, venue: str) -> None:
    """Title, authors and venue of any accepted entry render with cmark-gfm as the text listbot wrote."""
    proposal = accepted(paper_values(title=title, authors=authors, venue=venue))
    paper = proposal.paper
    rendered = cmarkgfm.github_flavored_markdown_to_html("\n".join(proposal.entry))
    match = _RENDERED.match(rendered)
    assert match is not None, rendered
    assert plain(match[1]) == paper.title
    assert plain(match[2]) == paper.authors
    date = f" | {paper.date.house_style()}" if paper.date else ""
    assert plain(match[3]) == paper.venue + date
    assert match[4] == paper.paper_url


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(title=_TEXT, authors=_TEXT, venue=_TEXT, list_text=_LISTS)
def test_lint_finds_nothing_in_a_list_listbot_writes(title: str, authors: str, venue: str, list_text: str) -> None:
    """Whatever text is accepted, the list listbot writes passes its own lint."""
    proposal = accepted(paper_values(title=title, authors=authors, venue=venue), list_text)
    assert [f"{f.code} {f.message}" for f in lint(proposal.after)] == []


_LINK_FORMS = st.sampled_from([
    "https://arxiv.org/pdf/{}v2.pdf", "arXiv:{}", "[arXiv](https://arxiv.org/abs/{})", "http://arxiv.org/abs/{}/",
    "https://huggingface.co/papers/{}", "https://arxiv.org/abs/{}.",
])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    list_text=_LISTS,
    year=st.integers(2015, 2026),
    month=st.integers(1, 11),
    number=st.integers(10000, 99999),
    link=_LINK_FORMS,
    venue=st.sampled_from(["arxiv", "Proc. of ACL-IJCNLP 2021", "MICCAI'23", "Nature Medicine", "AAAI 2024"]),
)
def test_preview_applied_with_patch_is_apply(
    tmp_path_factory: pytest.TempPathFactory, list_text: str, year: int, month: int, number: int, link: str, venue: str
) -> None:
    """`patch` applied to the old list with the preview diff gives exactly the list apply writes."""
    arxiv = f"{year % 100:02d}{month:02d}.{number}"
    values = paper_values(paper_url=link.format(arxiv), venue=venue, date=f"{year}-{month:02d}", code_url=None)
    proposal = accepted(values, list_text)
    folder = tmp_path_factory.mktemp("patch")
    target = folder / "README.md"
    target.write_bytes(list_text.encode("utf-8"))
    patched = subprocess.run(
        [_patch(), "--quiet", "--batch", "--binary", str(target)],
        input=proposal.diff("list/README.md").encode("utf-8"), capture_output=True, check=False,
    )
    assert patched.returncode == 0, patched.stdout + patched.stderr
    assert target.read_bytes() == proposal.after.encode("utf-8")


def _patch() -> str:
    found = shutil.which("patch")
    if found is None:
        pytest.skip("GNU patch is not installed")
    return found


def test_a_diff_against_a_list_without_a_final_newline_says_so() -> None:
    """When the list does not end with a newline, the diff marks its last line as `diff` does."""
    before = "## Papers\n\n### 2024\n\n**Listed**\n*A. Tao*\narXiv | May 2024\n[paper](https://arxiv.org/abs/2405.00001)"
    proposal = propose(paper_values(date="2024-03-15", code_url=None), before, today=TODAY)
    diff = proposal.diff("list/README.md")
    assert "-[paper](https://arxiv.org/abs/2405.00001)\n\\ No newline at end of file\n" in diff
    assert diff.endswith("+[paper](https://arxiv.org/abs/2403.12345)\n\\ No newline at end of file\n")
