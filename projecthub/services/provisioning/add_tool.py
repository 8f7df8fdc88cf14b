"""Adding a tool a project does not have yet: the template's own plan for that tool alone (its
answers with the new tool switched to "create" and every other tool skipped), previewed step by
step, then run as an edit run of the same ledger; the project's answers take the tool when the
run has succeeded, so a failed run leaves the desired state as it was.

A project made with the tool skipped never answered the tool's own questions (Productive's
company, budget, ...): they are asked here, starting from what the project has, checked with
the wizard's rules, and kept with the project's answers when the run starts (the tool's mode
still says "skip" until it succeeds, so a retry starts from them).

See docs/architecture.md §4 "Edit runs".
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from projecthub.core.errors import Conflict, Invalid
from projecthub.models import (
    Lifecycle,
    Project,
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
from projecthub.services.provisioning.budget import BudgetProblem, budget_inputs, budget_line
from projecthub.services.provisioning.editing import EditChange
from projecthub.services.provisioning.lifecycle import require_manager, run_in_progress
from projecthub.services.provisioning.plan import PlannedStep
from projecthub.services.provisioning.preflight import Preflight, check_plan
from projecthub.services.scoping import get_scoped, scoped_select
from projecthub.services.templates.bindings import PLAN_INPUTS, bind_answers, bound_field
from projecthub.services.templates.definition import FieldDef, StepDef, TemplateDefinition
from projecthub.services.templates.library import load_version
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


@dataclass(frozen=True)
class ToolQuestions:
    """The template's questions for one tool, as one wizard step, and the answers they start
    from: the project's own, with the tool switched on."""

    definition: TemplateDefinition
    step: StepDef
    answers: dict[str, Any]


def tool_fields(definition: TemplateDefinition, tool: str) -> list[FieldDef]:
    """The fields feeding the tool's plan inputs, in the template's order; its mode and
    connection are not asked (the tool and its connection are what is being added)."""
    mode, connection = TOOL_ANSWERS[tool]
    ids = {f.id for name, spec in PLAN_INPUTS.items()
           if spec.tool_mode == mode and name != connection
           and (f := bound_field(definition, name)) is not None}
    return [f for f in definition.fields() if f.id in ids]


def _switched(answers: Mapping[str, Any], tool: str, connection_id: str) -> dict[str, Any]:
    return {**answers, **{mode: "skip" for mode, _ in TOOL_ANSWERS.values()},
            TOOL_ANSWERS[tool][0]: "create", TOOL_ANSWERS[tool][1]: connection_id}


def _addable(session: Session, principal: Principal, project_id: uuid.UUID,
             tool: str) -> tuple[Project, uuid.UUID, TemplateDefinition]:
    """The project, if it may take ``tool`` now, and its template (version and definition)."""
    project = projects.get_project(session, principal, project_id)
    require_manager(principal, project)
    if tool not in TOOL_ANSWERS:
        raise Invalid("Unknown tool.", {"tool": "Choose Jira, Confluence, Microsoft 365 or "
                                                "Productive."})
    if project.lifecycle not in (Lifecycle.ACTIVE, Lifecycle.ON_HOLD):
        raise Conflict("Only an active or on-hold project takes a new tool.")
    version_id = project.template_version_id
    if version_id is None:
        raise Conflict("The project was not made from a template; link the tool instead.")
    has = session.exec(scoped_select(principal, ProjectResource).where(
        ProjectResource.project_id == project.id, ProjectResource.tool == tool)).first()
    if has is not None:
        raise Conflict("The project has this tool already.")
    _, definition = load_version(session, principal, version_id)
    return project, version_id, definition


def tool_questions(session: Session, principal: Principal, project_id: uuid.UUID,
                   tool: str) -> ToolQuestions:
    project, _, definition = _addable(session, principal, project_id, tool)
    step = StepDef(id="add_tool", title=TOOL_SPECS[Tool(tool)].label,
                   fields=tool_fields(definition, tool))
    return ToolQuestions(definition, step, _switched(project.answers, tool, ""))


def _check_budget(definition: TemplateDefinition, tool: str, cleaned: dict[str, Any]) -> None:
    """The budget the run would make, checked now: the wizard's check says the same, and a
    field is left optional by the template because only some budget types need it."""
    if tool != "productive" or cleaned.get("productive_mode") != "create":
        return
    try:
        budget_line(budget_inputs(cleaned))
    except BudgetProblem as exc:
        fdef = bound_field(definition, exc.answer)
        raise Invalid(str(exc), {fdef.id if fdef else exc.answer: str(exc)}) from exc


def _plan(session: Session, principal: Principal, project_id: uuid.UUID, tool: str,
          connection_id: uuid.UUID, given: Mapping[str, Any] | None,
          ) -> tuple[Project, TemplateDefinition, dict[str, object], list[PlannedStep]]:
    project, version_id, definition = _addable(session, principal, project_id, tool)
    connection = get_scoped(session, principal, ToolConnection, connection_id,
                            label="Connection")
    if connection.tool != tool:
        raise Invalid("The connection is for another tool.", {"connection_id": "Wrong tool."})
    asked = {f.id for f in tool_fields(definition, tool)}
    unknown = sorted(set(given or {}) - asked)
    if unknown:
        raise Invalid("Only the new tool's questions are answered here.",
                      dict.fromkeys(unknown, "Not a question of this tool."))
    answers = _switched({**project.answers, **(given or {})}, tool, str(connection.id))
    cleaned, plan = service.plan_for(session, principal,
                                     template_version_id=version_id,
                                     answers=answers, project_id=project.id)
    _check_budget(definition, tool, cleaned)
    return project, definition, cleaned, plan


def preview_add_tool(session: Session, principal: Principal, project_id: uuid.UUID, *,
                     tool: str, connection_id: uuid.UUID,
                     answers: Mapping[str, Any] | None = None) -> AddToolPreview:
    *_, plan = _plan(session, principal, project_id, tool, connection_id, answers)
    return AddToolPreview(project_id=project_id, tool=tool, changes=[
        EditChange(tool=s.tool, description=s.title) for s in plan])


async def preflight_add_tool(session: Session, principal: Principal, tools: ToolClients,
                             project_id: uuid.UUID, *, tool: str, connection_id: uuid.UUID,
                             answers: Mapping[str, Any] | None = None) -> Preflight:
    """The creation wizard's per-tool check, for the new tool's steps alone (read-only)."""
    *_, cleaned, plan = _plan(session, principal, project_id, tool, connection_id, answers)
    return await check_plan(tools, cleaned, plan)


def start_add_tool(session: Session, principal: Principal, project_id: uuid.UUID, *,
                   tool: str, connection_id: uuid.UUID,
                   answers: Mapping[str, Any] | None = None) -> ProvisioningRun:
    """A run with only the new tool's steps. The answers to the tool's questions join the
    project now; its mode and connection when the run succeeds."""
    project = projects.get_project(session, principal, project_id)
    if run_in_progress(session, principal, project):
        raise Conflict("A run of this project is still under way; wait for it to finish.")
    project, definition, cleaned, plan = _plan(session, principal, project_id, tool,
                                               connection_id, answers)
    asked = {f.id for f in tool_fields(definition, tool)}
    project.answers = {**project.answers, **bind_answers(
        definition, {k: v for k, v in cleaned.items() if k in asked})}
    session.add(project)
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


__all__ = ["AddToolPreview", "ToolOption", "ToolQuestions", "addable_tools",
           "preflight_add_tool", "preview_add_tool", "start_add_tool", "tool_fields",
           "tool_questions"]
