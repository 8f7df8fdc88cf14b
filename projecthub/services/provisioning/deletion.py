"""Deleting a project in ProjectHub. By default nothing in any tool is touched: the Jira project,
Confluence space, team and Productive project stay where they are (listed in the audit event so
they can be found). Deleting in a tool happens only when the owner picks that tool explicitly,
and every deletion needs the project's key typed as confirmation.

The chosen tools are asked first; the project leaves ProjectHub only when every one of them
deleted (or had already deleted) its resource. When one fails, the project stays, the deletions
that worked are audited, and the same request can simply be repeated: a resource already gone
counts as deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence

from sqlmodel import Session

from projecthub.connectors.errors import ConnectorError
from projecthub.core.errors import AppError, Invalid
from projecthub.models import ProjectResource
from projecthub.services import audit, projects
from projecthub.services.principal import Principal
from projecthub.services.provisioning.lifecycle import MAPPINGS, _resources, require_manager
from projecthub.services.tool_clients import ToolClients
from projecthub.services.views import View


async def _delete_jira(tools: ToolClients, resource: ProjectResource) -> bool:
    async with tools.jira(str(resource.connection_id)) as jira:
        return await jira.delete_project(resource.external_key or resource.external_id)


async def _delete_confluence(tools: ToolClients, resource: ProjectResource) -> bool:
    async with tools.confluence(str(resource.connection_id)) as wiki:
        return await wiki.delete_space(resource.external_key or resource.external_id)


async def _delete_graph(tools: ToolClients, resource: ProjectResource) -> bool:
    async with tools.graph(str(resource.connection_id)) as graph:
        return await graph.delete_group(resource.external_id)  # a team's id is its group's


# The call that deletes each tool's resource (``False``: it was already gone). Productive's API
# has no project deletion (its schema lists archive and restore only): archive it instead.
DELETERS: dict[str, Callable[[ToolClients, ProjectResource], Awaitable[bool]]] = {
    "jira": _delete_jira, "confluence": _delete_confluence, "graph": _delete_graph}
DELETABLE: frozenset[str] = frozenset(DELETERS)
# What a refusal (403) most likely means, said next to the tool's own words.
REFUSAL_HINTS = {
    "jira": "Deleting a project needs Jira administrator rights for the connection's account.",
    "confluence": "Deleting a space needs the space admin permission for the connection's "
                  "account.",
    "graph": "Deleting a team deletes its Microsoft 365 group, which needs the application "
             "permission Group.ReadWrite.All (admin consent) on the app registration.",
}


class DeleteOption(View):
    tool: str
    resource: str
    name: str
    url: str
    can_delete: bool
    note: str


class DeletePreview(View):
    project_id: uuid.UUID
    key: str
    options: Sequence[DeleteOption]


class DeletionResult(View):
    """``deleted`` is False when a tool refused: the project stays, ``failed`` says why."""
    project_id: uuid.UUID
    key: str
    deleted: bool
    kept: Sequence[str]
    deleted_in: Sequence[str]
    failed: Sequence[str]


def preview_delete(session: Session, principal: Principal,
                   project_id: uuid.UUID) -> DeletePreview:
    """What the project has in each tool, and whether ProjectHub could delete it there."""
    project = projects.get_project(session, principal, project_id)
    require_manager(principal, project)
    options = []
    for resource in _resources(session, principal, project):
        mapping = MAPPINGS[(resource.tool, resource.kind)]
        can = resource.tool in DELETABLE and resource.connection_id is not None
        note = ("Kept unless you choose to delete it." if can else
                f"Kept: ProjectHub does not delete a {mapping.noun}; archive it instead.")
        options.append(DeleteOption(
            tool=resource.tool, resource=mapping.noun,
            name=resource.name or resource.external_key or resource.external_id,
            url=resource.url, can_delete=can, note=note))
    return DeletePreview(project_id=project.id, key=project.key, options=options)


async def delete_project(session: Session, principal: Principal, tools: ToolClients,
                         project_id: uuid.UUID, *, confirmation: str,
                         delete_in: Sequence[str] = ()) -> DeletionResult:
    """Delete the project from ProjectHub (its runs, status and links go with it); every tool
    resource is kept unless its tool is in ``delete_in``. ``confirmation`` must be the key."""
    preview = preview_delete(session, principal, project_id)
    if confirmation.strip() != preview.key:
        raise Invalid("Type the project's key to confirm the deletion.",
                      {"confirmation": f"Type {preview.key} to confirm."})
    chosen = set(delete_in)
    allowed = {o.tool for o in preview.options if o.can_delete}
    if chosen - allowed:
        raise Invalid("ProjectHub cannot delete in " + ", ".join(sorted(chosen - allowed)) + ".",
                      {"delete_in": "Choose only tools offered for deletion."})
    project = projects.get_project(session, principal, project_id)
    deleted, failed = await _delete_in_tools(
        [r for r in _resources(session, principal, project) if r.tool in chosen], tools)
    kept = [f"{o.tool}:{o.name}" for o in preview.options if o.tool not in chosen]
    detail = {"key": project.key, "name": project.name, "kept_in_tools": kept,
              "deleted_in_tools": deleted, "failed_in_tools": failed}
    if failed:
        audit.record(session, principal, "project.tool_deletion_failed", target_type="project",
                     target_id=project.id, detail=detail)
    else:
        audit.record(session, principal, "project.deleted", target_type="project",
                     target_id=project.id, detail=detail)
        session.delete(project)
        session.flush()
    return DeletionResult(project_id=preview.project_id, key=preview.key, deleted=not failed,
                          kept=kept, deleted_in=deleted, failed=failed)


async def _delete_in_tools(resources: Sequence[ProjectResource],
                           tools: ToolClients) -> tuple[list[str], list[str]]:
    """Ask each tool to delete its resource, one after another; (``tool:name`` deleted, one
    message per failure)."""
    deleted, failed = [], []
    for resource in resources:
        name = resource.name or resource.external_key or resource.external_id
        try:
            await DELETERS[resource.tool](tools, resource)
        except (ConnectorError, AppError) as exc:
            hint = (f" {REFUSAL_HINTS[resource.tool]}"
                    if isinstance(exc, ConnectorError) and exc.status == 403 else "")
            failed.append(f"{resource.tool}:{name}: {exc}.{hint}")
            continue
        deleted.append(f"{resource.tool}:{name}")
    return deleted, failed
