"""Drive a provisioning run: claim its lease, run every step whose dependencies succeeded
(independent steps concurrently), commit each outcome as soon as it is known, and stop when
nothing more can move. The runner owns these transactions (one ``unit_of_work`` per transition;
the ledger only writes). Any worker can call :func:`drive_run` again after a crash: steps left
"running" by a dead worker are looked up before anything is created again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session

from projecthub.connectors.errors import ConnectorError
from projecthub.core import log_context, metrics
from projecthub.core.clock import utcnow
from projecthub.core.db import unit_of_work
from projecthub.core.errors import AppError
from projecthub.models import (
    Lifecycle,
    Project,
    ProvisioningRun,
    ProvisioningStep,
    RunKind,
    RunStatus,
    User,
)
from projecthub.models import StepStatus as S
from projecthub.services import audit
from projecthub.services.notifications import events as notifications
from projecthub.services.principal import Actor, Principal, principal_in_org
from projecthub.services.provisioning import edit_apply, ledger
from projecthub.services.provisioning.actions import ACTIONS
from projecthub.services.provisioning.actions.base import (
    Action,
    StepContext,
    StepFailed,
    StepOutcome,
)
from projecthub.services.tool_clients import SessionFactory, ToolClients

log = logging.getLogger("projecthub.provisioning")
DONE = (S.SUCCEEDED, S.SKIPPED)


@dataclass
class RunnerConfig:
    session_factory: SessionFactory
    tools_factory: Callable[[Principal], ToolClients]
    worker_id: str = field(default_factory=lambda: f"worker-{uuid.uuid4().hex[:8]}")
    lease: timedelta = timedelta(seconds=60)
    actions: dict[str, Action] = field(default_factory=lambda: dict(ACTIONS))


def _run_principal(config: RunnerConfig, run: ProvisioningRun) -> Principal:
    """Steps act as the person who started the run, re-checked now (they may have left)."""
    with config.session_factory() as session:
        user = session.get(User, run.created_by_id) if run.created_by_id else None
        if user is None or not user.is_active:
            raise AppError("The person who started this run no longer has an account.")
        return principal_in_org(session, Actor(user.id, user.email, user.is_instance_admin),
                                run.organization_id)


def _claim(config: RunnerConfig, run_id: uuid.UUID) -> bool:
    with unit_of_work(config.session_factory) as session:
        return ledger.system_claim_run(session, run_id, config.worker_id, config.lease)


def _held_elsewhere(config: RunnerConfig, run_id: uuid.UUID) -> bool:
    """The run still wants driving, but under another worker's lease (ours ran out)."""
    with config.session_factory() as session:
        run = session.get(ProvisioningRun, run_id)
        return (run is not None and run.status in (RunStatus.PENDING, RunStatus.RUNNING)
                and run.lease_owner != config.worker_id)


@contextlib.asynccontextmanager
async def _lease_kept(config: RunnerConfig, run_id: uuid.UUID) -> AsyncIterator[asyncio.Event]:
    """Renew the run lease while long steps (Teams creation) are in flight. A renewal refused
    because another worker took the run over (this one stalled past its lease) cancels the
    driving task: its steps stop, and the new owner looks each one up before creating it. The
    event it yields tells that cancellation apart from any other."""
    driving = asyncio.current_task()
    lost = asyncio.Event()

    async def renew() -> None:
        while True:
            await asyncio.sleep(config.lease.total_seconds() / 3)
            if (not await asyncio.to_thread(_claim, config, run_id)
                    and await asyncio.to_thread(_held_elsewhere, config, run_id)):
                lost.set()
                if driving is not None:
                    driving.cancel()
                return

    task = asyncio.create_task(renew())
    try:
        yield lost
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def drive_run(run_id: uuid.UUID, config: RunnerConfig) -> RunStatus | None:
    """Run until the run is finished; None if another live worker owns it (or took it over).
    Every log line of the run, its steps' included, names the run, its project and organization."""
    with log_context.scope(run_id=run_id):
        return await _drive(run_id, config)


