"""Reconcile: each job converges one issue (or scans a repository) by observe → plan → execute;
the resync loop queues every repository again now and then."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Any, TypeVar

from bot.core.commands import (
    DONE_KIND,
    allowed_without_role,
    body_digest,
    command_in,
    decline,
    done_reply,
    doubled_replies,
    handled,
    log_writes,
    pending,
    posted_commands,
    reply_once,
    role_allows,
)
from bot.core.facts import CommentView, PullView
from bot.core.forms import IssueForm, form_from_yaml
from bot.core.help import HELP_KIND, help_text
from bot.core.logfields import fields, log_context
from bot.core.lookups import NO_FACTS, Facts
from bot.core.messages import REPLY_KIND
from bot.core.ownership import listbot_pulls, status_comments
from bot.core.plan import Observed, Plan, after, plan_issue, plan_retry_notice, submission_wanted
from bot.core.rules import Rules
from bot.core.template import render_template
from bot.core.triage import submission_candidates
from bot.core.webhook import HANDLED_EVENTS, Delivery
from bot.core.writes import DeleteComment, PostComment, React
from bot.gateway.credentials import Credentials
from bot.gateway.executing import WriteExecutor
from bot.gateway.reading import RepoReader
from bot.gateway.repos import repository_facts
from bot.gateway.retry import Retrier, RetryPolicy, describe, refusal, retryable
from bot.gateway.transport import Cancelled, cancellable
from bot.service.fresh_issues import FreshIssues
from bot.service.jobs import CommandJob, IssueJob, RepoJob, jobs_for
from bot.service.metrics import RESYNC_SECONDS
from bot.service.observe import RepoSnapshot, RepoView, observe_issue, observe_repo
from bot.service.recovery import DeliveryRecovery
from bot.service.worker import FAILED, OK, Job, Origin, WorkQueue
from bot.sources.gather import Sources

log = logging.getLogger("listbot.reconcile")

TAKEN_ON = "taken on"  # a command that passed its checks and is carried out
MAX_ROUNDS = 8  # a plan settles in at most four rounds (reopen, branch, PR, status); more is a bug
T = TypeVar("T")


class PlanDidNotSettle(RuntimeError):
    """Planning again after executing kept asking for writes: a bug, never retried."""


@lru_cache(maxsize=1)
def paper_form() -> IssueForm:
    """The issue form the bot parses bodies with: the one generated from the schema."""
    return form_from_yaml(render_template())


class Reconciler:
    """The webhook dispatcher and resync loop: deliveries in, converged submissions out."""

    def __init__(
        self,
        app: Credentials,
        rules: Rules,
        *,
        policy: RetryPolicy | None = None,
        resync_interval: float = 21600.0,
        workers: int = 4,
        today: Callable[[], dt.date] = dt.date.today,
        sources: Sources | None = None,
        recovery: DeliveryRecovery | None = None,
        recovery_interval: float = 300.0,
    ) -> None:
        self.app = app
        self.rules = rules
        self.sources = sources  # arXiv, Crossref, the Hub and GitHub repositories; None asks none
        self.policy = policy or RetryPolicy()
        self.retrier = Retrier(self.policy, app.tokens.invalidate)
        self.resync_interval = resync_interval
        self.today = today
        self.queue = WorkQueue(self._run, workers)
        self.recheck_delay = max(0.25, 5 * self.policy.base_delay)
        self.last_resync: float | None = None  # UNIX time the last full resync finished
        self._stop = threading.Event()
        self._resync_thread: threading.Thread | None = None
        self.failures = 0  # jobs that gave up (each is logged); `listbot action` fails on any
        self.fresh = FreshIssues()  # when a delivery's issue may stand in for reading it
        self.recovery = recovery  # failed deliveries found in the app's delivery log; None: not looked for
        self.recovery_interval = recovery_interval
        self._recovery_thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Start the workers and the resync loop (which runs once right away)."""
        self.queue.start()
        if self._resync_thread is None:
            self._resyncing = True  # before the thread runs, so pending() is never 0 too early
            self._resync_thread = threading.Thread(target=self._resync_loop, name="listbot-resync", daemon=True)
            self._resync_thread.start()
        if self.recovery is not None and self._recovery_thread is None:
            recovery = self.recovery
            recovery.checking = True  # before the thread runs, as for the resync
            self._recovery_thread = threading.Thread(
                target=recovery.run, args=(self.recovery_interval, self._stop, self._with_retries),
                name="listbot-redeliver", daemon=True,
            )
            self._recovery_thread.start()

    def stop(self, grace: float = 10.0) -> int:
        """Stop the resync loop and the workers (see `WorkQueue.stop`); jobs still running."""
        self._stop.set()
        return self.queue.stop(grace)

    def pending(self) -> int:
        """Jobs queued or running (plus a resync being planned); 0 when idle."""
        checking = self.recovery is not None and self.recovery.checking
        return self.queue.pending() + (1 if self._resyncing else 0) + (1 if checking else 0)

    def alive(self) -> bool:
        """Whether the workers run and the resync loop has not died."""
        resync_ok = self._resync_thread is None or self._resync_thread.is_alive() or self.resync_interval <= 0
        return self.queue.alive() and resync_ok

    _resyncing = False

    def learn_bot_login(self) -> str:
        """The bot's login, fetched (with retries) unless known: routing then recognises listbot's own events."""
        return self._with_retries(lambda: self.app.bot_login)

    def run_once(self, jobs: list[Job] | None, timeout: float, poll: float = 0.05) -> bool:
        """One-shot mode (`listbot action`): run `jobs` (None: resync every repository) and every
        job they cause, then stop. False when `timeout` ran out first; `failures` counts give-ups."""
        self.queue.start()
        try:
            if jobs is None:
                self.resync_all()
            for job in jobs or []:
                self.queue.submit(job)
            deadline = time.monotonic() + timeout
            while self.pending() > 0:
                if time.monotonic() > deadline:
                    return False
                time.sleep(poll)
            return True
        finally:
            self.stop()

    def _resync_loop(self) -> None:
        with contextlib.suppress(Cancelled), cancellable(self._stop):  # Cancelled: shutting down
            while not self._stop.is_set():
                self._resyncing = True
                try:
                    self.learn_bot_login()
                    self.resync_all()
                except Exception:
                    log.exception("resync failed; it runs again at the next interval")
                finally:
                    self._resyncing = False
                if self.resync_interval <= 0 or self._stop.wait(self.resync_interval):
                    return

    def resync_all(self) -> int:
        """Queue a repository job for every repository of every installation."""
        count = 0
        origin = Origin(self._resync_done, reason="resync")
        origin.expect()  # held until every repository is queued, so a fast scan cannot end it early
        for installation_id, repos in self._with_retries(self.app.installations):
            for full_name, default_branch in repos:
                self.queue.submit(RepoJob(installation_id, full_name, default_branch), origin, background=True)
                count += 1
        log.info("resync queued", extra=fields(repositories=count))
        origin.finish(OK)
        return count

    def _resync_done(self, origin: Origin, outcome: str) -> None:
        RESYNC_SECONDS.observe(origin.elapsed_ms / 1000)
        if outcome == OK:
            self.last_resync = time.time()
        log.info("resync done", extra=fields(outcome=outcome, duration_ms=origin.elapsed_ms))

    # --- deliveries -------------------------------------------------------------------------

    def handles(self, event: str) -> bool:
        return event in HANDLED_EVENTS

    def jobs_for(self, delivery: Delivery) -> list[Job] | str:
        """The jobs a delivery asks for, or why none; no I/O, so it runs inside the request.

        Until the bot's login is known (the resync thread fetches it first), listbot's own
        events are not recognised and cause a harmless extra look at their issue.
        """
        self.fresh.note(delivery)  # every delivery's snapshot of its issue, listbot's own too
        return jobs_for(delivery, self.rules, self.app.known_bot_login)

    # --- jobs -------------------------------------------------------------------------------

    def _reader(self, installation_id: int, repository: str) -> RepoReader:
        return RepoReader(self.app.client(installation_id), repository, self.app.base_cache)

    def _executor(self, installation_id: int, repository: str) -> WriteExecutor:
        return WriteExecutor(self.app.client(installation_id), repository, self.app.encodings)

    def _run(self, job: Job) -> str:
        """Run one job; `ok`, or `failed` when it gave up (a failure raising is `failed` too)."""
        try:
            outcome = self._run_job(job)
        except Exception:
            self.failures += 1
            raise
        if outcome == FAILED:
            self.failures += 1
        return outcome

    def _run_job(self, job: Job) -> str:
        with log_context(repository=getattr(job, "repository", None), issue=getattr(job, "issue", None)):
            if isinstance(job, IssueJob):
                return self._run_issue(job)
            if isinstance(job, RepoJob):
                self._run_repo(job)
            elif isinstance(job, CommandJob):
                return self._run_command(job)
            return OK

    def _run_issue(self, job: IssueJob) -> str:
        try:
            self._with_retries(lambda: self.reconcile(job), job.installation_id)
        except Exception as error:
            log.exception("giving up on issue until the next resync", extra=fields(**_ids(job)))
            self._note_failure(job, error)
            return FAILED
        return OK

    def _run_repo(self, job: RepoJob) -> None:
        numbers, seen = self._with_retries(lambda: self._candidates(job), job.installation_id)
        # Background even after a push (the merge of a listbot PR is one): checking every open
        # submission again is resync work, and a new submission must not wait behind it.
        for number in sorted(numbers):
            issue_job = IssueJob(job.installation_id, job.repository, job.default_branch, number, seen=seen)
            self.queue.submit(issue_job, background=True)
        log.info("repository scanned", extra=fields(
            installation_id=job.installation_id, repository=job.repository, reason=job.reason, issues=len(numbers),
        ))

    def _candidates(self, job: RepoJob) -> tuple[set[int], RepoSnapshot]:
        """Issues worth reconciling (open submissions, and issues behind listbot's PRs or
        branches), and what the scan read, for their jobs to share."""
        reader = self._reader(job.installation_id, job.repository)
        # The repository's own configuration decides labels and branch names.
        repo = observe_repo(reader, job.default_branch, self.rules)
        rules = repo.rules
        seen = RepoSnapshot(repo, tuple(reader.open_pulls()))
        pulls = listbot_pulls(seen.open_pulls, rules, self.app.bot_login)
        branches = reader.branches(rules.branch_prefix)
        numbers = submission_candidates(reader.open_issues(), pulls, branches, paper_form(), rules, repo.forms)
        return numbers, seen

    def _run_command(self, job: CommandJob) -> str:
        """Carry out a command once: checked against GitHub as it is now, acknowledged with 👀,
        carried out with the status logging it, then answered."""
        if job.command == "help":  # anyone may ask
            self._with_retries(lambda: self._reply_help(job), job.installation_id)
            return OK
        verdict = self._with_retries(lambda: self._take_on(job), job.installation_id)
        log.info("command", extra=fields(
            installation_id=job.installation_id, repository=job.repository, issue=job.issue,
            command=job.command, comment_id=job.comment_id, author=job.author, verdict=verdict,
            allowed={TAKEN_ON: True, "declined": False}.get(verdict),  # None: not asked
        ))
        if verdict != TAKEN_ON:
            return OK
        issue_job = IssueJob(
            job.installation_id, job.repository, job.default_branch, job.issue,
            rebuild=job.command == "recreate", command=job.comment_id,
        )
        outcome = self._run_issue(issue_job)
        if outcome == OK:
            self._with_retries(lambda: self._reply_done(job), job.installation_id)
        return outcome

    def _take_on(self, job: CommandJob) -> str:
        """TAKEN_ON (and 👀 on the comment) when the command is to be carried out; otherwise why
        not, with a declined, edited or deleted command logged so that no replay or resync runs it.

        The comment is read again, with the issue: it must still be there, still say what was
        delivered, and its author must still have the permission. A comment the status logs, or
        one of listbot's replies answers, was handled already (a replayed delivery)."""
        reader = self._reader(job.installation_id, job.repository)
        executor = self._executor(job.installation_id, job.repository)
        issue, comments = reader.issue(job.issue)
        statuses = status_comments(comments, self.app.bot_login)
        status = statuses[0] if statuses else None
        posted = posted_commands(comments, self.app.bot_login)
        if handled(job.comment_id, status, posted):
            return "already handled"
        comment = next((c for c in comments if c.id == job.comment_id), None)
        if comment is None or issue.gone:
            return "comment deleted"  # a deleted comment is never read again: nothing to log
        if not _as_delivered(job, comment):
            executor.execute(log_writes(job.issue, status, posted, job.comment_id, _now()))
            return "comment edited since"
        if not self._may_run_commands(job):
            reply = decline(job.issue, job.comment_id, job.author, comments, self.app.bot_login)
            # The reply names the comment; a second command from the same person gets none: logged.
            executor.execute(log_writes(job.issue, status, posted, job.comment_id, _now()) if not reply else [])
            self._post_reply(job, reply, REPLY_KIND)
            return "declined"
        executor.execute([React(job.comment_id, "eyes")])
        return TAKEN_ON

    def _may_run_commands(self, job: CommandJob) -> bool:
        """Whether the comment's author may run `/listbot` commands (role or allow-list)."""
        reader = self._reader(job.installation_id, job.repository)
        rules = observe_repo(reader, job.default_branch, self.rules).rules
        decided = allowed_without_role(job.author, rules, self.app.bot_login)
        return decided if decided is not None else role_allows(reader.role(job.author), rules)

    def _reply_help(self, job: CommandJob) -> None:
        """Answer `/listbot help` with the commands table, once."""
        comments = self._reader(job.installation_id, job.repository).comments(job.issue)
        answer = reply_once(job.issue, job.comment_id, comments, self.app.bot_login, HELP_KIND, help_text())
        self._post_reply(job, answer, HELP_KIND)

    def _post_reply(self, job: CommandJob, reply: list[PostComment], kind: str) -> None:
        """Post a reply to a command, then read the replies back and drop any double (another
        replica answering the same delivery at the same moment)."""
        if not reply:
            return
        self._executor(job.installation_id, job.repository).execute(reply)
        comments = self._reader(job.installation_id, job.repository).comments(job.issue)
        doubles = doubled_replies(job.issue, job.comment_id, comments, self.app.bot_login, kind)
        self._executor(job.installation_id, job.repository).execute(doubles)

    def _reply_done(self, job: CommandJob) -> None:
        """Say the command was carried out and where the submission stands, once (a redelivery
        finds the reply by its marker)."""
        comments = self._reader(job.installation_id, job.repository).comments(job.issue)
        reply = done_reply(job.issue, job.command, job.comment_id, comments, self.app.bot_login)
        self._post_reply(job, reply, DONE_KIND)

    def _queue_pending_commands(self, job: IssueJob, observed: Observed) -> None:
        """Queue the commands posted on this issue but never handled (acknowledged, then the
        process stopped or gave up before carrying them out). The comments were read with the
        issue anyway, so the start-up and periodic resyncs find them at no cost."""
        for command in pending(observed.status, observed.commands):
            if command.id != job.command:
                self.queue.submit(CommandJob(
                    job.installation_id, job.repository, job.default_branch, job.issue,
                    command.command, command.id, command.author, command.digest,
                ))

    def reconcile(self, job: IssueJob) -> Plan:
        """One attempt: read the issue's current state, then plan and execute until GitHub shows
        the desired state; return the first plan."""
        started = time.monotonic()
        reader = self._reader(job.installation_id, job.repository)
        executor = self._executor(job.installation_id, job.repository)
        today = self.today()
        repo, observed = self._observe(reader, job, job.seen)
        first = plan = plan_issue(observed, paper_form(), repo.rules, today, rebuild=job.rebuild)
        if job.seen is not None and not plan.is_noop:
            # The scan's reading may be stale: it may confirm that nothing needs writing, but
            # what to write is decided on GitHub's current state.
            repo, observed = self._observe(reader, job, None)
            first = plan = plan_issue(observed, paper_form(), repo.rules, today, rebuild=job.rebuild)
        for _ in range(MAX_ROUNDS):
            if plan.is_noop:
                break
            self.fresh.wrote(_key(job))  # before: a write that fails half-way may have landed
            results = executor.execute(plan.writes)
            observed = after(observed, plan.writes, results)
            plan = plan_issue(observed, paper_form(), repo.rules, today, rebuild=job.rebuild)
        else:
            raise PlanDidNotSettle(f"issue {job.issue}: still planning {plan.writes!r}")
        self._read_back(reader, executor)
        self._queue_pending_commands(job, observed)
        if executor.contended:
            # Another process raced us on this issue: look again once both are surely done, so
            # anything doubled (a status comment) is cleaned up without waiting for a resync.
            again = replace(job, rebuild=False, delivery_id=None, seen=None, command=None, issue_payload=None)
            self.queue.submit_later(again, self.recheck_delay)
        log.info("reconciled", extra=fields(
            **_ids(job), outcome=first.reason, changed=not first.is_noop, pull=_number(observed.pull),
            duration_ms=round((time.monotonic() - started) * 1000, 1),
        ))
        return first

    def _observe(self, reader: RepoReader, job: IssueJob, seen: RepoSnapshot | None) -> tuple[RepoView, Observed]:
        """The repository and the issue as the plan needs them: the issue read now (or as a fresh
        delivery showed it), the default branch's head and the open PRs from `seen` when given."""
        repo = seen.repo if seen is not None else observe_repo(reader, job.default_branch, self.rules)
        pulls = seen.open_pulls if seen is not None else None
        # A delivery's issue may stand in for reading it, judged against the open PRs as listed now.
        shown = None if job.rebuild or seen is not None else self.fresh.usable(_key(job), job.issue_payload)
        observed = observe_issue(
            reader, job.issue, repo, self.app.bot_login, rebuild=job.rebuild, open_pulls=pulls, shown=shown,
        )
        looked_up = self._look_up(job, observed, repo.rules)
        return repo, replace(observed, lookups=looked_up, handling=job.command, now=_now())

    def _look_up(self, job: IssueJob, observed: Observed, rules: Rules) -> Facts:
        """What the sources say about an open paper submission's links (never raises for their faults)."""
        wanted = submission_wanted(observed, paper_form(), rules)
        if self.sources is None or wanted.empty:
            return NO_FACTS
        client = self.app.client(job.installation_id)  # the installation token looks up code repositories
        return self.sources.gather(wanted, rules.enabled_sources, lambda name: repository_facts(client, name))

    def _read_back(self, reader: RepoReader, executor: WriteExecutor) -> None:
        """After posting a status without having created the PR, keep the oldest status comment
        and drop any another replica posted at the same moment."""
        for issue in sorted(executor.read_back):
            doubles = status_comments(reader.comments(issue), self.app.bot_login)[1:]
            executor.execute([DeleteComment(issue, comment.id) for comment in doubles])
        executor.read_back.clear()

    def _with_retries(self, action: Callable[[], T], installation_id: int | None = None) -> T:
        """Run `action` under the one retry layer (`bot.gateway.retry`); each retry runs the
        whole action again, so a write whose outcome is unknown is read back before it is repeated."""
        return self.retrier.run(action, installation_id)

    def _note_failure(self, job: IssueJob, error: Exception) -> None:
        """Best effort: tell the submitter the bot will try again (when waiting may cure the
        error) or that it stopped and why; never raise."""
        try:
            reader = self._reader(job.installation_id, job.repository)
            executor = self._executor(job.installation_id, job.repository)
            statuses = status_comments(reader.comments(job.issue), self.app.bot_login)
            again = retryable(error)
            reason = describe(error) if again else refusal(error)
            notice = plan_retry_notice(job.issue, reason, statuses[0] if statuses else None, retrying=again)
            self.fresh.wrote(_key(job))
            executor.execute(notice.writes)
            self._read_back(reader, executor)
        except Exception:
            log.warning("could not post the failure notice", extra=fields(**_ids(job)))


def _as_delivered(job: CommandJob, comment: CommentView) -> bool:
    """Whether a command comment, read again, is still the command that was delivered."""
    unchanged = not job.digest or body_digest(comment.body) == job.digest
    return unchanged and comment.author == job.author and command_in(comment.body) == job.command


def _now() -> dt.datetime:
    """The time a command's age is judged against (GitHub's comment times are UTC)."""
    return dt.datetime.now(dt.UTC)


def _number(pull: PullView | None) -> int | None:
    return pull.number if pull is not None else None


def _key(job: IssueJob) -> tuple[int, str, int]:
    return job.installation_id, job.repository, job.issue


def _ids(job: IssueJob) -> dict[str, Any]:
    return {
        "delivery_id": job.delivery_id,
        "installation_id": job.installation_id,
        "repository": job.repository,
        "issue": job.issue,
    }

