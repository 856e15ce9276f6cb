"""Sources: I/O for facts about a submission (arXiv, Crossref, GitHub repositories, Hugging Face).

Adapters only: each asks one service about one identifier and returns a `bot.core.lookups.Lookup`.
May import `bot.core` and, for GitHub, `bot.gateway` (the bot's own client and token); never
`bot.service` or `bot.cli`.
"""
