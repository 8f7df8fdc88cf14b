"""Request and response bodies of project editing (``PATCH /projects/{id}`` and the members
routes): the service's edit and preview models, with unknown fields refused."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from projecthub.api.schemas import ProjectPublic, RunPublic
from projecthub.services.provisioning.edit_members import ProjectMemberView
from projecthub.services.provisioning.editing import EditChange, ProjectEdit


class ProjectEditBody(ProjectEdit):
    """Only the fields sent change; ``members`` lists everyone besides the owner."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MemberRoleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["member", "lead"] = "member"


class EditChangePublic(EditChange):
    """One line of the preview: a tool (``projecthub`` for ProjectHub alone) and what happens."""


class ProjectEditResult(BaseModel):
    """The preview of an edit, and what became of it: ``applied`` when no tool was involved
    (the project shows the new values), else the ``run`` that carries it to the tools (the
    project changes when it succeeds); with ``preview`` nothing has changed."""

    project: ProjectPublic
    changes: Sequence[EditChangePublic]
    run: RunPublic | None
    applied: bool


class AddToolBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tool: Literal["jira", "confluence", "graph", "productive"]
    connection_id: uuid.UUID
    answers: dict[str, Any] = Field(
        default_factory=dict,
        description="Answers to the new tool's own questions of the project's template (e.g. "
                    "budget_type, budget_amount for Productive), by field id; the project's "
                    "answers fill the rest. A missing or invalid one is a 422 naming the field.")


class AddToolResult(BaseModel):
    """The new tool's steps, one line each; ``run`` carries them out (none for a preview)."""

    changes: Sequence[EditChangePublic]
    run: RunPublic | None


class ProjectMemberPublic(ProjectMemberView):
    """A project member: ``manager`` (the owner), ``lead`` (owns the team in Teams), or
    ``member``."""
