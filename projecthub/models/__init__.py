"""Every table, imported here so ``SQLModel.metadata`` is complete for Alembic."""

from projecthub.models.accounts import ApiToken, AuthSession, LoginThrottle, User
from projecthub.models.audit import AuditEvent
from projecthub.models.connections import Tool, ToolConnection
from projecthub.models.drift import DriftField, ProjectDrift
from projecthub.models.instance import InstanceSetting
from projecthub.models.mail import AccountLink, LinkPurpose, MailStatus, OutboxMessage, ThrottleHit
from projecthub.models.microsoft import MicrosoftIdentity, MicrosoftPolicy, MicrosoftSignIn
from projecthub.models.notifications import (
    DeliveryMode,
    DeliveryStatus,
    Notification,
    NotificationChannel,
    NotificationDefault,
    NotificationDelivery,
    NotificationEvent,
    NotificationPreference,
)
from projecthub.models.orgs import ROLE_RANK, Invitation, Membership, Organization, OrgStatus, Role
from projecthub.models.projects import (
    Lifecycle,
    Project,
    ProjectMember,
    ProjectResource,
    ProjectTally,
)
from projecthub.models.provisioning import (
    ProvisioningRun,
    ProvisioningStep,
    RunKind,
    RunStatus,
    StepStatus,
)
from projecthub.models.status import ProjectStatus, StatusHistory, StatusSnapshot, SyncCursor
from projecthub.models.status_data import (
    ConfluenceSummary,
    Figures,
    HealthLevel,
    JiraSummary,
    PlannerSummary,
    ProductiveSummary,
    Reason,
    Sprint,
    Summary,
    TeamSummary,
    ToolFigures,
)
from projecthub.models.templates import Template, TemplateVersion, WizardDraft
from projecthub.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ROLE_RANK",
    "AccountLink",
    "ApiToken",
    "AuditEvent",
    "AuthSession",
    "ConfluenceSummary",
    "DeliveryMode",
    "DeliveryStatus",
    "DriftField",
    "Figures",
    "HealthLevel",
    "InstanceSetting",
    "Invitation",
    "JiraSummary",
    "Lifecycle",
    "LinkPurpose",
    "LoginThrottle",
    "MailStatus",
    "Membership",
    "MicrosoftIdentity",
    "MicrosoftPolicy",
    "MicrosoftSignIn",
    "Notification",
    "NotificationChannel",
    "NotificationDefault",
    "NotificationDelivery",
    "NotificationEvent",
    "NotificationPreference",
    "OrgStatus",
    "Organization",
    "OutboxMessage",
    "PlannerSummary",
    "ProductiveSummary",
    "Project",
    "ProjectDrift",
    "ProjectMember",
    "ProjectResource",
    "ProjectStatus",
    "ProjectTally",
    "ProvisioningRun",
    "ProvisioningStep",
    "Reason",
    "Role",
    "RunKind",
    "RunStatus",
    "Sprint",
    "StatusHistory",
    "StatusSnapshot",
    "StepStatus",
    "Summary",
    "SyncCursor",
    "TeamSummary",
    "Template",
    "TemplateVersion",
    "ThrottleHit",
    "Tool",
    "ToolConnection",
    "ToolFigures",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WizardDraft",
]
