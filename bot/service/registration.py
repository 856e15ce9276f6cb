"""Setup mode: register the GitHub App from `app.yml` through GitHub's manifest flow, write `.env`."""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from bot.core.logfields import fields
from bot.core.webhook import HANDLED_EVENTS
from bot.service.app import WEBHOOK_PATH
from bot.service.env_file import EnvFileError, has_credentials, read_env_file, writable_problem, write_credentials
from bot.service.settings import DEFAULT_API_URL

log = logging.getLogger("listbot.setup")

CALLBACK_PATH = "/setup/callback"
MANIFEST_FILE = "app.yml"
STATE_TTL_SECONDS = 3600.0
MAX_PENDING_STATES = 100
EXCHANGE_TIMEOUT = 30.0
# The one-time token is in the page's URL: no Referer carries it away, no frame hides the page
# (clickjacking), and no cache keeps it.
SETUP_PAGE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
USER_AGENT = "listbot-setup"

# The manifest listbot registers when no app.yml is found next to the service (e.g. an installed
# wheel); tests keep it identical to the committed app.yml.
DEFAULT_MANIFEST: dict[str, Any] = {
    "name": "listbot",
    "description": (
        "Turns issue-form submissions into pull requests against a curated list, in the list's house style."
    ),
    "public": False,
    "default_events": list(HANDLED_EVENTS),
    "default_permissions": {
        "contents": "write",
        "issues": "write",
        "metadata": "read",
        "pull_requests": "write",
    },
}

NOT_REGISTERED = (
    "listbot is not registered yet: open {base}/ in a browser to register the GitHub App, "
    "then restart `listbot serve`"
)
UNKNOWN_STATE = (
    "This registration was not started from this listbot (or it is more than an hour old, or the "
    "service restarted since). Nothing was saved. Start again from the setup page."
)
BAD_CODE = "GitHub's callback carried no usable code. Nothing was saved. Start again from the setup page."
CODE_REFUSED = (
    "GitHub did not accept the registration code ({status}): codes are single-use and expire after "
    "an hour. Nothing was saved. Start again from the setup page."
)
GITHUB_UNREACHABLE = "Could not reach GitHub at {url}: {reason}. Nothing was saved; reload this page to retry."
GITHUB_BUSY = "GitHub answered {status} (try again shortly). Nothing was saved; reload this page to retry."
OPEN_PRINTED_ADDRESS = (
    "This setup page only opens from the address <code>listbot serve</code> printed when it started "
    "(it ends in <code>?token=…</code>), so nobody else who can reach this service can register an app "
    "in your name. Copy that address from the console."
)
ENV_NOT_WRITABLE = (
    "{path} cannot be written ({reason}), so the registration was not started: GitHub's one-time code "
    "would be spent with nowhere to save the key. Make the folder writable or set LISTBOT_ENV_FILE, "
    "then reload this page."
)

_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")
_ORG = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")


def web_url(api_url: str) -> str:
    """GitHub's web address for an API URL: api.github.com → github.com, HOST/api/v3 → HOST."""
    parts = urllib.parse.urlsplit(api_url.strip().rstrip("/"))
    host, path = parts.netloc, parts.path
    if path.endswith("/api/v3"):
        path = path.removesuffix("/api/v3")
    elif host.startswith("api."):
        host = host.removeprefix("api.")
    return urllib.parse.urlunsplit((parts.scheme, host, path, "", "")).rstrip("/")


def load_manifest(path: Path = Path(MANIFEST_FILE)) -> dict[str, Any]:
    """The manifest template from `app.yml`, or the built-in one when the file is absent."""
    if not path.is_file():
        return json.loads(json.dumps(DEFAULT_MANIFEST))  # type: ignore[no-any-return]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} must be a mapping of GitHub App manifest fields")
    return data


