"""A project's lifecycle reaching its tools: on hold, completed and archived map to what each tool
supports (Jira project archive, Confluence space archive, Teams team archive, Productive project
archive), reactivation restores them. A change is planned, previewed (per resource, what will
happen), then run as steps of the provisioning ledger (a run of kind ``lifecycle``), and audited.
The project takes its new state when every step has succeeded (the runner's ``_finish``).

See docs/architecture.md §4 "Lifecycle runs".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col

from projecthub.core.clock import utcnow
from projecthub.core.errors import Conflict, Invalid, PermissionDenied
from projecthub.models import (
    Lifecycle,
    Project,
    ProjectResource,
    ProvisioningRun,
    ProvisioningStep,
    Role,
    RunKind,
    RunStatus,
)
from projecthub.services import audit, projects
from projecthub.services.principal import Principal
from projecthub.services.provisioning.approvals import approver_role_for, hold_or_drive
from projecthub.services.scoping import scoped_select
from projecthub.services.views import View

MANUAL_STATES = (Lifecycle.ACTIVE, Lifecycle.ON_HOLD, Lifecycle.COMPLETED, Lifecycle.ARCHIVED)


@dataclass(frozen=True)
class ToolMapping:
    """How one kind of resource is archived and restored in its tool, and what the preview
    calls it."""

    archive: str
    restore: str
    noun: str
    input_name: str  # the step input that names the resource
    by_key: bool  # that input is the resource's key (else its id)


MAPPINGS: dict[tuple[str, str], ToolMapping] = {
    ("jira", "project"): ToolMapping("jira.archive_project", "jira.restore_project",
                                     "Jira project", "key", True),
    ("confluence", "space"): ToolMapping("confluence.archive_space", "confluence.restore_space",
                                         "Confluence space", "key", True),
    ("graph", "team"): ToolMapping("graph.archive_team", "graph.unarchive_team", "Teams team",
                                   "team_id", False),
    ("productive", "project"): ToolMapping("productive.archive_project",
                                           "productive.restore_project", "Productive project",
                                           "project_id", False),
}

# Which tools hold the project archived in each state. On hold changes nothing in the tools (no
# tool has such a state, and work resumes soon); completed archives what would keep collecting
# work (Teams conversations, Productive time and budgets) while Jira issues and Confluence pages
# stay open for reading and search; archived archives everything.
ARCHIVED_TOOLS: dict[Lifecycle, frozenset[str]] = {
    Lifecycle.ACTIVE: frozenset(),
    Lifecycle.ON_HOLD: frozenset(),
    Lifecycle.COMPLETED: frozenset({"graph", "productive"}),
    Lifecycle.ARCHIVED: frozenset({"jira", "confluence", "graph", "productive"}),
}


class ToolChange(View):
    """One row of the preview: a resource and what the change does to it."""

    tool: str
    resource: str
    name: str
    action: str  # archive | restore | none
    step_action: str
    description: str


class LifecyclePreview(View):
    project_id: uuid.UUID
    current: Lifecycle
    target: Lifecycle
    changes: Sequence[ToolChange]

    @property
    def steps(self) -> list[ToolChange]:
        return [c for c in self.changes if c.action != "none"]


def require_manager(principal: Principal, project: Project) -> None:
    """Lifecycle changes and deletion: the organization's owners and admins, or the project's
    owner (its manager) if they are at least a member; viewers never."""
    if principal.has_role(Role.ADMIN):
        return
    if principal.has_role(Role.MEMBER) and project.owner_id == principal.user_id:
        return
    raise PermissionDenied("Only the project's owner or an organization admin can do this.")


def _target(state: str) -> Lifecycle:
    try:
        target = Lifecycle(state)
    except ValueError as exc:
        raise Invalid("Unknown lifecycle state.", {"lifecycle": "Unknown state."}) from exc
    if target not in MANUAL_STATES:
        raise Invalid("Draft and provisioning are set by ProjectHub itself.",
                      {"lifecycle": "Not a state you can choose."})
    return target


def _resources(session: Session, principal: Principal,
               project: Project) -> list[ProjectResource]:
    rows = session.exec(scoped_select(principal, ProjectResource).where(
        ProjectResource.project_id == project.id).order_by(
        col(ProjectResource.tool), col(ProjectResource.created_at))).all()
    return [r for r in rows if (r.tool, r.kind) in MAPPINGS]


def _change(resource: ProjectResource, archived: frozenset[str], maybe_archived: frozenset[str],
            target: Lifecycle) -> ToolChange:
    """Archive what the target wants archived unless it surely is; restore what may be
    archived but should not (steps are idempotent, so "maybe" costs a read, not a change)."""
    mapping = MAPPINGS[(resource.tool, resource.kind)]
    will = resource.tool in ARCHIVED_TOOLS[target]
    label = resource.name or resource.external_key or resource.external_id
    if will and resource.tool not in archived:
        action, step, text = "archive", mapping.archive, f"The {mapping.noun} is archived."
    elif not will and resource.tool in maybe_archived:
        action, step, text = "restore", mapping.restore, f"The {mapping.noun} is restored."
    else:
        action, step = "none", ""
        text = (f"The {mapping.noun} stays archived." if will
                else f"The {mapping.noun} stays as it is.")
    if action != "none" and resource.connection_id is None:
        action, step = "none", ""
        text = f"The {mapping.noun}'s connection was removed: ProjectHub cannot change it."
    return ToolChange(tool=resource.tool, resource=mapping.noun, name=label, action=action,
                      step_action=step, description=text)


def _maybe_archived(session: Session, principal: Principal, project: Project,
                    current: Lifecycle) -> frozenset[str]:
    """Tools that may hold the project archived: those of its state, and, when its last
    lifecycle run did not succeed (failed or cancelled halfway), those of that run's target
    too, so going back plans a restore for whatever that run got done."""
    last = session.exec(scoped_select(principal, ProvisioningRun).where(
        ProvisioningRun.project_id == project.id, ProvisioningRun.kind == RunKind.LIFECYCLE
    ).order_by(col(ProvisioningRun.created_at).desc())).first()
    tools = ARCHIVED_TOOLS[current]
    if last is not None and last.status != RunStatus.SUCCEEDED and last.target:
        tools = tools | ARCHIVED_TOOLS[Lifecycle(last.target)]
    return tools


def _plan(session: Session, principal: Principal, project: Project, current: Lifecycle,
          target: Lifecycle) -> list[tuple[ProjectResource, ToolChange]]:
    maybe = _maybe_archived(session, principal, project, current)
    return [(r, _change(r, ARCHIVED_TOOLS[current], maybe, target))
            for r in _resources(session, principal, project)]


def preview_lifecycle(session: Session, principal: Principal, project_id: uuid.UUID,
                      state: str) -> LifecyclePreview:
    """What moving the project to ``state`` does in each tool (nothing is changed)."""
    project = projects.get_project(session, principal, project_id)
    require_manager(principal, project)
    target = _target(state)
    require_set_up(project)
    current = Lifecycle(project.lifecycle)
    changes = [c for _, c in _plan(session, principal, project, current, target)]
    return LifecyclePreview(project_id=project.id, current=current, target=target,
                            changes=changes)


def require_set_up(project: Project) -> None:
    """Lifecycle changes and edits need a project that exists in its tools."""
    if project.lifecycle == Lifecycle.NOT_APPROVED:
        raise Conflict("The project was not approved, so nothing exists in any tool: delete it, "
                       "or start a new one.")
    if project.lifecycle in (Lifecycle.DRAFT, Lifecycle.PROVISIONING):
        raise Conflict("The project is still being set up.")


def run_in_progress(session: Session, principal: Principal, project: Project) -> bool:
    return session.exec(scoped_select(principal, ProvisioningRun).where(
        ProvisioningRun.project_id == project.id,
        col(ProvisioningRun.status).in_([RunStatus.PENDING, RunStatus.RUNNING,
                                         RunStatus.AWAITING_APPROVAL]))).first() \
        is not None


def start_lifecycle_change(session: Session, principal: Principal, project_id: uuid.UUID,
                           state: str) -> tuple[Project, ProvisioningRun | None]:
    """Move the project to ``state``. With nothing to do in any tool, the state changes now;
    otherwise a lifecycle run with one step per resource is committed with the caller's unit of
    work (the worker picks it up, as it does a provisioning run) and the project takes the state
    when every step has succeeded."""
    preview = preview_lifecycle(session, principal, project_id, state)
    project = projects.get_project(session, principal, project_id)
    if run_in_progress(session, principal, project):
        raise Conflict("A run of this project is still under way; wait for it to finish.")
    steps = preview.steps
    detail: dict[str, object] = {
        "from": preview.current.value, "to": preview.target.value,
        "tools": [f"{c.tool}:{c.action}:{c.name}" for c in steps]}
    if not steps:
        project.lifecycle, project.updated_at = preview.target, utcnow()
        session.add(project)
        audit.record(session, principal, "project.lifecycle_changed", target_type="project",
                     target_id=project.id, detail=detail)
        return project, None
    # Planned before the run is added: the run itself must not count as the last one.
    planned = [(r, c) for r, c in _plan(session, principal, project, preview.current,
                                        preview.target) if c.action != "none"]
    run = ProvisioningRun(organization_id=principal.org_id, project_id=project.id,
                          created_by_id=principal.user_id, kind=RunKind.LIFECYCLE,
                          target=preview.target.value)
    session.add(run)
    for position, (resource, change) in enumerate(planned):
        mapping = MAPPINGS[(resource.tool, resource.kind)]
        value = resource.external_key if mapping.by_key else resource.external_id
        key = f"{change.step_action}:{resource.external_id}"
        session.add(ProvisioningStep(
            organization_id=principal.org_id, run_id=run.id, position=position, key=key,
            action=change.step_action, tool=resource.tool,
            title=f"{change.action.capitalize()} {change.resource} {change.name}",
            connection_id=resource.connection_id, inputs={mapping.input_name: value},
            depends_on=[], idempotency_key=f"{run.id}:{key}"[:120]))
    audit.record(session, principal, "project.lifecycle_run_started", target_type="project",
                 target_id=project.id, detail={**detail, "run": str(run.id)})
    hold_or_drive(session, principal, run, approver_role_for(session, principal, project))
    return project, run
