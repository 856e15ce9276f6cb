"""Exit statuses shared by every `listbot` command: scripts rely on them, so they live here once."""

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
