"""The two transfers of a whole list: a raw read gives the text requests' own reading gives, and a
contents PUT sends the bytes a joined body sends, whatever the file holds; errors raise as before."""

from __future__ import annotations

import base64
import gzip
import json
import re
import socketserver
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from github import Auth, Github, GithubException
from github.Requester import Requester
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.emulator import GitHubEmulator
from bot.gateway.app import ClientOptions
from bot.gateway.contents import ContentsPutBody, contents_put_body, put_contents
from bot.gateway.reading import RAW_MEDIA_TYPE, RepoReader, raw_text
from bot.gateway.transport import ServerMemory, _sent_whole, last_answer, retrying_reads
from tests.deployment import LIST_PATH
from tests.test_conditional_requests import connected, reader_for
from tests.test_file_reading import ONE_MB, commit, git_blob_sha

# Files shaped as lists are: any letters, CRLF, nothing at all, a multi-byte letter across the
# 10 KB pieces requests reads in, exactly 1 MiB (🙂 256 Ki times), bytes that are not UTF-8.
_FILLERS = ("", "x", "é", "✓", "🙂", "\r\n", "- [a](b) é\r\n")
_FILES = st.builds(
    lambda head, filler, times, tail: head + filler.encode() * times + tail,
    st.binary(max_size=16) | st.text(max_size=16).map(str.encode),
    st.sampled_from(_FILLERS),
    st.sampled_from([0, 1, 10239, 10240, 10241, ONE_MB // 4]),
    st.binary(max_size=16) | st.text(max_size=16).map(str.encode),
)


class _RequestsReading:
    """The connection wrapper `raw_text` used before it read in one piece: PyGithub's own
    `getresponse`, requests reading the body 10 KB at a time, the text decoded as UTF-8."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def request(self, *args: Any, **kwargs: Any) -> Any:
        return self.connection.request(*args, **kwargs)

    def getresponse(self) -> Any:
        answer = self.connection.getresponse()
        answer.response.encoding = "utf-8"
        return answer

    def close(self) -> None:
        self.connection.close()


def reference_raw_text(requester: Requester, url: str) -> str:
    """`raw_text` as it was (the reference path): the same request, the body read by requests."""
    connection = _RequestsReading(requester._Requester__createConnection())  # type: ignore[attr-defined]
    status, headers, body = requester.requestJson(
        "GET", url, headers={"Accept": RAW_MEDIA_TYPE}, cnx=connection,  # type: ignore[arg-type]
    )
    if status >= 400:
        raise GithubException(status, json.loads(body), headers)
    return body


def reference_put_body(fields: dict[str, str], content: bytes) -> bytes:
    """The body as `contents_put_body` joined it before it was kept in pieces."""
    rest = json.dumps(dict(fields))[1:]
    separator = b"" if rest == "}" else b", "
    return b"".join([b'{"content": "', base64.b64encode(content), b'"', separator, rest.encode("ascii")])


@pytest.fixture
def reading(github_emulator: GitHubEmulator) -> tuple[GitHubEmulator, RepoReader]:
    return github_emulator, reader_for(github_emulator)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_FILES)
@example(data=b"")
@example(data=b"x" * ONE_MB)
@example(data="- é\r\n".encode() * 3000 + b"\xff")
def test_a_raw_read_gives_the_text_requests_reading_gives(
    reading: tuple[GitHubEmulator, RepoReader], data: bytes
) -> None:
    """Any file's raw read, in one piece, is the text requests' 10 KB reading decodes, and its bytes as UTF-8."""
    github, reader = reading
    commit(github, {LIST_PATH: data})
    url = f"{reader.repo.url}/git/blobs/{git_blob_sha(data)}"
    text = raw_text(reader.repo.requester, url)
    assert text == reference_raw_text(reader.repo.requester, url) == data.decode("utf-8", "replace")


def test_a_raw_read_is_observed_and_counted_as_any_request(github_emulator: GitHubEmulator) -> None:
    """A raw read is recorded as this thread's last answer, and its rate-limit window is remembered."""
    app, reader = connected(github_emulator)
    commit(github_emulator, {LIST_PATH: "- the list\n"})
    blob = git_blob_sha(b"- the list\n")
    before = github_emulator.requests.filter("GET", f"/git/blobs/{blob}")
    assert raw_text(reader.repo.requester, f"{reader.repo.url}/git/blobs/{blob}") == "- the list\n"
    answer = last_answer()
    assert answer is not None
    assert (answer.method, answer.path, answer.status) == (
        "GET", "/repos/{owner}/{repo}/git/blobs/{sha}", 200,
    )
    assert len(github_emulator.requests.filter("GET", f"/git/blobs/{blob}")) == len(before) + 1
    budget = app.memory.rate_budget()
    assert budget is not None
    assert reader.repo.requester.rate_limiting == (budget.remaining, budget.limit)


def test_a_missing_blob_raises_as_requests_reading_raised(reading: tuple[GitHubEmulator, RepoReader]) -> None:
    """A blob that does not exist raises GitHub's 404 with the same message as before."""
    _, reader = reading
    url = f"{reader.repo.url}/git/blobs/{'0' * 40}"
    with pytest.raises(GithubException) as read:
        raw_text(reader.repo.requester, url)
    with pytest.raises(GithubException) as reference:
        reference_raw_text(reader.repo.requester, url)
    assert (read.value.status, read.value.data) == (reference.value.status, reference.value.data)
    assert read.value.status == 404


def test_a_server_error_raises_and_is_retried_as_any_read(reading: tuple[GitHubEmulator, RepoReader]) -> None:
    """A 502 raises with its status; with the retry layer on, the read is sent again and succeeds."""
    github, reader = reading
    data = b"- a list\n" * 1000
    commit(github, {LIST_PATH: data})
    url = f"{reader.repo.url}/git/blobs/{git_blob_sha(data)}"
    github.faults.fail("GET", r"/git/blobs/", status=502)
    with pytest.raises(GithubException) as failed:
        raw_text(reader.repo.requester, url)
    assert failed.value.status == 502
    github.faults.fail("GET", r"/git/blobs/", status=502)
    with retrying_reads(lambda answer, tries: 0 if tries < 2 else None):
        assert raw_text(reader.repo.requester, url) == data.decode()


# -- on the wire: a server that records each request's bytes and answers what a test says ------
Answer = Callable[[bytes], tuple[bytes, bool]]  # the request's bytes -> (the answer's bytes, then close?)


class _Wire(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self, answer: Answer) -> None:
        super().__init__(("127.0.0.1", 0), _WireHandler)
        self.answer = answer
        self.received: list[bytes] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _WireHandler(socketserver.StreamRequestHandler):
    server: _Wire

    def handle(self) -> None:
        while head := self._head():
            length = re.search(rb"(?im)^content-length:\s*(\d+)\r$", head)
            request = head + self.rfile.read(int(length[1]) if length else 0)
            self.server.received.append(request)
            answer, close = self.server.answer(request)
            self.wfile.write(answer)
            if close:
                return

    def _head(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b"\r\n", b""):
            lines.append(line)
        return b"".join(lines) + b"\r\n" if lines else b""


def http_answer(status: int, body: bytes, headers: dict[str, str], length: int | None = None) -> bytes:
    """An HTTP/1.1 answer's bytes; `length` (the `Content-Length`) defaults to the body's."""
    lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body) if length is None else length}"]
    lines += [f"{key}: {value}" for key, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.fixture
def wire() -> Iterator[Callable[[Answer], tuple[_Wire, Github]]]:
    """Start a recording server answering as told, and a listbot client (observed) of it."""
    servers: list[_Wire] = []

    def start(answer: Answer) -> tuple[_Wire, Github]:
        server = _Wire(answer)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        options = ClientOptions(base_url=server.url, request_pause=0, write_pause=0)
        return server, options.client(Auth.Token("a-token"), ServerMemory(server.url))

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


_RAW = {"Content-Type": "application/octet-stream", "X-GitHub-Media-Type": "github.v3; param=raw"}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_FILES)
def test_a_gzip_answer_reads_as_its_decoded_text(
    wire: Callable[[Answer], tuple[_Wire, Github]], data: bytes
) -> None:
    """An answer sent with `Content-Encoding: gzip` reads as the text its decoded bytes are, as before."""
    answer = http_answer(200, gzip.compress(data), {**_RAW, "Content-Encoding": "gzip"})
    _, client = wire(lambda _: (answer, False))
    url = "/repos/o/r/git/blobs/" + "a" * 40
    assert raw_text(client.requester, url) == reference_raw_text(client.requester, url) == data.decode(
        "utf-8", "replace"
    )


