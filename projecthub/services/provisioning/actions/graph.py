"""Microsoft 365 steps: create (or adopt) the team, add members, channels and a Planner plan,
or link an existing team.

Teams derives a team's mail nickname from its display name, and display names repeat, so the
nickname is the natural key: preflight makes sure it is free, and a step that finds a group with
it (and our display name) adopts it. The creation's ids are checkpointed before polling, so a
resumed step waits for the same team instead of starting another.
"""

from __future__ import annotations

from typing import Literal, cast

from projecthub.connectors.errors import Conflict, NotFound
from projecthub.connectors.graph import GraphConnector
from projecthub.connectors.graph_models import TeamCreation
from projecthub.services.provisioning.actions.base import (
    StepContext,
    StepFailed,
    StepOutcome,
    people_outcome,
    resolve_people,
)


async def _team_outcome(graph: GraphConnector, team_id: str, name: str,
                        origin: str) -> StepOutcome:
    team = await graph.wait_for_existing_team(team_id)
    url = team.web_url or await graph.team_web_url(team_id)
    return StepOutcome(team_id, f"{origin} team {name}", url, {"team_id": team_id, "url": url},
                       "team", team_id, name, origin)


async def create_team(ctx: StepContext) -> StepOutcome:
    i = ctx.inputs
    async with ctx.tools.graph(ctx.connection_id) as graph:
        if ctx.saved.get("team_id") and ctx.saved.get("operation_id"):
            creation = TeamCreation(team_id=ctx.saved["team_id"],
                                    operation_id=ctx.saved["operation_id"])
            team_id = await graph.wait_for_team(creation)
            return await _team_outcome(graph, team_id, i["display_name"], "created")
        existing = await graph.find_group_by_mail_nickname(i["mail_nickname"])
        if existing is not None:
            if existing.display_name != i["display_name"]:
                raise StepFailed(f"The mail nickname {i['mail_nickname']} belongs to another "
                                 f"group ({existing.display_name}). Choose another team name.")
            return await _team_outcome(graph, existing.id, i["display_name"], "adopted")
        owners = await graph.find_users_by_email(i["owner_email"])
        if not owners:
            raise StepFailed(f"No Microsoft 365 user has the email {i['owner_email']}.")
        visibility = cast(Literal["private", "public"], i.get("visibility", "private"))
        creation = await graph.start_team_creation(
            i["display_name"], owner_id=owners[0].id, description=i.get("description"),
            visibility=visibility)
        ctx.checkpoint({"team_id": creation.team_id, "operation_id": creation.operation_id})
        team_id = await graph.wait_for_team(creation)
        return await _team_outcome(graph, team_id, i["display_name"], "created")


async def link_team(ctx: StepContext) -> StepOutcome:
    async with ctx.tools.graph(ctx.connection_id) as graph:
        group = await graph.find_group_by_mail_nickname(ctx.inputs["mail_nickname"])
        if group is None or not group.is_team:
            raise StepFailed(f"No team has the mail nickname {ctx.inputs['mail_nickname']}.")
        return await _team_outcome(graph, group.id, group.display_name or group.id, "linked")


async def add_members(ctx: StepContext) -> StepOutcome:
    team_id = ctx.output("graph.create_team", "team_id")
    async with ctx.tools.graph(ctx.connection_id) as graph:
        async def find(email: str) -> str | None:
            users = await graph.find_users_by_email(email)
            return users[0].id if users else None

        user_ids, missing = await resolve_people(ctx.inputs["emails"], find)
        for user_id in user_ids:
            await graph.add_member(team_id, user_id)
    return people_outcome(team_id, len(user_ids), missing, "the directory")


async def create_channel(ctx: StepContext) -> StepOutcome:
    team_id, name = ctx.output("graph.create_team", "team_id"), ctx.inputs["name"]
    async with ctx.tools.graph(ctx.connection_id) as graph:
        origin = "adopted"
        channel = await anext((c async for c in graph.iter_channels(team_id)
                               if c.display_name.casefold() == name.casefold()), None)
        if channel is None:
            try:
                channel = await graph.create_channel(team_id, name)
                origin = "created"
            except Conflict as exc:  # made meanwhile by someone else: theirs, not adopted
                raise StepFailed(f"A channel named {name} appeared while creating it.") from exc
    return StepOutcome(channel.id, f"{origin} channel {name}", channel.web_url or "",
                       resource_kind="channel", resource_key=channel.id, resource_name=name,
                       origin=origin)


async def create_plan(ctx: StepContext) -> StepOutcome:
    team_id, title = ctx.output("graph.create_team", "team_id"), ctx.inputs["title"]
    async with ctx.tools.graph(ctx.connection_id) as graph:
        plan = await anext((p async for p in graph.iter_group_plans(team_id)
                            if p.title == title), None)
        origin = "adopted" if plan else "created"
        if plan is None:
            try:
                plan = await graph.create_plan(team_id, title)
            except NotFound as exc:
                raise StepFailed("The team's group is not ready for Planner yet; retry in a "
                                 "minute.") from exc
    return StepOutcome(plan.id, f"{origin} plan {title}", outputs={"plan_id": plan.id},
                       resource_kind="plan", resource_key=plan.id, resource_name=title,
                       origin=origin)
