"""The only module that talks to GitHub (through PyGithub): app auth, reading state, applying plans."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import github
from github import Auth, GithubIntegration
from github.Issue import Issue
from github.PaginatedList import PaginatedList
from github.PullRequest import PullRequest
from github.Repository import Repository

from bot.core import messages
from bot.core.forms import IssueForm
from bot.core.kind_forms import kind_forms
from bot.core.logfields import fields
from bot.core.markers import read_marker, write_marker
from bot.core.plan import (
    BaseView,
    BranchWrite,
    CommentView,
    IssueView,
    Observed,
    Plan,
    PullView,
    is_submission,
    proposed_entries,
)
from bot.core.repo_config import CONFIG_PATH, parse_repo_config
from bot.core.rules import Rules
from bot.gateway import transport
from bot.gateway.errors import AlreadyExists, NotFound, Rejected, translated, translating

log = logging.getLogger("listbot.github")

TOKEN_REFRESH_MARGIN = dt.timedelta(minutes=5)  # refresh well before GitHub's 1-hour expiry


@dataclass(frozen=True)
class ClientOptions:
    """How PyGithub paces requests: GitHub's advice in production, fast in tests.

    PyGithub itself never retries (`retry=None`): `bot.gateway.retry` is the one retry layer.
    """

    base_url: str = "https://api.github.com"
    request_pause: float = 0.25
    write_pause: float = 1.0
    timeout: float = 15.0

    def client(self, auth: Auth.Auth) -> github.Github:
        """A PyGithub client authenticated with `auth`, paced as these options say."""
        return github.Github(
            auth=auth,
            base_url=self.base_url,
            timeout=max(1, round(self.timeout)),
            retry=None,  # PyGithub's GithubRetry re-sends POSTs; bot.gateway.retry decides
            seconds_between_requests=self.request_pause,
            seconds_between_writes=self.write_pause,
            per_page=100,
            lazy=True,
        )


class ShaCache:
    """Files read at a given commit (the list, the repository config): a commit never changes,
    so caching by its SHA can never serve stale data."""

    def __init__(self, size: int = 256) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, ...], object] = OrderedDict()
        self._size = size

    def get(self, key: tuple[str, ...]) -> object | None:
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: tuple[str, ...], value: object) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


_ABSENT = "\x00absent"  # cached marker for "the file does not exist at this commit"


class InstallationTokens:
    """Installation tokens minted with the app JWT, cached per installation until near expiry."""

    def __init__(self, integration: GithubIntegration) -> None:
        self._integration = integration
        self._lock = threading.Lock()
        self._tokens: dict[int, tuple[str, dt.datetime]] = {}

    def token(self, installation_id: int) -> str:
        with self._lock:
            cached = self._tokens.get(installation_id)
            now = dt.datetime.now(dt.UTC)
            if cached is None or cached[1] - TOKEN_REFRESH_MARGIN <= now:
                minted = self._integration.get_access_token(installation_id)
                cached = (minted.token, minted.expires_at)
                self._tokens[installation_id] = cached
            return cached[0]

    def invalidate(self, installation_id: int) -> None:
        with self._lock:
            self._tokens.pop(installation_id, None)


class _InstallationAuth(Auth.Auth):
    """PyGithub auth that asks the shared token cache on every request."""

    def __init__(self, tokens: InstallationTokens, installation_id: int) -> None:
        self._tokens = tokens
        self._installation_id = installation_id

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        return self._tokens.token(self._installation_id)


class GitHubApp:
    """The GitHub App: its JWT-authenticated integration and one client per installation."""

    def __init__(self, app_id: int, private_key: str, options: ClientOptions) -> None:
        transport.install()
        self.options = options
        self._app_auth = Auth.AppAuth(app_id, private_key)
        self.integration = GithubIntegration(
            auth=self._app_auth,
            base_url=options.base_url,
            timeout=max(1, round(options.timeout)),
            retry=None,
            seconds_between_requests=options.request_pause,
            seconds_between_writes=options.write_pause,
        )
        self.tokens = InstallationTokens(self.integration)
        self.base_cache = ShaCache()
        self._clients: dict[int, github.Github] = {}
        self._lock = threading.Lock()
        self._bot_login: str | None = None
        self._credentials_ok: tuple[float, str] = (0.0, "")

    def client(self, installation_id: int) -> github.Github:
        with self._lock:
            if installation_id not in self._clients:
                self._clients[installation_id] = self.options.client(_InstallationAuth(self.tokens, installation_id))
            return self._clients[installation_id]

    @property
    def known_bot_login(self) -> str | None:
        """The bot's login if already fetched; never calls GitHub."""
        return self._bot_login

    @property
    def bot_login(self) -> str:
        """`{slug}[bot]`, the login GitHub shows for everything the app writes."""
        if self._bot_login is None:
            with translated():
                self._bot_login = f"{self.integration.get_app().slug}[bot]"
        return self._bot_login

    @translating
    def installations(self) -> list[tuple[int, list[tuple[str, str]]]]:
        """Every installation with its repositories' full names and default branches."""
        found = []
        for installation in self.integration.get_installations():
            repos = PaginatedList(
                Repository, self.client(installation.id).requester, "/installation/repositories", None,
                list_item="repositories",
            )
            found.append((installation.id, [(repo.full_name, repo.default_branch) for repo in repos]))
        return found

    @translating
    def check_credentials(self, max_age: float = 60.0) -> str:
        """Raise if the app's key and id do not authenticate; return the app's slug.

        A success is remembered for `max_age` seconds, so frequent health probes cost GitHub
        at most one request a minute.
        """
        checked_at, slug = self._credentials_ok
        if slug and time.monotonic() - checked_at < max_age:
            return slug
        slug = str(self.integration.get_app().slug)
        self._credentials_ok = (time.monotonic(), slug)
        return slug


