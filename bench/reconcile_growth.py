r"""How one reconcile's cost grows with the list: 1,000, 5,000 and 20,000 entries.

Usage: .venv/bin/python bench/reconcile_growth.py [--sizes 1000,5000,20000] [--runs 5]

listbot runs in-process against the GitHub API emulator with pacing off. For each size it files a
new submission with deliveries held back and runs one reconcile of it (delivery to PR), then
reconciles the same issue, whose PR is now right, `--runs` times, and then files and reconciles a
second submission on the same base list (what a running service does for every submission after
the first on one commit of the list: the base list's findings and entries are already known).
Then a maintainer merges the first submission's PR and a third submission is reconciled: the first
reconcile on a base list one entry longer than the one read before, which is what every merge
brings (what was read from the old base outside the changed lines is carried, `text_change`);
`--runs` times in a row, each merging the latest submission's PR, and the medians are printed.
It prints the CPU time of the reconciling thread (`time.thread_time`: the emulator's own work runs
in other threads) and the wall time, the worst of the already-right runs, each size's ratio to the
smallest size measured in the same run, and the targets. It asserts nothing. What start-up made is
frozen out of the cyclic collector's passes before the first reconcile, as `listbot serve` does.
Before the sizes measured, one new submission on a 100-entry list is reconciled and left out of
the table (`--warm-up`): a process's first reconcile also pays what is done once per process
(building and rendering the issue forms, reading the venue table, compiling the patterns compiled
on first use), which would otherwise be counted in the smallest size alone and flatter its ratios.

The floor column is what no new submission can avoid at each size, measured the same way: reading
the list at the base commit and writing it, one line longer, on a branch, with PyGithub's client and
the cheapest documented representations, which are the ones listbot uses. The read is the contents
API in the `object` media type (the blob SHA, and up to 1 MB the bytes in base64), and over 1 MB
the git blob API in the `raw` media type (the bytes themselves: no base64, no JSON); the write is
one contents API PUT, whose body GitHub documents only as JSON with the file in base64 (the git
data API takes the text without base64, but needs a tree, a commit and a ref: one request more
than a new submission may make), the base64 put in the body as it is, as listbot does
(`bot/gateway/contents.py`: base64 needs no JSON escape, so `json.dumps` need not check it). The
floor grows with the list's bytes whatever listbot does; "above the floor" is the rest of the
reconcile. (listbot splices the base64 of a file one entry from one it wrote before,
`bot/gateway/encodings.py`; the floor encodes afresh, as a writer that remembers nothing must.)
A base read for the first time also needs each line's letters, which the search for a submission's
duplicate keys reads whole (`key_anchors`); that pass is timed alone at each size, and the least a
first read could grow by, the transfers and the letters, is printed.

Instruction counts, which the machine's load does not move (the reconciling thread is thread 1):
    PYTHONHASHSEED=0 valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file=/tmp/cg.%p \
        .venv/bin/python bench/reconcile_growth.py --sizes 20000 --runs 1 --callgrind
    grep -HE "^(desc: Trigger|summary)" /tmp/cg.*-01
"""

from __future__ import annotations

import argparse
import base64
import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.rest_calls import paper  # noqa: E402
from bench.synthetic import make_list  # noqa: E402
from bot.cli.sandbox import LIST_PATH  # noqa: E402
from bot.core.key_anchors import line_letters  # noqa: E402
from bot.emulator import GitHubEmulator  # noqa: E402
from bot.gateway.contents import put_contents  # noqa: E402
from bot.gateway.reading import OBJECT_MEDIA_TYPE, raw_text  # noqa: E402
from bot.service.jobs import IssueJob  # noqa: E402
from tests.deployment import REPO, deployed  # noqa: E402

TARGET_NOOP_SECONDS = 0.3  # issue 16: a reconcile whose PR is already right, 20,000 entries
TARGET_RATIO = 2.0  # issue 16: at most 2× the same at 1,000 entries


_callgrind = False  # --callgrind: dump the instruction counts around the measured actions


def callgrind_dump(label: str) -> None:
    """Have callgrind (this process runs under it) write the counts since its last dump, as `label`."""
    if _callgrind:
        subprocess.run(["callgrind_control", "-d", label, str(os.getpid())], check=True, capture_output=True)


def timed(action: Callable[[], object], label: str = "") -> tuple[float, float]:
    """CPU seconds of this thread and wall seconds that `action()` took (with a `label`, under
    `--callgrind`, its instructions are dumped as that label)."""
    if label:
        callgrind_dump(f"before {label}")
    cpu, wall = time.thread_time(), time.perf_counter()
    action()
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    if label:
        callgrind_dump(label)
    return cpu, wall


Timing = tuple[float, float]
Row = tuple[Timing, Timing, Timing, Timing, int, Timing, Timing]


