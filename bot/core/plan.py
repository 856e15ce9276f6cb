"""Planning: from what GitHub holds now to the writes listbot must make for one submission issue.

A plan is plain data: primitive writes (`bot.core.writes`) with every text already rendered. A
write whose text needs an earlier write's result (the PR body records the new head commit, the
status names a new PR) is left to the next round: the reconciler folds each round's results into
what it observed (`after`) and plans again until the plan is empty.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from bot.core import lint, messages
from bot.core.autofill import Checked
from bot.core.commands import LOG_FIELD, PostedCommand, adopted_log, next_log
from bot.core.document import parsed
from bot.core.duplicates import ListedEntry
from bot.core.edit_lint import added_findings, adds_no_findings, base_line
from bot.core.facts import BaseView, CommentView, IssueView, PullView
from bot.core.forms import IssueForm, parse_issue
from bot.core.kinds import PAPER, Kind
from bot.core.lookups import NO_FACTS, Facts, Wanted, wanted
from bot.core.markers import edit_fingerprint, fingerprint, is_text_fingerprint, read_marker
from bot.core.ownership import recorded_pull
from bot.core.proposal import Proposal, propose
from bot.core.rules import Rules
from bot.core.shown import code_span
from bot.core.sourced import SourceWait, propose_sourced
from bot.core.submission import FieldProblem, SubmissionError
from bot.core.triage import OPEN_PULL_SECTION, is_submission, issue_kind, kind_forms_of, proposed_entries
from bot.core.venues import table_for
from bot.core.writes import (
    AddLabels,
    BranchWritten,
    ClosePull,
    CommentPosted,
    CreatePull,
    DeleteBranch,
    DeleteComment,
    EditComment,
    EditPull,
    PostComment,
    PostStatus,
    PullOpened,
    RemoveLabel,
    Reopened,
    ReopenPull,
    Result,
    Write,
    WriteBranch,
)

_SHARED_FIELDS = frozenset({"code_url", "model_url"})  # links an entry may share with another one
_TITLE_PREFIX = re.compile(r"^Add [^:]{1,40}: ")  # messages.pull_title's "Add {noun}: "

__all__ = [
    "BaseView", "BranchState", "CommentView", "IssueView", "Observed", "Plan", "PullView",
    "after", "is_submission", "plan_issue", "plan_retry_notice", "proposed_entries", "submission_wanted",
]

@dataclass(frozen=True)
class BranchState:
    """What this run did to the issue's branch: wrote it to hold a list, or deleted it (None)."""

    head_sha: str | None
    list_text: str = ""  # the very string written: compared, it is most often the same object


@dataclass(frozen=True)
class Observed:
    """Everything reconcile read from GitHub about one submission issue (plus its own writes)."""

    issue: IssueView
    base: BaseView
    pull: PullView | None = None
    status: CommentView | None = None
    branch_foreign: bool = False  # the branch's head commit was not made by listbot
    others: tuple[ListedEntry, ...] = ()  # entries proposed by other open listbot PRs
    config_problems: tuple[str, ...] = ()  # what is wrong with the repository's .github/listbot.yml
    forms: Mapping[str, IssueForm] = field(default_factory=dict)  # each kind's form on the default branch
    surplus: tuple[int, ...] = ()  # doubled status comments (two replicas posted at once) to delete
    branch: BranchState | None = None  # set once this run wrote or deleted the branch
    reopened: bool = False  # this run reopened the PR: its branch is rebuilt on the current base
    lookups: Facts = NO_FACTS  # what arXiv, Crossref, GitHub and the Hub said about the submission's links
    commands: tuple[PostedCommand, ...] = ()  # the issue's `/listbot` command comments
    handling: int | None = None  # the command comment this reconcile carries out: the status logs it
    now: dt.datetime | None = None  # when it was read: a status from before the log adopts older commands


@dataclass(frozen=True)
class Plan:
    """The writes that must happen, in order; an empty plan means GitHub already shows the
    desired state (once earlier rounds' writes are counted)."""

    reason: str
    writes: tuple[Write, ...] = ()

    @property
    def is_noop(self) -> bool:
        return not self.writes


