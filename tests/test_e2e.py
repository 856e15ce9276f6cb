"""End-to-end: the real server, real PyGithub and the GitHub API emulator, asserting on final state."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.core.proposal import propose
from bot.emulator import GitHubEmulator
from bot.emulator.webhooks import delivery_headers, encode
from tests.deployment import CONTRIBUTOR, MAINTAINER, Deployment, deployed
from tests.factories import SEED, TODAY, paper_values

pytestmark = pytest.mark.e2e


@pytest.fixture
def listbot(github_emulator: GitHubEmulator) -> Iterator[Deployment]:
    """listbot deployed against a fresh emulator with the seed list on `main`."""
    with deployed(github_emulator) as deployment:
        yield deployment


def expected_list(**overrides: object) -> str:
    """The list a correct PR for these form values holds."""
    return propose(paper_values(**overrides), SEED, today=TODAY).after


def test_a_valid_submission_gets_one_pull_request_with_exactly_its_entry(listbot: Deployment) -> None:
    """A valid issue ends in one branch, one commit, one PR holding the golden list, one comment."""
    number = listbot.file_issue()
    [pull] = listbot.open_pulls()
    assert pull.head == f"listbot/issue-{number}"
    assert pull.title == "Add paper: RadRotator: Chest X-ray Report Generation with Rotating Experts"
    assert f"Closes #{number}" in (pull.body or "")
    assert "Papers › 2024" in (pull.body or "")
    assert listbot.list_on(pull.head) == expected_list()
    assert listbot.list_on("main") == SEED
    assert len(listbot.github.commits_between(listbot.repo, "main", pull.head)) == 1
    [comment] = listbot.bot_comments(number)
    assert f"#{pull.number}" in comment.body
    assert "needs-changes" not in listbot.github.labels_of(listbot.repo, number)


def test_an_invalid_submission_is_explained_then_fixed_by_an_edit(listbot: Deployment) -> None:
    """An invalid issue gets one comment and a label, no PR; fixing it by an edit opens the PR."""
    number = listbot.file_issue(paper_url="javascript:alert(1)", date="soon")
    [comment] = listbot.bot_comments(number)
    assert "Paper link" in comment.body
    assert "Publication date" in comment.body
    assert "needs-changes" in listbot.github.labels_of(listbot.repo, number)
    assert listbot.all_pulls() == []
    assert listbot.listbot_branches() == []

    listbot.edit_issue(number)
    [pull] = listbot.open_pulls()
    assert listbot.list_on(pull.head) == expected_list()
    [comment] = listbot.bot_comments(number)
    assert f"#{pull.number}" in comment.body
    assert "needs-changes" not in listbot.github.labels_of(listbot.repo, number)


def test_a_duplicate_names_the_existing_entry_and_opens_nothing(listbot: Deployment) -> None:
    """A paper already on the list gets a comment naming the entry and its section, and no PR."""
    number = listbot.file_issue(paper_url="https://arxiv.org/pdf/2401.12208v2")
    [comment] = listbot.bot_comments(number)
    assert "CheXagent" in comment.body
    assert "Papers › 2024" in comment.body
    assert listbot.all_pulls() == []


def test_a_paper_proposed_by_another_open_pull_request_is_a_duplicate(listbot: Deployment) -> None:
    """A second issue for a paper with an open listbot PR is refused; there stays one PR."""
    listbot.file_issue()
    second = listbot.file_issue(title="Same paper, other title")
    assert len(listbot.open_pulls()) == 1
    [comment] = listbot.bot_comments(second)
    assert "Open pull request" in comment.body


def test_an_edit_updates_the_same_branch_and_pull_request(listbot: Deployment) -> None:
    """Editing a valid issue rewrites the same branch and PR; there is never a second PR."""
    number = listbot.file_issue()
    [before] = listbot.open_pulls()
    listbot.edit_issue(number, title="RadRotator v2: Better Reports", date="2023-06-01")
    [after] = listbot.all_pulls()
    assert after.number == before.number
    assert after.state == "open"
    assert after.title == "Add paper: RadRotator v2: Better Reports"
    assert listbot.list_on(after.head) == expected_list(title="RadRotator v2: Better Reports", date="2023-06-01")
    assert len(listbot.github.commits_between(listbot.repo, "main", after.head)) == 1
    assert len(listbot.bot_comments(number)) == 1


def test_an_edit_that_breaks_the_submission_closes_the_pull_request_and_says_why(listbot: Deployment) -> None:
    """An edit that makes the issue invalid closes the PR and the comment lists the problem."""
    number = listbot.file_issue()
    listbot.edit_issue(number, paper_url="ftp://example.org/paper")
    [pull] = listbot.all_pulls()
    assert pull.state == "closed"
    [comment] = listbot.bot_comments(number)
    assert "only http:// and https:// links" in comment.body
    listbot.edit_issue(number)
    [pull] = listbot.all_pulls()
    assert pull.state == "open"
    assert listbot.list_on(pull.head) == expected_list()


def test_closing_the_issue_closes_the_pull_request_and_deletes_the_branch(listbot: Deployment) -> None:
    """Closing the issue unmerged closes its PR and deletes its branch."""
    number = listbot.file_issue()
    listbot.github.close_issue(listbot.repo, number, actor=CONTRIBUTOR, reason="not_planned")
    listbot.wait_idle()
    [pull] = listbot.all_pulls()
    assert pull.state == "closed"
    assert not pull.merged
    assert listbot.listbot_branches() == []
    assert "closed" in listbot.bot_comments(number)[0].body


def test_merging_the_pull_request_thanks_the_submitter_and_deletes_the_branch(listbot: Deployment) -> None:
    """Merging the PR lands the entry on main, closes the issue, thanks and deletes the branch."""
    number = listbot.file_issue()
    [pull] = listbot.open_pulls()
    listbot.github.merge_pull(listbot.repo, pull.number, MAINTAINER)
    listbot.wait_idle()
    assert listbot.list_on("main") == expected_list()
    assert listbot.github.issue(listbot.repo, number).state == "closed"
    assert listbot.listbot_branches() == []
    [comment] = listbot.bot_comments(number)
    assert "Thank you" in comment.body


def test_an_issue_that_is_not_a_submission_is_left_alone(listbot: Deployment) -> None:
    """An ordinary issue gets no comment, label, branch or PR."""
    number = listbot.github.create_issue(listbot.repo, CONTRIBUTOR, "Typo in README", "Please fix.", ())
    listbot.wait_idle()
    assert listbot.bot_comments(number) == []
    assert listbot.github.labels_of(listbot.repo, number) == []
    assert listbot.listbot_branches() == []


def test_ten_concurrent_copies_of_a_delivery_make_one_of_everything(listbot: Deployment) -> None:
    """The same delivery ten times at once ends in one branch, one commit, one PR, one comment."""
    number = listbot.file_issue()
    listbot.github.reset_requests()
    event, payload = listbot.github.webhook("issues", "opened", listbot.repo, issue=number)
    body = encode(payload)
    headers = delivery_headers(event, body, listbot.settings.webhook_secret.get_secret_value(), "same-guid")

    def deliver(_: int) -> int:
        request = urllib.request.Request(f"{listbot.url}/api/github/webhooks", body, headers, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)

    with ThreadPoolExecutor(10) as pool:
        assert set(pool.map(deliver, range(10))) == {202}
    listbot.wait_idle()
    assert len(listbot.all_pulls()) == 1
    assert listbot.listbot_branches() == [f"listbot/issue-{number}"]
    assert len(listbot.github.commits_between(listbot.repo, "main", f"listbot/issue-{number}")) == 1
    assert len(listbot.bot_comments(number)) == 1
    assert listbot.github.requests.count(write_only=True) == 0


def test_the_repository_configuration_is_applied_and_its_problems_reported(listbot: Deployment) -> None:
    """`.github/listbot.yml` on main sets branch names and placement; a bad key is reported."""
    config = "placement: top\nbranch_prefix: papers/issue-\nlabelz: oops\n"
    listbot.github.push_commit(listbot.repo, "main", {".github/listbot.yml": config}, MAINTAINER, "configure")
    listbot.wait_idle()
    number = listbot.file_issue()
    [pull] = listbot.open_pulls()
    assert pull.head == f"papers/issue-{number}"
    assert listbot.list_on(pull.head) == propose(paper_values(), SEED, today=TODAY, placement="top").after
    [comment] = listbot.bot_comments(number)
    assert "labelz" in comment.body
    listbot.github.close_issue(listbot.repo, number, actor=CONTRIBUTOR)
    listbot.wait_idle()
    assert [p.state for p in listbot.all_pulls()] == ["closed"]
    assert not any(name.startswith("papers/") for name in listbot.github.branches(listbot.repo))


def test_a_pull_request_closed_by_a_maintainer_stays_closed(listbot: Deployment) -> None:
    """listbot never reopens a PR a maintainer closed; `/listbot recreate` from them does."""
    number = listbot.file_issue()
    [pull] = listbot.open_pulls()
    listbot.github.close_issue(listbot.repo, pull.number, actor=MAINTAINER)
    listbot.wait_idle()
    assert listbot.open_pulls() == []
    assert "maintainer closed" in listbot.bot_comments(number)[0].body
    listbot.github.add_comment(listbot.repo, number, MAINTAINER, "/listbot recreate")
    listbot.wait_idle()
    [reopened] = listbot.open_pulls()
    assert listbot.list_on(reopened.head) == expected_list()


def test_reopening_a_closed_issue_brings_its_submission_back(listbot: Deployment) -> None:
    """Closing then reopening an issue ends with an open PR whose branch holds the entry."""
    number = listbot.file_issue()
    listbot.github.close_issue(listbot.repo, number, actor=CONTRIBUTOR)
    listbot.wait_idle()
    assert listbot.listbot_branches() == []
    listbot.github.reopen_issue(listbot.repo, number, actor=CONTRIBUTOR)
    listbot.wait_idle()
    [pull] = listbot.open_pulls()
    assert listbot.list_on(pull.head) == expected_list()
    assert len(listbot.bot_comments(number)) == 1


def test_the_maintain_role_may_run_commands_when_the_config_asks_for_it(listbot: Deployment) -> None:
    """With `commands.permission: maintain`, a maintainer's command runs and a writer's is declined."""
    config = "commands:\n  permission: maintain\n"
    listbot.github.push_commit(listbot.repo, "main", {".github/listbot.yml": config}, MAINTAINER, "configure")
    listbot.github.add_user("mara", "maintain", repo=listbot.repo)
    number = listbot.file_issue()
    [pull] = listbot.open_pulls()
    listbot.github.close_issue(listbot.repo, pull.number, actor=MAINTAINER)
    listbot.wait_idle()
    listbot.github.add_comment(listbot.repo, number, MAINTAINER, "/listbot recreate")  # MAINTAINER has write
    listbot.wait_idle()
    assert listbot.open_pulls() == []
    assert any("Sorry" in c.body for c in listbot.bot_comments(number))
    listbot.github.add_comment(listbot.repo, number, "mara", "/listbot recreate")
    listbot.wait_idle()
    assert len(listbot.open_pulls()) == 1


def test_a_maintainers_close_outlasts_the_submitters_edits_and_reopens(listbot: Deployment) -> None:
    """After a maintainer closes the PR, neither an invalid-then-fixed edit nor closing and
    reopening the issue brings a PR back."""
    number = listbot.file_issue()
    [pull] = listbot.open_pulls()
    listbot.github.close_issue(listbot.repo, pull.number, actor=MAINTAINER)
    listbot.wait_idle()
    listbot.edit_issue(number, paper_url="ftp://example.org/paper")
    listbot.edit_issue(number)
    assert listbot.open_pulls() == []
    listbot.github.close_issue(listbot.repo, number, actor=CONTRIBUTOR)
    listbot.wait_idle()
    listbot.github.reopen_issue(listbot.repo, number, actor=CONTRIBUTOR)
    listbot.wait_idle()
    assert listbot.open_pulls() == []
    assert len(listbot.bot_comments(number)) == 1
