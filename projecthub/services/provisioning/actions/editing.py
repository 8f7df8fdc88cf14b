"""Steps of a project edit that no earlier run needed: rename a Confluence space, a team, its
Planner plan, a Productive project (or change its manager) or its budget, and put a person in or
out of a Confluence space, a team (owner or member) or a Productive project. Jira's rename and
member steps, and Productive's "add member", are the drift fixes' own (actions/jira.py,
actions/productive.py).

Every step reads first and changes only what differs, so a retried or resumed step does nothing
twice. A person the tool does not know fails the step with the fix (``PersonMissing``); removing
such a person has nothing to do.
"""

from __future__ import annotations

from projecthub.services.provisioning.actions.base import PersonMissing, StepContext, StepOutcome
from projecthub.services.provisioning.actions.confluence import SPACE_GRANTS


async def confluence_rename_space(ctx: StepContext) -> StepOutcome:
    key, name = ctx.inputs["key"], ctx.inputs["name"]
    async with ctx.tools.confluence(ctx.connection_id) as wiki:
        space = await wiki.rename_space(key, name)
    return StepOutcome(f"{space.id}:name", f"the space {key} is named {name}")


async def _confluence_account(ctx: StepContext, email: str) -> str | None:
    async with ctx.tools.confluence(ctx.connection_id) as wiki:
        users = await wiki.find_users_by_email(email)
    return users[0].account_id if users else None


async def confluence_add_member(ctx: StepContext) -> StepOutcome:
    key, email = ctx.inputs["key"], ctx.inputs["email"]
    account_id = await _confluence_account(ctx, email)
    if account_id is None:
        raise PersonMissing("Confluence", email)
    async with ctx.tools.confluence(ctx.connection_id) as wiki:
        added = await wiki.grant_space_permissions(key, account_id, SPACE_GRANTS)
    return StepOutcome(f"{key}:{account_id}",
                       f"{email} may read the space {key} and write pages ({added} granted)")


async def confluence_remove_member(ctx: StepContext) -> StepOutcome:
    key, email = ctx.inputs["key"], ctx.inputs["email"]
    account_id = await _confluence_account(ctx, email)
    if account_id is None:
        return StepOutcome(f"{key}:members", f"{email} has no Confluence account: nothing to "
                                             "remove")
    async with ctx.tools.confluence(ctx.connection_id) as wiki:
        removed = await wiki.revoke_space_permissions(key, account_id)
    return StepOutcome(f"{key}:{account_id}",
                       f"{email} holds no permission on the space {key} ({removed} removed)")


async def graph_rename_team(ctx: StepContext) -> StepOutcome:
    team_id, name = ctx.inputs["team_id"], ctx.inputs["name"]
    async with ctx.tools.graph(ctx.connection_id) as graph:
        await graph.rename_team(team_id, name)
    return StepOutcome(f"{team_id}:name", f"the team is named {name}")


async def graph_rename_plan(ctx: StepContext) -> StepOutcome:
    plan_id, name = ctx.inputs["plan_id"], ctx.inputs["name"]
    async with ctx.tools.graph(ctx.connection_id) as graph:
        plan = await graph.rename_plan(plan_id, name)
    return StepOutcome(plan.id, f"the Planner plan is named {plan.title}")


async def _graph_user(ctx: StepContext, email: str) -> str | None:
    async with ctx.tools.graph(ctx.connection_id) as graph:
        users = await graph.find_users_by_email(email)
    return users[0].id if users else None


async def graph_set_member(ctx: StepContext) -> StepOutcome:
    """Owner or member of the team, as the person's project role says."""
    team_id, email, owner = ctx.inputs["team_id"], ctx.inputs["email"], ctx.inputs["owner"]
    user_id = await _graph_user(ctx, email)
    if user_id is None:
        raise PersonMissing("Microsoft 365", email)
    async with ctx.tools.graph(ctx.connection_id) as graph:
        member = await graph.set_team_role(team_id, user_id, owner=bool(owner))
    return StepOutcome(member.id, f"{email} is {'an owner' if owner else 'a member'} of the team")


async def graph_remove_member(ctx: StepContext) -> StepOutcome:
    team_id, email = ctx.inputs["team_id"], ctx.inputs["email"]
    user_id = await _graph_user(ctx, email)
    if user_id is None:
        return StepOutcome(f"{team_id}:members", f"{email} has no Microsoft 365 account: "
                                                 "nothing to remove")
    async with ctx.tools.graph(ctx.connection_id) as graph:
        removed = await graph.remove_team_member(team_id, user_id)
    return StepOutcome(f"{team_id}:{user_id}", f"{email} is not in the team"
                       + ("" if removed else " (was not)"))


async def productive_update_project(ctx: StepContext) -> StepOutcome:
    """The project's name and, when the owner changes, its project manager."""
    project_id = ctx.inputs["external_id"]
    manager_email = ctx.inputs.get("manager_email")
    async with ctx.tools.productive(ctx.connection_id) as prod:
        manager_id = None
        if manager_email:
            people = await prod.find_people_by_email(manager_email)
            if not people:
                raise PersonMissing("Productive", manager_email)
            manager_id = people[0].id
        project = await prod.update_project(project_id, name=ctx.inputs.get("name"),
                                            project_manager_id=manager_id)
    return StepOutcome(project.id, f"the Productive project is named {project.name}")


async def productive_rename_budget(ctx: StepContext) -> StepOutcome:
    async with ctx.tools.productive(ctx.connection_id) as prod:
        budget = await prod.rename_budget(ctx.inputs["budget_id"], ctx.inputs["name"])
    return StepOutcome(budget.id, f"the Productive budget is named {budget.name}")


async def productive_remove_member(ctx: StepContext) -> StepOutcome:
    project_id, email = ctx.inputs["external_id"], ctx.inputs["email"]
    async with ctx.tools.productive(ctx.connection_id) as prod:
        people = await prod.find_people_by_email(email)
        removed = bool(people) and await prod.remove_project_member(project_id, people[0].id)
    return StepOutcome(f"{project_id}:members", f"{email} is not a member of the Productive "
                       "project" + ("" if removed else " (was not)"))
