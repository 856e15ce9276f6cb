"""End-to-end resilience: reordered and lost deliveries, restarts, a moving main, commands, replicas, faults.

Every test drives the real server (one or more uvicorn replicas in threads) against the GitHub
API emulator and asserts on the emulator's final state.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.core import lint
from bot.core.markers import read_marker
from bot.core.proposal import propose
from bot.emulator import GitHubEmulator
from tests.deployment import CONTRIBUTOR, LIST_PATH, MAINTAINER, REPO, Deployment, deployed
from tests.factories import SEED, TODAY, paper_values

pytestmark = pytest.mark.e2e

STRANGER = "eve"
_WORDS = ("Aurora", "Beacon", "Cobalt", "Delta", "Ember", "Fjord", "Garnet", "Harbor", "Indigo", "Juniper")


@pytest.fixture
def listbot(github_emulator: GitHubEmulator) -> Iterator[Deployment]:
    """listbot deployed against a fresh emulator with the seed list on `main`."""
    with deployed(github_emulator) as deployment:
        github_emulator.add_user(STRANGER, "read")
        yield deployment


def paper(i: int, **overrides: Any) -> dict[str, Any]:
    """Form values for distinct valid paper number `i` (all dated March 2024: they land side by side)."""
    values: dict[str, Any] = {
        "title": f"{_WORDS[i % len(_WORDS)]}-{i}: Grounded Chest X-ray Reporting at Scale",
        "authors": "A. Author, B. Author, et al.",
        "venue": "arXiv",
        "date": f"2024-03-{10 + i % 18:02d}",
        "paper_url": f"https://arxiv.org/abs/2403.{20000 + i}",
        "code_url": f"https://github.com/example/paper-{i}",
    }
    return values | overrides


def expected(values: dict[str, Any], base: str = SEED) -> str:
    """The list a correct PR for these form values holds, on top of `base`."""
    return propose(paper_values(**values), base, today=TODAY).after


def assert_proposed(listbot: Deployment, number: int, values: dict[str, Any]) -> Any:
    """Issue `number` has exactly one open PR whose branch is one commit on main with the right list."""
    branch = f"listbot/issue-{number}"
    pulls = [p for p in listbot.all_pulls() if p.head == branch]
    assert [p.state for p in pulls] == ["open"], pulls
    [pull] = pulls
    main = listbot.list_on("main")
    assert main is not None
    after = listbot.list_on(branch)
    assert after == expected(values, main)
    assert lint.lint(after) == []
    [commit] = listbot.commits_on(branch)
    info = listbot.github.commit_info(REPO, commit)
    assert info["parents"] == [listbot.github.branch_commits(REPO, "main")[-1]]
    [status] = listbot.status_comments(number)
    assert f"#{pull.number}" in status.body
    return pull


def repository_writes(github: GitHubEmulator) -> list[tuple[str, str]]:
    """Write requests other than minting an installation token (a new process must mint one)."""
    return [
        (r.method, r.path) for r in github.requests.filter(write_only=True) if not r.path.endswith("/access_tokens")
    ]


def status_state(listbot: Deployment, number: int) -> str:
    """The state recorded in issue `number`'s one status comment."""
    [status] = listbot.status_comments(number)
    marker = read_marker("status", status.body)
    assert marker is not None
    return str(marker.get("state"))


# --- deliveries out of order, lost deliveries ---------------------------------------------------


def test_an_edit_delivered_before_its_opened_event_ends_in_the_edited_pull_request(listbot: Deployment) -> None:
    """An `edited` delivery overtaking `opened`, then the stale `opened`, end in one PR with the edited entry."""
    github = listbot.github
    with github.deliveries_paused(drop=True):
        number = listbot.file_issue(wait=False, **paper(1, paper_url="ftp://example.org/p.pdf"))
        opened = github.webhook("issues", "opened", REPO, issue=number)
        listbot.edit_issue(number, wait=False, **paper(1))
        edited = github.webhook("issues", "edited", REPO, issue=number, changes={"body": {"from": "…"}})
    assert listbot.deliver(*edited) == 202
    listbot.wait_idle()
    pull = assert_proposed(listbot, number, paper(1))

    assert listbot.deliver(*opened) == 202  # carries the old, invalid body
    listbot.wait_idle()
    again = assert_proposed(listbot, number, paper(1))
    assert (again.number, again.head_sha) == (pull.number, pull.head_sha)
    assert "needs-changes" not in github.labels_of(REPO, number)


