"""``/runs/[run_id]``: a provisioning run as the worker drives it. The page is rebuilt from the
database on every load (reload, another tab, a new login) and, while the run is unfinished, a
background event reads it again every second until it finishes or the page is left."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import Callable
from datetime import datetime

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from projecthub.core.clock import as_utc, utcnow
from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.models import RunStatus, StepStatus
from projecthub.services import projects
from projecthub.services.principal import Principal
from projecthub.services.provisioning import decisions, service
from projecthub.ui.clients import connected
from projecthub.ui.format import iso, when
from projecthub.ui.state.projects import tool_label
from projecthub.ui.state.run_approval import approval_lines
from projecthub.ui.state.session import Event, Events, SessionState, parse_id
from projecthub.ui.state.status_format import run_label
from projecthub.ui.typed import event

RUN_PREFIX = "/runs/"
POLL_SECONDS = 1.0
# A tab closed mid-run leaves its poll running; it stops here at the latest (or at the end).
POLL_LIMIT_SECONDS = 30 * 60
RUN_FIELD = "run"
# Polled while unfinished: a waiting run changes when another approver decides.
_UNFINISHED = (RunStatus.AWAITING_APPROVAL, RunStatus.PENDING, RunStatus.RUNNING)


@dataclasses.dataclass(frozen=True)
class LogLine:
    at: str  # ISO, shown as the viewer's time of day; "" when the entry has no valid time
    at_utc: str
    message: str


@dataclasses.dataclass(frozen=True)
class StepLine:
    id: str
    title: str
    tool: str
    status: str
    attempts: int
    duration: str
    url: str
    error: str
    log: list[LogLine]


def duration(started: datetime | None, finished: datetime | None,
             now: datetime | None = None) -> str:
    """How long a step took (or has been running); "" before it starts."""
    if started is None:
        return ""
    seconds = max(0.0, ((finished or now or utcnow()) - started).total_seconds())
    if seconds < 10:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _log_line(entry: dict[str, object]) -> LogLine:
    at = None
    with contextlib.suppress(ValueError):
        at = datetime.fromisoformat(str(entry.get("at", "")))
    return LogLine(iso(at), as_utc(at).strftime("%H:%M:%S UTC") if at else "",
                   str(entry.get("message", "")))


def _line(step: service.StepView) -> StepLine:
    return StepLine(str(step.id), step.title, tool_label(step.tool), str(step.status),
                    step.attempts, duration(step.started_at, step.finished_at), step.url,
                    step.error, [_log_line(e) for e in step.log])


RUN_TITLES = {"archived": "Archiving", "completed": "Completing", "on_hold": "Putting on hold",
              "active": "Reactivating"}


def _title(kind: str, target: str) -> str:
    """What the run does, for its heading: provisioning, a lifecycle change, or an edit."""
    if kind == "lifecycle":
        return RUN_TITLES.get(target, "Provisioning")
    return "Updating" if kind == "edit" else "Provisioning"


class RunProgressState(SessionState):
    run_status: rx.Field[str] = rx.field("")
    run_status_text: rx.Field[str] = rx.field("")  # in words (status_format.run_label)
    percent: rx.Field[int] = rx.field(0)
    done_count: rx.Field[int] = rx.field(0)
    step_count: rx.Field[int] = rx.field(0)
    steps: rx.Field[list[StepLine]] = rx.field(default_factory=list)
    run_error: rx.Field[str] = rx.field("")
    started: rx.Field[str] = rx.field("")  # UTC text; the ISO instants beside it
    started_at: rx.Field[str] = rx.field("")
    finished: rx.Field[str] = rx.field("")
    finished_at: rx.Field[str] = rx.field("")
    project_name: rx.Field[str] = rx.field("")
    # "Provisioning", or what a lifecycle run does ("Archiving", "Completing", "Restoring", ...).
    run_title: rx.Field[str] = rx.field("Provisioning")
    project_href: rx.Field[str] = rx.field("")
    live: rx.Field[bool] = rx.field(False)  # a poll is keeping the page current
    problem: rx.Field[str] = rx.field("")  # the run is not found
    # Approval (ui/state/run_approval.py): who must decide, may this viewer, what was decided.
    waiting_for: rx.Field[str] = rx.field("")
    can_decide: rx.Field[bool] = rx.field(False)
    own_request: rx.Field[bool] = rx.field(False)
    decision: rx.Field[str] = rx.field("")
    decision_comment: rx.Field[str] = rx.field("")

    _run: str = ""
    # Each load starts a new poll; older polls see the change and stop.
    _generation: int = 0

    @rx.var
    def running(self) -> bool:
        return self.run_status in _UNFINISHED

    @rx.var
    def can_retry(self) -> bool:
        return self.run_status in (RunStatus.FAILED, RunStatus.CANCELLED)

    def _run_from_url(self) -> str:
        path = self.router.url.path.rstrip("/")
        return path.removeprefix(RUN_PREFIX) if path.startswith(RUN_PREFIX) else ""

    def _fill_run(self, db: Session, principal: Principal) -> service.RunView:
        """Show the run as the database has it now."""
        run = service.get_run(db, principal, parse_id(self._run, "Run"))
        done = sum(s.status in (StepStatus.SUCCEEDED, StepStatus.SKIPPED) for s in run.steps)
        self.run_status, self.run_error = str(run.status), run.error
        self.run_status_text = run_label(run.status)
        self.done_count, self.step_count = done, len(run.steps)
        self.percent = round(run.progress * 100)
        self.steps = [_line(s) for s in run.steps]
        self.started, self.started_at = when(run.started_at, never=""), iso(run.started_at)
        self.finished, self.finished_at = when(run.finished_at, never=""), iso(run.finished_at)
        lines = approval_lines(run, principal)
        self.waiting_for, self.can_decide = lines.waiting_for, lines.can_decide
        self.own_request, self.decision = lines.own_request, lines.decision
        return run

    def _watch(self) -> Event | None:
        """Start a fresh poll (any older one stops at its next tick)."""
        self._generation += 1
        self.live = self.run_status in _UNFINISHED
        return RunProgressState.poll if self.live else None

    def _tick(self, generation: int) -> tuple[bool, EventSpec | None]:
        """One poll: (keep polling?, an event to send). Stops when the run has finished, when
        the page was left, reloaded or closed, or when the session is over."""
        if generation != self._generation or not connected(self.router.session.client_token):
            return False, None
        if self.router.url.path.rstrip("/") != RUN_PREFIX + self._run:
            self.live = False
            return False, None
        try:
            with session_scope() as db:
                unfinished = self._fill_run(db, self._principal(db)).status in _UNFINISHED
        except AppError as exc:
            self.live = False
            return False, self._fail(exc, field=RUN_FIELD)
        self.live = unfinished
        return unfinished, None

    @event
    def load(self) -> Events:
        self.problem, self.steps, self.run_status, self.live = "", [], "", False
        self._run = ""
        notice, self.problem = self._load_row(self._run_from_url(), self._open, "Run",
                                              locate=service.load_run)
        if self.problem:
            self._run = ""
        if not self._run:
            return notice
        watch = self._watch()
        return watch if notice is None else [notice, watch] if watch else notice

    def _open(self, db: Session, principal: Principal, run_id: uuid.UUID) -> None:
        self._run = str(run_id)
        run = self._fill_run(db, principal)
        project = projects.get_project(db, principal, run.project_id)
        self.project_name, self.project_href = project.name, f"/projects/{project.id}"
        self.run_title = _title(run.kind, run.target)

    @event(background=True)
    async def poll(self) -> EventSpec | None:
        async with self:
            generation = self._generation
        waited = 0.0
        while waited < POLL_LIMIT_SECONDS:
            await asyncio.sleep(POLL_SECONDS)
            waited += POLL_SECONDS
            async with self:
                keep, event = self._tick(generation)
            if not keep:
                return event
        async with self:
            if generation == self._generation:
                self.live = False
        return None

    def _change(self, action: Callable[[Session, Principal, uuid.UUID], object]) -> Events:
        self.errors = {}
        try:
            with session_scope() as db:
                principal = self._principal(db)
                action(db, principal, parse_id(self._run, "Run"))
                self._fill_run(db, principal)
        except AppError as exc:
            return self._fail(exc, field=RUN_FIELD)
        return self._watch()

    @event
    def retry(self) -> Events:
        """Put the failed steps back in line; the worker resumes the run from them."""
        return self._change(service.retry_run)

    @event
    def cancel(self) -> Events:
        """No new steps start; one already calling a tool finishes and is recorded."""
        return self._change(service.cancel_run)

    @event
    def set_decision_comment(self, value: str) -> None:
        self.decision_comment = value[:decisions.MAX_COMMENT]

    @event
    def approve(self) -> Events:
        """The service checks the caller may decide (an approver, not the requester)."""
        comment = self.decision_comment
        events = self._change(lambda db, p, run_id: decisions.approve_run(
            db, p, run_id, comment=comment))
        if not self.errors:
            self.decision_comment = ""
        return events

    @event
    def reject(self) -> Events:
        """Ends the run with the comment as the reason; nothing is created in any tool."""
        comment = self.decision_comment
        events = self._change(lambda db, p, run_id: decisions.reject_run(
            db, p, run_id, comment=comment))
        if not self.errors:
            self.decision_comment = ""
        return events
