"""The running service: FastAPI webhook app, work queue, reconciler, registration and `serve`.

A delivery becomes a job; the reconciler observes facts through the gateway, hands them to the
core, receives a plan and asks the gateway to execute it. This package may import `bot.core` and
`bot.gateway`, never `bot.cli`.
"""