def test_work_done_while_the_service_is_down_is_caught_up_by_the_start_up_resync(listbot: Deployment) -> None:
    """Issues filed, edited, closed and a PR merged while listbot is down are all settled after a restart."""
    github = listbot.github
    merged, edited, closed = (listbot.file_issue(**paper(i)) for i in (1, 2, 3))
    merged_pull = listbot.pull_for(merged)

    listbot.stop_service()
    seen = len(github.deliveries)
    filed = listbot.file_issue(wait=False, **paper(4))
    invalid = listbot.file_issue(wait=False, **paper(5, date="soon"))
    listbot.edit_issue(edited, wait=False, **paper(2, title="Delta-2 Revised: Grounded Reporting"))
    github.close_issue(REPO, closed, actor=CONTRIBUTOR, reason="not_planned")
    github.merge_pull(REPO, merged_pull.number, MAINTAINER)
    github.wait_for_deliveries()
    assert {d.status for d in github.deliveries[seen:]} == {None}  # lost, as GitHub would not redeliver

    listbot.restart()
    listbot.wait_idle()
    assert listbot.list_on("main") == expected(paper(1))
    assert "Thank you" in listbot.status_comments(merged)[0].body
    assert listbot.pull_for(closed).state == "closed"
    assert status_state(listbot, closed) == "closed"
    assert_proposed(listbot, filed, paper(4))
    assert_proposed(listbot, edited, paper(2, title="Delta-2 Revised: Grounded Reporting"))
    assert status_state(listbot, invalid) == "needs-changes"
    assert "needs-changes" in github.labels_of(REPO, invalid)
    assert listbot.listbot_branches() == [f"listbot/issue-{n}" for n in sorted((edited, filed))]


# --- a moving main ------------------------------------------------------------------------------


def test_a_merge_on_main_regenerates_both_conflicting_pull_requests_on_the_new_main(listbot: Deployment) -> None:
    """Merging one of three PRs that touch the same lines rebuilds the other two on top of the new main."""
    first, second, third = (listbot.file_issue(**paper(i)) for i in (1, 2, 3))
    before = {n: listbot.pull_for(n) for n in (second, third)}
    listbot.github.merge_pull(REPO, listbot.pull_for(first).number, MAINTAINER)
    listbot.wait_idle()

    assert listbot.list_on("main") == expected(paper(1))
    for number, values in ((second, paper(2)), (third, paper(3))):
        pull = assert_proposed(listbot, number, values)
        assert pull.number == before[number].number
        assert pull.head_sha != before[number].head_sha
    assert listbot.listbot_branches() == [f"listbot/issue-{second}", f"listbot/issue-{third}"]


def test_a_paper_that_reaches_main_another_way_closes_its_pull_request_with_an_explanation(
    listbot: Deployment,
) -> None:
    """A maintainer's push that lists the paper closes its PR, says why, and deletes the branch."""
    github = listbot.github
    number = listbot.file_issue(**paper(1))
    other = listbot.file_issue(**paper(2))
    pull = listbot.pull_for(number)
    github.push_commit(REPO, "main", {LIST_PATH: expected(paper(1))}, MAINTAINER, "Add Beacon-1 by hand")
    listbot.wait_idle()

    assert listbot.pull_for(number).state == "closed"
    assert not listbot.pull_for(number).merged
    assert any("already on the list" in c.body for c in github.comments(REPO, pull.number) if c.user == listbot.bot)
    assert "already on the list" in listbot.status_comments(number)[0].body
    assert f"listbot/issue-{number}" not in listbot.listbot_branches()
    assert_proposed(listbot, other, paper(2))


def test_a_maintainer_commit_on_a_listbot_branch_is_left_alone_until_recreate(listbot: Deployment) -> None:
    """listbot leaves a branch a maintainer pushed to (saying so) until the maintainer runs `/listbot recreate`."""
    github = listbot.github
    number = listbot.file_issue(**paper(1))
    branch = f"listbot/issue-{number}"
    tweaked = (listbot.list_on(branch) or "").replace("A. Author, B. Author", "A. Author, B. Author, C. Author")
    sha = github.push_commit(REPO, branch, {LIST_PATH: tweaked}, MAINTAINER, "Add an author")
    listbot.wait_idle()
    listbot.edit_issue(number, **paper(1, venue="MICCAI 2024"))

    [pull] = listbot.open_pulls()
    assert (pull.head_sha, listbot.list_on(branch)) == (sha, tweaked)
    [status] = listbot.status_comments(number)
    assert "/listbot recreate" in status.body

    listbot.comment(number, MAINTAINER, "/listbot recreate")
    assert_proposed(listbot, number, paper(1, venue="MICCAI 2024"))
    assert listbot.github.commit_info(REPO, listbot.commits_on(branch)[0])["author"] != MAINTAINER


