"""The typed summary of each kind of resource (``models.status_data``), fetched through the
connectors; the snapshot stores it, the dashboard and health rules read it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from projecthub.models import (
    ConfluenceSummary,
    JiraSummary,
    PlannerSummary,
    ProductiveSummary,
    ProjectResource,
    Sprint,
    TeamSummary,
)
from projecthub.models.status_data import AnySummary
from projecthub.services.tool_clients import ToolClients

Fetcher = Callable[[ToolClients, ProjectResource], Awaitable[AnySummary]]
# (tools, connection id, resource keys (ids: CHANGE_BY_ID), window in minutes) -> those changed
ChangeQuery = Callable[[ToolClients, uuid.UUID, list[str], int], Awaitable[set[str]]]


@dataclass(frozen=True)
class TokenChanges:
    """What a token query found: the keys that changed (``None``: the tool cannot say, so any
    may have) and the token the next cycle asks from."""

    keys: set[str] | None
    token: str


@dataclass(frozen=True)
class TokenQuery:
    """A change query that follows the tool's own cursor instead of a time window: an opaque
    token kept per connection (Graph's delta link). ``ask(tools, connection id, resource keys,
    the last good cycle's token or None)``."""

    ask: Callable[[ToolClients, uuid.UUID, list[str], str | None], Awaitable[TokenChanges]]


async def jira_project(tools: ToolClients, resource: ProjectResource) -> JiraSummary:
    async with tools.jira(resource.connection_id) as jira:
        counts = await jira.issue_counts(resource.external_key)
        overdue = await jira.overdue_issue_count(resource.external_key)
        sprint = await jira.active_sprint(resource.external_key)
    return JiraSummary(
        to_do=counts.to_do, in_progress=counts.in_progress, done=counts.done, overdue=overdue,
        sprint=None if sprint is None else Sprint(
            name=sprint.name, start=sprint.start, end=sprint.end, goal=sprint.goal,
            to_do=sprint.to_do, in_progress=sprint.in_progress, done=sprint.done,
            percent_done=sprint.percent_done))


async def confluence_space(tools: ToolClients, resource: ProjectResource) -> ConfluenceSummary:
    async with tools.confluence(resource.connection_id) as wiki:
        activity = await wiki.space_activity(resource.external_id)
    last = activity.last_change
    return ConfluenceSummary(
        page_count=activity.page_count, last_edit_at=last.at if last else None,
        last_edit_by=(last.by_display_name or last.by_account_id) if last else None,
        last_page_title=last.page_title if last else None)


async def productive_project(tools: ToolClients,
                             resource: ProjectResource) -> ProductiveSummary:
    """Budgets of the project added up (in the first budget's currency), plus task counts."""
    async with tools.productive(resource.connection_id) as prod:
        budgets = [b async for b in prod.iter_project_budgets(resource.external_id)]
        tasks = await prod.task_counts(resource.external_id)
    currency = budgets[0].currency if budgets else ""
    same = [b for b in budgets if b.currency == currency]
    total = sum(b.budget_total for b in same)
    used = sum(b.budget_used for b in same)
    return ProductiveSummary(
        currency=currency, budget_total_cents=total, budget_used_cents=used,
        budget_remaining_cents=total - used,
        budgeted_minutes=sum(b.budgeted_minutes for b in same),
        worked_minutes=sum(b.worked_minutes for b in same),
        burn_percent=round(100 * used / total, 1) if total else None,
        tasks_not_started=tasks.not_started, tasks_started=tasks.started,
        tasks_closed=tasks.closed)


async def planner_plan(tools: ToolClients, resource: ProjectResource) -> PlannerSummary:
    async with tools.graph(resource.connection_id) as graph:
        counts = await graph.plan_task_counts(resource.external_id)
    return PlannerSummary(not_started=counts.not_started, in_progress=counts.in_progress,
                          done=counts.done, overdue=counts.overdue)


async def graph_team(tools: ToolClients, resource: ProjectResource) -> TeamSummary:
    async with tools.graph(resource.connection_id) as graph:
        return TeamSummary(web_url=await graph.team_web_url(resource.external_id))


async def jira_changes(tools: ToolClients, connection_id: uuid.UUID, keys: list[str],
                       minutes: int) -> set[str]:
    """Project keys with an issue updated, or an open issue come due, in the last minutes."""
    async with tools.jira(connection_id) as jira:
        return await jira.changed_project_keys(keys, minutes=minutes)


async def confluence_changes(tools: ToolClients, connection_id: uuid.UUID, keys: list[str],
                             minutes: int) -> set[str]:
    """Space keys with a page created or edited in the last minutes."""
    async with tools.confluence(connection_id) as wiki:
        return await wiki.changed_space_keys(keys, minutes=minutes)


async def productive_changes(tools: ToolClients, connection_id: uuid.UUID, ids: list[str],
                             minutes: int) -> set[str]:
    """Project ids with an activity in the last minutes on the project (its tasks included)
    or on one of its budgets (lines, tracked time). The figures move with nothing else: no
    due date or other time-only part, unlike Jira's overdue count."""
    async with tools.productive(connection_id) as prod:
        return await prod.changed_project_ids(ids, minutes=minutes)


async def graph_team_changes(tools: ToolClients, connection_id: uuid.UUID, keys: list[str],
                             token: str | None) -> TokenChanges:
    """Teams whose group was renamed or deleted since the delta link ``token`` (a team's key is
    its id, its group's id); all of them without a link Graph still knows."""
    async with tools.graph(connection_id) as graph:
        changes = await graph.changed_groups(token)
    found = None if changes.group_ids is None else set(keys) & changes.group_ids
    return TokenChanges(found, changes.delta_link)


# Per kind of resource that a tool can say changed (``services/status/changes.py``): the keys
# that changed within a window, or since a token. Those resources are read again only when
# changed, or at the full pass; the others (a Planner plan: no delta query in Graph v1.0) are
# read at every sync. One kind per tool: the cursor is the connection's.
CHANGE_QUERIES: dict[tuple[str, str], ChangeQuery | TokenQuery] = {
    ("jira", "project"): jira_changes, ("confluence", "space"): confluence_changes,
    ("productive", "project"): productive_changes,
    ("graph", "team"): TokenQuery(graph_team_changes)}
CHANGE_KINDS = frozenset(CHANGE_QUERIES)
# Tools whose change query takes and returns resources' ids rather than their keys.
CHANGE_BY_ID = frozenset({"productive"})

FETCHERS: dict[tuple[str, str], Fetcher] = {
    ("jira", "project"): jira_project,
    ("confluence", "space"): confluence_space,
    ("productive", "project"): productive_project,
    ("graph", "plan"): planner_plan,
    ("graph", "team"): graph_team,
}
