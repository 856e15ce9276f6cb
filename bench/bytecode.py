"""The environment of a timed Python process: its bytecode cached, as an installed listbot's is.

`pip install` (and the Docker image's build) compiles listbot and its dependencies once. In a
checkout with PYTHONDONTWRITEBYTECODE set (as in the Docker image, and on the development
machine) nothing is written, so every module edited since its bytecode was last written would
be compiled from source at each start: tens to hundreds of milliseconds that no installed
listbot pays. The benches run Python processes with their bytecode cached in a folder of the
run's own (PYTHONPYCACHEPREFIX), and run each command once untimed first to fill it.
"""

from __future__ import annotations

import os
from pathlib import Path


def cached_bytecode_env(folder: Path) -> dict[str, str]:
    """This process's environment, with bytecode written to and read from `folder / "pycache"`."""
    env = os.environ | {"PYTHONPYCACHEPREFIX": str(folder / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env
