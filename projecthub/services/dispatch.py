"""How services ask for background work without knowing the job engine (docs/architecture.md
§12): a small :class:`JobQueue` protocol, installed once by the entry point that runs the engine
(``app.py``, ``projecthub worker``), and told only after the caller's transaction commits, so a
job never looks for a row that is not there yet.

The ledger and the outbox stay the truth: a notice that is lost (no engine installed, as in the
tests and CLI commands; a process dying between commit and notice) is found again by the
periodic sweeps, so notices are a shortcut, never the only way work gets done.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("projecthub.jobs")
_PENDING = "projecthub.after_commit"  # session.info key: notices waiting for the commit


class JobQueue(Protocol):
    """Called from whatever thread committed: implementations must not block."""

    def run_ready(self, run_id: uuid.UUID) -> None:
        """A provisioning run was started or retried and should be driven."""

    def mail_queued(self, message_id: uuid.UUID) -> None:
        """A message was added to the outbox and should be sent."""

    def webhook_received(self, delivery_id: uuid.UUID) -> None:
        """A verified webhook delivery should refresh the projects it names."""


class _NoEngine:
    """Until an entry point installs the engine: the periodic sweeps find the work."""

    def run_ready(self, run_id: uuid.UUID) -> None:  # noqa: ARG002
        return None

    def mail_queued(self, message_id: uuid.UUID) -> None:  # noqa: ARG002
        return None

    def webhook_received(self, delivery_id: uuid.UUID) -> None:  # noqa: ARG002
        return None  # polling stays the safety net


_queue: JobQueue = _NoEngine()


def install(queue: JobQueue | None) -> None:
    """Set (or with ``None`` remove) the process's job queue."""
    global _queue
    _queue = queue if queue is not None else _NoEngine()


def after_commit(session: Session, notice: Callable[[JobQueue], None]) -> None:
    """Give ``notice`` the job queue once the session's current transaction commits; dropped
    if it rolls back."""
    session.info.setdefault(_PENDING, []).append(notice)


def drive_after_commit(session: Session, run_id: uuid.UUID) -> None:
    """Ask the job engine to drive the run once the caller has committed it (every kind of
    run: provisioning, lifecycle, drift fixes)."""
    after_commit(session, lambda queue: queue.run_ready(run_id))


@event.listens_for(Session, "after_commit")
def _send_notices(session: Session) -> None:
    for notice in session.info.pop(_PENDING, []):
        try:
            notice(_queue)
        except Exception:  # the commit happened; the sweeps will find the work
            log.exception("could not hand background work to the job engine")


@event.listens_for(Session, "after_rollback")
def _drop_notices(session: Session) -> None:
    session.info.pop(_PENDING, None)


__all__ = ["JobQueue", "after_commit", "install"]
