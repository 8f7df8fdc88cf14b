"""Lifecycle steps: archive or restore one project resource in its tool.

Each step is safe to repeat (exactly-once in effect): the connector reads the resource first and
acts only when its state differs, so a retried or resumed step never archives twice or fails on
the tool's "already archived" answer.
"""

from __future__ import annotations

from projecthub.services.provisioning.actions.base import StepContext, StepOutcome


def _state(archived: bool) -> str:
    return "archived" if archived else "active"


async def jira_archive_project(ctx: StepContext) -> StepOutcome:
    async with ctx.tools.jira(ctx.connection_id) as jira:
        project = await jira.archive_project(ctx.inputs["key"])
    return StepOutcome(project.id, f"Jira project {project.key} is archived",
                       outputs={"archived": project.archived})


async def jira_restore_project(ctx: StepContext) -> StepOutcome:
    async with ctx.tools.jira(ctx.connection_id) as jira:
        project = await jira.restore_project(ctx.inputs["key"])
    return StepOutcome(project.id, f"Jira project {project.key} is {_state(project.archived)}",
                       outputs={"archived": project.archived})


async def confluence_archive_space(ctx: StepContext) -> StepOutcome:
    async with ctx.tools.confluence(ctx.connection_id) as wiki:
        space = await wiki.archive_space(ctx.inputs["key"])
    return StepOutcome(space.id, f"Confluence space {space.key} is {space.status}",
                       outputs={"status": space.status})


async def confluence_restore_space(ctx: StepContext) -> StepOutcome:
    async with ctx.tools.confluence(ctx.connection_id) as wiki:
        space = await wiki.restore_space(ctx.inputs["key"])
    return StepOutcome(space.id, f"Confluence space {space.key} is {space.status}",
                       outputs={"status": space.status})


async def graph_archive_team(ctx: StepContext) -> StepOutcome:
    async with ctx.tools.graph(ctx.connection_id) as graph:
        team = await graph.archive_team(ctx.inputs["team_id"])
    return StepOutcome(team.id, "Teams team is archived (read-only)",
                       outputs={"archived": bool(team.is_archived)})


async def graph_unarchive_team(ctx: StepContext) -> StepOutcome:
    async with ctx.tools.graph(ctx.connection_id) as graph:
        team = await graph.unarchive_team(ctx.inputs["team_id"])
    return StepOutcome(team.id, f"Teams team is {_state(bool(team.is_archived))}",
                       outputs={"archived": bool(team.is_archived)})


async def productive_archive_project(ctx: StepContext) -> StepOutcome:
    async with ctx.tools.productive(ctx.connection_id) as productive:
        project = await productive.archive_project(ctx.inputs["project_id"])
    return StepOutcome(project.id, f"Productive project {project.name} is archived",
                       outputs={"archived": project.archived})


async def productive_restore_project(ctx: StepContext) -> StepOutcome:
    async with ctx.tools.productive(ctx.connection_id) as productive:
        project = await productive.restore_project(ctx.inputs["project_id"])
    return StepOutcome(project.id,
                       f"Productive project {project.name} is {_state(project.archived)}",
                       outputs={"archived": project.archived})