# --- maintainer commands ------------------------------------------------------------------------


def test_refresh_from_a_maintainer_reconciles_an_edit_whose_delivery_was_lost(listbot: Deployment) -> None:
    """`/listbot refresh` from someone with write access brings the PR up to date with the issue."""
    number = listbot.file_issue(**paper(1))
    with listbot.github.deliveries_paused(drop=True):
        listbot.edit_issue(number, wait=False, **paper(1, title="Aurora-1 Revised: Better Reports"))
    assert listbot.list_on(f"listbot/issue-{number}") == expected(paper(1))

    comment = listbot.comment(number, MAINTAINER, "/listbot refresh")
    assert_proposed(listbot, number, paper(1, title="Aurora-1 Revised: Better Reports"))
    # Besides the status, the one reply saying the command was carried out (issue 14).
    [status, reply] = listbot.bot_comments(number)
    assert read_marker("status", status.body) is not None
    assert read_marker("done", reply.body) == {"comment": comment}
    assert listbot.github.reactions(REPO, comment) == [(listbot.bot, "eyes")]


def test_refresh_from_a_stranger_gets_one_polite_reply_and_changes_nothing(listbot: Deployment) -> None:
    """A command from someone without write access, delivered three times, earns one reply and nothing else."""
    github = listbot.github
    number = listbot.file_issue(**paper(1))
    pull = listbot.pull_for(number)
    with github.deliveries_paused(drop=True):
        listbot.edit_issue(number, wait=False, **paper(1, title="Aurora-1 Revised: Better Reports"))
    github.reset_requests()

    comment_id = listbot.comment(number, STRANGER, "/listbot refresh")
    event, payload = github.webhook("issue_comment", "created", REPO, issue=number, comment=comment_id)
    assert listbot.deliver(event, payload, guid="redelivered") == 202
    assert listbot.deliver(event, payload, guid="redelivered") == 202
    listbot.wait_idle()

    replies = [c for c in listbot.bot_comments(number) if read_marker("status", c.body) is None]
    assert len(replies) == 1
    assert len(replies[0].body) < 500
    assert listbot.pull_for(number).head_sha == pull.head_sha
    assert listbot.list_on(f"listbot/issue-{number}") == expected(paper(1))
    assert len(listbot.status_comments(number)) == 1
    assert repository_writes(github) == [("POST", f"/repos/{REPO}/issues/{number}/comments")]


# --- several replicas -----------------------------------------------------------------------------


def test_two_replicas_receiving_every_delivery_make_one_of_everything(github_emulator: GitHubEmulator) -> None:
    """Two services behind one App, plus redeliveries racing a third's start-up resync, make one of each thing."""
    with deployed(github_emulator, replicas=2) as listbot:
        numbers = [listbot.file_issue(wait=False, **paper(i)) for i in range(1, 5)]
        listbot.edit_issue(numbers[0], wait=False, **paper(1, venue="MICCAI 2024"))
        listbot.wait_idle()
        want = {numbers[0]: paper(1, venue="MICCAI 2024")} | {n: paper(i) for i, n in enumerate(numbers[1:], 2)}
        for number, values in want.items():
            assert_proposed(listbot, number, values)
        assert len(listbot.all_pulls()) == len(numbers)
        assert listbot.listbot_branches() == sorted(f"listbot/issue-{n}" for n in numbers)
        assert all(len(listbot.bot_comments(n)) == 1 for n in numbers)

        github_emulator.reset_requests()
        redeliveries = [github_emulator.webhook("issues", "opened", REPO, issue=n) for n in numbers]
        listbot.start_service()
        for event, payload in redeliveries:
            for replica in listbot.replicas:
                assert listbot.deliver(event, payload, replica=replica) == 202
        listbot.wait_idle()
        assert repository_writes(github_emulator) == []
        for number, values in want.items():
            assert_proposed(listbot, number, values)


# --- faults ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [r"/pulls$", r"/issues/\d+/comments$"], ids=["create-pull-request", "create-comment"]
)
def test_a_write_that_succeeded_but_answered_5xx_is_not_repeated(listbot: Deployment, path: str) -> None:
    """A POST that took effect but answered 502 leaves exactly one PR and one status comment."""
    listbot.github.faults.fail_after_write("POST", path)
    number = listbot.file_issue(**paper(1))
    assert listbot.github.faults.injected == 1
    assert_proposed(listbot, number, paper(1))
    assert len(listbot.all_pulls()) == 1
    assert len(listbot.bot_comments(number)) == 1


