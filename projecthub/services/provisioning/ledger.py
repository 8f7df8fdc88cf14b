"""The run ledger in the database. The runner commits every transition (one unit of work each)
before the next call, so a worker that dies leaves a record another worker can pick up; these
functions only write to the session they are given.

These functions work by run id without a principal: they are called by the runner, which is
started by an authorized service call or by a worker resuming abandoned runs. The names say
so (``system_``) to keep the bypass visible.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from projecthub.core.clock import utcnow
from projecthub.models import (
    ProjectResource,
    ProvisioningRun,
    ProvisioningStep,
    RunStatus,
    StepStatus,
)

SessionFactory = Callable[[], Session]
LOG_LIMIT = 50


def system_claim_run(session: Session, run_id: uuid.UUID, worker: str, lease: timedelta) -> bool:
    """Take or renew the run's lease; False when another live worker holds it."""
    now = utcnow()
    result = session.exec(
        update(ProvisioningRun)
        .where(col(ProvisioningRun.id) == run_id,
               col(ProvisioningRun.status).in_([RunStatus.PENDING, RunStatus.RUNNING]),
               or_(col(ProvisioningRun.lease_until).is_(None),
                   col(ProvisioningRun.lease_until) < now,
                   col(ProvisioningRun.lease_owner) == worker))
        .values(lease_owner=worker, lease_until=now + lease, status=RunStatus.RUNNING))
    claimed = bool(result.rowcount)
    if claimed:
        run = session.get(ProvisioningRun, run_id)
        if run is not None and run.started_at is None:
            run.started_at = now
            session.add(run)
    return claimed


def system_release_run(session: Session, run_id: uuid.UUID, worker: str) -> None:
    session.exec(update(ProvisioningRun).where(
        col(ProvisioningRun.id) == run_id, col(ProvisioningRun.lease_owner) == worker
    ).values(lease_until=None))


def system_abandoned_runs(session: Session, now: datetime | None = None) -> list[uuid.UUID]:
    """Runs that should be moving but whose worker's lease has run out (or never started)."""
    moment = now or utcnow()
    rows = session.exec(select(ProvisioningRun.id).where(
        col(ProvisioningRun.status).in_([RunStatus.PENDING, RunStatus.RUNNING]),
        or_(col(ProvisioningRun.lease_until).is_(None),
            col(ProvisioningRun.lease_until) < moment))).all()
    return list(rows)


def system_lease_until(session: Session, run_id: uuid.UUID) -> datetime | None:
    """When the lease on a run that still wants driving runs out (``None``: free, or done)."""
    run = session.get(ProvisioningRun, run_id)
    if run is None or run.status not in (RunStatus.PENDING, RunStatus.RUNNING):
        return None
    return run.lease_until


def load_steps(session: Session, run_id: uuid.UUID) -> list[ProvisioningStep]:
    return list(session.exec(select(ProvisioningStep).where(
        ProvisioningStep.run_id == run_id).order_by(col(ProvisioningStep.position))).all())


def append_log(step: ProvisioningStep, message: str, **extra: Any) -> None:
    entry = {"at": utcnow().isoformat(), "message": message, **extra}
    step.log = [*step.log, entry][-LOG_LIMIT:]


def mark_running(session: Session, step_id: uuid.UUID, worker: str, lease: timedelta) -> None:
    step = session.get(ProvisioningStep, step_id)
    assert step is not None
    reconciling = step.status == StepStatus.RUNNING
    step.status = StepStatus.RUNNING
    step.attempts += 1
    step.lease_owner, step.lease_until = worker, utcnow() + lease
    step.started_at = step.started_at or utcnow()
    step.error = ""
    append_log(step, "resumed after an interruption: looking it up first" if reconciling
               else f"attempt {step.attempts} started")
    session.add(step)


def save_checkpoint(session: Session, step_id: uuid.UUID, data: dict[str, Any]) -> None:
    """Commit partial progress (ids of something started remotely) before waiting on it."""
    step = session.get(ProvisioningStep, step_id)
    assert step is not None
    step.outputs = {**step.outputs, **data}
    append_log(step, "checkpoint: " + ", ".join(f"{k}={v}" for k, v in data.items()))
    session.add(step)


def mark_succeeded(session: Session, step_id: uuid.UUID, *, external_id: str, url: str,
                   outputs: dict[str, Any], message: str) -> None:
    step = session.get(ProvisioningStep, step_id)
    assert step is not None
    step.status = StepStatus.SUCCEEDED
    step.external_id, step.url = external_id, url
    step.outputs = {**step.outputs, **outputs}  # keeps checkpoints for the record
    step.lease_owner, step.lease_until, step.finished_at = "", None, utcnow()
    append_log(step, message)
    session.add(step)


def mark_failed(session: Session, step_id: uuid.UUID, error: str) -> None:
    step = session.get(ProvisioningStep, step_id)
    assert step is not None
    step.status = StepStatus.FAILED
    step.error = error[:2000]
    step.lease_owner, step.lease_until, step.finished_at = "", None, utcnow()
    append_log(step, f"failed: {error}")
    session.add(step)


def record_resource(session: Session, run: ProvisioningRun, step: ProvisioningStep, *,
                    kind: str, external_id: str, external_key: str, name: str, url: str,
                    origin: str) -> None:
    """A created or linked resource becomes the project's, once (retries find the same row)."""
    existing = session.exec(select(ProjectResource).where(
        ProjectResource.project_id == run.project_id, ProjectResource.tool == step.tool,
        ProjectResource.kind == kind, ProjectResource.external_id == external_id)).first()
    if existing is None:
        session.add(ProjectResource(
            organization_id=run.organization_id, project_id=run.project_id,
            connection_id=step.connection_id, tool=step.tool, kind=kind,
            external_id=external_id, external_key=external_key, name=name, url=url,
            origin=origin))


def finish_run(session: Session, run_id: uuid.UUID) -> RunStatus:
    """Close the run when nothing can move any more; its status follows from its steps."""
    run = session.get(ProvisioningRun, run_id)
    assert run is not None
    steps = load_steps(session, run_id)
    if run.status != RunStatus.CANCELLED:
        done = all(s.status in (StepStatus.SUCCEEDED, StepStatus.SKIPPED) for s in steps)
        run.status = RunStatus.SUCCEEDED if done else RunStatus.FAILED
        failed = [s for s in steps if s.status == StepStatus.FAILED]
        run.error = "" if done else f"{len(failed)} step(s) failed; fix the cause and retry."
    for step in steps:
        if run.status == RunStatus.CANCELLED and step.status == StepStatus.PENDING:
            step.status = StepStatus.CANCELLED
            session.add(step)
    run.finished_at, run.lease_until = utcnow(), None
    session.add(run)
    return RunStatus(run.status)
