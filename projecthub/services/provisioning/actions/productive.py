"""Productive steps: create (or adopt, by name) the client company when asked to, create (or
adopt, by name and ProjectHub marker) the project, add the team, create its budget with the
service that carries its amount, or link an existing project."""

from __future__ import annotations

from datetime import date

from projecthub.connectors.productive import ProductiveConnector
from projecthub.connectors.productive_models import Budget, Project, ProjectType
from projecthub.models import Tool
from projecthub.services.connections import ConnectionCredentials
from projecthub.services.provisioning.actions.base import (
    PersonMissing,
    StepContext,
    StepFailed,
    StepOutcome,
    adopted_or_created,
    people_outcome,
    resolve_people,
)
from projecthub.services.provisioning.budget import BudgetLine, BudgetProblem, budget_line

MARKER_FIELD = "ProjectHub ID"
COMPANY_STEP = "productive.create_company"
SECTION_NAME = "Work"


def project_url(creds: ConnectionCredentials, project_id: str) -> str:
    """Where a person opens the project in Productive's app."""
    return f"{creds.base_url.rstrip('/')}/{creds.settings['organization_id']}/projects/{project_id}"


def _url(ctx: StepContext, project_id: str) -> str:
    return project_url(ctx.tools.credentials(ctx.connection_id, Tool.PRODUCTIVE), project_id)


async def _use_marker(prod: ProductiveConnector) -> None:
    """Find the project custom field that holds our marker; without it we could not tell our
    own half-created project from someone else's of the same name."""
    async for field in prod.iter_project_custom_fields():
        if field.name == MARKER_FIELD and field.archived_at is None:
            prod.marker_field_id = field.id
            return
    raise StepFailed(MISSING_MARKER)


MISSING_MARKER = (f"Add a text custom field named “{MARKER_FIELD}” to projects in Productive "
                  "(Settings → Custom fields), so ProjectHub can recognise what it created.")


def _outcome(ctx: StepContext, project: Project, origin: str, *, company_id: str = "",
             manager_id: str = "") -> StepOutcome:
    """A create's reply omits relationships, so the ids it was made with are passed in."""
    url = _url(ctx, project.id)
    return StepOutcome(project.id, f"{origin} project {project.name}", url,
                       {"project_id": project.id, "company_id": project.company_id or company_id,
                        "manager_id": project.project_manager_id or manager_id, "url": url},
                       "project", project.project_number or project.id, project.name, origin)


async def _workflow_id(prod: ProductiveConnector, name: str) -> str:
    names = []
    async for workflow in prod.iter_workflows():
        if workflow.name.casefold() == name.casefold():
            return workflow.id
        names.append(workflow.name)
    raise StepFailed(f"No workflow named “{name}” in Productive. Available: "
                     f"{', '.join(names[:10]) or 'none'}.")


async def create_project(ctx: StepContext) -> StepOutcome:
    i = ctx.inputs
    async with ctx.tools.productive(ctx.connection_id) as prod:
        await _use_marker(prod)
        existing = await prod.find_project_by_name(i["name"], marker=i["marker"])
        if existing is not None:
            return _outcome(ctx, existing, "adopted")
        company_id = await _company_id(ctx, prod)
        workflow_id = await _workflow_id(prod, i["workflow"])
        managers = await prod.find_people_by_email(i["manager_email"])
        if not managers:
            raise StepFailed(f"No Productive person has the email {i['manager_email']}.")
        project = await prod.create_project(
            name=i["name"], company_id=company_id, workflow_id=workflow_id,
            project_type=ProjectType.CLIENT if i.get("client") else ProjectType.INTERNAL,
            project_manager_id=managers[0].id, marker=i["marker"])
    return _outcome(ctx, project, "created", company_id=company_id, manager_id=managers[0].id)


async def _company_id(ctx: StepContext, prod: ProductiveConnector) -> str:
    """The company made by this run's company step, else the existing one of that name."""
    if COMPANY_STEP in ctx.dependencies:
        return str(ctx.output(COMPANY_STEP, "company_id"))
    name = ctx.inputs["company"]
    company = await prod.find_company_by_name(name)
    if company is None:
        raise StepFailed(f"No company named “{name}” in Productive.")
    return company.id