@dataclass(frozen=True)
class _PullText:
    title: str
    entry: tuple[str, ...]
    section: str
    list_id: str  # what the PR marker records as the list (`_list_identity`)


@dataclass(frozen=True)
class _Intent:
    """What the issue's PR, branch, labels and status must become, before it is put in order."""

    reason: str
    labels_add: frozenset[str] = frozenset()
    labels_remove: frozenset[str] = frozenset()
    close_pull: bool = False
    close_comment: str | None = None  # posted on the PR when closing it
    reopen_pull: bool = False
    branch: tuple[str, str] | None = None  # (list text, commit message) for a new branch commit
    pull: _PullText | None = None
    delete_branch: bool = False
    status: str | None = None


def _listbot_closed(observed: Observed) -> bool:
    """Whether listbot itself closed the (still closed) PR, as its status marker records.

    Only such a PR may be reopened; one a maintainer closed stays closed whatever the submitter
    does next, until a maintainer runs `/listbot recreate`.
    """
    pull = observed.pull
    marker = read_marker(messages.STATUS_KIND, observed.status.body) if observed.status else None
    if pull is None or pull.state != "closed" or pull.merged or not marker:
        return False
    return marker.get("listbot_closed") is True and marker.get("pull") == pull.number


def _finished_status(intent: _Intent, observed: Observed) -> str | None:
    """The status text with what every status carries (who closed the PR, configuration
    problems), or None when there is none or the current comment already says exactly that."""
    if intent.status is None or observed.issue.gone:
        return None
    closed_by_listbot = intent.close_pull or (_listbot_closed(observed) and not intent.reopen_pull)
    text = messages.with_marker_fields(intent.status, {"listbot_closed": closed_by_listbot})
    if observed.config_problems:
        text = messages.with_config_problems(text, observed.config_problems)
    current = observed.status.body if observed.status else None
    log = next_log(observed.status, observed.commands, observed.handling, observed.now)
    if log is None:  # a status from before the command log gets one when it is rewritten anyway
        if current == text:
            return None
        log = adopted_log(observed.commands, observed.now)
    text = messages.with_marker_fields(text, {LOG_FIELD: log.as_marker()})
    return None if current == text else text


def _with_labels(intent: _Intent, observed: Observed, rules: Rules, needs_changes: bool) -> _Intent:
    """The intent, plus adding or removing the needs-changes label where it is not yet right."""
    label = frozenset({rules.needs_changes_label})
    has = rules.needs_changes_label in observed.issue.labels
    if needs_changes and not has:
        return replace(intent, labels_add=label)
    if has and not needs_changes:
        return replace(intent, labels_remove=label)
    return intent


def _branch_deleted(observed: Observed) -> bool:
    return observed.branch is not None and observed.branch.head_sha is None


def _is_open(pull: PullView | None) -> bool:
    return pull is not None and pull.state == "open"


def _plan_closed(observed: Observed) -> _Intent:
    issue, pull = observed.issue.number, observed.pull
    if pull is not None and pull.merged:
        merged = messages.merged_comment(issue, pull.number, _title(pull))
        return _Intent("merged", delete_branch=True, status=merged)
    if pull is None:
        if observed.status is None:
            return _Intent("closed before any pull request")
        return _Intent("closed", status=messages.closed_comment(issue, None))
    return _Intent(
        "closed unmerged",
        close_pull=pull.state == "open",
        delete_branch=True,
        status=messages.closed_comment(issue, pull.number),
    )


def _number(pull: PullView | None) -> int | None:
    return pull.number if pull is not None else None


def _title(pull: PullView) -> str:
    return _TITLE_PREFIX.sub("", pull.title, count=1)


def _landed_in(observed: Observed, problems: list[FieldProblem]) -> str | None:
    """The section where our PR's entry now sits on the default branch, if it got there.

    Only the entry itself counts (its title, name or own links), not a shared code repository.
    """
    pull = observed.pull
    if pull is None or pull.merged:
        return None
    return next(
        (p.duplicate_in for p in problems
         if p.duplicate_in and p.field not in _SHARED_FIELDS
         and not p.duplicate_in.startswith(OPEN_PULL_SECTION)),
        None,
    )


