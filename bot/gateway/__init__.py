"""The gateway: the only code that talks to GitHub.

App authentication and installation tokens, reading the facts a plan needs, executing a plan's
primitive writes in order, and the retry policy. PyGithub exceptions become listbot's own typed
errors at this edge. The gateway decides nothing about submissions: it may import `bot.core` (for
the plain data it reads into and executes) but never `bot.service` or `bot.cli`.
"""