def io_floor(github: GitHubEmulator, installation: int, label: str = "") -> tuple[float, float]:
    """CPU and wall of reading the list at `main` and writing it back changed on a new branch, with
    a PyGithub client of its own and the representations listbot uses (the module docstring says
    which): the two transfers of the whole list that every new submission makes."""
    from github import Auth, Github  # the bench's own client, not listbot's

    client = Github(  # pacing off, as listbot's is in this bench
        auth=Auth.Token(github.installation_token(installation)), base_url=github.url,
        seconds_between_requests=None, seconds_between_writes=None,
    )
    repo = client.get_repo(REPO)  # untimed: the connection and the repository
    github.create_branch(REPO, "floor", "main")

    def read_and_write() -> None:
        _, content = repo.requester.requestJsonAndCheck(
            "GET", f"{repo.url}/contents/{LIST_PATH}", parameters={"ref": "main"},
            headers={"Accept": OBJECT_MEDIA_TYPE},
        )
        if content["encoding"] == "none":  # over 1 MB: no content in JSON; the blob's raw bytes
            text = raw_text(repo.requester, f"{repo.url}/git/blobs/{content['sha']}")
        else:
            text = base64.b64decode(content["content"]).decode("utf-8")
        fields = {"message": "floor", "sha": content["sha"], "branch": "floor"}
        put_contents(repo.requester, repo.url, LIST_PATH, text + "\n", fields)

    return timed(read_and_write, f"floor {label}")


