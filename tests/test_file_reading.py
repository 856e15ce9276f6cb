"""Reading a file at a commit: the documented `object` and `raw` media types give exactly what the
contents API's default JSON and the blob API's base64 give, at any size up to 100 MB."""

from __future__ import annotations

import base64
import hashlib

import github
import pytest
from github import InputGitTreeElement
from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass, Requester
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.facts import FileView
from bot.core.logfields import FIELDS_ATTR
from bot.emulator import GitHubEmulator
from bot.gateway.errors import WrongMediaType
from bot.gateway.reading import RepoReader
from tests.deployment import LIST_PATH, MAINTAINER, REPO, prepare_repository
from tests.factories import SEED
from tests.test_conditional_requests import reader_for

ONE_MB = 1024 * 1024  # over this the contents API sends no content


@pytest.fixture
def reading(github_emulator: GitHubEmulator) -> tuple[GitHubEmulator, RepoReader]:
    return github_emulator, reader_for(github_emulator)


def reference(reader: RepoReader, path: str, sha: str) -> FileView | None:
    """The file as the contents API's default JSON and the git blob API's base64 give it (PyGithub's
    own objects): the representations listbot read before the raw media type."""
    content = reader.repo.get_contents(path, ref=sha)
    if isinstance(content, list):
        return None
    if content.encoding == "none":
        data = base64.b64decode(reader.repo.get_git_blob(content.sha).content)
    else:
        data = content.decoded_content
    return FileView(data.decode("utf-8", "replace"), content.sha)


def git_blob_sha(data: bytes) -> str:
    """Git's object name of a blob holding `data`."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def commit(github: GitHubEmulator, files: dict[str, str | bytes | None]) -> str:
    return github.push_commit(REPO, "main", files, "maintainer")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(head=st.binary(max_size=64) | st.text(max_size=32).map(str.encode), over_one_mb=st.booleans())
def test_a_file_reads_as_the_default_representations_give_it(
    reading: tuple[GitHubEmulator, RepoReader], head: bytes, over_one_mb: bool
) -> None:
    """Any bytes, up to or over 1 MB, read as the same text and blob SHA as base64 JSON gives them."""
    github, reader = reading
    data = head + (b"x" * ONE_MB if over_one_mb else b"") + head
    sha = commit(github, {LIST_PATH: data})
    found = reader.file_at(LIST_PATH, sha)
    assert found == reference(reader, LIST_PATH, sha)
    assert found is not None
    assert found.text == data.decode("utf-8", "replace")


def test_a_text_file_over_one_megabyte_reads_as_its_utf8_text(reading: tuple[GitHubEmulator, RepoReader]) -> None:
    """Over 1 MB, a UTF-8 file reads as its text, read again from the cache as the same."""
    github, reader = reading
    text = "- é ✓ 🙂\n" * (ONE_MB // 8)
    sha = commit(github, {LIST_PATH: text})
    assert reader.file_at(LIST_PATH, sha) == reader.file_at(LIST_PATH, sha) == reference(reader, LIST_PATH, sha)
    assert reader.file_at(LIST_PATH, sha) == FileView(text, git_blob_sha(text.encode()))


def test_a_directory_or_a_missing_path_is_no_file(reading: tuple[GitHubEmulator, RepoReader]) -> None:
    """A path naming a directory, or nothing, reads as no file, as the default representation says."""
    github, reader = reading
    folder = LIST_PATH.rsplit("/", 1)[0]
    sha = commit(github, {f"{folder}/inner/x.md": "x\n"})
    for path in (folder, f"{folder}/inner", "no/such/file.md"):
        assert reader.file_at(path, sha) is None
    assert reference(reader, folder, sha) is None


@pytest.fixture
def plain_client(github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch) -> github.Github:
    """A PyGithub client built outside `GitHubApp`, with PyGithub's own connections: no listbot
    transport (which other tests in this process install for every client built after them)."""
    prepare_repository(github_emulator, SEED)
    monkeypatch.setattr(Requester, "_Requester__httpConnectionClass", HTTPRequestsConnectionClass)
    monkeypatch.setattr(Requester, "_Requester__httpsConnectionClass", HTTPSRequestsConnectionClass)
    token = github.Auth.Token(github_emulator.user_token(MAINTAINER))
    return github.Github(auth=token, base_url=github_emulator.url, retry=None)


def test_a_raw_read_is_utf8_with_any_client(github_emulator: GitHubEmulator, plain_client: github.Github) -> None:
    """Over 1 MB, a Latin-1 file reads as its bytes decoded as UTF-8 with a plain PyGithub client too."""
    data = ("café naïve " * (ONE_MB // 10)).encode("latin-1")
    sha = commit(github_emulator, {LIST_PATH: data})
    reader = RepoReader(plain_client, REPO)
    assert reader.file_at(LIST_PATH, sha) == FileView(data.decode("utf-8", "replace"), git_blob_sha(data))


def test_a_blob_answered_as_json_instead_of_raw_is_refused(reading: tuple[GitHubEmulator, RepoReader]) -> None:
    """Over 1 MB, a blob answer in its default JSON (the `Accept` header ignored on the way) raises, naming why."""
    github, reader = reading
    sha = commit(github, {LIST_PATH: b"x" * (ONE_MB + 1)})
    github.faults.drop_accept("GET", r"/git/blobs/")
    asked = r"asked for application/vnd\.github\.raw\+json and got github\.v3; format=json"
    with pytest.raises(WrongMediaType, match=asked):
        reader.file_at(LIST_PATH, sha)
    assert reader.file_at(LIST_PATH, sha) == reference(reader, LIST_PATH, sha)


def test_a_symlink_or_a_submodule_at_the_path_is_no_file(
    reading: tuple[GitHubEmulator, RepoReader], caplog: pytest.LogCaptureFixture
) -> None:
    """A symlink (to the list, to nothing, to a folder) or a submodule at the path reads as no file."""
    github, reader = reading
    folder = LIST_PATH.rsplit("/", 1)[0]
    base = reader.repo.get_git_commit(commit(github, {LIST_PATH: "- the list\n"}))
    tree = reader.repo.create_git_tree([
        InputGitTreeElement("to-list.md", "120000", "blob", content=LIST_PATH),
        InputGitTreeElement("dangling.md", "120000", "blob", content="nowhere.md"),
        InputGitTreeElement("to-folder.md", "120000", "blob", content=folder),
        InputGitTreeElement("submodule.md", "160000", "commit", sha="6ca3721222109997540bd6d9ccd396902e0ad2f9"),
    ], base.tree)
    sha = reader.repo.create_git_commit("links", tree, [base]).sha
    assert reader.file_at(LIST_PATH, sha) == FileView("- the list\n", git_blob_sha(b"- the list\n"))
    for path in ("to-list.md", "dangling.md", "to-folder.md", "submodule.md"):
        assert reader.file_at(path, sha) is None
    symlinks = [getattr(r, FIELDS_ATTR) for r in caplog.records if "is a symlink" in r.getMessage()]
    assert [(found["path"], found["target"]) for found in symlinks] == [("to-list.md", LIST_PATH)]
