"""The floor for whole-process list commands: a Python process that scans the list's lines once.

Run: python -m bench.floor read LIST            (what `listbot lint` must at least do)
     python -m bench.floor write LIST AFTER     (what `listbot apply` must at least do)

`read` reads the list and looks at every line once (is it a heading, does it end in a blank);
`write` does the same scan and then writes AFTER's bytes over LIST, the bytes `listbot apply`
writes. Both import nothing of listbot. The benches time them as commands, beside listbot's.
"""

from __future__ import annotations

import sys
from pathlib import Path


def scan(text: str) -> int:
    """One look at every line: the kind of per-line test a linter or placer cannot avoid."""
    marks = 0
    for line in text.splitlines():
        if line.startswith("#") or line.endswith(" "):
            marks += 1
    return marks


def main(argv: list[str]) -> int:
    mode, path = argv[0], Path(argv[1])
    text = path.read_bytes().decode("utf-8")
    scan(text)
    if mode == "write":
        path.write_bytes(Path(argv[2]).read_bytes())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
