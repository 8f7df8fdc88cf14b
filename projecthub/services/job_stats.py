"""The job queue's figures for ``/metrics`` on PostgreSQL, read from procrastinate's tables
with plain SQL (services stay free of the engine itself)."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

# Jobs ready to run (due, not started), by queue: how many, and how long the oldest has been
# ready (since it was queued, or since its scheduled time when that came later).
_READY = text("""
    SELECT j.queue_name, count(*),
           EXTRACT(EPOCH FROM now() - min(GREATEST(COALESCE(j.scheduled_at, d.at), d.at)))
      FROM procrastinate_jobs j
      JOIN LATERAL (SELECT min(e.at) AS at FROM procrastinate_events e
                     WHERE e.job_id = j.id) d ON true
     WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())
     GROUP BY j.queue_name""")


def queue_stats(session: Session) -> dict[str, tuple[int, float]]:
    """(ready jobs, seconds the oldest has waited) by queue."""
    return {queue: (int(count), max(0.0, float(age or 0)))
            for queue, count, age in session.execute(_READY).all()}


__all__ = ["queue_stats"]
