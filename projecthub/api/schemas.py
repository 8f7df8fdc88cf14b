"""Request and response bodies. Only these shapes leave the API; secrets have no field here."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RoleName = Literal["owner", "admin", "member", "viewer"]


class Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class UserPublic(Public):
    id: uuid.UUID
    email: str
    display_name: str
    is_instance_admin: bool
    created_at: datetime


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str = Field(min_length=1, max_length=120)


class OrganizationPublic(Public):
    id: uuid.UUID
    name: str
    slug: str
    status: str
    created_at: datetime


class MyOrganizationPublic(BaseModel):
    id: uuid.UUID
    name: str
    slug: str
    role: RoleName
    status: str


class OrganizationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=120)
    slug: str | None = Field(default=None, min_length=1, max_length=50)


class MemberPublic(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    display_name: str
    role: RoleName
    is_active: bool
    joined_at: datetime


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: RoleName | None = None
    is_active: bool | None = None


class InvitationPublic(Public):
    id: uuid.UUID
    email: str
    role: RoleName
    created_at: datetime
    expires_at: datetime


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320)
    role: RoleName = "member"


class InvitationCreated(InvitationPublic):
    link: str = Field(description="Single-use link; shown only in this response.")
    mailed: bool = Field(description="Whether the link was queued for mail to the invitee; "
                                     "false when this instance cannot send mail.")


class AuditEventPublic(Public):
    id: uuid.UUID
    actor_email: str
    action: str
    target_type: str
    target_id: str
    detail: dict[str, Any]
    created_at: datetime


class AuditPagePublic(BaseModel):
    items: list[AuditEventPublic]
    total: int
    limit: int
    offset: int


class ApiTokenPublic(BaseModel):
    id: uuid.UUID
    name: str
    org_slug: str
    hint: str = Field(description="The token's last four characters.")
    created_at: datetime
    last_used_at: datetime | None


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=320)
    password: str = Field(max_length=4096)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(max_length=4096)
    new_password: str = Field(max_length=4096)


class SignUp(Credentials):
    display_name: str = Field(default="", max_length=120)
    org_name: str = Field(default="", max_length=120)
    org_slug: str = Field(default="", max_length=50)
    invitation_token: str = Field(default="", max_length=200)


class Health(BaseModel):
    status: Literal["ok"]


class Ok(BaseModel):
    ok: bool = True


class SecretHintPublic(BaseModel):
    is_set: bool
    last4: str
    updated_at: str


class ConnectionPublic(BaseModel):
    """A tool connection as anyone may see it: secrets appear only as hints."""

    id: uuid.UUID
    tool: Literal["jira", "confluence", "productive", "graph"]
    name: str
    base_url: str
    auth_kind: str
    settings: dict[str, str]
    secrets: dict[str, SecretHintPublic]
    last_tested_at: datetime | None
    last_test_ok: bool | None
    last_test_message: str
    updated_at: datetime


class ConnectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tool: Literal["jira", "confluence", "productive", "graph"]
    name: str = Field(min_length=1, max_length=100)
    base_url: str = Field(min_length=1, max_length=500)
    settings: dict[str, str] = Field(default_factory=dict)
    secrets: dict[str, str] = Field(default_factory=dict, description="Write-only.")


class ConnectionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    base_url: str | None = Field(default=None, min_length=1, max_length=500)
    settings: dict[str, str] | None = None
    secrets: dict[str, str] | None = Field(default=None, description="Write-only; empty keeps.")


class ConnectionCheck(BaseModel):
    ok: bool
    message: str


class TemplatePublic(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    description: str
    version: int
    version_id: uuid.UUID
    is_builtin: bool
    is_retired: bool
    source: str = Field(description="The questionnaire as YAML.")


class TemplateSource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(min_length=1, max_length=100_000, description="YAML or JSON.")


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template_id: uuid.UUID | None = Field(
        default=None, description="Defaults to the built-in template; its current version is used.")
    answers: dict[str, Any]
    dry_run: bool = Field(default=False, description="Only check and plan; create nothing.")


class ToolCheckPublic(BaseModel):
    tool: str
    label: str
    decision: Literal["create", "link", "skip", "blocked"]
    summary: str
    problems: list[str]
    warnings: list[str]
    suggestion: dict[str, str]


class PlannedStepPublic(BaseModel):
    key: str
    action: str
    tool: str
    title: str
    depends_on: list[str]


class PreflightPublic(BaseModel):
    ok: bool
    checks: list[ToolCheckPublic]
    steps: list[PlannedStepPublic]


class ProjectPublic(Public):
    id: uuid.UUID
    name: str
    key: str
    description: str
    client_company: str
    project_type: str
    start_date: date | None
    end_date: date | None
    lifecycle: str
    template_version_id: uuid.UUID | None
    created_at: datetime


class StepPublic(BaseModel):
    id: uuid.UUID
    key: str
    action: str
    tool: str
    title: str
    status: str
    attempts: int
    external_id: str
    url: str
    error: str
    log: list[dict[str, Any]]
    depends_on: list[str]
    started_at: datetime | None
    finished_at: datetime | None


class RunPublic(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    status: str
    error: str
    progress: float
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    steps: list[StepPublic]


class ProjectCreated(BaseModel):
    project: ProjectPublic
    run: RunPublic


class ProjectRowPublic(BaseModel):
    id: uuid.UUID
    name: str
    key: str
    client_company: str
    lifecycle: str
    health: Literal["green", "amber", "red", "unknown"]
    reasons: list[str]
    figures: dict[str, Any]
    owner_name: str
    start_date: date | None
    end_date: date | None
    synced_at: datetime | None
    oldest_data_at: datetime | None
    tools: list[str]


class ProjectListPublic(BaseModel):
    items: list[ProjectRowPublic]
    total: int
    page: int
    page_size: int
    by_health: dict[str, int]
    by_lifecycle: dict[str, int]


class ReasonPublic(BaseModel):
    level: str
    rule: str
    text: str


class ResourceCardPublic(BaseModel):
    resource_id: uuid.UUID
    tool: str
    kind: str
    name: str
    url: str
    origin: str
    data: dict[str, Any]
    fetched_at: datetime | None
    error: str


class ProjectDetailPublic(BaseModel):
    project: ProjectPublic
    health: Literal["green", "amber", "red", "unknown"]
    reasons: list[ReasonPublic]
    synced_at: datetime | None
    resources: list[ResourceCardPublic]


class HistoryPointPublic(BaseModel):
    day: date
    figures: dict[str, Any]


class LifecycleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lifecycle: Literal["active", "on_hold", "completed", "archived"]
