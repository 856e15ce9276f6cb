"""The service's JSON logs in an end-to-end run: one line per delivery and action, ids present, no secrets."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from bot.emulator import GitHubEmulator
from bot.service.logs import REDACTED, JsonFormatter, configure_logging
from tests.deployment import REPO, Deployment, deployed

pytestmark = pytest.mark.e2e

# The field names each kind of line uses for the ids (the webhook layer and reconcile differ).
DELIVERY_ID = ("delivery_id",)
INSTALLATION = ("installation_id",)
TOKEN = re.compile(r"gh[sopu]_[A-Za-z0-9]{20,}")


def ids(line: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """(delivery id, installation, repository, issue) of a log line, whichever spelling it uses."""
    delivery = next((line[k] for k in DELIVERY_ID if k in line), None)
    installation = next((line[k] for k in INSTALLATION if k in line), None)
    return delivery, installation, line.get("repository"), line.get("issue")


class Captured:
    """Everything the service logged, unscrubbed (no secrets are registered with the formatter)."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]

    def named(self, msg: str) -> list[dict[str, Any]]:
        return [line for line in self.lines if line["msg"] == msg]


@pytest.fixture(params=["INFO", "DEBUG"])
def logs(request: pytest.FixtureRequest) -> Iterator[Captured]:
    """JSON logs at the production default level and at DEBUG, with no secret scrubbing at all."""
    captured = Captured()
    handler = configure_logging(request.param, secrets=(), stream=captured.stream)
    try:
        yield captured
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)


@pytest.fixture
def run(github_emulator: GitHubEmulator, logs: Captured) -> Iterator[tuple[Deployment, int]]:
    """A deployment where a contributor filed a valid submission and then edited it."""
    with deployed(github_emulator) as deployment:
        number = deployment.file_issue()
        deployment.edit_issue(number, title="An Edited Title For The Paper")
        yield deployment, number


def test_each_delivery_is_logged_once_with_its_ids(run: tuple[Deployment, int], logs: Captured) -> None:
    """Every delivery GitHub made gets one "delivery received" line carrying its id, installation and repository."""
    deployment, number = run
    received = logs.named("delivery received")
    sent = [d for d in deployment.github.deliveries if d.status is not None]
    assert len(received) == len(sent) > 0
    delivery_ids = [ids(line)[0] for line in received]
    assert len(set(delivery_ids)) == len(delivery_ids)
    installation = deployment.github.state.installations
    for line in received:
        delivery, inst, repository, _issue = ids(line)
        assert delivery
        assert inst in installation
        assert repository == REPO
        assert line["event"]
    issue_events = [line for line in received if line["event"] == "issues"]
    assert issue_events
    assert {ids(line)[3] for line in issue_events} == {number}


def test_each_queued_delivery_is_dispatched_once(run: tuple[Deployment, int], logs: Captured) -> None:
    """Each queued delivery has exactly one "delivery dispatched" line with the same ids."""
    _deployment, _number = run
    queued = {ids(line)[0]: ids(line) for line in logs.named("delivery received") if line["outcome"] == "queued"}
    dispatched = [ids(line) for line in logs.named("delivery dispatched")]
    assert sorted(d[0] for d in dispatched) == sorted(queued)
    for line_ids in dispatched:
        assert line_ids == queued[line_ids[0]]


def test_each_action_on_the_issue_is_logged_with_its_delivery(run: tuple[Deployment, int], logs: Captured) -> None:
    """Every "reconciled" line names the delivery, installation, repository and issue it acted for."""
    deployment, number = run
    received = {ids(line)[0] for line in logs.named("delivery received")}
    reconciled = [line for line in logs.named("reconciled") if ids(line)[3] == number]
    assert reconciled
    triggered = [line for line in reconciled if ids(line)[0] is not None]
    assert triggered, "no reconcile was attributed to a delivery"
    for line in triggered:
        delivery, inst, repository, issue = ids(line)
        assert delivery in received
        assert inst in deployment.github.state.installations
        assert (repository, issue) == (REPO, number)
        assert "outcome" in line
    assert any(line.get("changed") for line in reconciled)


def test_logs_hold_no_secret_key_or_token(run: tuple[Deployment, int], logs: Captured) -> None:
    """Neither the webhook secret, nor any line of the private key, nor an installation token is logged."""
    deployment, _number = run
    text = logs.text
    assert deployment.secret not in text
    key = deployment.settings.private_key.get_secret_value()
    for pem_line in key.splitlines():
        if pem_line.strip() and not pem_line.startswith("-----"):
            assert pem_line.strip() not in text
    assert "PRIVATE KEY" not in text
    tokens = list(deployment.github.state.tokens)
    assert tokens, "the run minted no installation token"
    for token in tokens:
        assert token not in text
    assert not TOKEN.search(text)
    assert REDACTED not in text  # nothing even needed scrubbing


def test_replay_shows_up_in_the_logs_under_its_delivery_id(
    github_emulator: GitHubEmulator, logs: Captured, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A payload sent with `listbot replay` is logged as one received delivery with the replayed id."""
    with deployed(github_emulator) as deployment:
        number = deployment.file_issue()
        payload = tmp_path / "issues.edited.json"
        payload.write_text(json.dumps({
            "action": "edited",
            "issue": {"number": number, "title": "x", "body": "", "state": "open", "labels": []},
            "repository": {"full_name": REPO, "default_branch": "main"},
            "installation": {"id": next(iter(deployment.github.state.installations))},
            "sender": {"login": "octocat", "type": "User"},
        }))
        status = main([
            "replay", str(payload), "--event", "issues", "--secret", deployment.secret,
            "--url", f"{deployment.url}/api/github/webhooks",
        ])
        deployment.wait_idle()
    assert status == 0
    out = capsys.readouterr().out
    replayed = re.search(r"delivery ([0-9a-f-]{36})", out)
    assert replayed is not None, out
    lines = [line for line in logs.named("delivery received") if ids(line)[0] == replayed[1]]
    assert [(line["event"], line["action"], line["outcome"], ids(line)[3]) for line in lines] == [
        ("issues", "edited", "queued", number)
    ]


def test_every_form_of_a_secret_is_scrubbed_and_a_longer_one_whole() -> None:
    """A secret is scrubbed as written and as JSON escapes it (quotes, newlines, non-ASCII), and a
    secret that contains another is replaced whole, not around the shorter one."""
    secrets = ['pässwörd-"quoted"\nline', "short-one", "short-one-and-more"]
    formatter = JsonFormatter(secrets)
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "x %s y %s z %s", (*secrets[::2], secrets[1]), None)
    record.detail = secrets[0]
    entry = json.loads(formatter.format(record))
    assert (entry["msg"], entry["detail"]) == ("x [redacted] y [redacted] z [redacted]", "[redacted]")