def _pull_view(pull: PullRequest) -> PullView:
    return PullView(
        number=pull.number,
        state=pull.state,
        merged=pull.merged_at is not None,
        head_ref=pull.head.ref,
        head_sha=pull.head.sha,
        title=pull.title or "",
        body=pull.body or "",
    )


@dataclass
class RepoGateway:
    """Reads what listbot needs about one submission issue and applies a plan to it."""

    client: github.Github
    full_name: str
    default_branch: str
    bot_login: str
    rules: Rules
    cache: ShaCache = field(default_factory=ShaCache)
    config_problems: tuple[str, ...] = ()
    forms: dict[str, IssueForm] = field(default_factory=dict)  # each kind's form at the head (from head())
    _repo: Repository | None = field(default=None, init=False)
    _pull_objects: dict[int, PullRequest] = field(default_factory=dict, init=False)
    # Set when a create lost a race (422 "already exists"): another process works on this issue.
    contended: bool = field(default=False, init=False)
    _created_pull: bool = field(default=False, init=False)

    @property
    def repo(self) -> Repository:
        if self._repo is None:
            self._repo = self.client.get_repo(self.full_name)
        return self._repo

    # --- reading ----------------------------------------------------------------------------

    def _file_at(self, path: str, sha: str) -> tuple[str, str] | None:
        """(text, blob sha) of a file at a commit, or None when absent; cached by commit."""
        key = ("file", self.full_name, sha, path)
        cached = self.cache.get(key)
        if cached is None:
            try:
                with translated():
                    content = self.repo.get_contents(path, ref=sha)
            except NotFound:
                content = None
            if content is None or isinstance(content, list):
                cached = _ABSENT
            else:
                cached = (content.decoded_content.decode("utf-8", "replace"), content.sha)
            self.cache.put(key, cached)
        return cached if isinstance(cached, tuple) else None

    def head(self) -> BaseView:
        """The default branch's head; also loads the repository's `.github/listbot.yml` there."""
        head = self.repo.get_branch(self.default_branch).commit
        view = BaseView(self.default_branch, head.sha, None, head.commit.tree.sha)
        config = self._file_at(CONFIG_PATH, view.sha)
        result = parse_repo_config(config[0] if config else None, self.rules)
        self.rules = result.rules
        committed = {kind.form_path: self._text_at(kind.form_path, view.sha) for kind in self.rules.kinds}
        self.forms, form_problems = kind_forms(self.rules.kinds, committed, f"on `{self.default_branch}`")
        self.config_problems = (*result.problems, *form_problems)
        if self.config_problems:
            log.warning("repository configuration problems", extra=fields(
                repository=self.full_name, commit=view.sha, problems=list(self.config_problems),
            ))
        return view

    def _text_at(self, path: str, sha: str) -> str | None:
        found = self._file_at(path, sha)
        return found[0] if found else None

    def base(self, head: BaseView) -> BaseView:
        """The head with the list file there (None when the list does not exist)."""
        found = self._file_at(self.rules.list_path, head.sha)
        if found is None:
            return head
        return replace(head, list_text=found[0], list_blob_sha=found[1])

    def open_pulls(self) -> list[PullView]:
        """Open PRs that listbot made (its branches, from this repository, by the bot)."""
        found = []
        for pull in self.repo.get_pulls(state="open"):
            if pull.user.login != self.bot_login or self.rules.issue_of_branch(pull.head.ref) is None:
                continue
            self._pull_objects[pull.number] = pull
            found.append(_pull_view(pull))
        return found

    def _status_comments(self, number: int) -> list[CommentView]:
        issue = self.repo.get_issue(number)
        return [
            CommentView(comment.id, comment.body or "")
            for comment in issue.get_comments()
            if comment.user.login == self.bot_login and read_marker(messages.STATUS_KIND, comment.body)
        ]

    def _find_pull(self, number: int, open_pulls: list[PullView], status: CommentView | None) -> PullView | None:
        branch = self.rules.branch(number)
        for pull in open_pulls:
            if pull.head_ref == branch:
                return pull
        marker = read_marker(messages.STATUS_KIND, status.body) if status else None
        known = marker.get("pull") if marker else None
        if isinstance(known, int):
            found = self.repo.get_pull(known)
            if found.head.ref == branch and found.user.login == self.bot_login:
                self._pull_objects[found.number] = found
                return _pull_view(found)
        return None

    def _branch_foreign(self, pull: PullView | None) -> bool:
        """True when the PR's head commit is not listbot's own (someone pushed to the branch)."""
        if pull is None or pull.state != "open":
            return False
        marker = read_marker(messages.PULL_KIND, pull.body)
        if marker and marker.get("head") == pull.head_sha:
            return False
        commit = self.repo.get_commit(pull.head_sha)
        author = commit.author.login if commit.author else None
        committer = commit.committer.login if commit.committer else None
        return self.bot_login not in {author, committer}

    @translating
    def observe(self, number: int, rebuild: bool = False) -> tuple[Observed, list[int]]:
        """Everything the plan needs, plus the ids of surplus status comments to remove."""
        issue = self.repo.get_issue(number)
        try:
            with translated():
                view = IssueView(
                    number=number,
                    title=issue.title or "",
                    body=issue.body or "",
                    state=issue.state,
                    labels=frozenset(label.name for label in issue.labels),
                    is_pull_request=issue.pull_request is not None,
                )
                has_comments = bool(issue.comments)
        except NotFound:
            view, has_comments = IssueView(number, "", "", "closed", gone=True), False  # deleted or moved
        comments = self._status_comments(number) if has_comments else []
        status = comments[0] if comments else None
        head = self.head()
        open_pulls = self.open_pulls()
        pull = self._find_pull(number, open_pulls, status)
        base = self.base(head) if view.state == "open" else head
        observed = Observed(
            issue=view,
            base=base,
            pull=pull,
            status=status,
            branch_foreign=False if rebuild else self._branch_foreign(pull),
            others=tuple(proposed_entries(open_pulls, self.rules, exclude_issue=number)),
            config_problems=self.config_problems,
            forms=self.forms,
        )
        return observed, [comment.id for comment in comments[1:]]

    # --- writing ----------------------------------------------------------------------------

    @translating
    def apply(self, plan: Plan, observed: Observed, surplus_comments: Sequence[int] = ()) -> int | None:
        """Carry out a plan; return the PR number the issue ends up with (if any)."""
        number = observed.issue.number
        issue = self.repo.get_issue(number)
        for comment_id in surplus_comments:
            self._delete_comment(issue, comment_id)
        if plan.labels_add:
            issue.add_to_labels(*sorted(plan.labels_add))
        for label in sorted(plan.labels_remove):
            with contextlib.suppress(NotFound), translated():  # already removed: the desired state
                issue.remove_from_labels(label)
        pull_number = observed.pull.number if observed.pull else None
        if plan.close_pull is not None and observed.pull is not None:
            self._close_pull(observed.pull.number, plan.close_pull)
        reopened = False
        if plan.reopen_pull and observed.pull is not None:
            pull_number = self._reopen_pull(observed.pull)
            reopened = pull_number is not None
        head_sha = observed.pull.head_sha if observed.pull else ""
        if plan.branch is not None:
            head_sha = self._write_branch(number, plan.branch, observed, branch_exists=reopened)
        if plan.pull is not None:
            body = plan.pull.body(number, head_sha)
            pull_number = self._upsert_pull(number, pull_number, plan.pull.title, body)
        if plan.delete_branch:
            self._delete_branch(number)
        if plan.status is not None:
            self._upsert_status(issue, observed.status, plan.status(pull_number))
        return pull_number

    @staticmethod
    def _delete_comment(issue: Issue, comment_id: int) -> None:
        with contextlib.suppress(NotFound), translated():  # already deleted: the desired state
            issue.get_comment(comment_id).delete()

    def _close_pull(self, number: int, comment: str) -> None:
        pull = self._pull_objects.get(number) or self.repo.get_pull(number)
        pull.edit(state="closed")
        if comment:
            pull.create_issue_comment(comment)

    def _reopen_pull(self, view: PullView) -> int | None:
        """Reopen a PR listbot closed, before pushing to it; None when GitHub cannot reopen it.

        GitHub reopens a PR only while its branch still points where the PR left it (not after
        the branch was deleted or force-pushed), so check first; otherwise a new PR is opened.
        """
        try:
            with translated():
                head = self.repo.get_git_ref(f"heads/{view.head_ref}").object.sha
        except NotFound:
            return None
        if head != view.head_sha:
            return None
        pull = self._pull_objects.get(view.number) or self.repo.get_pull(view.number)
        try:
            with translated():
                pull.edit(state="open")
        except Rejected as error:
            if error.status != 422:
                raise
            return None
        return view.number

    def _write_branch(self, number: int, write: BranchWrite, observed: Observed, branch_exists: bool) -> str:
        """One commit on top of the base holding the new list; the branch points at it."""
        branch = self.rules.branch(number)
        if not branch_exists and (observed.pull is None or observed.pull.state != "open"):
            # With no PR at all, a branch that already exists means another process is on it.
            created = self._create_branch_with_contents(branch, write, expect_new=observed.pull is None)
            if created is not None:
                return created
        # Rewrite atomically (tree, commit, then move the ref) so an open PR never shows a
        # half-made state.
        requester, url = self.client.requester, self.repo.url
        entry = {"path": self.rules.list_path, "mode": "100644", "type": "blob", "content": write.list_text}
        _, tree = requester.requestJsonAndCheck(
            "POST", f"{url}/git/trees", input={"base_tree": observed.base.tree_sha, "tree": [entry]}
        )
        _, commit = requester.requestJsonAndCheck(
            "POST", f"{url}/git/commits",
            input={"message": write.message, "tree": tree["sha"], "parents": [write.base_sha]},
        )
        self._point_branch(branch, str(commit["sha"]))
        return str(commit["sha"])

    def _create_branch_with_contents(self, branch: str, write: BranchWrite, expect_new: bool) -> str | None:
        """Create the branch at the base and commit the list with the contents API (2 writes).

        Returns None when the branch already exists, so the caller rewrites it atomically.
        """
        try:
            with translated():
                self.repo.create_git_ref(f"refs/heads/{branch}", write.base_sha)
        except AlreadyExists:
            self.contended = self.contended or expect_new
            return None
        found = self._file_at(self.rules.list_path, write.base_sha)
        assert found is not None, "a branch is only written for a list that exists"
        blob_sha = found[1]
        result = self.repo.update_file(self.rules.list_path, write.message, write.list_text, blob_sha, branch=branch)
        return str(result["commit"].sha)

    def _point_branch(self, branch: str, sha: str) -> None:
        """Force the branch to `sha`, creating it if it is gone (the ref update is the CAS point)."""
        url = f"{self.repo.url}/git/refs/heads/{branch}"
        try:
            with translated():
                self.client.requester.requestJsonAndCheck("PATCH", url, input={"sha": sha, "force": True})
        except (NotFound, Rejected) as error:
            if error.status not in {404, 422}:
                raise
            self.repo.create_git_ref(f"refs/heads/{branch}", sha)

    def _upsert_pull(self, number: int, existing: int | None, title: str, body: str) -> int:
        if existing is not None:
            pull = self._pull_objects.get(existing) or self.repo.get_pull(existing)
            pull.edit(title=title, body=body)
            return existing
        try:
            with translated():
                created = self.repo.create_pull(
                    title=title, body=body, head=self.rules.branch(number), base=self.default_branch,
                    maintainer_can_modify=True,
                )
        except AlreadyExists:
            self.contended = True
            owner = self.full_name.split("/")[0]
            found = next(iter(self.repo.get_pulls(state="open", head=f"{owner}:{self.rules.branch(number)}")))
            found.edit(title=title, body=body)
            return found.number
        self._created_pull = True
        return created.number

    def _delete_branch(self, number: int) -> None:
        url = f"{self.repo.url}/git/refs/heads/{self.rules.branch(number)}"
        try:
            with translated():
                self.client.requester.requestJsonAndCheck("DELETE", url)
        except (NotFound, Rejected) as error:
            if error.status not in {404, 422}:  # already deleted
                raise

    def _upsert_status(self, issue: Issue, current: CommentView | None, body: str) -> None:
        if current is not None:
            if current.body != body:
                issue.get_comment(current.id).edit(body)
            return
        issue.create_comment(body)
        if self._created_pull and not self.contended:
            # This run won GitHub's compare-and-swap on the branch and the PR: no other process
            # is posting for this issue, so there is nothing to read back.
            return
        # Not the PR's creator: the creator may still be about to post its own status, after
        # this read-back; the follow-up check the reconciler schedules then removes the double.
        self.contended = True
        # Another replica may have posted one at the same moment: keep the oldest, drop the rest.
        for surplus in self._status_comments(issue.number)[1:]:
            self._delete_comment(issue, surplus.id)

    # --- resync and commands ----------------------------------------------------------------

    @translating
    def submission_candidates(self, form: IssueForm) -> set[int]:
        """Issues worth reconciling: open submissions, and issues behind open PRs or branches."""
        self.head()  # the repository's own configuration decides labels and branch names
        found: set[int] = set()
        for issue in self.repo.get_issues(state="open"):
            # Not `issue.pull_request`: absent on plain issues, it would make PyGithub fetch each one.
            if "/pull/" in issue.html_url:
                continue
            view = IssueView(issue.number, issue.title or "", issue.body or "", "open",
                             frozenset(label.name for label in issue.labels))
            if is_submission(view, form, self.rules, self.forms):
                found.add(issue.number)
        for pull in self.open_pulls():
            if (number := self.rules.issue_of_branch(pull.head_ref)) is not None:
                found.add(number)
        for ref in self.repo.get_git_matching_refs(f"heads/{self.rules.branch_prefix}"):
            if (number := self.rules.issue_of_branch(ref.ref.removeprefix("refs/heads/"))) is not None:
                found.add(number)
        return found

    @translating
    def may_run_commands(self, login: str) -> bool:
        """Whether `login` may run `/listbot` commands here (repository permission or allow-list)."""
        self.head()
        if login.casefold() in {user.casefold() for user in self.rules.command_users}:
            return True
        if login == self.bot_login or not login:
            return False
        # `role_name`, not `permission`: the legacy `permission` field reports maintain as write.
        role = self.repo.get_collaborator_role_name(login)
        ranks = {"none": 0, "read": 1, "triage": 1, "write": 2, "maintain": 3, "admin": 4}
        needed = ranks.get(self.rules.command_permission, 2)
        return ranks.get(str(role), 0) >= needed

    @translating
    def decline_command(self, number: int, comment_id: int) -> None:
        """Reply once (a redelivery finds the reply by its marker) that the command was not run."""
        self.reply_once(number, comment_id, messages.REPLY_KIND, messages.COMMAND_DECLINED)

    @translating
    def reply_once(self, number: int, comment_id: int, kind: str, text: str) -> None:
        """Answer comment `comment_id` with `text`, unless a redelivery already did (found by marker)."""
        issue = self.repo.get_issue(number)
        for comment in issue.get_comments():
            marker = read_marker(kind, comment.body)
            if comment.user.login == self.bot_login and marker and marker.get("comment") == comment_id:
                return
        issue.create_comment(f"{text}\n\n{write_marker(kind, {'comment': comment_id})}")

    @translating
    def note_failure(self, number: int, reason: str) -> None:
        """Say in the status comment that processing failed and will be retried."""
        issue = self.repo.get_issue(number)
        comments = self._status_comments(number)
        current = comments[0] if comments else None
        marker = read_marker(messages.STATUS_KIND, current.body) if current else None
        pull = marker.get("pull") if marker else None
        known = pull if isinstance(pull, int) else None
        text = messages.retrying_comment(number, reason, known)
        # Keep what the last status recorded about who closed the PR.
        text = messages.with_marker_fields(text, {"listbot_closed": bool(marker and marker.get("listbot_closed"))})
        self._upsert_status(issue, current, text)
