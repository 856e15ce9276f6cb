"""Everything listbot says on GitHub: status comments, PR titles and bodies, command replies."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.markers import read_marker, write_marker
from bot.core.sanitize import code_block, defuse_references, neutralise, neutralise_prose
from bot.core.submission import Change, FieldProblem

STATUS_KIND = "status"
PULL_KIND = "pull"
REPLY_KIND = "reply"

INVALID_INTRO = (
    "Thanks for the submission! Before I can open a pull request, a few things need fixing. "
    "**Edit this issue** (the ⋯ menu → Edit) and I will check it again."
)
PROPOSED = (
    "Thanks for the submission! I opened #{pull} which adds **{title}** to **{section}**. "
    "A maintainer will review it; if you edit this issue, I update the pull request."
)
MERGED = "🎉 #{pull} was merged: **{title}** is now on the list. Thank you for contributing!"
CLOSED = "This issue was closed, so I closed #{pull} and deleted its branch."
CLOSED_NO_PULL = "This issue was closed; there is nothing for me to do."
MAINTAINER_CLOSED = (
    "A maintainer closed #{pull}, so I will leave this submission alone. "
    "A maintainer can run `/listbot recreate` in this issue to open it again."
)
HANDS_OFF = (
    "Someone other than me pushed to `{branch}`, so I am leaving #{pull} alone. "
    "A maintainer can run `/listbot recreate` in this issue to let me rebuild it."
)
ALREADY_ON_LIST = (
    "**{title}** is already on the list in {section} (it reached `{base}` another way), "
    "so I closed #{pull}."
)
LINT_FAILED = (
    "I could not open a pull request: with this entry the list would fail `listbot lint`. "
    "A maintainer needs to look at this:"
)
# A lint-failed status's finding: its line is one of the list WITH the entry added, a file no one
# can see (no pull request was opened), so the text says which list, or that it is the entry's.
LINT_FINDING_IN_ENTRY = "in your entry (line {line} of the list once it is added): {code} {message}"
LINT_FINDING_ELSEWHERE = "line {line} of the list once your entry is added: {code} {message}"
RETRYING = (
    "I could not finish processing this submission because GitHub was unavailable or busy "
    "({reason}). I will try again automatically at the next resync; nothing needs doing."
)
# After a failure that waiting cannot cure (GitHub refused a request, or listbot itself erred):
# no promise that it sorts itself out, but what listbot does next and where the details are.
FAILED = (
    "I could not finish processing this submission: {reason}. Trying again right away would not "
    "help, so I stopped; a maintainer can find the details in listbot's log. I will look at this "
    "issue again when it is edited and at the next resync."
)
COMMAND_DECLINED = (
    "Sorry, `/listbot` commands can only be run by people with write access to this repository. "
    "A maintainer will take a look."
)
COMMAND_DONE = {
    "refresh": "Done: I read this issue, the list and `.github/listbot.yml` again and brought everything up to date.",
    "recreate": "Done: I rebuilt this submission from the default branch.",
}
COMMAND_DONE_PULL = " Its pull request is #{pull}."
COMMAND_DONE_STATUS = " The status comment above says where it stands."
COMMAND_NOTHING = "`/listbot {command}`: this issue holds no submission of mine, so there was nothing for me to do."
WAITING_FOR_SOURCE = (
    "Thanks for the submission! I am waiting for {source} to fill in {fields}, which were left empty: "
    "it did not answer just now. I will try again at the next resync; nothing needs doing, or edit "
    "this issue and fill them in yourself."
)
SOURCES_INTRO = "What the sources say:"
SOURCES_RETRY = "I will run the checks that could not run again at the next resync."
PULL_CLOSED_INVALID = (
    "Closing for now: the submission in #{issue} no longer passes validation. "
    "I will reopen this pull request when the issue is fixed."
)


def _status(text: str, issue: int, state: str, pull: int | None = None) -> str:
    marker = {"issue": issue, "state": state, "pull": pull, "listbot_closed": False}
    return f"{text}\n\n{write_marker(STATUS_KIND, marker)}"


# At most this many items in any list of problems: each quote is capped at 500 characters, so a
# comment stays far below GitHub's 65,536 (a listbot.yml with 600 unknown keys was refused).
MAX_LISTED = 50


def _bullets(items: Iterable[str]) -> str:
    """A markdown list of the first `MAX_LISTED` items, then "… and N more"."""
    listed = list(items)
    shown = [f"- {item}" for item in listed[:MAX_LISTED]]
    if len(listed) > MAX_LISTED:
        shown.append(f"- … and {len(listed) - MAX_LISTED} more")
    return "\n".join(shown)


def invalid_comment(issue: int, problems: Iterable[FieldProblem], pull: int | None = None) -> str:
    """A status comment listing every problem, each with how to fix it."""
    items = _bullets(f"**{neutralise(p.label)}**: {neutralise(p.message, keep_references=True)}" for p in problems)
    return _status(f"{INVALID_INTRO}\n\n{items}", issue, "needs-changes", pull)


CHANGES_INTRO = "I wrote some fields in the list's style; if one is wrong, edit this issue:"
WARNINGS_INTRO = "Please check:"


def _change_line(change: Change) -> str:
    label, reason = change.label.lower(), neutralise(change.reason)
    if change.written is None:
        return f"- I left out the {label}: {reason}."
    return f"- I wrote the {label} as `{neutralise(change.written).replace('`', '')}` ({reason})."


def proposed_comment(
    issue: int, pull: int, title: str, section: str, changes: Iterable[Change] = (), warnings: Iterable[str] = ()
) -> str:
    """The status of a valid submission: its PR, and every change and warning for the submitter."""
    text = PROPOSED.format(pull=pull, title=neutralise(title), section=neutralise(section))
    if lines := [_change_line(change) for change in changes]:
        text += "\n\n" + "\n".join([CHANGES_INTRO, *lines])
    if notes := [f"- {neutralise(warning)}." for warning in warnings]:
        text += "\n\n" + "\n".join([WARNINGS_INTRO, *notes])
    return _status(text, issue, "proposed", pull)


def waiting_comment(issue: int, source: str, fields: Iterable[str], pull: int | None = None) -> str:
    """The status while fields left empty wait for a source that did not answer."""
    names = [f"**{neutralise(name)}**" for name in fields]
    listed = " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)
    text = WAITING_FOR_SOURCE.format(source=neutralise(source, 120), fields=listed)
    return _status(text, issue, "waiting", pull)


def with_source_notes(status: str, notes: Iterable[str], retry: bool = False) -> str:
    """A status comment with what the sources said (and whether checks will run again) before its marker."""
    items = [f"- {neutralise(note)}" for note in notes]
    if not items:
        return status
    text, marker_start, marker = status.rpartition("\n\n<!-- listbot:")
    tail = f"\n\n{SOURCES_RETRY}" if retry else ""
    return "\n".join([f"{text}\n\n{SOURCES_INTRO}", *items]) + tail + marker_start + marker


def merged_comment(issue: int, pull: int, title: str) -> str:
    return _status(MERGED.format(pull=pull, title=neutralise(title)), issue, "merged", pull)


def closed_comment(issue: int, pull: int | None) -> str:
    text = CLOSED.format(pull=pull) if pull else CLOSED_NO_PULL
    return _status(text, issue, "closed", pull)


def maintainer_closed_comment(issue: int, pull: int) -> str:
    return _status(MAINTAINER_CLOSED.format(pull=pull), issue, "closed-by-maintainer", pull)


def hands_off_comment(issue: int, pull: int, branch: str) -> str:
    return _status(HANDS_OFF.format(branch=branch, pull=pull), issue, "hands-off", pull)


def already_listed_comment(issue: int, pull: int, title: str, section: str, base: str) -> str:
    text = ALREADY_ON_LIST.format(title=neutralise(title), section=neutralise(section), base=base, pull=pull)
    return _status(text, issue, "already-listed", pull)


def lint_failed_comment(issue: int, findings: Iterable[str], pull: int | None = None) -> str:
    items = _bullets(neutralise(finding) for finding in findings)
    return _status(f"{LINT_FAILED}\n\n{items}", issue, "lint-failed", pull)


def lint_finding(line: int, code: str, message: str, in_entry: bool) -> str:
    """One finding as a lint-failed status lists it; `in_entry`: on the lines the entry adds."""
    return (LINT_FINDING_IN_ENTRY if in_entry else LINT_FINDING_ELSEWHERE).format(line=line, code=code, message=message)


def retrying_comment(issue: int, reason: str, pull: int | None) -> str:
    return _status(RETRYING.format(reason=neutralise(reason, 120)), issue, "retrying", pull)


def failed_comment(issue: int, reason: str, pull: int | None) -> str:
    return _status(FAILED.format(reason=neutralise(reason, 120)), issue, "failed", pull)


CONFIG_PROBLEMS = (
    "**Note for maintainers:** `.github/listbot.yml` has problems; listbot used safe defaults for:"
)


def with_marker_fields(status: str, extra: dict[str, object]) -> str:
    """A status comment whose hidden marker also carries `extra` fields."""
    marker = read_marker(STATUS_KIND, status)
    if marker is None:
        return status
    text, _, _ = status.rpartition("\n\n<!-- listbot:")
    return f"{text}\n\n{write_marker(STATUS_KIND, marker | extra)}"


def with_config_problems(status: str, problems: Iterable[str]) -> str:
    """A status comment with the repository configuration's problems listed before its marker."""
    text, marker_start, marker = status.rpartition("\n\n<!-- listbot:")
    # Problems quote listbot.yml values with `shown.code_span`: those spans must show verbatim.
    items = _bullets(neutralise_prose(problem) for problem in problems)
    return f"{text}\n\n{CONFIG_PROBLEMS}\n{items}{marker_start}{marker}"


