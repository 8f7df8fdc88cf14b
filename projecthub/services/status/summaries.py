"""Small typed summaries of each kind of resource, fetched through the connectors. Each one
turns into plain JSON for its snapshot; the dashboard and health rules read those."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from projecthub.models import ProjectResource
from projecthub.services.tool_clients import ToolClients


@dataclass(frozen=True)
class JiraSummary:
    to_do: int
    in_progress: int
    done: int
    overdue: int | None
    sprint: dict[str, Any] | None

    @property
    def open(self) -> int:
        return self.to_do + self.in_progress


@dataclass(frozen=True)
class ConfluenceSummary:
    page_count: int
    last_edit_at: str | None
    last_edit_by: str | None
    last_page_title: str | None


@dataclass(frozen=True)
class ProductiveSummary:
    currency: str
    budget_total_cents: int
    budget_used_cents: int
    budget_remaining_cents: int
    budgeted_minutes: int
    worked_minutes: int
    burn_percent: float | None
    tasks_not_started: int
    tasks_started: int
    tasks_closed: int


@dataclass(frozen=True)
class PlannerSummary:
    not_started: int
    in_progress: int
    done: int
    overdue: int


@dataclass(frozen=True)
class TeamSummary:
    web_url: str


Fetcher = Callable[[ToolClients, ProjectResource], Awaitable[dict[str, Any]]]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def jira_project(tools: ToolClients, resource: ProjectResource) -> dict[str, Any]:
    async with tools.jira(resource.connection_id) as jira:
        counts = await jira.issue_counts(resource.external_key)
        overdue = await jira.overdue_issue_count(resource.external_key)
        sprint = await jira.active_sprint(resource.external_key)
    sprint_data = None if sprint is None else {
        "name": sprint.name, "start": _iso(sprint.start), "end": _iso(sprint.end),
        "goal": sprint.goal, "to_do": sprint.to_do, "in_progress": sprint.in_progress,
        "done": sprint.done, "percent_done": sprint.percent_done}
    return asdict(JiraSummary(counts.to_do, counts.in_progress, counts.done, overdue,
                              sprint_data))


async def confluence_space(tools: ToolClients, resource: ProjectResource) -> dict[str, Any]:
    async with tools.confluence(resource.connection_id) as wiki:
        activity = await wiki.space_activity(resource.external_id)
    last = activity.last_change
    return asdict(ConfluenceSummary(
        activity.page_count, _iso(last.at) if last else None,
        (last.by_display_name or last.by_account_id) if last else None,
        last.page_title if last else None))


async def productive_project(tools: ToolClients, resource: ProjectResource) -> dict[str, Any]:
    """Budgets of the project added up (in the first budget's currency), plus task counts."""
    async with tools.productive(resource.connection_id) as prod:
        budgets = [b async for b in prod.iter_project_budgets(resource.external_id)]
        tasks = await prod.task_counts(resource.external_id)
    currency = budgets[0].currency if budgets else ""
    same = [b for b in budgets if b.currency == currency]
    total = sum(b.budget_total for b in same)
    used = sum(b.budget_used for b in same)
    return asdict(ProductiveSummary(
        currency, total, used, total - used, sum(b.budgeted_minutes for b in same),
        sum(b.worked_minutes for b in same),
        round(100 * used / total, 1) if total else None,
        tasks.not_started, tasks.started, tasks.closed))


async def planner_plan(tools: ToolClients, resource: ProjectResource) -> dict[str, Any]:
    async with tools.graph(resource.connection_id) as graph:
        counts = await graph.plan_task_counts(resource.external_id)
    return asdict(PlannerSummary(counts.not_started, counts.in_progress, counts.done,
                                 counts.overdue))


async def graph_team(tools: ToolClients, resource: ProjectResource) -> dict[str, Any]:
    async with tools.graph(resource.connection_id) as graph:
        return asdict(TeamSummary(await graph.team_web_url(resource.external_id)))


FETCHERS: dict[tuple[str, str], Fetcher] = {
    ("jira", "project"): jira_project,
    ("confluence", "space"): confluence_space,
    ("productive", "project"): productive_project,
    ("graph", "plan"): planner_plan,
    ("graph", "team"): graph_team,
}
