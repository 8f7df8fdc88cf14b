"""Every table, imported here so ``SQLModel.metadata`` is complete for Alembic."""

from projecthub.models.accounts import ApiToken, AuthSession, User
from projecthub.models.audit import AuditEvent
from projecthub.models.connections import Tool, ToolConnection
from projecthub.models.orgs import ROLE_RANK, Invitation, Membership, Organization, OrgStatus, Role
from projecthub.models.projects import Project

__all__ = [
    "ROLE_RANK",
    "ApiToken",
    "AuditEvent",
    "AuthSession",
    "Invitation",
    "Membership",
    "OrgStatus",
    "Organization",
    "Project",
    "Role",
    "Tool",
    "ToolConnection",
    "User",
]
