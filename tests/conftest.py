"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulator import GitHubEmulator


@pytest.fixture
def github_emulator() -> Iterator[GitHubEmulator]:
    """A fresh GitHub REST API emulator on a random local port, stopped after the test."""
    with GitHubEmulator() as emulator:
        yield emulator
