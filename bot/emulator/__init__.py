"""A GitHub REST API emulator: a real HTTP server that the tests, benches and `listbot demo` run.

Infrastructure, not a test: it keeps real git objects and SHAs, GitHub's status codes and error
bodies, pagination, app JWT checks and webhook deliveries, so unmodified PyGithub can drive it.
It imports nothing from the rest of listbot.
"""

from .emulator import CommentView, Delivery, GitHubEmulator, Hook, IssueView, PullView
from .faults import Faults
from .server import RecordedRequest, RequestLog
from .state import ApiError
from .webhooks import sign

__all__ = [
    "ApiError",
    "CommentView",
    "Delivery",
    "Faults",
    "GitHubEmulator",
    "Hook",
    "IssueView",
    "PullView",
    "RecordedRequest",
    "RequestLog",
    "sign",
]
