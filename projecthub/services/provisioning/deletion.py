"""Deleting a project in ProjectHub. By default nothing in any tool is touched: the Jira project,
Confluence space, team and Productive project stay where they are (listed in the audit event so
they can be found). Deleting in a tool happens only when the owner picks that tool explicitly,
and every deletion needs the project's key typed as confirmation.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session

from projecthub.core.errors import Invalid
from projecthub.services import audit, projects
from projecthub.services.principal import Principal
from projecthub.services.provisioning.lifecycle import MAPPINGS, _resources, require_manager
from projecthub.services.views import View

# Tools whose API can delete the resource ProjectHub created. Productive's API has no project
# deletion (its schema lists archive and restore only): archive it instead.
DELETABLE: frozenset[str] = frozenset()


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
    project_id: uuid.UUID
    key: str
    kept: Sequence[str]
    deleted_in: Sequence[str]


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


def delete_project(session: Session, principal: Principal, project_id: uuid.UUID, *,
                   confirmation: str, delete_in: Sequence[str] = ()) -> DeletionResult:
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
    kept = [f"{o.tool}:{o.name}" for o in preview.options if o.tool not in chosen]
    audit.record(session, principal, "project.deleted", target_type="project",
                 target_id=project.id, detail={"key": project.key, "name": project.name,
                                               "kept_in_tools": kept,
                                               "deleted_in_tools": sorted(chosen)})
    session.delete(project)
    session.flush()
    return DeletionResult(project_id=preview.project_id, key=preview.key, kept=kept,
                          deleted_in=sorted(chosen))
