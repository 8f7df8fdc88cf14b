"""Request and response bodies. Only these shapes leave the API; secrets have no field here.

A response about something a service already describes subclasses that service's view (the
``XView`` → ``XPublic`` family), so its fields are declared once; the subclass keeps the public
name in the OpenAPI document and narrows nested views to their public counterparts."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from projecthub.models import Figures, HealthLevel, Lifecycle, Reason
from projecthub.services.api_tokens import MemberTokenView, TokenView
from projecthub.services.connections import ConnectionView, SecretHint
from projecthub.services.drift.resolve import DriftView
from projecthub.services.members import MemberView
from projecthub.services.microsoft_orgs import MicrosoftPolicyView
from projecthub.services.orgs import MyOrganization
from projecthub.services.provisioning.decisions import MAX_COMMENT, PendingApproval
from projecthub.services.provisioning.deletion import (
    DeleteOption,
    DeletePreview,
    DeletionResult,
)
from projecthub.services.provisioning.lifecycle import LifecyclePreview, ToolChange
from projecthub.services.provisioning.plan import PlannedStepSummary
from projecthub.services.provisioning.preflight import Preflight, ToolCheck
from projecthub.services.provisioning.service import RunView, StepView
from projecthub.services.status.dashboard import DashboardQuery, ProjectRow
from projecthub.services.status.view import ResourceCard
from projecthub.services.templates.library import TemplateView
from projecthub.services.user_admin import UserView
from projecthub.services.webhooks.endpoints import WebhookSetup, WebhookView

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


class MyOrganizationPublic(MyOrganization):
    """An organization the caller belongs to, with the caller's role in it."""


class OrganizationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=120)
    slug: str | None = Field(default=None, min_length=1, max_length=50)


class MemberPublic(MemberView):
    """A member of the organization; ``id`` is the membership, ``user_id`` the person."""


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


class ApiTokenPublic(TokenView):
    """One of the caller's API tokens (its secret is shown only when it is created)."""


class ApiTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=100)
    expires_in_days: int = Field(default=90, ge=1, le=365)
    read_only: bool = False


class ApiTokenCreated(ApiTokenPublic):
    token: str = Field(description="The secret, shown this once and never again.")


class MemberApiTokenPublic(MemberTokenView):
    """A member's token as the organization's admins see it (never its secret)."""


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


class SignUpAccepted(BaseModel):
    """The one answer to every valid sign-up, whether or not the address was new."""

    detail: str


class SecretHintPublic(SecretHint):
    """What anyone may see of a saved secret: whether it is set, its last four characters."""


class ConnectionPublic(ConnectionView):
    """A tool connection as anyone may see it: secrets appear only as hints."""

    secrets: Mapping[str, SecretHintPublic]


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


class WebhookPublic(WebhookView):
    """A connection's webhook endpoint, without its address or secret."""


class WebhookSetupPublic(WebhookSetup):
    """Answered once, when the endpoint is made: the address and the secret (never again),
    and the copy-paste instructions when ProjectHub could not register it by API."""


class TemplatePublic(TemplateView):
    """A template with its current version."""


class TemplateSource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(min_length=1, max_length=100_000, description="YAML or JSON.")


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template_id: uuid.UUID | None = Field(
        default=None, description="Defaults to the built-in template; its current version is used.")
    answers: dict[str, Any]
    dry_run: bool = Field(default=False, description="Only check and plan; create nothing.")


class ToolCheckPublic(ToolCheck):
    """One tool's verdict on the answers: create, link, skip, or blocked (with the problems)."""


class PlannedStepPublic(PlannedStepSummary):
    """A step a real run would take (its inputs stay on the server)."""


class PreflightPublic(Preflight):
    """The dry run's verdict: each tool's check and the steps a real run would take."""

    checks: Sequence[ToolCheckPublic]
    steps: Sequence[PlannedStepPublic]


class ProjectPublic(Public):
    id: uuid.UUID
    name: str
    key: str
    description: str
    client_company: str
    project_type: str
    start_date: date | None
    end_date: date | None
    lifecycle: Lifecycle
    template_version_id: uuid.UUID | None
    created_at: datetime


class StepPublic(StepView):
    """A run's step: its status, attempts, what it made in the tool, and its log."""


class RunPublic(RunView):
    """A run and its steps, in plan order: provisioning, or a lifecycle change reaching the
    tools (``kind`` lifecycle, ``target`` the state the project takes when it succeeds)."""

    steps: Sequence[StepPublic]


class ApprovalPublic(PendingApproval):
    """A run waiting for the caller's decision (``approvers``: the lowest role that may decide;
    the person who started it never may)."""


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: str = Field(default="", max_length=MAX_COMMENT,
                         description="Why; required to reject, optional to approve.")


class DriftPublic(DriftView):
    """Where a tool differs from ProjectHub: ``desired`` is ProjectHub's value, ``actual`` the
    tool's ("" = absent), ``since`` when the sync first saw it."""


class ProjectCreated(BaseModel):
    project: ProjectPublic
    run: RunPublic


class ProjectRowPublic(ProjectRow):
    """A dashboard row, exactly as ``services.status.dashboard`` builds it."""


class ProjectListQuery(BaseModel):
    """The list's filters, sort and page, as query parameters (one model: FastAPI validates it
    at once, where eleven separate parameters cost about 0.5 ms per request)."""

    q: str = Field("", max_length=200)
    health: str = Field("", max_length=10)
    lifecycle: str = Field("", max_length=20)
    tool: str = Field("", max_length=20)
    owner: str = Field("", max_length=36)
    sort: str = Field("name", max_length=20)
    descending: bool = False
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=200)
    drifted: bool = False

    @functools.cached_property
    def dashboard_query(self) -> DashboardQuery:
        """The service's query; the search matched lower-cased and trimmed, one key for what
        is one answer. Kept: the list's shortcut reuses one model per query string."""
        return DashboardQuery(**{**self.model_dump(), "q": self.q.strip().lower()})


