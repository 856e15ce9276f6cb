"""Shared pytest fixtures."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from bot.emulator import GitHubEmulator
from bot.emulator.sources import SourcesServer
from bot.service.logs import configure_logging

# CI replays the same examples every run (a red CI always means a change broke something);
# locally hypothesis keeps exploring new ones. No deadlines: CI machines are shared.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def github_emulator() -> Iterator[GitHubEmulator]:
    """A fresh GitHub REST API emulator on a random local port, stopped after the test."""
    with GitHubEmulator() as emulator:
        yield emulator


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Silence logging once tests are done: daemon threads of stopped services must not print
    after pytest's closing summary line."""
    logging.disable(logging.CRITICAL)


@pytest.fixture
def sources_server() -> Iterator[SourcesServer]:
    """The fake arXiv, Crossref and Hugging Face on a random local port (slow answers take 2 s)."""
    with SourcesServer(slow_seconds=2.0) as server:
        yield server


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """The service's JSON log lines at INFO while the test runs."""
    stream = io.StringIO()
    handler = configure_logging("INFO", stream=stream)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)
