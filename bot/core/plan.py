"""Planning: from what GitHub holds now to what listbot must change for one submission issue."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

from bot.core import lint, messages
from bot.core.document import ListDocument
from bot.core.duplicates import ListedEntry, listed_entries
from bot.core.forms import IssueForm, parse_issue
from bot.core.kind_forms import builtin_forms
from bot.core.kinds import Kind, choose_kind
from bot.core.markdown_blocks import read_blocks
from bot.core.markers import fingerprint, read_marker
from bot.core.proposal import Proposal, propose
from bot.core.rules import Rules
from bot.core.submission import FieldProblem, SubmissionError

OPEN_PULL_SECTION = "Open pull request"
_DEFUSED = "\u200b"
_SHARED_FIELDS = frozenset({"code_url", "model_url"})  # links an entry may share with another one
_TITLE_PREFIX = re.compile(r"^Add [^:]{1,40}: ")  # messages.pull_title's "Add {noun}: "


@dataclass(frozen=True)
class IssueView:
    number: int
    title: str
    body: str
    state: str  # "open" | "closed"
    labels: frozenset[str] = frozenset()
    is_pull_request: bool = False
    gone: bool = False  # deleted or transferred away: it answers 404/410


@dataclass(frozen=True)
class PullView:
    number: int
    state: str  # "open" | "closed"
    merged: bool
    head_ref: str
    head_sha: str
    title: str
    body: str


@dataclass(frozen=True)
class CommentView:
    id: int
    body: str


@dataclass(frozen=True)
class BaseView:
    """The default branch: its name, head commit and the list file there (None if missing)."""

    branch: str
    sha: str
    list_text: str | None
    tree_sha: str = ""  # the head commit's tree, so a new commit can reuse it
    list_blob_sha: str = ""  # the list file's blob, for a contents-API update


@dataclass(frozen=True)
class Observed:
    """Everything reconcile read from GitHub about one submission issue."""

    issue: IssueView
    base: BaseView
    pull: PullView | None = None
    status: CommentView | None = None
    branch_foreign: bool = False  # the branch's head commit was not made by listbot
    others: tuple[ListedEntry, ...] = ()  # entries proposed by other open listbot PRs
    config_problems: tuple[str, ...] = ()  # what is wrong with the repository's .github/listbot.yml
    forms: Mapping[str, IssueForm] = field(default_factory=dict)  # each kind's form on the default branch


@dataclass(frozen=True)
class BranchWrite:
    """Point the issue's branch at one new commit on top of `base_sha` holding `list_text`."""

    list_text: str
    base_sha: str
    message: str


@dataclass(frozen=True)
class PullWrite:
    """The PR as it must be: open, with this title, and a body built once the head is known."""

    title: str
    entry: tuple[str, ...]
    section: str
    list_hash: str

    def body(self, issue: int, head_sha: str) -> str:
        marker = {"issue": issue, "list": self.list_hash, "head": head_sha}
        return messages.pull_body(issue, list(self.entry), self.section, marker)


@dataclass(frozen=True)
class Plan:
    """What must change; an empty plan means GitHub already shows the desired state."""

    reason: str
    labels_add: frozenset[str] = frozenset()
    labels_remove: frozenset[str] = frozenset()
    reopen_pull: bool = False
    branch: BranchWrite | None = None
    pull: PullWrite | None = None
    close_pull: str | None = None  # a comment explaining why, posted on the PR
    delete_branch: bool = False
    status: Callable[[int | None], str] | None = field(default=None, compare=False)

    @property
    def is_noop(self) -> bool:
        return not (
            self.labels_add or self.labels_remove or self.reopen_pull or self.branch
            or self.pull or self.close_pull or self.delete_branch or self.status
        )


def kind_forms_of(observed_forms: Mapping[str, IssueForm], form: IssueForm, rules: Rules) -> dict[str, IssueForm]:
    """Each kind's form: the repository's own as observed, else the built-in one (`form` for papers)."""
    return {**builtin_forms(rules.kinds), "paper": form, **observed_forms}


def issue_kind(issue: IssueView, forms: Mapping[str, IssueForm], rules: Rules) -> Kind | None:
    """The kind an issue submits: from its kind label, else from the form its body came from."""
    return choose_kind(rules.kinds, forms, issue.labels, issue.body)


def is_submission(
    issue: IssueView, form: IssueForm, rules: Rules, forms: Mapping[str, IssueForm] | None = None
) -> bool:
    """An issue carrying the submission label or a kind's label, or whose body came from a kind's form."""
    if issue.is_pull_request:
        return False
    if rules.submission_label in issue.labels:
        return True
    return issue_kind(issue, kind_forms_of(forms or {}, form, rules), rules) is not None


