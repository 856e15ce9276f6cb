"""The contents PUT's base64 spliced from the file written before (`bot/gateway/encodings.py`)
beside `base64.b64encode` of the whole file, as a running service writes one list after another.

Run: python -m bench.encodings_splice [--entries 20000] [--steps 40] [--seed 1]

It encodes `bench/synthetic.py`'s list once, then inserts one entry at a time at a random line
(`--steps` of them, each a paper line of a random length, so the shifts fall every way against
base64's groups of 3 bytes) and encodes each new list through one `EncodingMemory`, as each
submission's PUT does after a merge. It prints the CPU of each `encode` (`time.thread_time`:
median, mean, worst), that of `b64encode` of the last list, the base64 made afresh per step
(pieces not returned before) and the pieces the last list is in. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import base64
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic import make_list  # noqa: E402
from bot.gateway.encodings import EncodingMemory  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20000)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    content = make_list(args.entries).encode()
    memory = EncodingMemory()
    returned = {id(piece): piece for piece in memory.encode(content)}  # kept alive: ids stay theirs
    places = random.Random(args.seed)
    seconds: list[float] = []
    afresh: list[int] = []
    pieces: list[bytes] = []
    for step in range(args.steps):
        at = content.index(b"\n", places.randrange(len(content))) + 1
        content = content[:at] + b"- **Paper %d** %s\n" % (step, b"x" * places.randrange(60)) + content[at:]
        began = time.thread_time()
        pieces = list(memory.encode(content))
        seconds.append(time.thread_time() - began)
        afresh.append(sum(len(piece) for piece in pieces if id(piece) not in returned))
        returned.update((id(piece), piece) for piece in pieces)
    began = time.thread_time()
    whole = base64.b64encode(content)
    fresh = time.thread_time() - began
    if b"".join(pieces) != whole:
        raise SystemExit("the spliced base64 is not the file's")
    print(f"{args.entries:,} entries ({len(content) / 1e6:.2f} MB), {args.steps} insertions at random lines:")
    print(
        f"  encode: median {statistics.median(seconds) * 1e3:.2f} ms, mean {statistics.mean(seconds) * 1e3:.2f} ms, "
        f"worst {max(seconds) * 1e3:.2f} ms; b64encode of the whole list {fresh * 1e3:.2f} ms"
    )
    print(
        f"  base64 made afresh per step: median {statistics.median(afresh) / 1e3:.0f} KB, "
        f"mean {statistics.mean(afresh) / 1e3:.0f} KB, worst {max(afresh) / 1e3:.0f} KB of {len(whole) / 1e3:.0f} KB"
    )
    print(f"  the last list in {len(pieces)} pieces; {memory.count} files kept, {memory.held_bytes / 1e6:.1f} MB held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
