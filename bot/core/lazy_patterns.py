"""Regular expressions compiled the first time they are used, not when their module is imported.

Compiling a pattern costs 0.1-0.5 ms, and every process pays it at import for every pattern of
every module it imports: `listbot lint` for the patterns that only check a submission. A pattern
made with `lazy_pattern` is compiled on its first call and the same `re.Pattern` returned after.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, partial


def lazy_pattern(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """`re.compile(pattern, flags)`, run on the first call and remembered."""
    return cache(partial(re.compile, pattern, flags))
