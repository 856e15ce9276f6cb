"""listbot: a GitHub App that turns issue-form submissions into pull requests."""
