"""`lazy_pattern` gives the pattern `re.compile` gives, compiled once, on first use."""

from __future__ import annotations

import re

from bot.core.lazy_patterns import lazy_pattern


def test_a_lazy_pattern_is_the_compiled_pattern_every_time() -> None:
    pattern = lazy_pattern(r"(?<![a-z])www\.", re.IGNORECASE)
    first = pattern()
    assert first is pattern()
    assert first == re.compile(r"(?<![a-z])www\.", re.IGNORECASE)
    assert first.search("see WWW.example.org") is not None
