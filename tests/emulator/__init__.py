"""A faithful GitHub REST API emulator for tests, spoken to by unmodified PyGithub."""

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