async def _drive(run_id: uuid.UUID, config: RunnerConfig) -> RunStatus | None:
    if not _claim(config, run_id):
        return None
    with config.session_factory() as session:
        run = session.get(ProvisioningRun, run_id)
        assert run is not None
    log_context.bind(org_id=run.organization_id, project_id=run.project_id)
    try:
        tools = config.tools_factory(_run_principal(config, run))
    except AppError as exc:
        return _fail_run(config, run_id, exc.message)
    async with _lease_kept(config, run_id) as lost:
        try:
            return await _drive_steps(config, tools, run_id)
        except asyncio.CancelledError:
            if not lost.is_set():
                raise
            current = asyncio.current_task()
            if current is not None:
                current.uncancel()
            log.warning("run %s: lease lost to another worker; stopped its steps here", run_id)
            return None


async def _drive_steps(config: RunnerConfig, tools: ToolClients,
                       run_id: uuid.UUID) -> RunStatus | None:
    """Start each step the moment its own dependencies are done, not in waves: a Teams team
    that takes a minute to appear holds back only the steps that need the team. The lease is
    checked again whenever a step ends. Ledger writes stay on the loop: in worker threads, a
    SQLite file was corrupted under CI when a worker was killed mid-run (the crash tests)."""
    running: dict[uuid.UUID, asyncio.Task[None]] = {}
    try:
        while True:
            if not _claim(config, run_id):
                await asyncio.gather(*running.values())
                return _finish(config, run_id) if _cancelled(config, run_id) else None
            steps = _load_steps(config, run_id)
            outputs = {s.key: s.outputs for s in steps if s.status in DONE}
            for step in _ready(steps):
                if step.id not in running:
                    running[step.id] = asyncio.create_task(_execute(config, tools, step, outputs))
            if not running:
                return _finish(config, run_id)
            await asyncio.wait(running.values(), return_when=asyncio.FIRST_COMPLETED)
            for step_id in [i for i, task in running.items() if task.done()]:
                running.pop(step_id).result()  # a crash of our own code stops the drive
    except BaseException:
        for task in running.values():
            task.cancel()
        await asyncio.gather(*running.values(), return_exceptions=True)
        raise


def _load_steps(config: RunnerConfig, run_id: uuid.UUID) -> list[ProvisioningStep]:
    with config.session_factory() as session:
        return ledger.load_steps(session, run_id)


def _cancelled(config: RunnerConfig, run_id: uuid.UUID) -> bool:
    with config.session_factory() as session:
        run = session.get(ProvisioningRun, run_id)
        return run is not None and run.status == RunStatus.CANCELLED


def _ready(steps: list[ProvisioningStep]) -> list[ProvisioningStep]:
    """Pending steps whose dependencies all succeeded, and steps a dead worker left running."""
    status = {s.key: s.status for s in steps}
    return [s for s in steps if s.status in (S.PENDING, S.RUNNING)
            and all(status.get(d) in DONE for d in s.depends_on)]


async def _execute(config: RunnerConfig, tools: ToolClients, step: ProvisioningStep,
                   outputs: dict[str, dict[str, object]]) -> None:
    action = config.actions.get(step.action)
    _mark_running(config, step)
    if action is None:
        return _fail_step(config, step, f"Unknown step type {step.action}.")
    def checkpoint(data: dict[str, object]) -> None:
        with unit_of_work(config.session_factory) as session:
            ledger.save_checkpoint(session, step.id, data)

    context = StepContext(step.key, str(step.connection_id) if step.connection_id else None,
                          dict(step.inputs), step.idempotency_key,
                          {k: dict(outputs[k]) for k in step.depends_on if k in outputs}, tools,
                          saved=dict(step.outputs), checkpoint=checkpoint)
    try:
        outcome = await action(context)
    except (ConnectorError, AppError, StepFailed) as exc:
        return _fail_step(config, step, _describe(exc))
    except Exception as exc:  # a bug must fail the step, not kill the worker
        log.exception("step %s of run %s crashed", step.key, step.run_id)
        return _fail_step(config, step, f"Unexpected error ({type(exc).__name__}).")
    _succeed(config, step, outcome)
    return None