def test_transient_5xx_on_reads_and_writes_are_retried(listbot: Deployment) -> None:
    """503s on a read and a 500 on a ref write are retried until the submission is processed."""
    faults = listbot.github.faults
    faults.fail("GET", r"/issues/\d+$", status=503, times=2)
    faults.fail("POST", r"/git/refs$", status=500, times=1)
    number = listbot.file_issue(**paper(1))
    assert faults.injected == 3
    assert_proposed(listbot, number, paper(1))


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_rate_limit_is_waited_out_as_retry_after_says(listbot: Deployment, status: int) -> None:
    """A secondary rate limit on a write delays the next request by its Retry-After, then it succeeds."""
    github = listbot.github
    github.faults.secondary_rate_limit(times=1, retry_after=1, status=status, write_only=True)
    github.reset_requests()
    number = listbot.file_issue(**paper(1))
    assert_proposed(listbot, number, paper(1))
    log = github.requests.snapshot()
    [limited] = [i for i, r in enumerate(log) if r.injected]
    assert log[limited].status == status
    assert log[limited + 1].timestamp - log[limited].timestamp >= 0.9


def test_a_client_error_is_not_retried_and_the_next_resync_finishes_the_job(listbot: Deployment) -> None:
    """A 422 on PR creation is not retried; the status says what failed without promising that
    waiting cures it (issue 14: the "retrying" note is for retryable errors), and the resync still
    finishes the job."""
    github = listbot.github
    github.faults.fail("POST", r"/pulls$", status=422, times=1)
    number = listbot.file_issue(**paper(1))
    assert github.requests.count("POST", r"/pulls$") == 1
    assert listbot.open_pulls() == []
    assert status_state(listbot, number) == "failed"
    body = listbot.status_comments(number)[0].body
    assert "GitHub refused one of my requests (HTTP 422)" in body
    assert "would not help" in body
    assert "did not answer in time" not in body
    assert "nothing needs doing" not in body

    listbot.restart()
    listbot.wait_idle()
    assert_proposed(listbot, number, paper(1))
    assert len(listbot.bot_comments(number)) == 1


def test_a_configuration_with_600_unknown_keys_still_gets_its_status_posted(listbot: Deployment) -> None:
    """600 long unknown keys in `.github/listbot.yml` are listed up to the cap: GitHub accepts the
    status (it refuses bodies over 65,536 characters) and no one is told GitHub was slow."""
    keys = "".join(f"{'k' * 90}{index}: 1\n" for index in range(600))  # under the 64 KB file cap
    listbot.github.push_commit(REPO, "main", {".github/listbot.yml": keys}, MAINTAINER, "configure")
    listbot.wait_idle()
    number = listbot.file_issue(**paper(1))
    assert status_state(listbot, number) == "proposed"
    body = listbot.status_comments(number)[0].body
    assert len(body) < 65_536
    assert "… and 550 more" in body
    assert "did not answer in time" not in body
    assert listbot.pull_for(number).state == "open"


def test_a_persistent_5xx_gives_up_boundedly_and_the_next_resync_finishes_the_job(listbot: Deployment) -> None:
    """PR creation failing with 502 every time is retried a bounded number of times, then a resync succeeds."""
    github = listbot.github
    github.faults.fail("POST", r"/pulls$", status=502, times=None)
    number = listbot.file_issue(**paper(1))
    attempts = github.requests.count("POST", r"/pulls$")
    assert 2 <= attempts <= listbot.settings.retry_attempts
    assert status_state(listbot, number) == "retrying"

    github.faults.clear()
    listbot.restart()
    listbot.wait_idle()
    assert_proposed(listbot, number, paper(1))
    assert len(listbot.bot_comments(number)) == 1


def test_a_resync_of_an_up_to_date_repository_makes_no_writes(listbot: Deployment) -> None:
    """Restarting over a repository whose PRs, comments and labels are all right sends no write request."""
    github = listbot.github
    done = listbot.file_issue(**paper(1))
    listbot.file_issue(**paper(2))
    listbot.file_issue(**paper(3, date="soon"))
    closed = listbot.file_issue(**paper(4))
    github.merge_pull(REPO, listbot.pull_for(done).number, MAINTAINER)
    github.close_issue(REPO, closed, actor=CONTRIBUTOR, reason="not_planned")
    listbot.wait_idle()
    github.reset_requests()

    started = time.monotonic()
    listbot.restart()
    listbot.wait_idle()
    assert repository_writes(github) == []
    assert github.requests.count("GET", r"/issues$") >= 1  # it did look
    assert time.monotonic() - started < 10
