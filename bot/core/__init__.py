"""The pure core: everything listbot decides, as plain functions over text and data.

Issue-form parsing, submission kinds and their validation (text rules, dates, links), rendering in
house style, the list document and where an entry goes, duplicates, lint, the proposal for one
submission, listbot's hidden markers, and every message it posts. The facts the gateway reads
(`facts`), the policies over them (`ownership`: which comment, PR and commit are listbot's;
`commands`: who may run `/listbot`; `triage`: which issues are submissions), the per-repository
`rules`, and the plan for one issue: primitive `writes` with every text already rendered.
Nothing here performs I/O, starts threads, or imports FastAPI, uvicorn, PyGithub or `requests`: it
may import only the standard library, pydantic, mistune, PyYAML and other `bot.core` modules.
"""