def _mark_running(config: RunnerConfig, step: ProvisioningStep) -> None:
    with unit_of_work(config.session_factory) as session:
        ledger.mark_running(session, step.id, config.worker_id, config.lease)


def _succeed(config: RunnerConfig, step: ProvisioningStep, outcome: StepOutcome) -> None:
    """The step's outcome and the resource it made, in one transaction (the ledger's promise:
    a resource is never recorded without its step's success, nor the reverse)."""
    with unit_of_work(config.session_factory) as session:
        ledger.mark_succeeded(session, step.id, external_id=outcome.external_id,
                              url=outcome.url, outputs=outcome.outputs, message=outcome.message)
        if outcome.resource_kind:
            run = session.get(ProvisioningRun, step.run_id)
            assert run is not None
            ledger.record_resource(session, run, step, kind=outcome.resource_kind,
                                   external_id=outcome.external_id,
                                   external_key=outcome.resource_key,
                                   name=outcome.resource_name, url=outcome.url,
                                   origin=outcome.origin)


def _describe(exc: Exception) -> str:
    if isinstance(exc, ConnectorError):
        return str(exc)
    if isinstance(exc, AppError):
        return exc.message
    return str(exc)


def _fail_step(config: RunnerConfig, step: ProvisioningStep, message: str) -> None:
    with unit_of_work(config.session_factory) as session:
        ledger.mark_failed(session, step.id, message)


def _fail_run(config: RunnerConfig, run_id: uuid.UUID, message: str) -> RunStatus:
    with unit_of_work(config.session_factory) as session:
        run = session.get(ProvisioningRun, run_id)
        assert run is not None
        run.status, run.error = RunStatus.FAILED, message
        run.lease_until = None
        session.add(run)
        _audit_outcome(session, run)
        notifications.run_finished(session, run)
    metrics.provisioning_run_finished(RunStatus.FAILED.value)
    return RunStatus.FAILED


def _finish(config: RunnerConfig, run_id: uuid.UUID) -> RunStatus:
    with unit_of_work(config.session_factory) as session:
        status = ledger.finish_run(session, run_id)
        run = session.get(ProvisioningRun, run_id)
        assert run is not None
        project = session.get(Project, run.project_id)
        if project is not None and status == RunStatus.SUCCEEDED:
            # A lifecycle run gives the project the state its steps carried to the tools
            # (services/provisioning/lifecycle.py); only the first run makes a project live, and
            # later ones (drift fixes) leave its state as it is.
            if run.kind == RunKind.LIFECYCLE:
                project.lifecycle = Lifecycle(run.target)
            elif run.kind == RunKind.EDIT:  # the edit becomes the desired state
                edit_apply.system_apply(session, run)
            elif project.lifecycle == Lifecycle.PROVISIONING:
                project.lifecycle = Lifecycle.ACTIVE
            project.updated_at = utcnow()
            session.add(project)
        if status != RunStatus.CANCELLED:  # the cancellation was audited when it was asked for
            _audit_outcome(session, run)
        if run.kind == RunKind.EDIT and status == RunStatus.FAILED:
            edit_apply.system_report_failure(session, run)
        notifications.run_finished(session, run)
    metrics.provisioning_run_finished(status.value)
    return status


def _audit_outcome(session: Session, run: ProvisioningRun) -> None:
    """The outcome is the system's doing (no actor), in the outcome's own transaction."""
    detail: dict[str, object] = {"project_id": str(run.project_id)}
    if run.error:
        detail["error"] = run.error
    audit.record(session, None, f"run.{run.status}", org_id=run.organization_id,
                 target_type="run", target_id=run.id, detail=detail)
