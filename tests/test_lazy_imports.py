"""Fast paths that spare the command line an import give the answer the import would give.

The CLI's whole-process commands (`listbot apply`, `lint`) import only what a run uses; each
shortcut that skips a library is checked against the library here, on generated text.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ftfy
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import make_list
from bot.core import document, venues
from bot.core.mistune_reading import heading_plain_text
from bot.core.textrules import _fix_encoding
from bot.emulator.auth import generate_key
from tests.factories import ROOT, issue_body
from tests.serve_process import quiet_environment

# ASCII with what ftfy looks at: control characters, HTML entities, escapes, odd spacing.
_ASCII_PIECES = st.sampled_from(
    ["&amp;", "&eacute;", "&#233;", "&ATILDE;", "\\x", "%C3%A9", "\x1a", "\x00", "\x7f", "\t", "\r\n", "  ", "A", "z"]
)
_ASCII = st.lists(st.one_of(_ASCII_PIECES, st.text(st.characters(max_codepoint=0x7F))), max_size=20).map("".join)
# Text near mojibake: Latin-1/cp1252 look-alikes, UTF-8 read as Latin-1, C1 controls, ligatures.
_MOJIBAKE_PIECES = st.sampled_from(["Ã©", "Ã§", "â€™", "â€œ", "Ã", "\x85", "\x9d", "ﬁ", "é", "Ģµ", "\u00a0", "ç"])
_TEXT = st.lists(st.one_of(_MOJIBAKE_PIECES, _ASCII_PIECES, st.text(max_size=5)), max_size=20).map("".join)


@settings(max_examples=400, deadline=None)
@given(_ASCII)
def test_ascii_text_needs_no_ftfy(text: str) -> None:
    assert _fix_encoding(text) == ftfy.fix_encoding(text) == text


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_fix_encoding_is_ftfys(text: str) -> None:
    assert _fix_encoding(text) == ftfy.fix_encoding(text)


# Heading text: words, digits and the punctuation lists use, plus every markup character.
_HEADING_TEXT = st.text(st.sampled_from(list("aZ09 .,:;'\"()-/?+=%$@{}|^é中\t\u00a0\\`*_[]!<>&~#")), max_size=16)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_HEADING_TEXT, st.text(max_size=16)))
def test_a_headings_plain_text_is_mistunes(raw: str) -> None:
    assert document._inline_plain(raw) == heading_plain_text(raw)


def test_libyaml_reads_the_venue_table_as_the_python_loader_does() -> None:
    text = venues._builtin_text()
    assert yaml.load(text, Loader=venues.BUILTIN_LOADER) == yaml.safe_load(text)  # noqa: S506 - a safe loader


# What the whole-process list commands must not import: the service, the sources' clients, and
# the libraries only some texts need (mistune, ftfy) or only other commands use (git via subprocess,
# json for `config schema` and `form parse`).
_NOT_FOR_LIST_COMMANDS = (
    "fastapi", "uvicorn", "github", "httpx", "cryptography", "mistune", "ftfy", "subprocess", "json",
)
_IMPORTED = "import sys; from bot.cli.main import main; main(sys.argv[1:]); print('MODULES', *sorted(sys.modules))"


# Only a preview's diff, a misspelt configuration key and a table of contents out of step need difflib.
_NOT_FOR_APPLY_OR_LINT = ("difflib",)


@pytest.mark.parametrize("command", ["apply", "preview", "lint"])
def test_the_list_commands_import_only_what_they_use(command: str, tmp_path: Path) -> None:
    """On the benches' synthetic list (no HTML, quote, fence or reference line, plain headings:
    nothing mistune must read) and an ASCII submission (nothing for ftfy to repair)."""
    (tmp_path / "list.md").write_text(make_list(50), encoding="utf-8")
    (tmp_path / "body.md").write_text(issue_body(), encoding="utf-8")
    args = {
        "apply": ["apply", str(tmp_path / "body.md"), "--list", str(tmp_path / "list.md"), "--no-fetch"],
        "preview": ["preview", str(tmp_path / "body.md"), "--list", str(tmp_path / "list.md"), "--no-fetch"],
        "lint": ["lint", str(tmp_path / "list.md")],
    }[command]
    run = subprocess.run([sys.executable, "-c", _IMPORTED, *args], cwd=ROOT, capture_output=True, text=True)
    listed = [line.split()[1:] for line in run.stdout.splitlines() if line.startswith("MODULES ")]
    assert listed, run.stderr
    imported = set(listed[0])
    assert [name for name in _NOT_FOR_LIST_COMMANDS if name in imported] == []
    if command in ("apply", "lint"):
        assert [name for name in _NOT_FOR_APPLY_OR_LINT if name in imported] == []


# `listbot serve` up to its first acknowledgement: uvicorn loads the front (as `_serve` would), the
# front's lifespan starts it, and it answers a signed delivery, in the process `bot.cli.main` starts.
# The threads the lifespan starts (the warm-up, the FastAPI app's build) are where FastAPI and the
# worker side get imported, off this path: they are named, not run.
_SERVE_TO_FIRST_ACK = """
import asyncio, sys, threading
import uvicorn
from bot.core.webhook import sign
from bot.service import serve