def _plan_invalid(observed: Observed, rules: Rules, problems: list[FieldProblem]) -> _Intent:
    issue, pull = observed.issue.number, observed.pull
    section = _landed_in(observed, problems)
    if section is not None and pull is not None:
        text = messages.already_listed_comment(issue, pull.number, _title(pull), section, observed.base.branch)
        is_open = pull.state == "open"
        return _Intent(
            "landed meanwhile", close_pull=is_open, close_comment=text, delete_branch=is_open, status=text,
        )
    closing = pull is not None and pull.state == "open" and not pull.merged
    intent = _Intent(
        "invalid",
        close_pull=closing,
        close_comment=messages.PULL_CLOSED_INVALID.format(issue=issue),
        status=messages.invalid_comment(issue, problems, _number(pull)),
    )
    return _with_labels(intent, observed, rules, needs_changes=True)


@lru_cache(maxsize=4)
def _findings(text: str, kinds: tuple[Kind, ...], forms: tuple[tuple[str, IssueForm], ...]) -> tuple[lint.Finding, ...]:
    """`lint.lint`, remembered for the last few texts: every submission on one base commit shares
    the base list's findings, and a redelivery or resync lints the same edited list again."""
    return tuple(lint.lint(text, kinds, dict(forms)))


def _list_identity(proposal: Proposal, base_blob_sha: str, path: str) -> str:
    """What a PR marker records as the edited list: the name `edit_fingerprint` gives it from the
    base list's blob, its path and the edits (it costs what the edit costs, not what the list
    costs), or, when the blob is not known or no edits are recorded, the list's own `fingerprint`."""
    if base_blob_sha and proposal.insertion.edits:
        return edit_fingerprint(base_blob_sha, path, proposal.insertion.edits)
    return fingerprint(proposal.after)


def _new_lint_findings(proposal: Proposal, rules: Rules) -> list[str]:
    """Findings the entry would add to the list (ones already on the base are not its fault).

    For the usual edit `edit_lint` shows without a lint that it adds none; otherwise both lists
    are linted and `added_findings` matches their findings by `Finding.identity` (line numbers
    move below the entry), each base finding excusing one edited-list finding: a third copy of a
    problem the base has twice is new, and it is the copy on the entry's lines that is shown."""
    kinds, forms, edits = tuple(rules.kinds), proposal.forms, proposal.insertion.edits
    if adds_no_findings(parsed(proposal.before), edits, kinds, forms):
        return []
    known = tuple(sorted(forms.items()))
    added = added_findings(_findings(proposal.before, kinds, known), _findings(proposal.after, kinds, known), edits)
    return [messages.lint_finding(f.line, f.code, f.message, in_entry=base_line(edits, f.line) is None) for f in added]


def _plan_valid(observed: Observed, rules: Rules, proposal: Proposal, rebuild: bool) -> _Intent:
    intent = _plan_valid_unlabelled(observed, rules, proposal, rebuild)
    return _with_labels(intent, observed, rules, needs_changes=False)


def _recorded_for(pull: PullView | None, list_id: str, proposal: Proposal) -> bool:
    """Whether the open PR's marker says listbot wrote it for exactly this list at its head.

    A PR written before markers named the list by its edits records the list's `fingerprint`:
    for such a marker alone the list is hashed, so a PR that is right stays untouched.
    """
    marker = read_marker(messages.PULL_KIND, pull.body) if pull else None
    if not (pull and pull.state == "open" and marker and marker.get("head") == pull.head_sha):
        return False
    recorded = marker.get("list")
    if recorded == list_id:
        return True
    older = is_text_fingerprint(recorded) and not is_text_fingerprint(list_id)
    return older and recorded == fingerprint(proposal.after)


