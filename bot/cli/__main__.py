"""`python -m bot.cli`: the same entry point as the `listbot` console script."""

import sys

from bot.cli.main import console

sys.exit(console())
