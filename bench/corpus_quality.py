"""How many corpus cases still need a maintainer's hand: with listbot now, and with an older listbot.

Run: python -m bench.corpus_quality [--before REV]. Prints figures; asserts nothing.

A case needs a maintainer's hand when listbot's outcome is not the one the corpus expects: an
accepted case whose entry, section or warning differs (or that was refused), or a case that should
be refused but was accepted or refused on another field or without the words the corpus expects.
The older listbot (`--before`, default the commit before issue 10's work) is taken from git into a
temporary folder and run on the same corpus in a subprocess.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml

# The `bot` found first on the path: this checkout's, or the older one `evaluate_at` puts first.
from bot.core import forms, proposal, submission, template

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "submissions.yaml"
SEED = ROOT / "tests" / "fixtures" / "list_seed.md"
TODAY = dt.date(2026, 11, 28)
BEFORE = "ac21da0"  # main when issue 10's work began


def needs_a_hand(case: dict[str, Any], seed: str) -> bool:
    """Whether the listbot importable as `bot` gets this case wrong (only APIs older versions have)."""
    form = forms.form_from_yaml(template.render_template())
    body = case.get("body") or forms.render_issue_body(case["submitted"], form)
    parsed = forms.parse_issue(body, form)
    extra: dict[str, Any] = {"strays": parsed.strays} if hasattr(parsed, "strays") else {}
    try:
        made = proposal.propose(parsed.values, seed, today=TODAY, **extra)
    except submission.SubmissionError as error:
        found = {problem.field: problem.message for problem in error.problems}
        wanted = case.get("error")
        return wanted is None or wanted["says"] not in found.get(wanted["field"], "")
    if "error" in case:
        return True
    warnings = getattr(made, "warnings", ())
    warned = "warning" not in case or any(case["warning"] in warning for warning in warnings)
    return "\n".join(made.entry) + "\n" != case["entry"] or made.paper.year != case["section"] or not warned


def evaluate(corpus: Path, seed: Path) -> dict[str, bool]:
    """Each case id and whether it needs a maintainer's hand."""
    cases = yaml.safe_load(corpus.read_text(encoding="utf-8"))
    text = seed.read_bytes().decode("utf-8")
    return {case["id"]: needs_a_hand(case, text) for case in cases}


def evaluate_at(revision: str) -> dict[str, bool]:
    """Run `evaluate` with the `bot` package of an older commit."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, "bot"], check=True, capture_output=True
    ).stdout
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        env = {**os.environ, "PYTHONPATH": folder}
        output = subprocess.run(
            [sys.executable, __file__, "--evaluate", str(CORPUS), str(SEED)],
            check=True, capture_output=True, text=True, env=env, cwd=folder,
        ).stdout
    result: dict[str, bool] = json.loads(output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="the older listbot to compare with (a git revision)")
    parser.add_argument("--evaluate", nargs=2, metavar=("CORPUS", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.evaluate:
        print(json.dumps(evaluate(Path(args.evaluate[0]), Path(args.evaluate[1]))))
        return
    before, after = evaluate_at(args.before), evaluate(CORPUS, SEED)
    cases = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    accepted = {case["id"] for case in cases if "error" not in case}
    total = len(after)
    print(f"corpus: {total} cases, {len(accepted)} of them to accept ({CORPUS.relative_to(ROOT)})")
    for name, result in ((f"before ({args.before})", before), ("now", after)):
        hands = sum(result.values())
        of_accepted = sum(result[case_id] for case_id in accepted)
        print(f"need a maintainer's hand {name}: {hands} of {total} ({of_accepted} of {len(accepted)} to accept)")
    for case_id, wrong in after.items():
        if wrong:
            print(f"  still wrong: {case_id}")


if __name__ == "__main__":
    main()