def proposed_entries(pulls: Iterable[PullView], rules: Rules, exclude_issue: int) -> list[ListedEntry]:
    """Entries other open listbot PRs propose (read back from their bodies), for duplicates."""
    found: list[ListedEntry] = []
    for pull in pulls:
        issue = rules.issue_of_branch(pull.head_ref)
        if pull.state != "open" or issue is None or issue == exclude_issue:
            continue
        found.extend(_entries_in_body(pull.number, pull.body))
    return found


@lru_cache(maxsize=4096)
def _entries_in_body(number: int, body: str) -> tuple[ListedEntry, ...]:
    """The entry a listbot PR body shows; memoised, as every reconcile reads every open PR."""
    lines = body.replace("\r\n", "\n").split("\n")
    fence = next((f for f in read_blocks(lines).fences if f.info == "markdown" and f.closed), None)
    if fence is None:
        return ()
    entry = "\n".join(lines[fence.start + 1:fence.end - 1]).replace(_DEFUSED, "")
    return tuple(listed_entries(ListDocument(f"## {OPEN_PULL_SECTION} #{number}\n\n{entry}\n")))


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


def _finish_status(plan: Plan, observed: Observed) -> Plan:
    """Add what every status carries (the PR's provenance, configuration problems), then drop
    the status from the plan when the current comment already says exactly that."""
    if plan.status is None or observed.issue.gone:
        return replace(plan, status=None)
    render = plan.status
    closed_by_listbot = plan.close_pull is not None or (_listbot_closed(observed) and not plan.reopen_pull)
    problems = observed.config_problems

    def finished(pull: int | None) -> str:
        text = messages.with_marker_fields(render(pull), {"listbot_closed": closed_by_listbot})
        return messages.with_config_problems(text, problems) if problems else text

    current = observed.status.body if observed.status else None
    unchanged = current == finished(observed.pull.number if observed.pull else None)
    return replace(plan, status=None if unchanged else finished)


def _with_labels(plan: Plan, observed: Observed, rules: Rules, needs_changes: bool) -> Plan:
    """The plan, plus adding or removing the needs-changes label where it is not yet right."""
    label = frozenset({rules.needs_changes_label})
    has = rules.needs_changes_label in observed.issue.labels
    if needs_changes and not has:
        return replace(plan, labels_add=label)
    if has and not needs_changes:
        return replace(plan, labels_remove=label)
    return plan


def _fixed(text: str) -> Callable[[int | None], str]:
    """A status renderer for text that does not depend on a PR number yet to be created."""
    return lambda _pull: text