def _plan_valid_unlabelled(observed: Observed, rules: Rules, proposal: Proposal, rebuild: bool) -> _Intent:
    issue, pull = observed.issue.number, observed.pull
    if pull is not None and pull.state == "closed" and not rebuild and not _listbot_closed(observed):
        # A maintainer closed the PR: that is a decision, not drift to repair.
        closed = messages.maintainer_closed_comment(issue, pull.number)
        return _Intent("pull request closed by a maintainer", status=closed)
    if _is_open(pull) and observed.branch_foreign:
        assert pull is not None
        hands_off = messages.hands_off_comment(issue, pull.number, rules.branch(issue))
        return _Intent("branch changed by someone else", status=hands_off)
    list_id = _list_identity(proposal, observed.base.list_blob_sha, rules.list_path)
    written = observed.branch if observed.branch and observed.branch.head_sha else None
    recorded = _recorded_for(pull, list_id, proposal)
    # A PR whose marker records exactly this list was linted when listbot wrote it: nothing to check again.
    if not (recorded and not rebuild and not observed.reopened):
        findings = _new_lint_findings(proposal, rules)
        if findings:
            return _Intent("would fail lint", status=messages.lint_failed_comment(issue, findings, _number(pull)))

    # A branch this run wrote is current by construction; `/listbot recreate` and a reopened PR
    # get theirs rewritten once.
    branch_current = written.list_text == proposal.after if written else not (rebuild or observed.reopened) and recorded
    noun = proposal.submission.kind.noun
    title = messages.pull_title(proposal.submission.title, noun)
    branch = None
    if not branch_current:
        branch = (proposal.after, messages.commit_message(proposal.submission.title, issue, noun))
    # The marker says the PR was written for exactly this list: its title and body are then ours
    # already, or a maintainer's edits, which listbot does not fight.
    pull_current = recorded and branch_current
    want = _PullText(title, tuple(proposal.entry), proposal.submission.section, list_id)
    submission = proposal.submission
    proposed = messages.proposed_comment(
        issue, _number(pull) or 0, submission.title, submission.section, proposal.changes, proposal.warnings
    )
    return _Intent(
        "valid",
        reopen_pull=bool(pull and pull.state == "closed"),
        branch=branch,
        pull=None if pull_current else want,
        status=proposed,
    )


def _pull_body(issue: int, want: _PullText, head_sha: str) -> str:
    marker = {"issue": issue, "list": want.list_id, "head": head_sha}
    return messages.pull_body(issue, list(want.entry), want.section, marker)


def _in_order(intent: _Intent, observed: Observed, rules: Rules) -> Plan:
    """The intent as primitive writes in the order they must happen, up to the first write whose
    result later texts need (the next round plans the rest from that result)."""
    issue, pull, base = observed.issue.number, observed.pull, observed.base
    writes: list[Write] = [DeleteComment(issue, comment_id) for comment_id in observed.surplus]
    if intent.labels_add:
        writes.append(AddLabels(issue, tuple(sorted(intent.labels_add))))
    writes += [RemoveLabel(issue, label) for label in sorted(intent.labels_remove)]
    if intent.close_pull and pull is not None:
        writes.append(ClosePull(pull.number))
        if intent.close_comment:
            writes.append(PostComment(pull.number, intent.close_comment))
    if intent.reopen_pull and pull is not None:
        # Whether GitHub can reopen it decides what follows: a push to it, or a new PR.
        return Plan(intent.reason, (*writes, ReopenPull(pull.number, pull.head_ref, pull.head_sha)))
    if intent.branch is not None:
        text, message = intent.branch
        write = WriteBranch(
            rules.branch(issue), rules.list_path, text, message, base.sha, base.tree_sha, base.list_blob_sha,
            shown_by_open_pull=_is_open(pull), expect_new=pull is None,
        )
        return Plan(intent.reason, (*writes, write))  # the PR body records the new head
    if intent.pull is not None:
        head = observed.branch.head_sha if observed.branch and observed.branch.head_sha else None
        body = _pull_body(issue, intent.pull, head or (pull.head_sha if pull else ""))
        if pull is not None and pull.state == "open":
            writes.append(EditPull(pull.number, intent.pull.title, body))
        else:
            create = CreatePull(rules.branch(issue), base.branch, intent.pull.title, body)
            return Plan(intent.reason, (*writes, create))  # the status names the new PR
    if intent.delete_branch and not _branch_deleted(observed):
        writes.append(DeleteBranch(rules.branch(issue)))
    status = _finished_status(intent, observed)
    if status is not None:
        writes.append(_status_write(issue, observed.status, status))
    return Plan(intent.reason, tuple(writes))


