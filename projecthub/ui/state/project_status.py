"""``/projects/[project_id]``: the project's status. Header with health and every reason, a card
per tool resource with figures and a list of links to the others, charts from the daily
history, members, basics and provisioning runs. Times go to the browser as ISO instants (shown
in the viewer's zone) with their UTC text.

Refresh syncs the project with its tools in a background event (the tab stays usable) and then
shows the new figures, each changed one with its old value beside it."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from typing import Any

import reflex as rx
from sqlmodel import Session

from projecthub.core.clock import utcnow
from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.models import Lifecycle, Project, Role, RunKind, RunStatus
from projecthub.services import members
from projecthub.services.drift import resolve
from projecthub.services.principal import Principal
from projecthub.services.provisioning import deletion, lifecycle, service
from projecthub.services.status import overview, sync, view
from projecthub.services.status.settings import get_status_settings
from projecthub.services.templates.library import load_version
from projecthub.services.wiring import sync_config, tool_clients
from projecthub.ui.clients import connected
from projecthub.ui.format import iso, when
from projecthub.ui.state.drift_rows import DriftLine, drift_lines
from projecthub.ui.state.projects import tool_label
from projecthub.ui.state.run_approval import approval_lines
from projecthub.ui.state.session import Events, SessionState, parse_id
from projecthub.ui.state.status_cards import (
    CardView,
    LinkView,
    ReasonLine,
    burn_points,
    card_views,
    issue_points,
    link_views,
    mark_changes,
    reason_lines,
)
from projecthub.ui.state.status_format import (
    EMPTY,
    HEALTH_LABELS,
    date_range,
    day,
    lifecycle_label,
    run_label,
)
from projecthub.ui.typed import event

PROJECT_PREFIX = "/projects/"
STATUS_FIELD = "status"
LIFECYCLE_FIELD = "lifecycle"
DELETE_FIELD = "confirmation"
DRIFT_FIELD = "drift"
RUN_WAIT_SECONDS = 60
# An open page asks every few seconds whether its figures changed (a webhook's refresh, the
# schedule, another tab's Refresh) and shows them without a reload; it stops after a while.
WATCH_SECONDS = 2.0
WATCH_LIMIT_SECONDS = 30 * 60
HISTORY_DAYS = 90


@dataclasses.dataclass(frozen=True)
class Fact:
    label: str
    value: str  # for an instant, its UTC text
    at: str = ""  # an instant's ISO form, shown in the viewer's zone


@dataclasses.dataclass(frozen=True)
class Person:
    name: str
    email: str
    role: str


@dataclasses.dataclass(frozen=True)
class RunRow:
    id: str
    status: str
    status_label: str
    started: str
    started_at: str
    finished: str
    finished_at: str
    steps: str
    href: str


@dataclasses.dataclass(frozen=True)
class ToolChangeRow:
    """A row of the lifecycle preview: a resource and what the change does to it."""

    tool: str
    tool_label: str
    name: str
    action: str
    description: str


@dataclasses.dataclass(frozen=True)
class ToolKeepRow:
    """A row of the delete dialog: a resource in a tool, kept unless chosen (``can_delete``)."""

    tool: str
    tool_label: str
    name: str
    url: str
    can_delete: bool
    note: str


# (state, label) of the states a person may move a project to.
LIFECYCLE_CHOICES = tuple((s.value, lifecycle_label(s.value)) for s in view.MANUAL_STATES)


def _facts(db: Session, principal: Principal, project: Project) -> list[Fact]:
    people = {str(m.user_id): m.display_name or m.email
              for m in members.list_members(db, principal)}
    template = EMPTY
    if project.template_version_id is not None:
        version, definition = load_version(db, principal, project.template_version_id)
        template = f"{definition.name} (version {version.version})"
    return [Fact("Key", project.key), Fact("Type", project.project_type.capitalize()),
            Fact("Company", project.client_company or EMPTY),
            Fact("Project manager", people.get(str(project.owner_id), EMPTY)),
            Fact("Start date", day(project.start_date)), Fact("End date", day(project.end_date)),
            Fact("Template", template),
            Fact("Created", when(project.created_at), iso(project.created_at))]


def _run_row(run: service.RunView) -> RunRow:
    done = sum(s.status in ("succeeded", "skipped") for s in run.steps)
    started = run.started_at or run.created_at
    return RunRow(str(run.id), str(run.status), run_label(run.status), when(started), iso(started),
                  when(run.finished_at, never=EMPTY), iso(run.finished_at),
                  f"{done} of {len(run.steps)}", f"/runs/{run.id}")


class ProjectState(SessionState):
    """What the database knows about the project; only Refresh asks the tools."""

    # not found (missing, another organization's, or not a member of it)
    problem: rx.Field[str] = rx.field("")
    name: rx.Field[str] = rx.field("")
    key: rx.Field[str] = rx.field("")
    client: rx.Field[str] = rx.field("")
    description: rx.Field[str] = rx.field("")
    dates: rx.Field[str] = rx.field("")
    lifecycle: rx.Field[str] = rx.field("")
    lifecycle_text: rx.Field[str] = rx.field("")
    can_change_lifecycle: rx.Field[bool] = rx.field(False)
    can_delete: rx.Field[bool] = rx.field(False)  # the project's owner or an admin
    # "Rejected by Ada on …: comment" when the project was not approved (nothing in any tool).
    rejection: rx.Field[str] = rx.field("")
    edit_link: rx.Field[str] = rx.field("")
    health: rx.Field[str] = rx.field("unknown")
    health_text: rx.Field[str] = rx.field("")
    reasons: rx.Field[list[ReasonLine]] = rx.field(default_factory=list)
    synced_at: rx.Field[str] = rx.field("")  # ISO; "" when never synced
    synced_utc: rx.Field[str] = rx.field("")
    cards: rx.Field[list[CardView]] = rx.field(default_factory=list)
    links: rx.Field[list[LinkView]] = rx.field(default_factory=list)
    issue_history: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)
    burn_history: rx.Field[list[dict[str, Any]]] = rx.field(default_factory=list)
    people: rx.Field[list[Person]] = rx.field(default_factory=list)
    facts: rx.Field[list[Fact]] = rx.field(default_factory=list)
    runs: rx.Field[list[RunRow]] = rx.field(default_factory=list)
    refreshing: rx.Field[bool] = rx.field(False)
    # The lifecycle menu: the state chosen and, per resource, what moving there does.
    lifecycle_dialog: rx.Field[bool] = rx.field(False)
    lifecycle_target: rx.Field[str] = rx.field("")
    lifecycle_target_text: rx.Field[str] = rx.field("")
    lifecycle_changes: rx.Field[list[ToolChangeRow]] = rx.field(default_factory=list)
    # Deleting: what is kept in each tool, confirmed by typing the key.
    delete_dialog: rx.Field[bool] = rx.field(False)
    delete_rows: rx.Field[list[ToolKeepRow]] = rx.field(default_factory=list)
    drift: rx.Field[list[DriftLine]] = rx.field(default_factory=list)
    can_settle_drift: rx.Field[bool] = rx.field(False)

    _project: str = ""
    _watching: int = 0  # generation of the page's watcher; a newer load stops the older one

    def _project_from_url(self) -> str:
        path = self.router.url.path.rstrip("/")
        return path.removeprefix(PROJECT_PREFIX) if path.startswith(PROJECT_PREFIX) else ""

    def _fill(self, db: Session, principal: Principal) -> None:
        """The whole page from the database, as ``principal`` may see it."""
        status = view.project_status(db, principal, parse_id(self._project, "Project"))
        project, now = status.project, utcnow()
        stale_hours = get_status_settings(db, principal).stale_hours
        self.name, self.key, self.description = project.name, project.key, project.description
        self.client = project.client_company
        self.dates = date_range(project.start_date, project.end_date)
        self.lifecycle, self.lifecycle_text = str(project.lifecycle), lifecycle_label(
            str(project.lifecycle))
        # Shown to those the service will let through; it checks again on every change.
        self.can_delete = principal.has_role(Role.ADMIN) or project.owner_id == principal.user_id
        self.can_change_lifecycle = self.can_delete and project.lifecycle not in (
            Lifecycle.DRAFT, Lifecycle.PROVISIONING, Lifecycle.NOT_APPROVED)
        self.edit_link = f"/projects/{project.id}/edit"
        self.health = status.health.value
        self.health_text = HEALTH_LABELS[status.health]
        self.reasons = reason_lines(status.reasons)
        self.synced_at = iso(status.synced_at)
        self.synced_utc = when(status.synced_at, never="")
        self.cards = card_views(status.figure_cards, status.links, now, stale_hours)
        self.links = link_views(status.links)
        history = view.history(db, principal, project.id, days=HISTORY_DAYS)
        self.issue_history = issue_points(history)
        self.burn_history = burn_points(history, project.start_date, project.end_date)
        self.people = [Person(p.name, p.email, p.role)
                       for p in overview.project_members(db, principal, project.id)]
        self.facts = _facts(db, principal, project)
        runs = service.list_runs(db, principal, project.id)
        self.runs = [_run_row(r) for r in runs]
        # Why it was not approved: its creation run's decision (newest first, so the last one).
        refused = [r for r in runs
                   if r.kind == RunKind.PROVISION and r.status == RunStatus.REJECTED]
        self.rejection = (approval_lines(refused[0], principal).decision
                          if refused and project.lifecycle == Lifecycle.NOT_APPROVED else "")
        self.drift = drift_lines(resolve.list_drift(db, principal, project.id))
        self.can_settle_drift = (principal.has_role(Role.ADMIN)
                                 or project.owner_id == principal.user_id)

    @event
    def load(self) -> Events:
        self.problem, self.name, self.cards, self.links, self.reasons = "", "", [], [], []
        self.refreshing, self._project = False, ""
        lost, self.problem = self._load_row(self._project_from_url(), self._open)
        if self.problem:
            self._project = ""
        if not self._project:
            return lost
        self._watching += 1
        return ProjectState.watch if lost is None else [lost, ProjectState.watch]

    def _open(self, db: Session, principal: Principal, project_id: uuid.UUID) -> None:
        self._project = str(project_id)
        self._fill(db, principal)

    def _changed_since(self, generation: int) -> bool | None:
        """One look at the project's last sync: None to stop watching (page left, reloaded or
        closed, session over), True when the figures changed and were shown."""
        if generation != self._watching or not self._project \
                or not connected(self.router.session.client_token) \
                or self._project_from_url() != self._project:
            return None
        try:
            with session_scope() as db:
                principal = self._principal(db)
                synced = iso(view.last_synced(db, principal, parse_id(self._project, "Project")))
                if synced == self.synced_at or self.refreshing:
                    return False
                before = list(self.cards)
                self._fill(db, principal)
        except AppError:
            return None
        self.cards = mark_changes(before, self.cards)
        return True

    @event(background=True)
    async def watch(self) -> None:
        async with self:
            generation = self._watching
        waited = 0.0
        while waited < WATCH_LIMIT_SECONDS:
            await asyncio.sleep(WATCH_SECONDS)
            waited += WATCH_SECONDS
            async with self:
                if self._changed_since(generation) is None:
                    return

    @event
    def set_lifecycle(self, state: str) -> Events:
        return self._tenant_action(
            lambda db, p: view.set_lifecycle(db, p, parse_id(self._project, "Project"), state),
            success=f"The project is now {lifecycle_label(state).lower()}.",
            field=LIFECYCLE_FIELD)

    @event
    def preview_lifecycle(self, state: str) -> Events:
        """Open the preview of moving the project to ``state``: what happens in each tool."""
        self.errors = {}
        try:
            with session_scope() as db:
                preview = lifecycle.preview_lifecycle(
                    db, self._principal(db), parse_id(self._project, "Project"), state)
        except AppError as exc:
            return self._fail(exc, field=LIFECYCLE_FIELD)
        self.lifecycle_target = preview.target.value
        self.lifecycle_target_text = lifecycle_label(preview.target.value)
        self.lifecycle_changes = [
            ToolChangeRow(c.tool, tool_label(c.tool), c.name, c.action, c.description)
            for c in preview.changes]
        self.lifecycle_dialog = True
        return None

    @event
    def close_lifecycle(self, _open: bool = False) -> None:
        """Cancel, Escape or a click outside: nothing changes."""
        self.lifecycle_dialog = False

    @event
    def confirm_lifecycle(self) -> Events:
        """Start the change previewed; with steps in the tools, follow its run's page."""
        self.lifecycle_dialog, self.errors = False, {}
        target = self.lifecycle_target
        try:
            with session_scope() as db:
                principal = self._principal(db)
                _, run = lifecycle.start_lifecycle_change(
                    db, principal, parse_id(self._project, "Project"), target)
                run_id = str(run.id) if run is not None else ""
                waits = run is not None and run.status == RunStatus.AWAITING_APPROVAL
                self._fill(db, principal)
        except AppError as exc:
            return self._fail(exc, field=LIFECYCLE_FIELD)
        if run_id:
            return [rx.toast.info("The change waits for approval." if waits
                                  else "The change is on its way to the tools."),
                    rx.redirect(f"/runs/{run_id}")]
        return rx.toast.success(f"The project is now {lifecycle_label(target).lower()}.")

    @event
    def open_delete(self) -> Events:
        """Open the delete dialog: each tool resource and whether it is kept."""
        self.errors = {}
        try:
            with session_scope() as db:
                preview = deletion.preview_delete(db, self._principal(db),
                                                  parse_id(self._project, "Project"))
        except AppError as exc:
            return self._fail(exc, field=DELETE_FIELD)
        self.delete_rows = [
            ToolKeepRow(o.tool, tool_label(o.tool), o.name, o.url, o.can_delete, o.note)
            for o in preview.options]
        self.delete_dialog = True
        return None

    @event
    def close_delete(self, _open: bool = False) -> None:
        self.delete_dialog = False

    @event
    async def delete_project(self, form: dict[str, Any]) -> Events:
        """Delete the project once its key is typed; tools only where their box is ticked. A
        tool that fails keeps the project (the message says which, and what was deleted)."""
        self.errors = {}
        chosen = [tool for tool in ("jira", "confluence", "graph", "productive")
                  if form.get(f"delete_{tool}") in ("on", True, "true")]
        try:
            with session_scope() as db:
                principal = self._principal(db)
                result = await deletion.delete_project(
                    db, principal, tool_clients(principal), parse_id(self._project, "Project"),
                    confirmation=str(form.get("confirmation") or ""), delete_in=chosen)
        except AppError as exc:
            return self._fail(exc, field=DELETE_FIELD)
        if not result.deleted:
            done = f" Deleted: {', '.join(result.deleted_in)}." if result.deleted_in else ""
            self.errors = {DELETE_FIELD: "The project was kept: " + "; ".join(result.failed)
                           + "." + done + " Fix the cause and delete again."}
            return None
        self.delete_dialog, self._project = False, ""
        kept = f" {len(result.kept)} tool resource(s) were kept." if result.kept else ""
        return [rx.toast.success(f"Project {result.key} was deleted.{kept}"), rx.redirect("/")]

    @event
    def accept_drift(self, drift_id: str) -> Events:
        """ProjectHub takes the tool's value (the service checks who may)."""
        return self._tenant_action(
            lambda db, p: resolve.accept_tool_value(
                db, p, parse_id(drift_id, "Drift"), project_id=parse_id(self._project, "Project")),
            success="ProjectHub now has the tool's value.", field=DRIFT_FIELD)

    @event(background=True)
    async def make_match(self, drift_id: str) -> Events:
        """Start the run that writes ProjectHub's value to the tool, wait for the provisioning
        worker to finish it, then sync so the page shows whether the tool now matches."""
        async with self:
            self.errors = {}
            try:
                with session_scope() as db:
                    principal = self._principal(db)
                    run_id = resolve.make_it_match(
                        db, principal, parse_id(drift_id, "Drift"),
                        project_id=parse_id(self._project, "Project")).id
                with session_scope() as db:
                    self._fill(db, self._principal(db))
            except AppError as exc:
                return self._fail(exc, field=DRIFT_FIELD)
        status = await self._finished(run_id)
        try:
            if status == RunStatus.SUCCEEDED:
                await self._sync_after_the_run()
            async with self:
                with session_scope() as db:
                    self._fill(db, self._principal(db))
        except AppError as exc:
            async with self:
                return self._fail(exc, field=DRIFT_FIELD)
        if status == RunStatus.SUCCEEDED:
            return rx.toast.success("The tool now has ProjectHub's value.")
        return rx.toast.error("The run did not finish; see its steps.")

    async def _finished(self, run_id: uuid.UUID) -> RunStatus | None:
        """The run's final status, or None if it is still going after RUN_WAIT_SECONDS."""
        for _ in range(RUN_WAIT_SECONDS * 2):
            with session_scope() as db:
                status = service.get_run(db, self._principal(db), run_id).status
            if status not in (RunStatus.PENDING, RunStatus.RUNNING):
                return status
            await asyncio.sleep(0.5)
        return None

    async def _sync_after_the_run(self) -> None:
        """Sync so the page shows the tool as it is now. The run's own refresh job may be
        syncing the project already (its lease turns this one away); then sync once it is done,
        rather than show the drift as it was before the fix."""
        for _ in range(RUN_WAIT_SECONDS * 2):
            if await self._sync():
                return
            await asyncio.sleep(0.5)

    async def _sync(self) -> bool:
        """Sync the project if the session may see it; False when a sync was already running."""
        with session_scope() as db:
            principal = self._principal(db)
            project = view.request_refresh(db, principal, parse_id(self._project, "Project"))
        return await sync.refresh_project(project.id, sync_config()) is not None

    @event(background=True)
    async def refresh(self) -> Events:
        """Fetch fresh figures from every tool of the project now, then show them."""
        async with self:
            if self.refreshing:
                return None
            self.refreshing, self.errors = True, {}
            before = list(self.cards)
            tab = self.router.session.client_token
        try:
            synced = await self._sync()
            if not connected(tab):  # closed during the sync; the page's load starts afresh
                return None
            async with self:
                with session_scope() as db:
                    self._fill(db, self._principal(db))
                self.cards = mark_changes(before, self.cards)
        except AppError as exc:
            if not connected(tab):
                return None
            async with self:
                return self._fail(exc, field=STATUS_FIELD)
        finally:  # whatever happened, the button works again (for a tab still open)
            if connected(tab):
                async with self:
                    self.refreshing = False
        if not synced:
            return rx.toast.info("A sync of this project was already running; these are its "
                                 "latest figures.")
        changed = sum(bool(f.was) for c in self.cards for f in c.figures)
        return rx.toast.success("Figures refreshed: " + (
            f"{changed} changed." if changed else "nothing changed."))