def build_manifest(
    template: dict[str, Any], base_url: str, webhook_url: str | None = None, webhook_path: str = WEBHOOK_PATH
) -> dict[str, Any]:
    """The manifest to post: `app.yml` plus this service's homepage, webhook and redirect URLs."""
    base = base_url.rstrip("/")
    manifest = json.loads(json.dumps(template))
    manifest.setdefault("url", base)
    hook = dict(manifest.get("hook_attributes") or {})
    hook["url"] = webhook_url or f"{base}{webhook_path}"
    hook.setdefault("active", True)
    manifest["hook_attributes"] = hook
    manifest["redirect_url"] = f"{base}{CALLBACK_PATH}"
    return manifest  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Registration:
    """What GitHub returns when a manifest code is converted; the secrets never appear in repr."""

    app_id: int
    slug: str
    html_url: str
    owner: str
    pem: str = field(repr=False)
    webhook_secret: str = field(repr=False)

    @property
    def install_url(self) -> str:
        """Where the person installs the new app on their repositories."""
        return f"{self.html_url.rstrip('/')}/installations/new"

    def env_values(self) -> dict[str, str]:
        """The `.env` variables `listbot serve` needs."""
        return {"APP_ID": str(self.app_id), "PRIVATE_KEY": self.pem, "WEBHOOK_SECRET": self.webhook_secret}