def command_done(command: str, state: str | None, pull: int | None) -> str:
    """The reply once a command was carried out, from the status it left (`state` None: no status)."""
    if state is None:
        return COMMAND_NOTHING.format(command=command)
    text = COMMAND_DONE.get(command, f"Done: `/listbot {command}`.")
    return text + (COMMAND_DONE_PULL.format(pull=pull) if state == "proposed" and pull else COMMAND_DONE_STATUS)


def pull_title(title: str, noun: str = "paper") -> str:
    """PR title: the entry's title (already validated as one plain line), capped; `noun` is its kind's."""
    text = f"Add {noun}: {defuse_references(title)}"
    return text if len(text) <= 250 else text[:249] + "…"


def commit_message(title: str, issue: int, noun: str = "paper") -> str:
    """The commit message: a squash or merge lands it on main, so it must not close issues."""
    return f"Add {noun}: {defuse_references(title)} (#{issue})"


def pull_body(issue: int, entry: list[str], section: str, marker: dict[str, object]) -> str:
    """PR body: the rendered entry, where it goes, `Closes #N` and the hidden marker."""
    return "\n".join([
        # A section may be a submitted value (`## {category}`): no mention, link or closing keyword.
        f"Adds this entry to **{neutralise(section)}**, as submitted in #{issue}:",
        "",
        code_block(entry),
        "",
        "Generated by listbot from the issue form; edit the issue, not this branch, to change it.",
        "",
        f"Closes #{issue}",
        "",
        write_marker(PULL_KIND, marker),
    ])
