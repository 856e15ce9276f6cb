"""Submission kinds as data: the dataset and metric kinds, kinds from listbot.yml, their templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.core.entry_template import fill, reader
from bot.core.forms import form_from_yaml, render_issue_body
from bot.core.kinds import BUILTIN_KINDS, DATASET, METRIC, PAPER, choose_kind
from bot.core.lint import lint
from bot.core.proposal import propose
from bot.core.repo_config import parse_repo_config
from bot.core.rules import Rules
from bot.core.submission import SubmissionError
from bot.core.template import render_form
from tests.factories import ROOT, SEED, TODAY, issue_body

EXAMPLE = ROOT / "examples" / "awesome-list"
FORMS = {kind.name: form_from_yaml(render_form(kind)) for kind in BUILTIN_KINDS}

CHEXPERT = {
    "title": "CheXpert: A Large Chest Radiograph Dataset with Uncertainty Labels and Expert Comparison",
    "venue": "AAAI",
    "paper_url": "https://arxiv.org/abs/1901.07031",
    "dataset_url": "https://stanfordmlgroup.github.io/competitions/chexpert/",
}
RADGRAPH = {
    "title": "RadGraph: Extracting Clinical Entities and Relations from Radiology Reports",
    "venue": "NeurIPS",
    "paper_url": "https://arxiv.org/abs/2106.14463",
    "code_url": "https://github.com/Stanford-AIMI/radgraph",
}


def section_lines(text: str, heading: str) -> list[str]:
    """The lines of one `##` section's body, up to the next `##` heading."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def example_config() -> tuple[Rules, dict[str, Any]]:
    """The awesome-list example's rules and its tool form."""
    text = (EXAMPLE / ".github" / "listbot.yml").read_text(encoding="utf-8")
    result = parse_repo_config(text, Rules())
    assert result.problems == []
    form = form_from_yaml((EXAMPLE / ".github" / "ISSUE_TEMPLATE" / "tool.yml").read_text(encoding="utf-8"))
    return result.rules, {"tool": form}


# --- the built-in dataset and metric kinds ------------------------------------------------------


def test_a_dataset_becomes_the_list_s_exact_line_at_the_end_of_datasets() -> None:
    """A dataset submission adds its one-line entry, in house style, after the datasets listed."""
    proposal = propose(CHEXPERT, SEED, kind=DATASET, form=FORMS["dataset"], today=TODAY)
    line = (
        "[AAAI] CheXpert: A Large Chest Radiograph Dataset with Uncertainty Labels and Expert Comparison "
        "[[paper]](https://arxiv.org/abs/1901.07031) "
        "[[dataset]](https://stanfordmlgroup.github.io/competitions/chexpert/)"
    )
    assert proposal.entry == [line]
    assert proposal.submission.section == "Datasets"
    assert section_lines(proposal.after, "## Datasets")[-2:] == [line, ""]
    assert section_lines(proposal.after, "## Datasets")[:-2] == section_lines(SEED, "## Datasets")
    assert lint(proposal.after) == []


def test_a_metric_with_code_and_one_without_are_each_one_line_under_evaluation_metrics() -> None:
    """A metric's line carries ` [[code]](…)` only when a code link is given."""
    first = propose(RADGRAPH, SEED, kind=METRIC, today=TODAY)
    assert first.entry == [
        "[NeurIPS] RadGraph: Extracting Clinical Entities and Relations from Radiology Reports "
        "[[paper]](https://arxiv.org/abs/2106.14463) [[code]](https://github.com/Stanford-AIMI/radgraph)"
    ]
    bleu = {"title": "BLEU: a Method for Automatic Evaluation of Machine Translation", "venue": "ACL",
            "paper_url": "https://aclanthology.org/P02-1040/"}
    second = propose(bleu, first.after, kind=METRIC, today=TODAY)
    assert second.entry == [
        "[ACL] BLEU: a Method for Automatic Evaluation of Machine Translation [[paper]](https://aclanthology.org/P02-1040/)"
    ]
    assert section_lines(second.after, "## Evaluation Metrics") == ["", first.entry[0], "", second.entry[0]]
    assert second.insertion.line == second.after.splitlines().index(second.entry[0]) + 1
    assert lint(second.after) == []


