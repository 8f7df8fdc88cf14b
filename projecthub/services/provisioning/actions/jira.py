"""Jira steps: create (or adopt) the project, put the team in its roles, or link an existing one."""

from __future__ import annotations

from projecthub.connectors.errors import NotFound
from projecthub.connectors.jira import JiraConnector
from projecthub.models import Tool
from projecthub.services.provisioning.actions.base import (
    PersonMissing,
    StepContext,
    StepFailed,
    StepOutcome,
    resolve_people,
)

MEMBER_ROLES = ("Member", "Developers", "Administrators")


def browse_url(site: str, key: str) -> str:
    """Where a person opens the project in Jira."""
    return f"{site.rstrip('/')}/browse/{key}"


async def create_project(ctx: StepContext) -> StepOutcome:
    inputs = ctx.inputs
    site = ctx.tools.credentials(ctx.connection_id, Tool.JIRA).base_url
    async with ctx.tools.jira(ctx.connection_id) as jira:
        existing = await jira.find_project(inputs["key"])
        if existing is not None:
            if existing.name != inputs["name"]:
                raise StepFailed(f"The key {inputs['key']} is used by another Jira project "
                                 f"({existing.name}). Choose another key.")
            url = browse_url(site, existing.key)
            return StepOutcome(existing.id, f"adopted existing project {existing.key}", url,
                               {"key": existing.key, "url": url},
                               "project", existing.key, existing.name, "adopted")
        leads = await jira.find_users_by_email(inputs["lead_email"])
        if not leads:
            raise StepFailed(f"No Jira account has the email {inputs['lead_email']}.")
        created = await jira.create_project(
            key=inputs["key"], name=inputs["name"], lead_account_id=leads[0].account_id,
            project_type_key=inputs["project_type_key"], template_key=inputs["template_key"],
            description=inputs.get("description") or None)
    url = browse_url(site, created.key)
    return StepOutcome(str(created.id), f"created project {created.key}", url,
                       {"key": created.key, "url": url}, "project",
                       created.key, inputs["name"], "created")


async def add_members(ctx: StepContext) -> StepOutcome:
    key = ctx.output("jira.create_project", "key")
    async with ctx.tools.jira(ctx.connection_id) as jira:
        async def find(email: str) -> str | None:
            users = await jira.find_users_by_email(email)
            return users[0].account_id if users else None

        account_ids, missing = await resolve_people(ctx.inputs["emails"], find)
        roles = await jira.project_roles(key)
        role = next((name for name in MEMBER_ROLES if name in roles), None)
        if role is None:
            raise StepFailed(f"The project {key} has none of the roles {', '.join(MEMBER_ROLES)}.")
        result = await jira.add_role_actors(key, roles[role], account_ids)
    note = f"; not found in Jira: {', '.join(missing)}" if missing else ""
    return StepOutcome(f"{key}:{result.id}",
                       f"{len(account_ids)} people hold the {role} role{note}",
                       outputs={"role": role, "missing": missing})


async def link_project(ctx: StepContext) -> StepOutcome:
    site = ctx.tools.credentials(ctx.connection_id, Tool.JIRA).base_url
    async with ctx.tools.jira(ctx.connection_id) as jira:
        try:
            project = await jira.get_project(ctx.inputs["key"])
        except NotFound as exc:
            raise StepFailed(f"No Jira project has the key {ctx.inputs['key']}.") from exc
    url = browse_url(site, project.key)
    return StepOutcome(project.id, f"linked project {project.key}", url,
                       {"key": project.key, "url": url}, "project",
                       project.key, project.name, "linked")


async def _member_role(jira: JiraConnector, key: str) -> int:
    roles = await jira.project_roles(key)
    role = next((name for name in MEMBER_ROLES if name in roles), None)
    if role is None:
        raise StepFailed(f"The project {key} has none of the roles {', '.join(MEMBER_ROLES)}.")
    return roles[role]


async def _account(jira: JiraConnector, email: str) -> str:
    users = await jira.find_users_by_email(email)
    if not users:
        raise PersonMissing("Jira", email)
    return users[0].account_id


async def rename_project(ctx: StepContext) -> StepOutcome:
    """Give the Jira project ProjectHub's name (a no-op when it has it already)."""
    key, name = ctx.inputs["key"], ctx.inputs["name"]
    async with ctx.tools.jira(ctx.connection_id) as jira:
        if (await jira.get_project(key)).name != name:
            await jira.rename_project(key, name)
    return StepOutcome(f"{key}:name", f"the project {key} is named {name}")


async def add_member(ctx: StepContext) -> StepOutcome:
    """Put one person in the project's member role (idempotent)."""
    key, email = ctx.inputs["key"], ctx.inputs["email"]
    async with ctx.tools.jira(ctx.connection_id) as jira:
        role_id = await _member_role(jira, key)
        await jira.add_role_actors(key, role_id, [await _account(jira, email)])
    return StepOutcome(f"{key}:{role_id}", f"{email} holds the member role of {key}")


async def remove_member(ctx: StepContext) -> StepOutcome:
    """Take one person out of the project's member role (idempotent; a person without a Jira
    account holds no role, so there is nothing to remove)."""
    key, email = ctx.inputs["key"], ctx.inputs["email"]
    async with ctx.tools.jira(ctx.connection_id) as jira:
        users = await jira.find_users_by_email(email)
        if not users:
            return StepOutcome(f"{key}:members", f"{email} has no Jira account: nothing to remove")
        role_id = await _member_role(jira, key)
        await jira.remove_role_actor(key, role_id, users[0].account_id)
    return StepOutcome(f"{key}:{role_id}", f"{email} no longer holds the member role of {key}")
