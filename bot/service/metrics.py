"""The service's Prometheus metrics (`GET /metrics`); GitHub's requests and retries are counted
where they happen, in `bot.gateway.transport` and `bot.gateway.retry`."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

_SECONDS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)

DELIVERIES = Counter(
    "listbot_deliveries", "Webhook deliveries by event and final outcome "
    "(ok, failed, interrupted once their jobs ended; ignored, pong, rejected, unavailable at once)",
    ["event", "outcome"],
)
JOB_SECONDS = Histogram(
    "listbot_job_duration_seconds", "How long a job (IssueJob, RepoJob, CommandJob) ran, by outcome",
    ["kind", "outcome"], buckets=_SECONDS,
)
QUEUE_DEPTH = Gauge("listbot_queue_depth", "Jobs waiting for a worker")
OUTSTANDING = Gauge("listbot_jobs_outstanding", "Jobs waiting, running or scheduled for a follow-up check")
RESYNC_SECONDS = Histogram(
    "listbot_resync_duration_seconds", "A full resync: listing installations until every repository was scanned",
    buckets=_SECONDS,
)
RATE_BACKOFF = Gauge(
    "listbot_github_rate_backoff_seconds", "Seconds until the current wait on a GitHub rate limit ends (0: none)"
)
REDELIVERIES = Counter(
    "listbot_redeliveries", "Failed webhook deliveries found in the app's delivery log and asked for again"
)
READY = Gauge("listbot_ready", "1 when GitHub accepted the app's credentials at the last check, else 0")


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