def test_a_dataset_already_listed_as_a_paper_is_a_duplicate() -> None:
    """A dataset whose paper link is a listed paper's (another arXiv version) names that paper."""
    values = {**CHEXPERT, "paper_url": "https://arxiv.org/pdf/2401.12208v2"}
    with pytest.raises(SubmissionError) as caught:
        propose(values, SEED, kind=DATASET, today=TODAY)
    [problem] = caught.value.problems
    assert problem.field == "paper_url"
    assert problem.duplicate_in == "Papers › 2024"
    assert problem.message.startswith("this dataset is already listed: “CheXagent")


def test_a_metric_named_like_a_listed_dataset_is_a_duplicate() -> None:
    """Titles are compared across kinds, ignoring case and punctuation."""
    values = {**RADGRAPH, "title": "mimic-cxr-jpg a large publicly available database of labeled chest radiographs"}
    with pytest.raises(SubmissionError) as caught:
        propose(values, SEED, kind=METRIC, today=TODAY)
    assert [(p.field, p.duplicate_in) for p in caught.value.problems] == [("title", "Datasets")]


def test_a_paper_already_listed_as_a_dataset_is_a_duplicate() -> None:
    """Papers are checked against the datasets' links too."""
    with pytest.raises(SubmissionError) as caught:
        propose({**_paper(), "paper_url": "https://arxiv.org/abs/1901.07042"}, SEED, today=TODAY)
    assert [p.duplicate_in for p in caught.value.problems] == ["Datasets"]


def _paper() -> dict[str, str]:
    from tests.factories import paper_values

    return dict(paper_values())


def test_bad_dataset_fields_are_all_reported_and_nothing_is_written() -> None:
    """Every invalid field of a dataset gets its own message, with the form's labels."""
    values = {"title": "**Bold**", "venue": "", "paper_url": "javascript:alert(1)", "dataset_url": "ftp://x.org"}
    with pytest.raises(SubmissionError) as caught:
        propose(values, SEED, kind=DATASET, today=TODAY)
    assert [p.label for p in caught.value.problems] == ["Title", "Venue", "Paper link", "Dataset link"]
    assert "is required" in caught.value.problems[1].message


def test_a_list_without_the_kind_s_section_says_which_heading_is_missing() -> None:
    """A metric for a list without `## Evaluation Metrics` is refused with the heading named."""
    text = SEED.replace("## Evaluation Metrics", "## Metrics")
    with pytest.raises(SubmissionError) as caught:
        propose(RADGRAPH, text, kind=METRIC, today=TODAY)
    assert "no `## Evaluation Metrics` section" in str(caught.value)


def test_the_paper_kind_is_the_same_entry_as_before() -> None:
    """The paper kind's template renders the paper exactly as the golden insertion has it."""
    proposal = propose(_paper(), SEED, today=TODAY)
    assert proposal.submission.kind is PAPER
    assert proposal.entry[:2] == ["**RadRotator: Chest X-ray Report Generation with Rotating Experts**",
                                  "*J. Doe, K. Lee, et al.*"]
    assert proposal.submission.section == "Papers › 2024"


# --- choosing the kind of an issue ----------------------------------------------------------------


def test_the_kind_comes_from_the_label_else_from_the_form_the_body_came_from() -> None:
    """A kind label decides; without one the body's headings pick the form they came from."""
    dataset_body = render_issue_body(CHEXPERT, FORMS["dataset"])
    metric_body = render_issue_body(RADGRAPH, FORMS["metric"])
    assert choose_kind(BUILTIN_KINDS, FORMS, {"submission"}, dataset_body) is DATASET
    assert choose_kind(BUILTIN_KINDS, FORMS, {"submission"}, metric_body) is METRIC
    assert choose_kind(BUILTIN_KINDS, FORMS, {"submission"}, issue_body()) is PAPER
    assert choose_kind(BUILTIN_KINDS, FORMS, {"Metric"}, dataset_body) is METRIC
    assert choose_kind(BUILTIN_KINDS, FORMS, set(), "Just a question about the list.") is None


# --- kinds from listbot.yml -----------------------------------------------------------------------