async def create_company(ctx: StepContext) -> StepOutcome:
    """The client company, created because the person chose so; a namesake is adopted, so a
    retried step (or a company added meanwhile) never makes a second one."""
    name = str(ctx.inputs["name"]).strip()
    async with ctx.tools.productive(ctx.connection_id) as prod:
        company = await prod.find_company_by_name(name)
        origin = adopted_or_created(company is not None)
        if company is None:
            company = await prod.create_company(name)
    return StepOutcome(company.id, f"{origin} company {company.name}",
                       outputs={"company_id": company.id}, resource_kind="company",
                       resource_key=company.id, resource_name=company.name, origin=origin)


async def add_memberships(ctx: StepContext) -> StepOutcome:
    project_id = ctx.output("productive.create_project", "project_id")
    async with ctx.tools.productive(ctx.connection_id) as prod:
        async def find(email: str) -> str | None:
            people = await prod.find_people_by_email(email)
            return people[0].id if people else None

        person_ids, missing = await resolve_people(ctx.inputs["emails"], find)
        for person_id in person_ids:
            await prod.add_project_member(project_id, person_id)
    return people_outcome(project_id, len(person_ids), missing, "Productive")


async def create_budget(ctx: StepContext) -> StepOutcome:
    """The budget, then the service that gives it its amount (Productive computes the total
    from services). Each part is looked up first, so a retried step completes what is missing."""
    i = ctx.inputs
    try:
        line = budget_line(i)
    except BudgetProblem as exc:
        raise StepFailed(str(exc)) from exc
    project_id = ctx.output("productive.create_project", "project_id")
    async with ctx.tools.productive(ctx.connection_id) as prod:
        budget = await prod.find_budget(project_id, i["name"])
        origin = adopted_or_created(budget is not None)
        if budget is None:
            subsidiary = await anext(aiter(prod.iter_subsidiaries()), None)
            if subsidiary is None:
                raise StepFailed("Productive has no subsidiary to bill from.")
            budget = await prod.create_budget(
                name=i["name"], project_id=project_id,
                company_id=ctx.output("productive.create_project", "company_id"),
                responsible_id=ctx.output("productive.create_project", "manager_id"),
                subsidiary_id=subsidiary.id, currency=line.currency, deal_type=line.deal_type,
                start=_day(i.get("start_date")), end=_day(i.get("end_date")))
        if line.has_service:
            await _add_service(prod, budget, line, i["name"])
        budget = await prod.get_budget(budget.id)
    return StepOutcome(budget.id, f"{origin} budget {budget.name}: {line.describe()}; "
                                  f"Productive total {budget.total}",
                       outputs={"budget_id": budget.id, "total_cents": budget.budget_total},
                       resource_kind="budget", resource_key=budget.id, resource_name=budget.name,
                       origin=origin)


async def _add_service(prod: ProductiveConnector, budget: Budget, line: BudgetLine,
                       name: str) -> None:
    """One service carrying the amount, unless the budget has one already (a resumed step)."""
    if await anext(aiter(prod.iter_budget_services(budget.id)), None) is not None:
        return
    service_type = await anext(aiter(prod.iter_service_types()), None)
    if service_type is None:
        raise StepFailed("Productive has no active service type to budget with; add one "
                         "(Settings → Service types).")
    section = await anext(aiter(prod.iter_budget_sections(budget.id)), None)
    if section is None:
        section = await prod.create_section(budget.id, SECTION_NAME)
    await prod.create_service(
        budget_id=budget.id, section_id=section.id, service_type_id=service_type.id,
        name=name, billing_type=line.billing_type, unit=line.unit,
        quantity=float(line.quantity), price_cents=line.price_cents)


def _day(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


async def link_project(ctx: StepContext) -> StepOutcome:
    async with ctx.tools.productive(ctx.connection_id) as prod:
        project = await prod.find_project_by_name(ctx.inputs["name"])
    if project is None:
        raise StepFailed(f"No Productive project is called “{ctx.inputs['name']}”.")
    return _outcome(ctx, project, "linked")


async def add_member(ctx: StepContext) -> StepOutcome:
    """Make one person a member of the project (an existing membership is kept, so a repeated
    step changes nothing); used by drift fixes and project edits."""
    project_id, email = ctx.inputs["external_id"], ctx.inputs["email"]
    async with ctx.tools.productive(ctx.connection_id) as prod:
        people = await prod.find_people_by_email(email)
        if not people:
            raise PersonMissing("Productive", email)
        membership = await prod.add_project_member(project_id, people[0].id)
    return StepOutcome(membership.id, f"{email} is a member of the Productive project")
