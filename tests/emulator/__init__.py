"""A faithful GitHub REST API emulator for tests, spoken to by unmodified PyGithub."""

from .emulator import CommentView, Delivery, GitHubEmulator, IssueView, PullView
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
    "IssueView",
    "PullView",
    "RecordedRequest",
    "RequestLog",
    "sign",
]
