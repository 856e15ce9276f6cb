"""The `listbot` command line: argument parsing, the offline commands and their exit codes.

The top layer: it may import every other package. Exit statuses live once, in `bot.cli.exits`.
"""