def test_the_awesome_list_example_adds_a_bullet_in_alphabetical_order_under_the_chosen_category() -> None:
    """A tool goes under the heading its category names, between entries by name, case ignored."""
    rules, forms = example_config()
    [tool] = rules.kinds
    text = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    values = {"name": "mkdocs", "url": "https://github.com/mkdocs/mkdocs",
              "description": "Project documentation with Markdown.", "category": ["Generators"]}
    proposal = propose(values, text, kind=tool, form=forms["tool"], kinds=rules.kinds, forms=forms)
    assert section_lines(proposal.after, "## Generators") == [
        "",
        "- [Hugo](https://github.com/gohugoio/hugo) - Fast static site generator written in Go.",
        "- [Jekyll](https://github.com/jekyll/jekyll) - Blog-aware static site generator in Ruby.",
        "- [mkdocs](https://github.com/mkdocs/mkdocs) - Project documentation with Markdown.",
        "- [Zola](https://github.com/getzola/zola) - Single-binary static site engine written in Rust.",
        "",
    ]
    assert lint(proposal.after, rules.kinds, forms) == []


def test_an_awesome_list_duplicate_is_found_by_name_or_link() -> None:
    """The same link in another category, or the same name, is a duplicate."""
    rules, forms = example_config()
    [tool] = rules.kinds
    text = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    values = {"name": "Hugo Two", "url": "https://github.com/gohugoio/Hugo/", "description": "Again.",
              "category": ["Themes"]}
    with pytest.raises(SubmissionError) as caught:
        propose(values, text, kind=tool, form=forms["tool"], kinds=rules.kinds, forms=forms)
    [problem] = caught.value.problems
    assert (problem.field, problem.label, problem.duplicate_in) == ("url", "Link", "Generators")
    values = {**values, "name": "minima", "url": "https://example.org/minima"}
    with pytest.raises(SubmissionError) as caught:
        propose(values, text, kind=tool, form=forms["tool"], kinds=rules.kinds, forms=forms)
    assert [p.field for p in caught.value.problems] == ["name"]


def test_a_category_that_is_not_an_option_is_refused() -> None:
    """A dropdown answer edited into something else is named with the valid options."""
    rules, forms = example_config()
    values = {"name": "Pelican", "url": "https://getpelican.com", "description": "Python.", "category": ["Blogs"]}
    with pytest.raises(SubmissionError) as caught:
        propose(values, "", kind=rules.kinds[0], form=forms["tool"], kinds=rules.kinds, forms=forms)
    assert str(caught.value) == "Category: choose exactly one of `Generators`, `Themes`, `Hosting`."


def test_the_awesome_list_lints_clean_with_its_config_and_its_bad_bullets_are_found() -> None:
    """With its kinds the example has no findings; a bullet without its description is LB016."""
    rules, forms = example_config()
    text = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert lint(text, rules.kinds, forms) == []
    broken = text.replace("- [Minima](https://github.com/jekyll/minima) - The default theme of Jekyll.",
                          "- [Minima](https://github.com/jekyll/minima)")
    [finding] = lint(broken, rules.kinds, forms)
    assert (finding.code, finding.line) == ("LB016", 21)
    assert "`- [{name}]({url}) - {description}`" in finding.message