def _status_write(issue: int, current: CommentView | None, text: str) -> Write:
    return PostStatus(issue, text) if current is None else EditComment(issue, current.id, text)


def plan_issue(
    observed: Observed, form: IssueForm, rules: Rules, today: dt.date | None = None, *, rebuild: bool = False
) -> Plan:
    """Decide what must change so GitHub shows the right PR and status for this issue.

    `rebuild` (a maintainer's `/listbot recreate`) rewrites the branch and PR even when they
    look current or someone else committed to the branch.
    """
    if rebuild:
        observed = replace(observed, branch_foreign=False)
    issue = observed.issue
    if issue.gone:
        pull = observed.pull
        if pull is not None and pull.merged:
            return Plan("issue gone")
        intent = _Intent("issue gone", close_pull=_is_open(pull), delete_branch=True)
        return _in_order(intent, observed, rules)
    return _in_order(_plan_by_state(observed, form, rules, today, rebuild), observed, rules)


def _plan_by_state(observed: Observed, form: IssueForm, rules: Rules, today: dt.date | None, rebuild: bool) -> _Intent:
    issue = observed.issue
    forms = kind_forms_of(observed.forms, form, rules)
    if not is_submission(issue, form, rules, forms):
        return _Intent("not a submission")
    if issue.state == "closed" or (observed.pull is not None and observed.pull.merged):
        return _plan_closed(observed)
    if observed.base.list_text is None:
        where = f"{code_span(rules.list_path)} does not exist on {code_span(observed.base.branch)}."
        problem = FieldProblem("list", "List", where)
        return _plan_invalid(observed, rules, [problem])
    kind = issue_kind(issue, forms, rules) or next(iter(rules.kinds), None)
    kind_form = forms.get(kind.name) if kind is not None else None
    if kind is None or kind_form is None:
        return _plan_invalid(observed, rules, [_no_kind_problem(kind, rules, observed.base.branch)])
    parsed = parse_issue(issue.body, kind_form)
    options: dict[str, Any] = {
        "today": today, "also_listed": observed.others, "placement": rules.placement, "kind": kind,
        "form": kind_form, "kinds": rules.kinds, "forms": forms, "strays": parsed.strays,
        "venues": table_for(rules.venues),
    }
    checked = None
    try:
        if kind.builtin and kind.name == PAPER.name:
            proposal, checked = propose_sourced(parsed.values, observed.lookups, observed.base.list_text, **options)
        else:
            proposal = propose(parsed.values, observed.base.list_text, **options)
    except SourceWait as wait:
        return _plan_waiting(observed, wait.checked)
    except SubmissionError as error:
        return _plan_invalid(observed, rules, error.problems)
    intent = _plan_valid(observed, rules, proposal, rebuild)
    if checked is None or intent.status is None or intent.reason != "valid":
        return intent
    return replace(intent, status=messages.with_source_notes(intent.status, checked.notes, checked.retry))


def _plan_waiting(observed: Observed, checked: Checked) -> _Intent:
    """Fields left for a source to fill, and it did not answer: say so and leave everything else as it is."""
    issue, pull = observed.issue.number, _number(observed.pull)
    text = messages.waiting_comment(issue, checked.waiting_on, checked.waiting_for, pull)
    return _Intent("waiting for a source", status=text)


def submission_wanted(observed: Observed, form: IssueForm, rules: Rules) -> Wanted:
    """What the sources should be asked about this issue: its paper's links, if it is an open paper submission."""
    issue = observed.issue
    forms = kind_forms_of(observed.forms, form, rules)
    if issue.gone or issue.state != "open" or observed.base.list_text is None or not is_submission(
        issue, form, rules, forms
    ):
        return Wanted()
    kind = issue_kind(issue, forms, rules) or next(iter(rules.kinds), None)
    if kind is None or not (kind.builtin and kind.name == PAPER.name) or kind.name not in forms:
        return Wanted()
    return wanted(parse_issue(issue.body, forms[kind.name]).values)