def test_a_chunked_answer_reads_as_its_text(wire: Callable[[Answer], tuple[_Wire, Github]]) -> None:
    """An answer sent in chunks (`Transfer-Encoding: chunked`) reads as its chunks' bytes joined."""
    pieces = [b"- one \xc3", b"\xa9\r\n", b"x" * 20000]
    body = b"".join(b"%x\r\n%b\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"
    head = "HTTP/1.1 200 X\r\nTransfer-Encoding: chunked\r\n" + "".join(f"{k}: {v}\r\n" for k, v in _RAW.items())
    _, client = wire(lambda _: (head.encode() + b"\r\n" + body, False))
    url = "/repos/o/r/git/blobs/" + "a" * 40
    assert raw_text(client.requester, url) == reference_raw_text(client.requester, url) == "- one é\r\n" + "x" * 20000


def test_a_cut_answer_raises_as_before_and_is_retried(wire: Callable[[Answer], tuple[_Wire, Github]]) -> None:
    """An answer cut short of its `Content-Length` raises requests' error; the retry layer sends it again."""
    whole = (http_answer(200, b"- the list\n", _RAW), False)
    cut = (http_answer(200, b"- the", _RAW, length=len(b"- the list\n")), True)
    answers = iter([cut, whole, cut, cut, whole])
    _, client = wire(lambda _: next(answers))
    url = "/repos/o/r/git/blobs/" + "a" * 40
    with pytest.raises(requests.RequestException) as read:
        raw_text(client.requester, url)
    assert raw_text(client.requester, url) == "- the list\n"
    with pytest.raises(requests.RequestException) as reference:
        reference_raw_text(client.requester, url)
    assert type(read.value) is type(reference.value)
    with retrying_reads(lambda answer, tries: 0 if tries < 2 else None):
        assert raw_text(client.requester, url) == "- the list\n"


@pytest.mark.parametrize("stated", ["Content-Length: 1000000000000", "Transfer-Encoding: chunked"])
def test_an_answer_stating_a_terabyte_fails_as_a_cut_answer(
    wire: Callable[[Answer], tuple[_Wire, Github]], stated: str
) -> None:
    """An answer that states a terabyte (a length or a chunk) and sends 11 bytes raises requests'
    error for a cut answer, as the reading in 10 KB pieces did, not a MemoryError the retry layer
    does not know (http.client allocates what it is asked to read before a byte arrives)."""
    body = b"- the list\n" if stated.startswith("Content") else b"e8d4a51000\r\n- the list\n"
    head = f"HTTP/1.1 200 X\r\n{stated}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in _RAW.items())
    _, client = wire(lambda _: (head.encode() + b"\r\n" + body, True))
    url = "/repos/o/r/git/blobs/" + "a" * 40
    with pytest.raises(requests.RequestException) as read:
        raw_text(client.requester, url)
    with pytest.raises(requests.RequestException) as reference:
        reference_raw_text(client.requester, url)
    assert type(read.value) is type(reference.value)


def test_the_whole_read_is_sent_as_pygithub_sends_its_requests(wire: Callable[[Answer], tuple[_Wire, Github]]) -> None:
    """The raw read's request goes to requests with the arguments PyGithub's own `getresponse`
    gives it, and `stream=True` besides (a PyGithub that sent more would be seen here)."""
    _, client = wire(lambda _: (http_answer(200, b"", _RAW), False))
    connection = client.requester._Requester__createConnection()  # type: ignore[attr-defined]
    connection.request("GET", "/repos/o/r/git/blobs/" + "a" * 40, None, {"Accept": "x"}, False)
    seen: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    class Stop(Exception):
        pass

    def record(*args: Any, **kwargs: Any) -> None:
        seen.append((args, kwargs))
        raise Stop

    connection.session.get = record
    for send in (lambda: super(type(connection), connection).getresponse(), lambda: _sent_whole(connection, "utf-8")):
        with pytest.raises(Stop):
            send()
    (pygithub_args, pygithub_kwargs), (whole_args, whole_kwargs) = seen
    assert whole_args == pygithub_args
    assert whole_kwargs == {**pygithub_kwargs, "stream": True}


_FIELD_NAMES = st.text(max_size=12).filter(lambda name: name != "content")


@given(fields=st.dictionaries(_FIELD_NAMES, st.text(), max_size=5), content=st.binary(max_size=300))
def test_the_body_in_pieces_is_the_body_joined(fields: dict[str, str], content: bytes) -> None:
    """Any fields and bytes: the pieces, joined, are the body as it was joined, and their length its length."""
    body = ContentsPutBody(fields, content)
    assert b"".join(body) == b"".join(body) == contents_put_body(fields, content) == reference_put_body(fields, content)
    assert len(body) == len(reference_put_body(fields, content))


_WRITTEN = json.dumps({"commit": {"sha": "c" * 40}, "content": {"sha": "b" * 40}}).encode()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_FILES.map(lambda data: data.decode("utf-8", "replace")))
def test_a_contents_put_sends_the_bytes_a_joined_body_sends(
    wire: Callable[[Answer], tuple[_Wire, Github]], data: str
) -> None:
    """Any text is sent, head and body, byte for byte as the body joined in one `bytes` was."""
    server, client = wire(lambda _: (http_answer(201, _WRITTEN, {"Content-Type": "application/json"}), False))
    fields = {"message": "Add an entry ✓", "sha": "a" * 40, "branch": "listbot/1"}
    written = put_contents(client.requester, "/repos/o/r", LIST_PATH, data, fields)
    client.requester.requestMemoryBlobAndCheck(
        "PUT", f"/repos/o/r/contents/{LIST_PATH}", None, {"Content-Type": "application/json"},
        reference_put_body(fields, data.encode()),  # type: ignore[arg-type]
    )
    assert written == json.loads(_WRITTEN)
    assert len(server.received) == 2
    assert server.received[0] == server.received[1]
    assert server.received[0].endswith(b"\r\n\r\n" + reference_put_body(fields, data.encode()))


def test_a_refused_put_raises_github_status_and_message(wire: Callable[[Answer], tuple[_Wire, Github]]) -> None:
    """A 409 to the PUT raises PyGithub's exception with GitHub's status and message, as before."""
    refused = json.dumps({"message": "is at b but expected a", "status": "409"}).encode()
    _, client = wire(lambda _: (http_answer(409, refused, {"Content-Type": "application/json"}), False))
    with pytest.raises(GithubException) as error:
        put_contents(client.requester, "/repos/o/r", LIST_PATH, "x\n", {"message": "m", "sha": "a" * 40})
    assert (error.value.status, error.value.data) == (409, json.loads(refused))