BODY = b'{"action": "opened", "issue": {"number": 1}, "repository": {"full_name": "a/b"}, "installation": {"id": 1}}'
off_the_path = []
run_thread = threading.Thread.start

def start_thread(thread):
    if thread.name.startswith("listbot-"):
        off_the_path.append(thread.name)
    else:
        run_thread(thread)

threading.Thread.start = start_thread

async def start(app):
    startup = asyncio.Queue()
    startup.put_nowait({"type": "lifespan.startup"})
    sent = []
    async def send(message):
        sent.append(message)
    asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}}, startup.get, send))
    while not sent:
        await asyncio.sleep(0)
    return sent[0]["type"]

async def first_ack(app):
    headers = [(b"content-type", b"application/json"), (b"x-github-event", b"issues"),
               (b"x-github-delivery", b"d-1"), (b"x-hub-signature-256", sign(b"s3cret-s3cret", BODY).encode())]
    scope = {"type": "http", "method": "POST", "path": "/api/github/webhooks", "headers": headers}
    sent = []
    async def receive():
        return {"type": "http.request", "body": BODY, "more_body": False}
    async def send(message):
        sent.append(message)
    await app(scope, receive, send)
    return sent[0]["status"]

async def start_then_ack(app):
    print("STARTUP", await start(app))
    print("STATUS", await first_ack(app))
    print("MODULES", *sorted(sys.modules))
    print("THREADS", *sorted(off_the_path))

def serve_once(app, listen):
    config = uvicorn.Config(app, host=listen.host, port=listen.port, loop="asyncio", log_config=None)
    config.load()
    asyncio.run(start_then_ack(config.loaded_app))

serve._serve = serve_once
from bot.cli.main import main
main(["serve"])
"""


def test_serve_acknowledges_its_first_delivery_without_fastapi_or_starlette(tmp_path: Path) -> None:
    """`listbot serve` starts and answers its first signed delivery 202 having imported neither FastAPI
    nor Starlette."""
    key, _public = generate_key()
    env = quiet_environment(APP_ID="1", PRIVATE_KEY=key, WEBHOOK_SECRET="s3cret-s3cret",
                            LISTBOT_ENV_FILE=str(tmp_path / "none.env"))
    run = subprocess.run([sys.executable, "-c", _SERVE_TO_FIRST_ACK], cwd=ROOT, env=env, capture_output=True,
                         text=True)
    found = {line.split()[0]: line.split()[1:] for line in run.stdout.splitlines()}
    assert found.get("STATUS") == ["202"], run.stderr
    assert found["STARTUP"] == ["lifespan.startup.complete"]
    assert found["THREADS"] == ["listbot-warm-up", "listbot-web-app"]
    imported = {name.split(".")[0] for name in found["MODULES"]}
    assert {"uvicorn", "bot"} <= imported
    assert sorted(imported & {"fastapi", "starlette"}) == []
