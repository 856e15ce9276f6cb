"""Authentication as GitHub does it: app JWTs (RS256), installation tokens, user tokens."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .state import ApiError, App, Caller, Installation, InstallationToken, State, WorkflowToken

TOKEN_LIFETIME = timedelta(hours=1)
# GitHub Actions is itself a GitHub App (id 15368); every GITHUB_TOKEN is one of its tokens.
ACTIONS_APP_ID = 15368
ACTIONS_SLUG = "github-actions"
ACTIONS_BOT = "github-actions[bot]"
# A job may run for up to 6 hours (24 on self-hosted runners); its token expires when it ends.
WORKFLOW_TOKEN_LIFETIME = timedelta(hours=6)
MAX_JWT_LIFETIME = 600
CLOCK_LEEWAY = 60


def bad_credentials() -> ApiError:
    return ApiError(401, "Bad credentials")


_KEY_POOL: list[tuple[str, bytes]] = []


def pooled_key(index: int) -> tuple[str, bytes]:
    """The ``index``-th key pair of a process-wide pool (RSA generation is slow: reuse keys
    across emulators, but every app within one emulator gets a distinct key)."""
    while len(_KEY_POOL) <= index:
        _KEY_POOL.append(generate_key())
    return _KEY_POOL[index]


def generate_key() -> tuple[str, bytes]:
    """A fresh RSA key pair: (private PEM text, public PEM bytes)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def verify_jwt(state: State, token: str) -> App:
    """Check an app JWT the way GitHub does; raise 401 with GitHub's messages."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise ApiError(401, "A JSON web token could not be decoded") from exc
    iss = claims.get("iss")
    try:
        app_id = int(iss) if iss is not None else None
    except (TypeError, ValueError):
        app_id = None
    app = state.apps.get(app_id) if app_id is not None else None
    if app is None and isinstance(iss, str):
        # Since 2024 GitHub also accepts the app's client ID as the issuer.
        app = next((candidate for candidate in state.apps.values() if candidate.client_id == iss), None)
    if app is None:
        raise ApiError(401, "Integration not found" if iss is not None else "'Issuer' claim ('iss') must be an Integer")
    try:
        jwt.decode(
            token,
            app.public_key_pem,
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.PyJWTError as exc:
        raise ApiError(401, "A JSON web token could not be decoded") from exc
    now = time.time()
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int | float) or isinstance(iat, bool) or iat > now + CLOCK_LEEWAY:
        raise ApiError(
            401,
            "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
        )
    if not isinstance(exp, int | float) or isinstance(exp, bool) or exp <= now:
        raise ApiError(
            401,
            "'Expiration time' claim ('exp') must be a numeric value representing the future "
            "time at which the assertion expires",
        )
    if exp > now + MAX_JWT_LIFETIME + CLOCK_LEEWAY // 2 or exp - iat > MAX_JWT_LIFETIME + 2 * CLOCK_LEEWAY:
        raise ApiError(401, "'Expiration time' claim ('exp') is too far in the future")
    return app


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")


def resolve_caller(state: State, authorization: str | None) -> Caller:
    """Turn an Authorization header into a Caller (raising 401 on bad credentials)."""
    if not authorization:
        return Caller(kind=None)
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() not in ("token", "bearer") or not value:
        raise bad_credentials()
    if looks_like_jwt(value):
        if scheme.lower() != "bearer":
            raise ApiError(401, "A JSON web token could not be decoded")
        app = verify_jwt(state, value)
        return Caller(kind="jwt", login=app.bot_login, app=app)
    tok = state.tokens.get(value)
    if tok is not None:
        if tok.expires_at <= datetime.now(UTC):
            raise bad_credentials()
        inst = state.installations.get(tok.installation_id)
        if inst is None:
            raise bad_credentials()
        app = state.apps[inst.app_id]
        return Caller(kind="installation", login=app.bot_login, app=app, installation=inst)
    workflow = state.workflow_tokens.get(value)
    if workflow is not None:
        if workflow.expires_at <= datetime.now(UTC) or state.actions_app is None:
            raise bad_credentials()
        return Caller(kind="installation", login=ACTIONS_BOT, app=state.actions_app, installation=workflow.installation)
    for user in state.users.values():
        if user.token is not None and secrets.compare_digest(user.token, value):
            return Caller(kind="user", login=user.login)
    raise bad_credentials()


def actions_app(state: State) -> App:
    """GitHub Actions' app; it is never registered with the emulator's apps, so it has no JWT,
    sends no webhooks and is listed by no installation endpoint."""
    if state.actions_app is None:
        state.user(ACTIONS_BOT, "Bot")
        state.user("github", "Organization")
        state.actions_app = App(
            id=ACTIONS_APP_ID, slug=ACTIONS_SLUG, name="GitHub Actions", public_key_pem=b"", private_key_pem="",
            owner="github", webhook_secret="", client_id="Iv1.actions", client_secret="", bot_login=ACTIONS_BOT,
        )
    return state.actions_app


def mint_workflow_token(state: State, repo_full_name: str, owner: str, permissions: dict[str, str]) -> WorkflowToken:
    """The `GITHUB_TOKEN` of one workflow job in `repo_full_name`."""
    app = actions_app(state)
    installation = Installation(state.next_id(), app.id, owner, [repo_full_name], dict(permissions))
    token = WorkflowToken(
        token="ghs_" + secrets.token_urlsafe(27).replace("-", "a").replace("_", "b")[:36],
        installation=installation,
        expires_at=datetime.now(UTC).replace(microsecond=0) + WORKFLOW_TOKEN_LIFETIME,
    )
    state.workflow_tokens[token.token] = token
    return token


def mint_token(state: State, inst: Installation) -> InstallationToken:
    token = InstallationToken(
        token="ghs_" + secrets.token_urlsafe(27).replace("-", "a").replace("_", "b")[:36],
        installation_id=inst.id,
        expires_at=datetime.now(UTC).replace(microsecond=0) + TOKEN_LIFETIME,
    )
    state.tokens[token.token] = token
    return token