class ExchangeError(Exception):
    """The code could not be converted into credentials; the message is for the person."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable  # the code may still be good: reloading the callback may work


def exchange_code(api_url: str, code: str, timeout: float = EXCHANGE_TIMEOUT) -> Registration:
    """`POST /app-manifests/{code}/conversions` (no authentication) and read the new app's credentials."""
    if not _CODE.match(code):
        raise ExchangeError(BAD_CODE)
    url = f"{api_url.rstrip('/')}/app-manifests/{urllib.parse.quote(code, safe='')}/conversions"
    request = urllib.request.Request(  # noqa: S310 - the API URL is the operator's configuration
        url,
        data=b"",
        method="POST",
        headers={
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": USER_AGENT,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            raise ExchangeError(GITHUB_BUSY.format(status=exc.code), retryable=True) from None
        raise ExchangeError(CODE_REFUSED.format(status=exc.code)) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        raise ExchangeError(GITHUB_UNREACHABLE.format(url=api_url, reason=reason), retryable=True) from None
    try:
        return Registration(
            app_id=int(data["id"]),
            slug=str(data["slug"]),
            html_url=str(data["html_url"]),
            owner=str((data.get("owner") or {}).get("login", "")),
            pem=str(data["pem"]),
            webhook_secret=str(data["webhook_secret"]),
        )
    except (KeyError, TypeError, ValueError):
        raise ExchangeError("GitHub's answer lacked the app id, key or webhook secret. Nothing was saved.") from None


class PendingStates:
    """CSRF states handed out by the setup page: single use, expiring, bounded in number."""

    def __init__(self, ttl: float = STATE_TTL_SECONDS, limit: int = MAX_PENDING_STATES) -> None:
        self.ttl, self.limit = ttl, limit
        self._states: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def issue(self) -> str:
        state = secrets.token_urlsafe(24)
        with self._lock:
            self._states[state] = time.monotonic() + self.ttl
            while len(self._states) > self.limit:
                self._states.popitem(last=False)
        return state

    def take(self, state: str) -> bool:
        """True (once) for a state this page issued less than `ttl` seconds ago."""
        with self._lock:
            expires = self._states.pop(state, None)
        return expires is not None and time.monotonic() < expires

    def restore(self, state: str) -> None:
        """Accept `state` again after a refusal the person can fix, so reloading the callback works."""
        with self._lock:
            self._states[state] = time.monotonic() + self.ttl


@dataclass
class SetupState:
    """What the setup app knows: the pending states and, after success, the registration."""

    states: PendingStates = field(default_factory=PendingStates)
    registered: Registration | None = None


def create_setup_app(
    *,
    api_url: str = DEFAULT_API_URL,
    env_path: Path = Path(".env"),
    manifest: dict[str, Any] | None = None,
    public_url: str | None = None,
    webhook_proxy_url: str | None = None,
    github_url: str | None = None,
    token: str | None = None,
    webhook_path: str = WEBHOOK_PATH,
) -> FastAPI:
    """The setup-mode service: the registration page on `/`, its callback, and helpful refusals.

    With a `token` (what `listbot serve` prints), the page and so every registration state is
    handed out only to whoever holds it: someone else who can reach the service cannot plant
    their own app's credentials.
    """
    template = manifest if manifest is not None else load_manifest()
    github = (github_url or web_url(api_url)).rstrip("/")
    setup = SetupState()
    app = FastAPI(title="listbot setup", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.setup = setup

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.update(SETUP_PAGE_HEADERS)
        return response

    def base_of(request: Request) -> str:
        return (public_url or str(request.base_url)).rstrip("/")

    @app.get("/", response_class=HTMLResponse)
    async def page(request: Request, org: str = "", token: str = "") -> HTMLResponse:
        if not _token_ok(token):
            page = _message_page("Open the printed address", OPEN_PRINTED_ADDRESS, raw=True)
            return HTMLResponse(page, status_code=403)
        if setup.registered is not None:
            return HTMLResponse(_done_page(setup.registered, env_path))
        base = base_of(request)
        manifest_json = json.dumps(build_manifest(template, base, webhook_proxy_url, webhook_path), indent=2)
        org = org.strip()
        org_error = "" if not org or _ORG.match(org) else f"“{org}” is not a GitHub organisation name."
        body = _setup_page(
            github=github,
            base=base,
            manifest_json=manifest_json,
            user_state=setup.states.issue(),
            org=org if org and not org_error else "",
            org_state=setup.states.issue() if org and not org_error else "",
            org_error=org_error,
            env_path=env_path,
            webhook_proxy_url=webhook_proxy_url,
            token=token,
        )
        return HTMLResponse(body)

    def _token_ok(given: str) -> bool:
        return token is None or hmac.compare_digest(given.encode(), token.encode())

    @app.get(CALLBACK_PATH, response_class=HTMLResponse)
    async def callback(request: Request, code: str = "", state: str = "") -> HTMLResponse:
        if not setup.states.take(state):
            log.warning("registration refused", extra=fields(reason="unknown state"))
            return HTMLResponse(_message_page("Registration refused", UNKNOWN_STATE), status_code=400)
        try:
            if has_credentials(read_env_file(env_path)):
                raise EnvFileError(
                    f"{env_path} already holds credentials; listbot does not overwrite them. "
                    "Move that file away, then open this page's address again (the code stays valid for an hour)"
                )
        except EnvFileError as exc:
            setup.states.restore(state)
            return HTMLResponse(_message_page("Nothing was saved", f"{exc}."), status_code=409)
        if (problem := writable_problem(env_path)) is not None:
            setup.states.restore(state)
            text = ENV_NOT_WRITABLE.format(path=env_path, reason=problem)
            return HTMLResponse(_message_page("Nothing was saved", text), status_code=409)
        try:
            # A blocking HTTP call: off the event loop, so /healthz keeps answering meanwhile.
            registration = await asyncio.to_thread(exchange_code, api_url, code)
        except ExchangeError as exc:
            if exc.retryable:
                setup.states.restore(state)
            log.warning("registration failed", extra=fields(reason=str(exc)))
            return HTMLResponse(_message_page("Registration failed", str(exc)), status_code=502)
        try:
            write_credentials(env_path, registration.env_values())
        except (EnvFileError, OSError) as exc:
            log.error("could not write .env", extra=fields(path=str(env_path), reason=type(exc).__name__))
            text = (
                f"GitHub created the app “{registration.slug}”, but {env_path} could not be written ({exc}). "
                f"Generate a private key and set the webhook secret in the app's settings ({registration.html_url}), "
                "then set APP_ID, PRIVATE_KEY and WEBHOOK_SECRET yourself."
            )
            return HTMLResponse(_message_page("Could not save the credentials", text), status_code=500)
        setup.registered = registration
        log.info(
            "app registered",
            extra=fields(
                app_id=registration.app_id, slug=registration.slug, owner=registration.owner, env=str(env_path)
            ),
        )
        return HTMLResponse(_done_page(registration, env_path))

    @app.post(webhook_path)
    async def webhook(request: Request) -> JSONResponse:
        return JSONResponse({"error": NOT_REGISTERED.format(base=base_of(request))}, status_code=409)

    def report(request: Request) -> dict[str, Any]:
        detail = NOT_REGISTERED.format(base=base_of(request))
        if setup.registered is not None:
            detail = f"registered as app {setup.registered.app_id}: restart `listbot serve` to start handling webhooks"
        return {"status": "not registered", "reason": detail, "github": {"ok": False, "detail": detail}}

    @app.get("/healthz")
    async def healthz(request: Request) -> dict[str, Any]:
        return report(request)  # alive: the setup page works

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        return JSONResponse(report(request), status_code=503)  # not ready to handle webhooks

    return app


# --- pages -----------------------------------------------------------------------------------

_STYLE = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #f6f8fa;
       margin: 0; padding: 2rem 1rem; }
main { max-width: 44rem; margin: 0 auto; background: #fff; border: 1px solid #d0d7de; border-radius: 8px;
       padding: 1.5rem 2rem; }
h1 { font-size: 1.6rem; margin-top: 0; }
h2 { font-size: 1.15rem; margin-top: 1.75rem; }
code { background: #eff1f3; padding: .1em .3em; border-radius: 4px; font-size: .9em; overflow-wrap: anywhere; }
dt { font-weight: 600; margin-top: .5rem; }
dd { margin-left: 1rem; }
@media (max-width: 600px) { body { padding: .5rem; } main { padding: 1rem; } }
button { font: inherit; background: #1f883d; color: #fff; border: 0; border-radius: 6px; padding: .5rem 1rem;
         cursor: pointer; }
button.secondary { background: #f6f8fa; color: #1f2328; border: 1px solid #d0d7de; }
input[type=text] { font: inherit; padding: .4rem .5rem; border: 1px solid #d0d7de; border-radius: 6px; }
.note { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: .5rem .75rem; }
.error { color: #d1242f; }
details pre { background: #f6f8fa; padding: .75rem; overflow-x: auto; font-size: .85em; }
form { margin: .5rem 0; }
"""


def _html(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _message_page(title: str, text: str, *, raw: bool = False) -> str:
    """A short page; `raw` text is trusted HTML written by listbot itself, never user input."""
    body = text if raw else html.escape(text)
    return _html(f"listbot — {title}", f'<h1>{html.escape(title)}</h1><p id="message">{body}</p>')


def _manifest_form(form_id: str, action: str, manifest_json: str, label: str) -> str:
    return (
        f'<form id="{form_id}" method="post" action="{html.escape(action)}">'
        f'<input type="hidden" name="manifest" value="{html.escape(manifest_json)}">'
        f"<button type=\"submit\">{html.escape(label)}</button></form>"
    )


def _setup_page(
    *,
    github: str,
    base: str,
    manifest_json: str,
    user_state: str,
    org: str,
    org_state: str,
    org_error: str,
    env_path: Path,
    webhook_proxy_url: str | None,
    token: str = "",
) -> str:
    e = html.escape
    home = f"/?token={urllib.parse.quote(token)}" if token else "/"
    token_input = f'<input type="hidden" name="token" value="{e(token)}">' if token else ""
    manifest = json.loads(manifest_json)
    hook_url = manifest["hook_attributes"]["url"]
    user_action = f"{github}/settings/apps/new?state={urllib.parse.quote(user_state)}"
    local = urllib.parse.urlsplit(base).hostname in {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104
    warning = ""
    if local and not webhook_proxy_url:
        warning = (
            '<p class="note" id="local-warning">This service answers on a local address, which GitHub cannot '
            "send webhooks to. Set <code>WEBHOOK_PROXY_URL</code> to a <a href=\"https://smee.io\">smee.io</a> "
            "channel and restart (see the README, “Webhooks on a laptop”), or set "
            "<code>LISTBOT_PUBLIC_URL</code> to this service's public address.</p>"
        )
    if org:
        org_action = (
            f"{github}/organizations/{urllib.parse.quote(org)}/settings/apps/new?state={urllib.parse.quote(org_state)}"
        )
        org_part = _manifest_form("register-org", org_action, manifest_json, f"Register listbot for {org}")
        org_part += f'<p><a href="{e(home)}">Choose another owner</a></p>'
    else:
        org_part = (
            '<form id="choose-org" method="get" action="/">' + token_input +
            '<label for="org">Organisation name</label> '
            '<input type="text" id="org" name="org" required pattern="[A-Za-z0-9][A-Za-z0-9-]{0,38}" '
            'placeholder="my-org" autocomplete="off"> '
            '<button type="submit" class="secondary">Continue</button></form>'
        )
        if org_error:
            org_part += f'<p class="error" id="org-error">{e(org_error)}</p>'
    return _html(
        "listbot — register the GitHub App",
        f"""<h1>Register listbot as a GitHub App</h1>
<p>listbot has no GitHub App credentials yet. Registering creates a private GitHub App from
<code>app.yml</code> with only the permissions listbot needs: contents, pull requests and issues
(read and write), metadata (read). It never asks for workflows or administration.</p>
{warning}
<dl>
<dt>GitHub</dt><dd><code id="github-url">{e(github)}</code></dd>
<dt>Webhook URL</dt><dd><code id="hook-url">{e(hook_url)}</code></dd>
<dt>Credentials will be saved to</dt><dd><code id="env-path">{e(str(env_path))}</code> (readable by you only)</dd>
</dl>
<h2>For your personal account</h2>
{_manifest_form("register-user", user_action, manifest_json, "Register listbot on my account")}
<h2>For an organisation</h2>
<p>You need to be an owner of the organisation (or one of its GitHub App managers).</p>
{org_part}
<h2>What happens next</h2>
<ol>
<li>GitHub shows the app's name and permissions; you may rename it, then confirm.</li>
<li>GitHub sends you back here and listbot saves <code>APP_ID</code>, <code>PRIVATE_KEY</code> and
<code>WEBHOOK_SECRET</code> to <code>{e(str(env_path))}</code>.</li>
<li>You install the app on the repository that holds your list, and restart <code>listbot serve</code>.</li>
</ol>
<details><summary>The manifest sent to GitHub</summary><pre id="manifest">{e(manifest_json)}</pre></details>
""",
    )


def _done_page(registration: Registration, env_path: Path) -> str:
    e = html.escape
    return _html(
        "listbot — registered",
        f"""<h1>listbot is registered</h1>
<p>GitHub created the app <strong id="slug">{e(registration.slug)}</strong>
(id <code id="app-id">{registration.app_id}</code>) and listbot saved its credentials to
<code>{e(str(env_path))}</code>, readable by you only.
Keep that file secret and out of version control.</p>
<h2>Next steps</h2>
<ol>
<li><a id="install" href="{e(registration.install_url)}">Install the app</a> on the repository that holds your list
(choose “Only select repositories”).</li>
<li>Stop this process (Ctrl-C) and start <code>listbot serve</code> again: it reads <code>{e(str(env_path))}</code>
and starts handling webhooks.</li>
<li>Open an issue with the submission form to check that listbot answers.</li>
</ol>
""",
    )