def test_a_malformed_metric_line_is_lb016() -> None:
    """A metric line missing its `[[paper]]` link is reported against the metric shape."""
    text = SEED.replace("## Evaluation Metrics\n", "## Evaluation Metrics\n\n[ACL] BLEU (https://x.org/bleu)\n")
    [finding] = [f for f in lint(text) if f.code == "LB016"]
    assert "an evaluation metric entry is one line like `[{venue}] {title} [[paper]]({paper_url})" in finding.message


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ({"tool": {"entry": "- [{name}]({url})"}}, "`kinds.tool.section` is required"),
        ({"tool": {"section": "Tools", "entry": "- [{name}]({url})"}},
         "`kinds.tool.section: Tools` is not a Markdown heading"),
        ({"tool": {"section": "## Tools", "entry": "- [{name}]({url)"}}, "has a stray `{`"),
        ({"tool": {"section": "## Tools", "entry": "- [{name}]({url})", "order": "random"}},
         "`kinds.tool.order: random` is not valid: use one of `newest-first`, `alphabetical`, `top`, `bottom`"),
        ({"tool": {"section": "## Tools", "entry": "- [{name}]({url})", "identity": ["title"]}},
         "`kinds.tool.identity` names `title`, which the entry template does not use"),
        ({"tool": {"section": "## Tools", "entry": "- [{name}]({url})", "colour": "red"}},
         "`kinds.tool.colour` is not a kind setting"),
        ({"paper": {"entry": "{title}"}}, "`kinds.paper` is built in: only `form`, `label` may be changed"),
        ({"Tool!": {}}, "a kind's name is lower-case letters"),
        ({"tool": {"section": "## Tools", "entry": "- [{name}]({url})", "form": "../x.yml"}},
         "it must be an issue form under `.github/ISSUE_TEMPLATE/`"),
    ],
)
def test_a_wrong_kind_is_left_out_with_a_message_naming_the_key(kinds: dict[str, Any], expected: str) -> None:
    """Each mistake in `kinds:` names the key, what is wrong and a valid example."""
    result = parse_repo_config(yaml.safe_dump({"kinds": kinds}), Rules())
    assert result.rules.kinds == ()
    assert any(expected in problem for problem in result.problems), result.problems


def test_builtin_kinds_may_be_chosen_and_relabelled() -> None:
    """`kinds: {paper: , dataset: {label: data}}` keeps only those two, the dataset relabelled."""
    result = parse_repo_config("kinds:\n  paper:\n  dataset: {label: data, order: top}\n", Rules())
    assert result.problems == []
    assert [(k.name, k.label, k.order) for k in result.rules.kinds] == [
        ("paper", "paper", "newest-first"), ("dataset", "data", "top")
    ]


def test_without_kinds_the_built_in_kinds_apply() -> None:
    """No `kinds:` key means paper, dataset and metric."""
    assert parse_repo_config("placement: top\n", Rules()).rules.kinds == BUILTIN_KINDS


# --- templates ------------------------------------------------------------------------------------

_WORDS = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=12)
_TEXT = st.lists(_WORDS, min_size=1, max_size=5).map(" ".join)
_LINK = _WORDS.map(lambda word: f"https://example.org/{word}")


@given(title=_TEXT, venue=_TEXT, paper_url=_LINK, code_url=st.one_of(st.just(""), _LINK))
def test_a_filled_template_reads_back_to_its_values(title: str, venue: str, paper_url: str, code_url: str) -> None:
    """Reading an entry written from a template gives back every value, optional parts included."""
    values = {"title": title, "venue": venue, "paper_url": paper_url, "code_url": code_url}
    [line] = fill(METRIC.template, values, one_line=True)
    read = reader(METRIC.template, one_line=True, links=METRIC.links, optional={"code_url"})
    assert read.read(line) == values


def test_a_template_line_whose_fields_are_all_empty_is_left_out() -> None:
    """Only lines with at least one value stay; literal braces are written doubled."""
    template = ("**{title}**", "{{{note}}}", "[code]({code_url}) [model]({model_url})")
    assert fill(template, {"title": "T", "note": "", "code_url": "", "model_url": "m"}) == [
        "**T**", "[code]() [model](m)"
    ]
    assert fill(template, {"title": "T", "note": "n"}) == ["**T**", "{n}"]


# --- the offline commands -------------------------------------------------------------------------


def test_preview_picks_the_dataset_kind_from_the_body_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without `--kind`, a body from the dataset form is read as a dataset, as stderr says."""
    from bot.cli.main import main

    (tmp_path / "list.md").write_text(SEED, encoding="utf-8")
    (tmp_path / "body.md").write_text(render_issue_body(CHEXPERT, FORMS["dataset"]), encoding="utf-8")
    assert main(["apply", str(tmp_path / "body.md"), "--list", str(tmp_path / "list.md")]) == 0
    captured = capsys.readouterr()
    assert "reading the body as a `dataset` submission" in captured.err
    assert "to Datasets" in captured.out
    assert "[AAAI] CheXpert" in (tmp_path / "list.md").read_text(encoding="utf-8")


def test_preview_with_an_unknown_kind_or_an_unmatched_body_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--kind` must name a configured kind; a body no form matches asks for `--kind`."""
    from bot.cli.main import main

    (tmp_path / "body.md").write_text("Hello\n", encoding="utf-8")
    assert main(["preview", str(tmp_path / "body.md"), "--kind", "toolkit"]) == 2
    assert "there is no kind `toolkit`; the kinds here are `paper`, `dataset`, `metric`" in capsys.readouterr().err
    assert main(["preview", str(tmp_path / "body.md")]) == 2
    assert "pass `--kind`" in capsys.readouterr().err


