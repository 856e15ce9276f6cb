"""Writing a file with the contents API: the body listbot builds is the JSON object PyGithub's
`update_file` sends, and GitHub (the emulator) makes the same file and commit of it."""

from __future__ import annotations

import base64
import json

import pytest
from github import GithubException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.emulator import GitHubEmulator
from bot.gateway.contents import contents_put_body, put_contents
from bot.gateway.reading import RepoReader
from tests.deployment import LIST_PATH, REPO
from tests.test_conditional_requests import reader_for
from tests.test_file_reading import ONE_MB, commit, git_blob_sha

_FIELD_NAMES = st.text(max_size=12).filter(lambda name: name != "content")


def reference_body(fields: dict[str, str], content: bytes) -> str:
    """The body as PyGithub's `update_file` makes it: the base64 as a `str`, all of it through `json.dumps`."""
    return json.dumps({**fields, "content": base64.b64encode(content).decode("utf-8")})


@given(fields=st.dictionaries(_FIELD_NAMES, st.text(), max_size=5), content=st.binary(max_size=300))
def test_the_body_is_the_json_object_pygithub_sends(fields: dict[str, str], content: bytes) -> None:
    """Any fields (quotes, control characters, any letters) and any bytes give the object `json.dumps` gives."""
    body = contents_put_body(fields, content)
    assert json.loads(body) == json.loads(reference_body(fields, content))


def test_a_field_named_content_is_refused() -> None:
    """The file's content is not also one of the other fields."""
    with pytest.raises(ValueError, match="content"):
        contents_put_body({"content": "x"}, b"y")


@pytest.fixture
def writing(github_emulator: GitHubEmulator) -> tuple[GitHubEmulator, RepoReader]:
    return github_emulator, reader_for(github_emulator)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40), over_one_mb=st.booleans())
def test_a_written_file_is_the_one_update_file_writes(
    writing: tuple[GitHubEmulator, RepoReader], text: str, over_one_mb: bool
) -> None:
    """Any text, up to or over 1 MB, makes the same file and commit message on its branch as `update_file`."""
    github, reader = writing
    text = text + ("x" * ONE_MB if over_one_mb else "") + "\n"
    base = commit(github, {LIST_PATH: "- the list\n"})
    blob = git_blob_sha(b"- the list\n")
    for branch in ("by-listbot", "by-pygithub"):
        github.create_branch(REPO, branch, base)
    written = put_contents(
        reader.repo.requester, reader.repo.url, LIST_PATH, text,
        {"message": "Add an entry ✓", "sha": blob, "branch": "by-listbot"},
    )
    reference = reader.repo.update_file(LIST_PATH, "Add an entry ✓", text, blob, branch="by-pygithub")
    assert written["content"]["sha"] == reference["content"].sha == git_blob_sha(text.encode("utf-8"))
    assert github.file_at(REPO, "by-listbot", LIST_PATH) == github.file_at(REPO, "by-pygithub", LIST_PATH) == text
    listbot_commit = github.commit_info(REPO, written["commit"]["sha"])
    assert listbot_commit["message"] == github.commit_info(REPO, reference["commit"].sha)["message"]


def test_a_stale_blob_sha_is_refused_as_update_file_refuses_it(writing: tuple[GitHubEmulator, RepoReader]) -> None:
    """A write naming a blob that is not the file's fails with GitHub's status, as PyGithub's does."""
    github, reader = writing
    commit(github, {LIST_PATH: "- the list\n"})
    stale = git_blob_sha(b"- an older list\n")
    with pytest.raises(GithubException) as listbot_error:
        put_contents(reader.repo.requester, reader.repo.url, LIST_PATH, "new\n", {"message": "m", "sha": stale})
    with pytest.raises(GithubException) as pygithub_error:
        reader.repo.update_file(LIST_PATH, "m", "new\n", stale)
    assert listbot_error.value.status == pygithub_error.value.status
    assert listbot_error.value.data == pygithub_error.value.data