def _plan_closed(observed: Observed) -> Plan:
    issue, pull = observed.issue.number, observed.pull
    if pull is not None and pull.merged:
        merged = _fixed(messages.merged_comment(issue, pull.number, _title(pull)))
        return Plan("merged", delete_branch=True, status=merged)
    if pull is None:
        if observed.status is None:
            return Plan("closed before any pull request")
        return Plan("closed", status=_fixed(messages.closed_comment(issue, None)))
    return Plan(
        "closed unmerged",
        close_pull="" if pull.state == "open" else None,
        delete_branch=True,
        status=_fixed(messages.closed_comment(issue, pull.number)),
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


def _plan_invalid(observed: Observed, rules: Rules, problems: list[FieldProblem]) -> Plan:
    issue, pull = observed.issue.number, observed.pull
    section = _landed_in(observed, problems)
    if section is not None and pull is not None:
        text = messages.already_listed_comment(issue, pull.number, _title(pull), section, observed.base.branch)
        is_open = pull.state == "open"
        return Plan(
            "landed meanwhile", close_pull=text if is_open else None, delete_branch=is_open,
            status=_fixed(text),
        )
    close = None
    if pull is not None and pull.state == "open" and not pull.merged:
        close = messages.PULL_CLOSED_INVALID.format(issue=issue)
    plan = Plan(
        "invalid",
        close_pull=close,
        status=_fixed(messages.invalid_comment(issue, problems, _number(pull))),
    )
    return _with_labels(plan, observed, rules, needs_changes=True)


def _new_lint_findings(before: str, after: str, rules: Rules, forms: Mapping[str, IssueForm]) -> list[str]:
    """Findings the entry would add to the list (ones already on the base are not its fault)."""
    def key(finding: lint.Finding) -> tuple[str, str]:
        return finding.code, finding.message

    existing = {key(f) for f in lint.lint(before, rules.kinds, forms)}
    found = lint.lint(after, rules.kinds, forms)
    return [f"line {f.line}: {f.code} {f.message}" for f in found if key(f) not in existing]


def _plan_valid(observed: Observed, rules: Rules, proposal: Proposal, rebuild: bool) -> Plan:
    plan = _plan_valid_unlabelled(observed, rules, proposal, rebuild)
    return _with_labels(plan, observed, rules, needs_changes=False)


def _plan_valid_unlabelled(observed: Observed, rules: Rules, proposal: Proposal, rebuild: bool) -> Plan:
    issue, pull, base = observed.issue.number, observed.pull, observed.base
    if pull is not None and pull.state == "closed" and not rebuild and not _listbot_closed(observed):
        # A maintainer closed the PR: that is a decision, not drift to repair.
        closed = _fixed(messages.maintainer_closed_comment(issue, pull.number))
        return Plan("pull request closed by a maintainer", status=closed)
    if pull is not None and pull.state == "open" and observed.branch_foreign:
        hands_off = _fixed(messages.hands_off_comment(issue, pull.number, rules.branch(issue)))
        return Plan("branch changed by someone else", status=hands_off)
    findings = _new_lint_findings(proposal.before, proposal.after, rules, proposal.forms)
    if findings:
        lint_failed = _fixed(messages.lint_failed_comment(issue, findings, _number(pull)))
        return Plan("would fail lint", status=lint_failed)

    list_hash = fingerprint(proposal.after)
    marker = read_marker(messages.PULL_KIND, pull.body) if pull else None
    branch_current = not rebuild and bool(
        pull and pull.state == "open" and marker
        and marker.get("list") == list_hash and marker.get("head") == pull.head_sha
    )
    noun = proposal.submission.kind.noun
    title = messages.pull_title(proposal.submission.title, noun)
    want = PullWrite(title, tuple(proposal.entry), proposal.submission.section, list_hash)
    branch = None
    if not branch_current:
        branch = BranchWrite(proposal.after, base.sha, messages.commit_message(proposal.submission.title, issue, noun))
    # The marker says the PR was written for exactly this list: its title and body are then ours
    # already, or a maintainer's edits, which listbot does not fight.
    pull_current = bool(pull and branch_current and pull.state == "open")

    def proposed(pull_number: int | None) -> str:
        submission = proposal.submission
        return messages.proposed_comment(
            issue, pull_number or 0, submission.title, submission.section, proposal.changes, proposal.warnings
        )

    return Plan(
        "valid",
        reopen_pull=bool(pull and pull.state == "closed"),
        branch=branch,
        pull=None if pull_current else want,
        status=proposed,
    )


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
        return Plan("issue gone", close_pull="" if pull and pull.state == "open" else None, delete_branch=True)
    return _finish_status(_plan_by_state(observed, form, rules, today, rebuild), observed)


def _plan_by_state(observed: Observed, form: IssueForm, rules: Rules, today: dt.date | None, rebuild: bool) -> Plan:
    issue = observed.issue
    forms = kind_forms_of(observed.forms, form, rules)
    if not is_submission(issue, form, rules, forms):
        return Plan("not a submission")
    if issue.state == "closed" or (observed.pull is not None and observed.pull.merged):
        return _plan_closed(observed)
    if observed.base.list_text is None:
        problem = FieldProblem("list", "List", f"`{rules.list_path}` does not exist on `{observed.base.branch}`.")
        return _plan_invalid(observed, rules, [problem])
    kind = issue_kind(issue, forms, rules) or next(iter(rules.kinds), None)
    kind_form = forms.get(kind.name) if kind is not None else None
    if kind is None or kind_form is None:
        return _plan_invalid(observed, rules, [_no_kind_problem(kind, rules, observed.base.branch)])
    parsed = parse_issue(issue.body, kind_form)
    try:
        proposal = propose(
            parsed.values, observed.base.list_text, today=today,
            also_listed=observed.others, placement=rules.placement, kind=kind, form=kind_form,
            kinds=rules.kinds, forms=forms, strays=parsed.strays,
        )
    except SubmissionError as error:
        return _plan_invalid(observed, rules, error.problems)
    return _plan_valid(observed, rules, proposal, rebuild)


def _no_kind_problem(kind: Kind | None, rules: Rules, branch: str) -> FieldProblem:
    """Why a submission cannot be read at all: no kind is configured, or its form is missing."""
    if kind is None:
        return FieldProblem("kind", "Kind", "`.github/listbot.yml` defines no usable kind; fix its `kinds:` so "
                            "submissions can be read.")
    return FieldProblem("kind", "Kind", f"the form of the `{kind.name}` kind, `{kind.form_path}`, is missing or "
                        f"invalid on `{branch}`; a maintainer needs to fix it.")
