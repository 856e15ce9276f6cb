"""YAML from repositories (issue forms, `.github/listbot.yml`), read as `yaml.safe_load` reads it.

Every list command reads the configuration and each kind's form before anything else, and the
pure-Python loader takes ~5 ms for each form: most of the time those commands spend reading
them. libyaml reads the same text in a tenth of that. The pure-Python loader stays the reference
whose answers and messages the bot's are written against: libyaml's answer is kept only when it
gives one, and one nested shallowly enough that the Python loader could not have run out of
recursion reading it. Any text libyaml refuses, or whose answer is deeper, is read again by
`yaml.safe_load`, so every error, message and `RecursionError` is the Python loader's own.
A property test compares the two on generated and damaged forms and configurations.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

# Far below the depth at which the Python loader's recursive composer gives out (~450 levels
# at the default recursion limit), and far above any form or configuration (~6 levels).
MAX_FAST_DEPTH = 32
_REFUSED = object()
# Where libyaml and the Python loader part ways (found by comparing them on generated text, as
# tests/test_yaml_reading.py still does): a tab, or a byte-order mark past the first character,
# which libyaml passes over and the Python loader refuses; a tag, where a bare `!` reads as ''
# in one and None in the other; a block scalar header with a comment and no blank before it,
# which only libyaml accepts. Such text is left to the reference.
_READ_APART = re.compile(r"[\t\ufeff]|(?:^|[\s\[\]{},])!|[|>][-+0-9]*#", re.MULTILINE)


def safe_load(text: str) -> Any:
    """What `yaml.safe_load(text)` returns or raises; read by libyaml where that is the same."""
    fast = _fast_load(text)
    if fast is not _REFUSED and nested_within(fast, MAX_FAST_DEPTH):
        return fast
    import yaml  # on first use (see `_fast_loader`)

    return yaml.safe_load(text)


def _fast_loader() -> type[yaml.CSafeLoader] | None:
    """libyaml's safe loader, when PyYAML was built with it. PyYAML is imported on first use: a
    command with no YAML to read (`listbot lint` in a folder without `listbot.yml` or committed
    forms) need not pay for its import, a tenth of the process."""
    import yaml

    loader: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)
    return loader


def _fast_load(text: str) -> Any:
    """libyaml's answer, or `_REFUSED` where it may not be the reference's or libyaml raises: the
    reference reads that text, and says what is wrong in its own words."""
    loader = _fast_loader()
    if loader is None or _READ_APART.search(text) or _flow_question_mark(text):
        return _REFUSED
    import yaml

    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except Exception:  # libyaml's errors, and its encoder's on text no UTF-8 holds (lone surrogates)
        return _REFUSED


def _flow_question_mark(text: str) -> bool:
    """Whether a `?` may sit inside a flow collection (`[a?b]`), where the Python loader ends a
    plain scalar and libyaml does not."""
    return "?" in text and ("[" in text or "{" in text)


def nested_within(data: object, limit: int) -> bool:
    """Whether no list or mapping in `data` lies more than `limit` levels deep. A structure that
    YAML anchors made hold itself never is; one shared many times is walked once per level."""
    level: dict[int, object] = {id(data): data}  # the distinct lists and mappings at one depth
    for _ in range(limit + 1):
        inner: dict[int, object] = {}
        for item in level.values():
            children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
            for child in children:
                if isinstance(child, dict | list):  # a safe loader's keys are scalars: only values nest
                    inner[id(child)] = child
        if not inner:
            return True
        level = inner
    return False
