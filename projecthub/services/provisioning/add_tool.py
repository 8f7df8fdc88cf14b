"""Adding a tool a project does not have yet: the template's own plan for that tool alone (its
answers with the new tool switched to "create" and every other tool skipped), previewed step by
step, then run as an edit run of the same ledger; the project's answers take the tool when the
run has succeeded, so a failed run leaves the desired state as it was.

See docs/architecture.md §4 "Edit runs".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session

from projecthub.core.errors import Conflict, Invalid
from projecthub.models import (
    Lifecycle,
    ProjectResource,
    ProvisioningRun,
    ProvisioningStep,
    RunKind,
    Tool,
    ToolConnection,
)
from projecthub.services import audit, projects
from projecthub.services.connection_specs import TOOL_SPECS
from projecthub.services.principal import Principal
from projecthub.services.provisioning import service
from projecthub.services.provisioning.approvals import approver_role_for, hold_or_drive
from projecthub.services.provisioning.editing import EditChange
from projecthub.services.provisioning.lifecycle import require_manager, run_in_progress
from projecthub.services.provisioning.plan import PlannedStep
from projecthub.services.provisioning.preflight import Preflight, check_plan
from projecthub.services.scoping import get_scoped, scoped_select
from projecthub.services.tool_clients import ToolClients
from projecthub.services.views import View

# Each tool's answers: how it is switched on, and which connection it uses.
TOOL_ANSWERS = {"jira": ("jira_mode", "jira_connection"),
                "confluence": ("confluence_mode", "confluence_connection"),
                "graph": ("m365_mode", "graph_connection"),
                "productive": ("productive_mode", "productive_connection")}


class AddToolPreview(View):
    project_id: uuid.UUID
    tool: str
    changes: Sequence[EditChange]


class ToolOption(View):
    """A connected tool the project could take: the tool and the connection it would use."""

    tool: str
    label: str
    connection_id: uuid.UUID
    connection_name: str


def addable_tools(session: Session, principal: Principal,
                  project_id: uuid.UUID) -> list[ToolOption]:
    """Every connection of a tool the project lacks (none when the project cannot take a
    tool: archived, not from a template); only those who may edit the project ask."""
    project = projects.get_project(session, principal, project_id)
    require_manager(principal, project)
    if (project.lifecycle not in (Lifecycle.ACTIVE, Lifecycle.ON_HOLD)
            or project.template_version_id is None):
        return []
    held = {r.tool for r in session.exec(scoped_select(principal, ProjectResource).where(
        ProjectResource.project_id == project.id)).all()}
    rows = session.exec(scoped_select(principal, ToolConnection)).all()
    options = [ToolOption(tool=c.tool, label=TOOL_SPECS[Tool(c.tool)].label,
                          connection_id=c.id, connection_name=c.name)
               for c in rows if c.tool in TOOL_ANSWERS and c.tool not in held]
    return sorted(options, key=lambda o: (o.label, o.connection_name.casefold()))


def _plan(session: Session, principal: Principal, project_id: uuid.UUID, tool: str,
          connection_id: uuid.UUID) -> tuple[dict[str, object], list[PlannedStep]]:
    project = projects.get_project(session, principal, project_id)
    require_manager(principal, project)
    if tool not in TOOL_ANSWERS:
        raise Invalid("Unknown tool.", {"tool": "Choose Jira, Confluence, Microsoft 365 or "
                                                "Productive."})
    if project.lifecycle not in (Lifecycle.ACTIVE, Lifecycle.ON_HOLD):
        raise Conflict("Only an active or on-hold project takes a new tool.")
    if project.template_version_id is None:
        raise Conflict("The project was not made from a template; link the tool instead.")
    has = session.exec(scoped_select(principal, ProjectResource).where(
        ProjectResource.project_id == project.id, ProjectResource.tool == tool)).first()
    if has is not None:
        raise Conflict("The project has this tool already.")
    connection = get_scoped(session, principal, ToolConnection, connection_id,
                            label="Connection")
    if connection.tool != tool:
        raise Invalid("The connection is for another tool.", {"connection_id": "Wrong tool."})
    answers: dict[str, object] = {
        **project.answers,
        **{mode: "skip" for mode, _ in TOOL_ANSWERS.values()},
        TOOL_ANSWERS[tool][0]: "create", TOOL_ANSWERS[tool][1]: str(connection.id)}
    cleaned, plan = service.plan_for(session, principal,
                                     template_version_id=project.template_version_id,
                                     answers=answers, project_id=project.id)
    return cleaned, plan


def preview_add_tool(session: Session, principal: Principal, project_id: uuid.UUID, *,
                     tool: str, connection_id: uuid.UUID) -> AddToolPreview:
    _, plan = _plan(session, principal, project_id, tool, connection_id)
    return AddToolPreview(project_id=project_id, tool=tool, changes=[
        EditChange(tool=s.tool, description=s.title) for s in plan])


async def preflight_add_tool(session: Session, principal: Principal, tools: ToolClients,
                             project_id: uuid.UUID, *, tool: str,
                             connection_id: uuid.UUID) -> Preflight:
    """The creation wizard's per-tool check, for the new tool's steps alone (read-only)."""
    cleaned, plan = _plan(session, principal, project_id, tool, connection_id)
    return await check_plan(tools, cleaned, plan)


def start_add_tool(session: Session, principal: Principal, project_id: uuid.UUID, *,
                   tool: str, connection_id: uuid.UUID) -> ProvisioningRun:
    """A run with only the new tool's steps; its answers join the project when it succeeds."""
    project = projects.get_project(session, principal, project_id)
    if run_in_progress(session, principal, project):
        raise Conflict("A run of this project is still under way; wait for it to finish.")
    cleaned, plan = _plan(session, principal, project_id, tool, connection_id)
    mode, conn = TOOL_ANSWERS[tool]
    run = ProvisioningRun(organization_id=principal.org_id, project_id=project.id,
                          created_by_id=principal.user_id, kind=RunKind.EDIT,
                          changes={"answers": {mode: cleaned.get(mode), conn: cleaned.get(conn)}})
    session.add(run)
    session.flush()
    for position, step in enumerate(plan):
        session.add(ProvisioningStep(
            organization_id=principal.org_id, run_id=run.id, position=position, key=step.key,
            action=step.action, tool=step.tool, title=step.title,
            connection_id=step.connection_id, inputs=step.inputs,
            depends_on=list(step.depends_on), idempotency_key=step.idempotency_key))
    audit.record(session, principal, "project.tool_added", target_type="project",
                 target_id=project.id, detail={"tool": tool, "run": str(run.id),
                                               "steps": len(plan)})
    hold_or_drive(session, principal, run, approver_role_for(session, principal, project))
    return run


__all__ = ["AddToolPreview", "ToolOption", "addable_tools", "preflight_add_tool",
           "preview_add_tool", "start_add_tool"]
