"""Editing a project after it was provisioned: name, description, client, dates, owner, members
and their roles. The project's answers are its desired state: a change that touches a tool is
previewed per tool, then run as steps of the provisioning ledger (a run of kind ``edit``, driven
by the same runner), and ProjectHub takes the new values when every step has succeeded (the
runner calls ``edit_apply.system_apply``). A change that touches no tool applies at once.

People added to the project are project members as soon as the run goes to the tools (they
see it while the tools catch up); everything else waits for the run's success. When the
project's template requires approval, the run waits as ``awaiting_approval`` with nothing
changed anywhere, not even the newcomers: they join on approval, and a rejection leaves
ProjectHub and the tools as they were (``approvals.py``, ``decisions.py``). Only the
organization's owners and admins, or the project's manager, may edit; one run per project at
a time, so two edits cannot cross.

See docs/architecture.md §4 "Edit runs".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import Field, ValidationError
from sqlmodel import Session, col, select

from projecthub.core.errors import Conflict, Invalid
from projecthub.models import (
    Lifecycle,
    Membership,
    Project,
    ProjectMember,
    ProjectResource,
    ProvisioningRun,
    ProvisioningStep,
    RunKind,
    User,
)
from projecthub.services import audit, projects
from projecthub.services.principal import Principal
from projecthub.services.provisioning import edit_apply
from projecthub.services.provisioning.approvals import (
    approver_role_for,
    hold_or_drive,
    role_label,
)
from projecthub.services.provisioning.edit_steps import (
    LEAD,
    MANAGER,
    MEMBER,
    MemberDiff,
    Person,
    PlannedStep,
    dependencies,
    plan_resource,
)
from projecthub.services.provisioning.lifecycle import (
    require_manager,
    require_set_up,
    run_in_progress,
)
from projecthub.services.scoping import scoped_select
from projecthub.services.views import View


class MemberSpec(View):
    user_id: uuid.UUID
    role: str = Field(default=MEMBER, pattern=f"^({LEAD}|{MEMBER})$")


class ProjectEdit(View):
    """What changes; a field left out stays as it is (``members`` is the whole list of
    people besides the owner, who is always the project's manager)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    client_company: str | None = Field(default=None, max_length=200)
    start_date: date | None = None
    end_date: date | None = None
    owner_id: uuid.UUID | None = None
    members: list[MemberSpec] | None = Field(default=None, max_length=500)


class EditChange(View):
    """One row of the preview: the tool (``projecthub`` for ProjectHub-only fields) and what
    happens there."""

    tool: str
    description: str


class EditPreview(View):
    """``waits_for`` names who must approve the run first ("" when it goes straight to the
    tools, or when no tool is touched)."""

    project_id: uuid.UUID
    changes: Sequence[EditChange]
    runs_in_tools: bool
    waits_for: str = ""


def parse_edit(values: dict[str, Any]) -> ProjectEdit:
    """An edit from loose values (a UI form), with the same checks as the API's body."""
    try:
        return ProjectEdit.model_validate(values)
    except ValidationError as exc:
        fields = {str(e["loc"][0]): e["msg"] for e in exc.errors() if e["loc"]}
        raise Invalid("Some values are not valid.", fields) from exc


@dataclass(frozen=True)
class _Plan:
    """An edit worked out against the project: new field values, the new owner (``None``:
    unchanged), the members wanted and those now, and the tool steps."""

    project: Project
    fields: dict[str, Any]
    owner: uuid.UUID | None
    wanted: dict[uuid.UUID, str]
    current: dict[uuid.UUID, str]
    people: dict[uuid.UUID, Person]
    steps: list[PlannedStep]

    @property
    def members_change(self) -> bool:
        return self.wanted != self.current

    def changes_json(self) -> dict[str, Any]:
        renamed = {str(s.resource.id): s.inputs["name"] for s in self.steps if "name" in s.inputs}
        return {"fields": {k: (v.isoformat() if isinstance(v, date) else v)
                           for k, v in self.fields.items()},
                "owner_id": str(self.owner) if self.owner else None,
                "members": ({str(u): r for u, r in self.wanted.items()}
                            if self.members_change else None),
                "resource_names": renamed}


def _current_members(session: Session, principal: Principal,
                     project: Project) -> dict[uuid.UUID, str]:
    rows = session.exec(scoped_select(principal, ProjectMember).where(
        ProjectMember.project_id == project.id)).all()
    return {m.user_id: m.role for m in rows}


def _people(session: Session, principal: Principal,
            ids: set[uuid.UUID]) -> tuple[dict[uuid.UUID, Person], set[uuid.UUID]]:
    """Members of the organization among ``ids`` (deactivated ones too: they may still be on
    the project), and which of them are active; anyone else is not found."""
    rows = session.exec(select(User, Membership.is_active).join(
        Membership, col(Membership.user_id) == col(User.id)).where(
        Membership.organization_id == principal.org_id, col(User.id).in_(ids))).all()
    people = {u.id: Person(u.email.lower(), u.display_name or u.email) for u, _ in rows}
    return people, {u.id for u, active in rows if active}


def _wanted(edit: ProjectEdit, current: dict[uuid.UUID, str],
            owner: uuid.UUID) -> dict[uuid.UUID, str]:
    if edit.members is not None:
        wanted = {m.user_id: m.role for m in edit.members}
    else:
        wanted = {u: MEMBER if r == MANAGER else r for u, r in current.items()}
    wanted[owner] = MANAGER
    return wanted


def _fields(edit: ProjectEdit, project: Project) -> dict[str, Any]:
    given = edit.model_fields_set & {"name", "description", "client_company", "start_date",
                                     "end_date"}
    fields = {f: getattr(edit, f) for f in given if getattr(edit, f) != getattr(project, f)}
    if "name" in fields and not (fields["name"] or "").strip():
        raise Invalid("The project needs a name.", {"name": "Enter a name."})
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    for text in ("description", "client_company"):
        if text in fields and fields[text] is None:
            fields[text] = ""
    start = fields.get("start_date", project.start_date)
    end = fields.get("end_date", project.end_date)
    if start and end and end < start:
        raise Invalid("The end date is before the start date.",
                      {"end_date": "Choose a date after the start."})
    return fields


def _plan(session: Session, principal: Principal, project: Project,
          edit: ProjectEdit) -> _Plan:
    require_set_up(project)
    if project.lifecycle == Lifecycle.ARCHIVED:
        raise Conflict("The project is archived; restore it before editing.")
    fields = _fields(edit, project)
    current = _current_members(session, principal, project)
    owner = edit.owner_id if edit.owner_id is not None else project.owner_id
    if owner is None:
        raise Invalid("The project needs an owner.", {"owner_id": "Choose the owner."})
    wanted = _wanted(edit, current, owner)
    people, active = _people(session, principal, set(wanted) | set(current))
    # Newcomers and a new owner must be active members; people already on the project stay.
    unknown = [u for u in wanted if u not in active
               and (u not in current or (u == owner and owner != project.owner_id))]
    if unknown:
        raise Invalid("Project members must be active members of the organization.",
                      {"members": f"{len(unknown)} of them are not."})
    diff = MemberDiff(
        added={people[u]: r for u, r in wanted.items() if u not in current},
        removed=[people[u] for u in current if u not in wanted and u in people],
        changed={people[u]: (current[u], r) for u, r in wanted.items()
                 if u in current and u in people and current[u] != r})
    new_owner = owner if owner != project.owner_id else None
    resources = session.exec(scoped_select(principal, ProjectResource).where(
        ProjectResource.project_id == project.id).order_by(
        col(ProjectResource.tool), col(ProjectResource.created_at))).all()
    steps = [s for r in resources for s in plan_resource(
        r, new_name=fields.get("name"), members=diff, old_name=project.name,
        manager_email=people[new_owner].email if new_owner else None)]
    return _Plan(project, fields, new_owner, wanted, current, people, steps)


def _rows(plan: _Plan) -> list[EditChange]:
    rows = [EditChange(tool=s.tool, description=s.title) for s in plan.steps]
    labels = {"name": "Name", "description": "Description", "client_company": "Client",
              "start_date": "Start date", "end_date": "End date"}
    for name, value in plan.fields.items():
        before = getattr(plan.project, name)
        rows.append(EditChange(tool="projecthub", description=(
            f"ProjectHub: {labels[name]} {before or '—'} → {value or '—'}")))
    if plan.owner is not None:
        rows.append(EditChange(tool="projecthub", description=(
            f"ProjectHub: {plan.people[plan.owner].name} becomes the project's manager")))
    for user, role in plan.wanted.items():
        if plan.current.get(user) != role and user != plan.owner and user in plan.people:
            verb = "joins as" if user not in plan.current else "becomes"
            rows.append(EditChange(tool="projecthub", description=(
                f"ProjectHub: {plan.people[user].name} {verb} {role}")))
    for user in plan.current:
        if user not in plan.wanted and user in plan.people:
            rows.append(EditChange(tool="projecthub", description=(
                f"ProjectHub: {plan.people[user].name} leaves the project")))
    return rows


def preview_edit(session: Session, principal: Principal, project_id: uuid.UUID,
                 edit: ProjectEdit) -> EditPreview:
    """What the edit changes, per tool and in ProjectHub (nothing is changed)."""
    project = projects.get_project(session, principal, project_id)
    require_manager(principal, project)
    plan = _plan(session, principal, project, edit)
    role = approver_role_for(session, principal, project) if plan.steps else None
    return EditPreview(project_id=project.id, changes=_rows(plan),
                       runs_in_tools=bool(plan.steps), waits_for=role_label(role) if role else "")


def start_edit(session: Session, principal: Principal, project_id: uuid.UUID,
               edit: ProjectEdit) -> tuple[Project, ProvisioningRun | None]:
    """Apply the edit: at once when no tool is touched, else as an edit run committed with the
    caller's unit of work (the worker drives it, or first the approvers when the template asks
    for them; ProjectHub changes when it succeeds)."""
    project = projects.get_project(session, principal, project_id)
    require_manager(principal, project)
    if run_in_progress(session, principal, project):
        raise Conflict("A run of this project is still under way; wait for it to finish.")
    plan = _plan(session, principal, project, edit)
    changes = plan.changes_json()
    detail: dict[str, object] = {"fields": sorted(plan.fields),
                                 "owner": changes["owner_id"],
                                 "members": plan.members_change}
    if not plan.steps:
        edit_apply.apply_changes(session, project, changes)
        audit.record(session, principal, "project.edited", target_type="project",
                     target_id=project.id, detail=detail)
        return project, None
    run = ProvisioningRun(organization_id=principal.org_id, project_id=project.id,
                          created_by_id=principal.user_id, kind=RunKind.EDIT, changes=changes)
    session.add(run)
    session.flush()  # the steps reference the run
    for position, step in enumerate(plan.steps):
        session.add(ProvisioningStep(
            organization_id=principal.org_id, run_id=run.id, position=position, key=step.key,
            action=step.action, tool=step.tool, title=step.title[:300],
            connection_id=step.resource.connection_id, inputs=step.inputs,
            depends_on=dependencies(step, plan.steps),
            idempotency_key=f"{run.id}:{step.key}"[:120]))
    audit.record(session, principal, "project.edit_run_started", target_type="project",
                 target_id=project.id, detail={**detail, "run": str(run.id),
                                               "steps": len(plan.steps)})
    approver_role = approver_role_for(session, principal, project)
    if approver_role is None:  # else the newcomers join when the run is approved
        edit_apply.admit_newcomers(session, run)
    hold_or_drive(session, principal, run, approver_role)
    return project, run


__all__ = ["EditChange", "EditPreview", "MemberSpec", "ProjectEdit", "parse_edit",
           "preview_edit", "start_edit"]
