"""Preflight: before anything is created, check the answers against the live tools and say per
tool what will happen — create, link existing, skip, or blocked and why."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from projecthub.connectors.errors import ConnectorError
from projecthub.services.principal import Principal
from projecthub.services.provisioning import productive_checks
from projecthub.services.provisioning.budget import BudgetProblem, budget_inputs, budget_line
from projecthub.services.provisioning.plan import PlannedStep, PlannedStepSummary, team_nickname
from projecthub.services.provisioning.service import plan_for
from projecthub.services.tool_clients import ToolClients
from projecthub.services.views import View

TOOLS = (("jira", "Jira", "jira_mode"), ("confluence", "Confluence", "confluence_mode"),
         ("graph", "Microsoft 365", "m365_mode"), ("productive", "Productive", "productive_mode"))


Decision = Literal["create", "link", "skip", "blocked"]
_MODES: dict[str, Decision] = {"create": "create", "link": "link"}  # a tool's answer → decision


class ToolCheck(BaseModel):
    """One tool's verdict on the answers; its checker fills it in, so it is not frozen."""

    model_config = ConfigDict(from_attributes=True,
                              json_schema_serialization_defaults_required=True)

    tool: str
    label: str
    decision: Decision
    summary: str = ""
    problems: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    suggestion: dict[str, str] = Field(default_factory=dict)


class Preflight(View):
    ok: bool = Field(description="No tool blocks the plan.")
    checks: Sequence[ToolCheck]
    steps: Sequence[PlannedStepSummary]


Checker = Callable[[ToolClients, dict[str, Any], dict[str, str], ToolCheck], Awaitable[None]]


async def _jira(tools: ToolClients, a: dict[str, Any], emails: dict[str, str],
                check: ToolCheck) -> None:
    async with tools.jira(a["jira_connection"]) as jira:
        me = await jira.current_user()
        if check.decision == "link":
            project = await jira.find_project(a["jira_existing_key"])
            if project is None:
                check.problems.append(f"No Jira project has the key {a['jira_existing_key']}.")
            else:
                check.summary = f"Link {project.key} · {project.name}"
            return
        key_check = await jira.check_project_key(a["key"])
        if key_check.problem:
            suggested = await jira.suggest_project_key(a["key"])
            check.problems.append(f"Jira key {a['key']}: {key_check.problem}")
            check.suggestion["key"] = suggested
        seen: set[str] = set()
        for role, email in emails.items():
            if email in seen:
                continue
            seen.add(email)
            if not await jira.find_users_by_email(email):
                (check.problems if role == "lead" else check.warnings).append(
                    f"No Jira account for {email}" + (" (project lead)" if role == "lead" else ""))
        check.summary = f"Create {a['key']} · {a['name']} as {me.display_name or me.account_id}"


async def _confluence(tools: ToolClients, a: dict[str, Any], _emails: dict[str, str],
                      check: ToolCheck) -> None:
    key = a.get("space_key") or a["key"]
    async with tools.confluence(a["confluence_connection"]) as wiki:
        await wiki.current_user()
        space = await wiki.find_space(key)
    if check.decision == "link":
        if space is None:
            check.problems.append(f"No Confluence space has the key {key}.")
        else:
            check.summary = f"Link space {space.key} · {space.name}"
    elif space is not None:
        check.problems.append(f"The Confluence space key {key} is taken ({space.name}).")
        check.suggestion["space_key"] = f"{key}2"
    else:
        pages = ", ".join(a.get("starter_pages", [])) or "no starter pages"
        check.summary = f"Create space {key} · {a.get('space_name') or a['name']} ({pages})"