class ProjectListPublic(BaseModel):
    items: list[ProjectRowPublic]
    total: int
    page: int
    page_size: int
    by_health: dict[str, int]
    by_lifecycle: dict[str, int]


class ReasonPublic(Reason):
    """Why the project has its health: one rule's finding."""


class ResourceCardPublic(ResourceCard):
    """A tool resource with its latest summary, exactly as ``services.status.view`` builds it."""


class ProjectDetailPublic(BaseModel):
    project: ProjectPublic
    health: HealthLevel
    reasons: list[ReasonPublic]
    synced_at: datetime | None
    resources: list[ResourceCardPublic]


class HistoryPointPublic(Public):
    day: date
    figures: Figures


class LifecycleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lifecycle: Literal["active", "on_hold", "completed", "archived"]


class ToolChangePublic(ToolChange):
    """One resource of the project and what the lifecycle change does to it in its tool."""


class LifecyclePreviewPublic(LifecyclePreview):
    """What moving the project to ``target`` does in each tool; nothing has changed yet."""

    changes: Sequence[ToolChangePublic]


class LifecycleStarted(BaseModel):
    """The project (its state changes now only when no tool is involved) and the lifecycle run
    carrying the change to the tools, if any; follow it at ``/runs/{id}``."""

    project: ProjectPublic
    run: RunPublic | None


class DeleteOptionPublic(DeleteOption):
    """A tool resource of the project: kept unless its tool is chosen for deletion."""


class DeletePreviewPublic(DeletePreview):
    options: Sequence[DeleteOptionPublic]


class ProjectDeletion(BaseModel):
    """Delete the project from ProjectHub; ``confirmation`` must be the project's key. Nothing
    is deleted in any tool unless its name is in ``delete_in``."""

    model_config = ConfigDict(extra="forbid")
    confirmation: str = Field(max_length=20)
    delete_in: list[Literal["jira", "confluence", "graph", "productive"]] = Field(
        default_factory=list, max_length=4)


class DeletionResultPublic(DeletionResult):
    """What was deleted, and what was kept in the tools (``tool:name``)."""


class CheckPublic(BaseModel):
    ok: bool
    detail: str


class Readiness(BaseModel):
    status: Literal["ready", "unavailable"]
    checks: dict[str, CheckPublic]
    failed: list[str]


class AdminUserPublic(UserView):
    """An account as instance admins see it (never its password hash)."""


class AdminUserPagePublic(BaseModel):
    items: list[AdminUserPublic]
    total: int
    limit: int
    offset: int


class MailQueued(BaseModel):
    queued: bool = Field(description="False when this instance cannot send mail (no SMTP).")


class SignupPolicyPublic(BaseModel):
    policy: Literal["open", "invite-only", "domains"]
    domains: list[str]
    from_environment: bool = Field(
        description="True while no admin has changed it: PROJECTHUB_SIGNUP is in force.")
    summary: str


class SignupPolicyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    policy: Literal["open", "invite-only", "domains"]
    domains: list[str] = Field(default_factory=list, max_length=50)


class WorkerPublic(BaseModel):
    name: str
    state: str


class InstanceSettingsPublic(BaseModel):
    signup: SignupPolicyPublic
    mail_delivery: Literal["smtp", "outbox", "none"]
    mail_summary: str
    mail_from: str
    smtp_host: str = Field(description="Scheme, host and port only; never the credentials.")
    sandbox: bool
    environment: str
    microsoft_signin: str = Field(description="Whether Sign in with Microsoft is configured.")
    workers: list[WorkerPublic]
    mail_unavailable: list[str] = Field(
        description="Features that do not work because this instance cannot send mail.")


class TenantPublic(Public):
    """An organization as instance admins see it: counts, never its data."""

    id: uuid.UUID
    name: str
    slug: str
    status: Literal["active", "suspended"]
    member_count: int
    project_count: int
    created_at: datetime


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=120)
    slug: str = Field(max_length=50)
    owner_email: str = Field(max_length=320)


# Account actions for scripts (issue 11): the browser's forms post the same bodies to /auth/*.
class EmailChangeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    new_email: str = Field(max_length=320)
    password: str = Field(max_length=4096, description="The account's current password.")


class PendingEmailChangePublic(BaseModel):
    """A change waiting for the link mailed to ``new_email``; the same answer whether or not
    that address has an account (its owner is told by mail instead)."""

    new_email: str
    expires_at: datetime


class EmailChangeAccepted(PendingEmailChangePublic):
    detail: str


class EmailChangeConfirmed(BaseModel):
    email: str = Field(description="The account's sign-in address from now on.")


class PasswordChanged(BaseModel):
    api_tokens_revoked: int = Field(
        description="Every API token of the account was revoked, the calling one included.")


class MicrosoftLink(BaseModel):
    """The existing account's password, confirming once that its Microsoft account is linked."""

    password: str = Field(min_length=1, max_length=1024)


class MicrosoftPolicyPublic(MicrosoftPolicyView):
    """An organization's Microsoft sign-in rules; ``tenant_id`` is the Entra directory they
    apply to (set from the admin's own linked Microsoft account)."""


class MicrosoftPolicyUpdate(BaseModel):
    require_microsoft: bool = False
    allow_join: bool = False
    join_role: Literal["admin", "member", "viewer"] = "member"
