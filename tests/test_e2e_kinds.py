"""End-to-end: kinds other than papers, the repository's own forms, and an awesome list, via the emulator."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import yaml

from bot.core.forms import IssueForm, RenderValue, form_from_yaml, render_issue_body
from bot.core.kinds import DATASET, METRIC
from bot.core.proposal import propose
from bot.core.template import render_form, render_template
from bot.emulator import GitHubEmulator
from tests.deployment import CONTRIBUTOR, MAINTAINER, Deployment, deployed
from tests.factories import ROOT, SEED, TODAY, paper_values

pytestmark = pytest.mark.e2e

EXAMPLE = ROOT / "examples" / "awesome-list"
DATASET_VALUES = {
    "title": "CheXpert: A Large Chest Radiograph Dataset with Uncertainty Labels and Expert Comparison",
    "venue": "AAAI",
    "paper_url": "https://arxiv.org/abs/1901.07031",
    "dataset_url": "https://stanfordmlgroup.github.io/competitions/chexpert/",
}


@pytest.fixture
def listbot(github_emulator: GitHubEmulator) -> Iterator[Deployment]:
    """listbot deployed against a fresh emulator with the seed list on `main`."""
    with deployed(github_emulator) as deployment:
        yield deployment


def push(listbot: Deployment, files: dict[str, str | None]) -> None:
    """A maintainer's push to `main`, and listbot's reaction to it."""
    listbot.github.push_commit(listbot.repo, "main", files, MAINTAINER, "Update the list's setup")
    listbot.wait_idle()


def file(listbot: Deployment, form: IssueForm, values: Mapping[str, RenderValue], labels: tuple[str, ...]) -> int:
    """File an issue whose body GitHub would build from `form` with `values`."""
    body = render_issue_body(values, form)
    number = listbot.github.create_issue(listbot.repo, CONTRIBUTOR, "New entry", body, labels)
    listbot.wait_idle()
    return number


def test_a_dataset_from_the_dataset_form_gets_a_pull_request_with_its_line(listbot: Deployment) -> None:
    """A dataset issue ends in one PR whose list has the dataset line at the end of Datasets."""
    push(listbot, {DATASET.form_path: render_form(DATASET)})
    number = file(listbot, form_from_yaml(render_form(DATASET)), DATASET_VALUES, ("submission", "dataset"))
    [pull] = listbot.open_pulls()
    assert pull.title == f"Add dataset: {DATASET_VALUES['title']}"
    assert "Datasets" in (pull.body or "")
    assert listbot.list_on(pull.head) == propose(DATASET_VALUES, SEED, kind=DATASET).after
    assert f"Closes #{number}" in (pull.body or "")


def test_a_metric_without_its_label_is_recognised_by_its_form(listbot: Deployment) -> None:
    """An issue from the metric form that lost its kind label is still read as a metric."""
    values = {"title": "RadGraph: Extracting Clinical Entities and Relations from Radiology Reports",
              "venue": "NeurIPS", "paper_url": "https://arxiv.org/abs/2106.14463"}
    file(listbot, form_from_yaml(render_form(METRIC)), values, ("submission",))
    [pull] = listbot.open_pulls()
    assert listbot.list_on(pull.head) == propose(values, SEED, kind=METRIC).after


def test_a_dataset_already_listed_as_a_paper_is_refused_with_the_paper_named(listbot: Deployment) -> None:
    """A dataset whose paper is CheXagent's arXiv paper gets no PR and a comment naming the paper."""
    values = {**DATASET_VALUES, "paper_url": "https://arxiv.org/abs/2401.12208"}
    number = file(listbot, form_from_yaml(render_form(DATASET)), values, ("submission", "dataset"))
    assert listbot.open_pulls() == []
    [status] = listbot.status_comments(number)
    assert "this dataset is already listed" in status.body
    assert "CheXagent" in status.body


def test_a_committed_form_with_a_renamed_heading_still_parses(listbot: Deployment) -> None:
    """After a maintainer renames the paper form's link label, issues from that form still work."""
    data = yaml.safe_load(render_template())
    for item in data["body"]:
        if item.get("id") == "paper_url":
            item["attributes"]["label"] = "Link to the paper (arXiv or DOI)"
    renamed = yaml.safe_dump(data, sort_keys=False)
    push(listbot, {".github/ISSUE_TEMPLATE/paper.yml": renamed})
    values = paper_values()
    body = render_issue_body(values, form_from_yaml(renamed))
    assert "### Link to the paper (arXiv or DOI)" in body
    listbot.github.create_issue(listbot.repo, CONTRIBUTOR, "[Paper]: x", body, ("submission", "paper"))
    listbot.wait_idle()
    [pull] = listbot.open_pulls()
    assert listbot.list_on(pull.head) == propose(values, SEED, today=TODAY).after


def example_files() -> dict[str, str | None]:
    """Every file of the awesome-list example, by its path in the repository."""
    files: dict[str, str | None] = {}
    for path in sorted(EXAMPLE.rglob("*")):
        if path.is_file() and path.name != "issue-body.md":
            files[str(path.relative_to(EXAMPLE))] = path.read_text(encoding="utf-8")
    return files


def test_the_awesome_list_example_works_end_to_end(listbot: Deployment) -> None:
    """In a repository set up like the example, a tool issue becomes a PR adding its bullet in place."""
    push(listbot, example_files())
    form = form_from_yaml((EXAMPLE / ".github/ISSUE_TEMPLATE/tool.yml").read_text(encoding="utf-8"))
    values = {"name": "Eleventy", "url": "https://github.com/11ty/eleventy",
              "description": "Simpler static site generator written in JavaScript.", "category": ["Generators"]}
    number = file(listbot, form, values, ("submission", "tool"))
    [pull] = listbot.open_pulls()
    assert pull.title == "Add tool: Eleventy"
    after = listbot.github.file_at(listbot.repo, pull.head, "README.md")
    before = Path(EXAMPLE / "README.md").read_text(encoding="utf-8")
    bullet = "- [Eleventy](https://github.com/11ty/eleventy) - Simpler static site generator written in JavaScript."
    assert after == before.replace("## Generators\n\n", f"## Generators\n\n{bullet}\n")
    assert listbot.list_on(pull.head) == SEED  # the research list is not touched

    again = file(listbot, form, {**values, "name": "11ty"}, ("submission", "tool"))
    [status] = listbot.status_comments(again)
    assert "this tool is already listed" in status.body
    assert len(listbot.open_pulls()) == 1
    assert number != again


def test_a_kind_whose_form_is_missing_is_reported_to_the_submitter(listbot: Deployment) -> None:
    """A `tool` issue in a repository whose listbot.yml names a form that is not there says so."""
    files = example_files()
    files[".github/ISSUE_TEMPLATE/tool.yml"] = None
    push(listbot, files)
    number = listbot.github.create_issue(listbot.repo, CONTRIBUTOR, "x", "### Name\n\nEleventy", ("tool",))
    listbot.wait_idle()
    assert listbot.open_pulls() == []
    [status] = listbot.status_comments(number)
    assert "`.github/ISSUE_TEMPLATE/tool.yml`, the form of the `tool` kind, is not on `main`" in status.body
