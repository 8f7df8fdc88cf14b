"""Process metrics in Prometheus form. The rest of the code records through these small
functions and never imports prometheus_client itself.

With ``PROMETHEUS_MULTIPROC_DIR`` set (scripts/serve and the image set it), every backend worker
writes its values to files there and a scrape of any worker sums them all; without it, a scrape
sees the process it reached, which is right for a single process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from projecthub.core.config import settings

HTTP_REQUESTS = Counter(
    "projecthub_http_requests", "HTTP requests and websocket connections served, by route "
    "template (never a raw path) and status", ["method", "route", "status"])
PROVISIONING_RUNS = Counter(
    "projecthub_provisioning_runs_finished", "Provisioning runs that ended, by outcome",
    ["outcome"])
VENDOR_REQUESTS = Counter(
    "projecthub_vendor_requests", "Replies from a vendor API, by tool and status",
    ["tool", "status"])
VENDOR_RETRIES = Counter(
    "projecthub_vendor_retries", "Vendor requests sent again after a failure, by tool", ["tool"])
VENDOR_RATE_LIMITED = Counter(
    "projecthub_vendor_rate_limited", "429 replies from a vendor API, by tool", ["tool"])
VENDOR_THROTTLE_WAIT = Counter(
    "projecthub_vendor_throttle_wait_seconds", "Time vendor requests waited for the shared "
    "limits of their connection (concurrency slot, rate windows, a 429's pause), by tool",
    ["tool"])
DB_POOL_CHECKED_OUT = Gauge(
    "projecthub_db_pool_checked_out", "Database connections in use, summed over live workers",
    multiprocess_mode="livesum")

DB_POOL_CHECKOUT = Histogram(
    "projecthub_db_pool_checkout_seconds", "Time to get a database connection from the pool, "
    "waiting for a free one included", buckets=(.001, .005, .01, .05, .1, .5, 1, 5, 10, 30))
DB_POOL_TIMEOUTS = Counter(
    "projecthub_db_pool_timeouts", "Checkouts that gave up waiting for a free connection")
WEBHOOK_DELIVERIES = Counter(
    "projecthub_webhook_deliveries", "Webhook deliveries received, by tool and outcome "
    "(accepted, handshake, unknown, forged, replayed)", ["tool", "outcome"])
HTTP_DURATION = Histogram(
    "projecthub_http_request_duration_seconds", "Time to answer an HTTP request, by route "
    "template", ["method", "route"])


def http_request(method: str, route: str, status: int) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()


def provisioning_run_finished(outcome: str) -> None:
    PROVISIONING_RUNS.labels(outcome).inc()


def vendor_response(tool: str, status: int) -> None:
    """One reply to one attempt at a vendor call."""
    VENDOR_REQUESTS.labels(tool, str(status)).inc()
    if status == 429:
        VENDOR_RATE_LIMITED.labels(tool).inc()


def webhook_delivery(tool: str, outcome: str) -> None:
    WEBHOOK_DELIVERIES.labels(tool, outcome).inc()


def vendor_retry(tool: str) -> None:
    VENDOR_RETRIES.labels(tool).inc()


def vendor_throttle_wait(tool: str, seconds: float) -> None:
    VENDOR_THROTTLE_WAIT.labels(tool).inc(max(0.0, seconds))


def http_request_took(method: str, route: str, seconds: float) -> None:
    HTTP_DURATION.labels(method, route).observe(seconds)


def db_connection_checked_out(change: int) -> None:
    DB_POOL_CHECKED_OUT.inc(change)


def db_pool_checkout_took(seconds: float) -> None:
    DB_POOL_CHECKOUT.observe(seconds)


def db_pool_timed_out() -> None:
    DB_POOL_TIMEOUTS.inc()


# Background jobs ready to run, by queue: (how many, seconds the oldest has waited).
JobStats = Mapping[str, tuple[int, float]]
_local_job_stats: Callable[[], JobStats] | None = None


def report_local_jobs(source: Callable[[], JobStats] | None) -> None:
    """The in-process job engine (SQLite) registers where its queue figures come from; on
    PostgreSQL they are read from procrastinate's tables at scrape time instead."""
    global _local_job_stats
    _local_job_stats = source


def local_job_stats() -> JobStats:
    return _local_job_stats() if _local_job_stats is not None else {}


def exposition() -> bytes:
    """The text format of everything recorded, in every worker when they share a directory."""
    if settings.PROMETHEUS_MULTIPROC_DIR is None:
        from prometheus_client import REGISTRY

        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    # prometheus_client leaves this constructor unannotated.
    multiprocess.MultiProcessCollector(  # type: ignore[no-untyped-call]
        registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    return generate_latest(registry)


class _Gauge(Collector):
    def __init__(self, name: str, documentation: str, label: str,
                 values: Mapping[str, float]) -> None:
        self._family = GaugeMetricFamily(name, documentation, labels=[label])
        for key, value in values.items():
            self._family.add_metric([key], value)

    def collect(self) -> list[GaugeMetricFamily]:
        return [self._family]


def gauge_exposition(name: str, documentation: str, label: str,
                     values: Mapping[str, float]) -> bytes:
    """A gauge computed at scrape time (from the database, say), in the text format."""
    registry = CollectorRegistry()
    registry.register(_Gauge(name, documentation, label, values))
    return generate_latest(registry)


__all__ = [
    "db_connection_checked_out",
    "db_pool_checkout_took",
    "db_pool_timed_out",
    "exposition",
    "gauge_exposition",
    "http_request",
    "http_request_took",
    "local_job_stats",
    "provisioning_run_finished",
    "report_local_jobs",
    "vendor_response",
    "vendor_retry",
    "vendor_throttle_wait",
    "webhook_delivery",
]
