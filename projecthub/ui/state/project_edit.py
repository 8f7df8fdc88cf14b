"""``/projects/[project_id]/edit``: change a project's name, description, client, dates, owner
and members. Preview first (what happens in each tool, nothing changes), then run it: changes
that touch a tool become an edit run (its page follows it), the others apply at once.

The project comes from the URL and every handler checks again through the service, so a tab
pointed at another organization's project only ever reads "not found"."""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

import reflex as rx
from sqlmodel import Session

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.models import RunStatus
from projecthub.services import members, projects
from projecthub.services.principal import Principal
from projecthub.services.provisioning import editing
from projecthub.services.provisioning.edit_members import list_members
from projecthub.services.provisioning.lifecycle import require_manager
from projecthub.ui.state.session import Events, SessionState, parse_id
from projecthub.ui.typed import event

EDIT_PREFIX, EDIT_SUFFIX = "/projects/", "/edit"
NO_ROLE = "none"
ROLE_CHOICES = (NO_ROLE, "member", "lead")
ROLE_PREFIX = "role_"
FORM_FIELD = "edit"


@dataclasses.dataclass(frozen=True)
class EditPerson:
    """An organization member and their place in the project (``none``: not in it)."""

    user_id: str
    name: str
    email: str
    role: str


@dataclasses.dataclass(frozen=True)
class EditLine:
    tool: str
    description: str


def _values(form: dict[str, Any]) -> dict[str, Any]:
    """The service's edit from the form: blank dates clear them, the member list is every
    person given a role."""
    roles = {k.removeprefix(ROLE_PREFIX): str(v) for k, v in form.items()
             if k.startswith(ROLE_PREFIX)}
    return {"name": str(form.get("name", "")).strip(),
            "description": str(form.get("description", "")),
            "client_company": str(form.get("client_company", "")).strip(),
            "start_date": form.get("start_date") or None,
            "end_date": form.get("end_date") or None,
            "owner_id": form.get("owner_id") or None,
            "members": [{"user_id": u, "role": r} for u, r in roles.items() if r != NO_ROLE]}


def project_from_path(path: str) -> str:
    """The project id of an edit page's path ("" for any other page)."""
    path = path.rstrip("/")
    if path.startswith(EDIT_PREFIX) and path.endswith(EDIT_SUFFIX):
        return path.removeprefix(EDIT_PREFIX).removesuffix(EDIT_SUFFIX)
    return ""


class ProjectEditState(SessionState):
    problem: rx.Field[str] = rx.field("")
    edit_id: rx.Field[str] = rx.field("")
    title: rx.Field[str] = rx.field("")
    name: rx.Field[str] = rx.field("")
    description: rx.Field[str] = rx.field("")
    client: rx.Field[str] = rx.field("")
    start_date: rx.Field[str] = rx.field("")
    end_date: rx.Field[str] = rx.field("")
    owner_id: rx.Field[str] = rx.field("")
    people: rx.Field[list[EditPerson]] = rx.field(default_factory=list)
    preview_open: rx.Field[bool] = rx.field(False)
    lines: rx.Field[list[EditLine]] = rx.field(default_factory=list)
    runs_in_tools: rx.Field[bool] = rx.field(False)
    waits_for: rx.Field[str] = rx.field("")  # who must approve the run first, if anyone

    _project: str = ""
    _pending: str = ""  # backend-only: the edit last previewed, as JSON

    def _fill(self, db: Session, principal: Principal) -> None:
        project_id = parse_id(self._project, "Project")
        project = projects.get_project(db, principal, project_id)
        require_manager(principal, project)
        in_project = {str(m.user_id): m.role for m in list_members(db, principal, project_id)}
        self.edit_id, self.title = str(project.id), project.name
        self.name, self.description = project.name, project.description
        self.client = project.client_company
        self.start_date = project.start_date.isoformat() if project.start_date else ""
        self.end_date = project.end_date.isoformat() if project.end_date else ""
        self.owner_id = str(project.owner_id or "")
        self.people = [EditPerson(str(m.user_id), m.display_name or m.email, m.email,
                                  in_project.get(str(m.user_id), NO_ROLE))
                       for m in members.list_members(db, principal) if m.is_active]

    @event
    def load(self) -> Events:
        self.problem, self.title, self.preview_open, self.lines = "", "", False, []
        self.edit_id = ""  # the form mounts again with this project's values
        self._project, self._pending = "", ""
        lost, self.problem = self._load_row(project_from_path(self.router.url.path), self._open)
        if self.problem:
            self._project = ""
        return lost

    def _open(self, db: Session, principal: Principal, project_id: uuid.UUID) -> None:
        self._project = str(project_id)
        self._fill(db, principal)

    @event
    def preview(self, form: dict[str, Any]) -> Events:
        """What the form's changes do in each tool and in ProjectHub; nothing changes."""
        self.errors = {}
        try:
            values = _values(form)
            with session_scope() as db:
                shown = editing.preview_edit(db, self._principal(db),
                                             parse_id(self._project, "Project"),
                                             editing.parse_edit(values))
        except AppError as exc:
            return self._fail(exc, field=FORM_FIELD)
        self._pending = json.dumps(values)
        self.lines = [EditLine(c.tool, c.description) for c in shown.changes]
        self.runs_in_tools = shown.runs_in_tools
        self.waits_for = shown.waits_for
        self.preview_open = True
        return None

    @event
    def close_preview(self, _open: bool = False) -> None:
        self.preview_open = False

    @event
    def confirm(self) -> Events:
        """Start the edit previewed: a run to follow, or the project page when it is done."""
        self.preview_open, self.errors = False, {}
        if not self._pending:
            return None
        try:
            with session_scope() as db:
                project, run = editing.start_edit(
                    db, self._principal(db), parse_id(self._project, "Project"),
                    editing.parse_edit(json.loads(self._pending)))
                target = f"/runs/{run.id}" if run is not None else f"/projects/{project.id}"
                waits = run is not None and run.status == RunStatus.AWAITING_APPROVAL
        except AppError as exc:
            return self._fail(exc, field=FORM_FIELD)
        self._pending = ""
        if target.startswith("/runs/"):
            return [rx.toast.info("The changes wait for approval." if waits
                                  else "The changes are on their way to the tools."),
                    rx.redirect(target)]
        return [rx.toast.success("The project is updated."), rx.redirect(target)]
