"""The gateway: the only code that talks to GitHub.

`app` (the GitHub App's JWT, installation tokens and one PyGithub client per installation),
`reading` (facts read into the core's plain types: `bot.core.facts`), `executing` (a plan's
primitive writes, `bot.core.writes`, made in order, with GitHub's create races handled), `cache`,
`retry` (which faults to try again and when) and `errors`: PyGithub and `requests` exceptions
become listbot's own typed errors at this edge, so nothing above imports `github`. The gateway
decides nothing about submissions: it may import only the core's plain data types, never the
plan, the policies, `bot.service` or `bot.cli`.
"""