def test_the_cli_runs_in_the_awesome_list_example_with_its_config(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In the example's folder, preview and lint read its listbot.yml, its form and its README."""
    from bot.cli.main import main

    monkeypatch.chdir(EXAMPLE)
    assert main(["preview", "issue-body.md"]) == 0
    captured = capsys.readouterr()
    assert "+- [Eleventy](https://github.com/11ty/eleventy) - Simpler static site generator" in captured.out
    assert captured.out.startswith("--- a/README.md")
    assert main(["lint"]) == 0
    assert main(["preview", "issue-body.md", "--kind", "tool", "--config", ".github/listbot.yml"]) == 0


def test_template_check_covers_every_form_and_the_chooser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`template` writes one form per built-in kind and config.yml; `--check` notices each one."""
    from bot.cli.main import main

    folder = tmp_path / "forms"
    assert main(["template", "--dir", str(folder), "--list-url", "https://github.com/acme/list"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["config.yml", "dataset.yml", "metric.yml", "paper.yml"]
    chooser = yaml.safe_load((folder / "config.yml").read_text(encoding="utf-8"))
    assert chooser["blank_issues_enabled"] is False
    assert chooser["contact_links"][0]["url"] == "https://github.com/acme/list"
    assert yaml.safe_load((folder / "dataset.yml").read_text(encoding="utf-8"))["labels"] == ["submission", "dataset"]
    assert main(["template", "--dir", str(folder), "--check"]) == 0
    (folder / "metric.yml").unlink()
    assert main(["template", "--dir", str(folder), "--check"]) == 1
    assert "metric.yml is missing" in capsys.readouterr().err


def test_config_check_names_a_form_field_the_kind_needs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`listbot config check` reports a kind whose form lacks a field its entry uses, as the bot would."""
    from bot.cli.main import main

    github = tmp_path / ".github"
    (github / "ISSUE_TEMPLATE").mkdir(parents=True)
    (github / "listbot.yml").write_bytes((EXAMPLE / ".github" / "listbot.yml").read_bytes())
    form = (EXAMPLE / ".github" / "ISSUE_TEMPLATE" / "tool.yml").read_text(encoding="utf-8")
    (github / "ISSUE_TEMPLATE" / "tool.yml").write_text(form.replace("id: description", "id: summary"))
    assert main(["config", "check", str(github / "listbot.yml")]) == 1
    assert "has no field with `id: description`, which the `tool` kind's entry or section uses" in (
        capsys.readouterr().out
    )
    (github / "ISSUE_TEMPLATE" / "tool.yml").unlink()
    assert main(["config", "check", str(github / "listbot.yml")]) == 1
    assert "`.github/ISSUE_TEMPLATE/tool.yml`, the form of the `tool` kind, is not in this checkout" in (
        capsys.readouterr().out
    )


def test_an_escaped_title_read_back_from_the_list_is_still_a_duplicate() -> None:
    """A dataset the list shows escaped (`\\~`) is found again, and named as it was submitted."""
    values = {**CHEXPERT, "title": "CheXpert ~ a dataset"}
    first = propose(values, SEED, kind=DATASET, today=TODAY)
    assert first.entry[0].startswith(r"[AAAI] CheXpert \~ a dataset [[paper]]")
    assert lint(first.after) == []
    again = {**values, "paper_url": "https://example.org/other", "dataset_url": "https://example.org/data"}
    with pytest.raises(SubmissionError) as caught:
        propose(again, first.after, kind=DATASET, today=TODAY)
    assert [(p.field, p.duplicate_in) for p in caught.value.problems] == [("title", "Datasets")]
    assert "“CheXpert ~ a dataset”" in caught.value.problems[0].message