def measure(entries: int, runs: int) -> Row:
    """(new submission CPU, wall), (worst already-right CPU, wall), (second submission on the same
    base CPU, wall), (the floor's CPU, wall), the list's size in bytes, (new submission after a
    merge CPU, wall: the medians of `runs` merges in a row) and (the list's letters CPU, wall)."""
    text = make_list(entries)
    with GitHubEmulator() as github, deployed(github, list_text=text) as listbot:
        reconciler = listbot.replicas[0].app.state.service.reconciler
        # As `listbot serve` does once its workers run (`serve.resume_gc`): what start-up made is
        # kept out of later collections. Here that is the emulator and the harness as well, which
        # a deployed service does not have in its heap at all.
        gc.freeze()
        with github.deliveries_paused(drop=True):

            def job_for(index: int) -> IssueJob:
                number = listbot.file_issue(wait=False, **paper(index))
                _, payload = github.webhook("issues", "opened", REPO, issue=number)
                return IssueJob(int(payload["installation"]["id"]), REPO, "main", number)

            job = job_for(1)
            new = timed(lambda: reconciler.reconcile(job), f"new submission {entries}")
            if not listbot.open_pulls():
                raise SystemExit(f"{entries} entries: the submission did not get its PR")
            noop = [timed(lambda: reconciler.reconcile(job)) for _ in range(runs)]
            second = job_for(2)
            warm = timed(lambda: reconciler.reconcile(second))
            if len(listbot.open_pulls()) != 2:
                raise SystemExit(f"{entries} entries: the second submission did not get its PR")
            # A maintainer merges the latest submission's PR: main's list is one entry longer, and
            # the next submission is the first reconcile on that base (what follows every merge),
            # `runs` times in a row (one reconcile is a few hundredths of a second: the median).
            merges, latest = [], job
            for index in range(runs):
                github.merge_pull(REPO, listbot.pull_for(latest.issue).number, "maintainer")
                latest = job_for(3 + index)
                label = f"after a merge {entries}" if index == 0 else ""
                merges.append(timed(partial(reconciler.reconcile, latest), label))
                if len(listbot.open_pulls()) != 2:
                    raise SystemExit(f"{entries} entries: the submission after a merge did not get its PR")
            merged = (statistics.median(c for c, _ in merges), statistics.median(w for _, w in merges))
            floor = io_floor(github, job.installation_id, str(entries))
            # The one pass over the whole list that an exact search for a submission's duplicate
            # keys needs on a base read for the first time (`key_anchors`): each line's letters.
            letters = timed(partial(line_letters, text), f"letters {entries}")
    gc.unfreeze()  # the next size starts as this one did
    noop_worst = (max(c for c, _ in noop), max(w for _, w in noop))
    return new, noop_worst, warm, floor, len(text.encode()), merged, letters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000", help="entry counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="reconciles of the already-right PR per size")
    parser.add_argument(
        "--warm-up", type=int, default=100, metavar="ENTRIES",
        help="first measure this size, left out of the table (0: none), so every size measured is a "
        "reconcile after the process's first: that one also pays what a process does once (the issue "
        "forms built and rendered, the venue table read, patterns compiled on first use)",
    )
    parser.add_argument(
        "--callgrind", action="store_true",
        help="under valgrind --tool=callgrind --separate-threads=yes: dump the counts around each new "
        "submission, submission after a merge, floor and letters pass (labels 'new submission N', 'after a merge N', "
        "'floor N', 'letters N'; the reconciling thread is thread 1)",
    )
    args = parser.parse_args(argv)
    global _callgrind
    _callgrind = args.callgrind
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.warm_up:
        first = measure(args.warm_up, 1)[0]
        print(
            f"warm-up: the process's first reconcile, a new submission on {args.warm_up:,} entries: "
            f"{first[0]:.3f} s CPU ({first[1]:.3f} s wall), not in the table"
        )
    rows = {entries: measure(entries, args.runs) for entries in sizes}
    base_new, base_noop, base_warm, base_floor, _, base_merged, base_letters = rows[sizes[0]]
    print(f"reconcile growth (CPU of the reconciling thread; wall in brackets; ratio to {sizes[0]:,} entries)")
    print(
        f"{'entries':>8} {'list':>8}  {'new submission':>26}  {'PR already right, worst of ' + str(args.runs):>32}"
        f"  {'2nd submission, same base':>26}  {'floor: read + write the list':>28}  {'new above the floor':>19}"
        f"  {'new after a merge, median':>26}"
    )
    for entries, (new, noop, warm, floor, size, merged, _) in rows.items():
        print(
            f"{entries:>8,} {size / 1e6:>6.2f}MB  "
            f"{new[0]:>6.3f} s ({new[1]:>6.3f} s) {new[0] / base_new[0]:>5.1f}×  "
            f"{noop[0]:>6.3f} s ({noop[1]:>6.3f} s) {noop[0] / base_noop[0]:>5.1f}×  "
            f"{warm[0]:>6.3f} s ({warm[1]:>6.3f} s) {warm[0] / base_warm[0]:>5.1f}×  "
            f"{floor[0]:>8.3f} s ({floor[1]:>6.3f} s) {floor[0] / base_floor[0]:>5.1f}×  "
            f"{new[0] - floor[0]:>8.3f} s {(new[0] - floor[0]) / (base_new[0] - base_floor[0]):>5.1f}×  "
            f"{merged[0]:>6.3f} s ({merged[1]:>6.3f} s) {merged[0] / base_merged[0]:>5.1f}×"
        )
    last_noop = rows[sizes[-1]][1]
    ratio = last_noop[0] / base_noop[0]
    met = max(last_noop) <= TARGET_NOOP_SECONDS and ratio <= TARGET_RATIO
    print(
        f"target (PR already right, {sizes[-1]:,} entries): ≤ {TARGET_NOOP_SECONDS} s CPU and wall, "
        f"≤ {TARGET_RATIO:g}× {sizes[0]:,} entries: {'met' if met else 'NOT met'}"
    )
    new_ratio = rows[sizes[-1]][0][0] / base_new[0]
    print(
        f"target (new submission, {sizes[-1]:,} entries): ≤ {TARGET_RATIO:g}× {sizes[0]:,} entries: "
        f"{'met' if new_ratio <= TARGET_RATIO else 'NOT met'} ({new_ratio:.1f}×)"
    )
    merged_ratio = rows[sizes[-1]][5][0] / base_merged[0]
    print(
        f"target (new submission after a merge, the first reconcile on a base one entry longer than the one "
        f"read before, {sizes[-1]:,} entries): ≤ {TARGET_RATIO:g}× {sizes[0]:,} entries: "
        f"{'met' if merged_ratio <= TARGET_RATIO else 'NOT met'} ({merged_ratio:.1f}×)"
    )
    floor_20k = rows[sizes[-1]][3][0]
    reach = "out of reach of any reconcile" if floor_20k > TARGET_RATIO * base_new[0] else "within the target"
    print(
        f"  (the floor alone at {sizes[-1]:,} entries is {floor_20k / base_new[0]:.1f}× the whole new submission at "
        f"{sizes[0]:,}: {reach})"
    )
    # The best any reconcile could do: the smallest size's work above its floor, which is all
    # that does not grow with the list, plus the largest size's floor, which no reconcile avoids.
    flat = base_new[0] - base_floor[0] + floor_20k
    print(
        f"  (a reconcile whose only growth were the transfers would take {flat:.3f} s at {sizes[-1]:,} entries: "
        f"{flat / base_new[0]:.1f}× {sizes[0]:,} entries)"
    )
    # A base read whole also needs its letters (duplicate keys are searched for in every line):
    # with the transfers, the least such a reconcile could grow by.
    with_letters = flat + rows[sizes[-1]][6][0] - base_letters[0]
    print(
        f"  (a first read of the base whose only growth were the transfers and the list's letters, which an "
        f"exact search for duplicate keys reads, would take {with_letters:.3f} s at {sizes[-1]:,} entries: "
        f"{with_letters / base_new[0]:.1f}× {sizes[0]:,} entries)"
    )
    warm_ratio = rows[sizes[-1]][2][0] / base_warm[0]
    print(
        f"  (second submission on the same base, {sizes[-1]:,} entries: {warm_ratio:.1f}× {sizes[0]:,} entries)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