async def _productive(tools: ToolClients, a: dict[str, Any], emails: dict[str, str],
                      check: ToolCheck) -> None:
    async with tools.productive(a["productive_connection"]) as prod:
        await prod.current_identity()
        if check.decision == "link":
            project = await prod.find_project_by_name(a["productive_existing_project"])
            if project is None:
                check.problems.append(
                    f"No Productive project is called {a['productive_existing_project']}.")
            else:
                check.summary = f"Link project {project.name}"
            return
        await productive_checks.prerequisites(prod, check)
        company = await productive_checks.company(prod, a, check)
        workflows = [w.name async for w in prod.iter_workflows()]
        if a.get("workflow", "").casefold() not in {w.casefold() for w in workflows}:
            check.problems.append(f"No workflow named {a.get('workflow')} in Productive "
                                  f"(available: {', '.join(workflows[:8])}).")
        for email in dict.fromkeys(emails.values()):
            if not await prod.find_people_by_email(email):
                check.warnings.append(f"No Productive person for {email}")
    try:
        budget = f" with {budget_line(budget_inputs(a)).describe()}"
    except BudgetProblem as exc:
        check.problems.append(str(exc))
        budget = ""
    check.summary = f"Create project {a['name']}{company}{budget}"


async def _graph(tools: ToolClients, a: dict[str, Any], emails: dict[str, str],
                 check: ToolCheck) -> None:
    async with tools.graph(a["graph_connection"]) as graph:
        await graph.test_connection()
        if check.decision == "link":
            group = await graph.find_group_by_mail_nickname(a["m365_existing_nickname"])
            if group is None or not group.is_team:
                check.problems.append(f"No team has the mail nickname "
                                      f"{a['m365_existing_nickname']}.")
            else:
                check.summary = f"Link team {group.display_name}"
            return
        name = a.get("team_name") or a["name"]
        nickname = team_nickname(name)
        taken = await graph.find_group_by_mail_nickname(nickname)
        if taken is not None:
            check.problems.append(f"The mail nickname {nickname} is taken by "
                                  f"{taken.display_name}; choose another team name.")
        for role, email in emails.items():
            if not await graph.find_users_by_email(email):
                (check.problems if role == "owner" else check.warnings).append(
                    f"No Microsoft 365 user for {email}" + (" (team owner)" if role == "owner"
                                                            else ""))
    channels = ", ".join(a.get("channels", [])) or "no extra channels"
    check.summary = f"Create team {name} ({nickname}) with {channels}" + (
        " and a Planner plan" if a.get("planner") else "")


CHECKERS: dict[str, Checker] = {"jira": _jira, "confluence": _confluence,
                                "productive": _productive, "graph": _graph}


async def _run_check(tools: ToolClients, tool: str, answers: dict[str, Any],
                     emails: dict[str, str], check: ToolCheck) -> None:
    checker = CHECKERS.get(tool)
    if checker is None:
        check.warnings.append("This tool cannot be checked before provisioning yet.")
        return
    try:
        await checker(tools, answers, emails, check)
    except ConnectorError as exc:
        check.problems.append(str(exc))
    if check.problems:
        check.decision = "blocked"


async def run_preflight(session: Session, principal: Principal, tools: ToolClients, *,
                        template_version_id: uuid.UUID, answers: dict[str, Any]) -> Preflight:
    """Validate the answers (``Invalid`` lists field problems), then check every tool at once."""
    cleaned, steps = plan_for(session, principal, template_version_id=template_version_id,
                              answers=answers)
    return await check_plan(tools, cleaned, steps)


async def check_plan(tools: ToolClients, cleaned: dict[str, Any],
                     steps: list[PlannedStep]) -> Preflight:
    """Every tool the cleaned answers switch on, checked at once (creation and "add a tool"
    show the same verdicts)."""
    people = _people(steps)
    checks = []
    for tool, label, mode_field in TOOLS:
        mode = str(cleaned.get(mode_field, "skip"))
        checks.append(ToolCheck(tool=tool, label=label, decision=_MODES.get(mode, "skip")))
    await asyncio.gather(*(_run_check(tools, c.tool, cleaned, people, c)
                           for c in checks if c.decision != "skip"))
    return Preflight(ok=all(c.decision != "blocked" for c in checks), checks=checks,
                     steps=steps)


def _people(steps: list[PlannedStep]) -> dict[str, str]:
    """role → email of everyone the plan will add, read back from the plan's inputs."""
    people: dict[str, str] = {}
    for step in steps:
        if "lead_email" in step.inputs:
            people["lead"] = step.inputs["lead_email"]
        if "owner_email" in step.inputs:
            people["owner"] = step.inputs["owner_email"]
        for email in step.inputs.get("emails", []):
            people.setdefault(email, email)
    return people