def _no_kind_problem(kind: Kind | None, rules: Rules, branch: str) -> FieldProblem:
    """Why a submission cannot be read at all: no kind is configured, or its form is missing."""
    if kind is None:
        return FieldProblem("kind", "Kind", "`.github/listbot.yml` defines no usable kind; fix its `kinds:` so "
                            "submissions can be read.")
    return FieldProblem("kind", "Kind", f"the form of the `{kind.name}` kind, `{kind.form_path}`, is missing or "
                        f"invalid on {code_span(branch)}; a maintainer needs to fix it.")


def plan_retry_notice(issue: int, reason: str, status: CommentView | None, *, retrying: bool = True) -> Plan:
    """Say in the status comment that processing failed, and that it will be retried when
    `retrying` (waiting may cure the error) or what happens next when not, keeping what the last
    status recorded about the PR and who closed it."""
    marker = read_marker(messages.STATUS_KIND, status.body) if status else None
    notice = messages.retrying_comment if retrying else messages.failed_comment
    text = notice(issue, reason, recorded_pull(status))
    kept: dict[str, object] = {"listbot_closed": bool(marker and marker.get("listbot_closed"))}
    if (log := next_log(status, ())) is not None:  # the command log is kept as it is
        kept[LOG_FIELD] = log.as_marker()
    text = messages.with_marker_fields(text, kept)
    if status is not None and status.body == text:
        return Plan("retry notice already posted")
    return Plan("retry notice", (_status_write(issue, status, text),))


def after(observed: Observed, writes: Sequence[Write], results: Sequence[Result]) -> Observed:
    """What GitHub holds once `writes` were made with these `results`: the next round's facts."""
    for write, result in zip(writes, results, strict=True):
        observed = _after_one(observed, write, result)
    return observed


def _after_one(observed: Observed, write: Write, result: Result) -> Observed:
    issue, pull = observed.issue, observed.pull
    match write:
        case AddLabels(labels=labels):
            return replace(observed, issue=replace(issue, labels=issue.labels | set(labels)))
        case RemoveLabel(label=label):
            return replace(observed, issue=replace(issue, labels=issue.labels - {label}))
        case DeleteComment(comment_id=gone):
            return replace(observed, surplus=tuple(i for i in observed.surplus if i != gone))
        case PostStatus(body=body) if isinstance(result, CommentPosted):
            return replace(observed, status=CommentView(result.comment_id, body))
        case EditComment(comment_id=comment_id, body=body) if observed.status and observed.status.id == comment_id:
            return replace(observed, status=replace(observed.status, body=body))
        case ClosePull() if pull is not None:
            return replace(observed, pull=replace(pull, state="closed"))
        case ReopenPull() if pull is not None and isinstance(result, Reopened):
            # A PR GitHub cannot reopen is left behind: a new one replaces it.
            if not result.ok:
                return replace(observed, pull=None)
            return replace(observed, pull=replace(pull, state="open"), reopened=True)
        case WriteBranch(text=text) if isinstance(result, BranchWritten):
            moved = replace(pull, head_sha=result.head_sha) if _is_open(pull) and pull else pull
            state = BranchState(result.head_sha, text)
            return replace(observed, pull=moved, branch=state, branch_foreign=False)
        case CreatePull(head=head, title=title, body=body) if isinstance(result, PullOpened):
            head_sha = observed.branch.head_sha if observed.branch and observed.branch.head_sha else ""
            return replace(observed, pull=PullView(result.number, "open", False, head, head_sha or "", title, body))
        case EditPull(title=title, body=body) if pull is not None:
            return replace(observed, pull=replace(pull, title=title, body=body))
        case DeleteBranch():
            return replace(observed, branch=BranchState(None))
    return observed
