"""Instance administration: tenants as a whole (counts, create, suspend), never their data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from projecthub.core.errors import Invalid, NotFound
from projecthub.models import Membership, Organization, OrgStatus, Project, Role
from projecthub.services import audit, invitations
from projecthub.services.accounts import find_user_by_email
from projecthub.services.orgs import create_unowned_organization
from projecthub.services.principal import Actor, require_instance_admin
from projecthub.services.validation import normalize_email


@dataclass(frozen=True)
class TenantView:
    id: str
    name: str
    slug: str
    status: OrgStatus
    member_count: int
    project_count: int
    created_at: datetime


def list_tenants(session: Session, actor: Actor) -> list[TenantView]:
    """Every organization with counts, in three queries whatever the number of tenants."""
    require_instance_admin(actor)
    return _tenant_views(session, None)


def get_tenant(session: Session, actor: Actor, org_id: uuid.UUID) -> TenantView:
    """One organization as the list shows it (the API's answer after an action)."""
    require_instance_admin(actor)
    views = _tenant_views(session, org_id)
    if not views:
        raise NotFound("Organization not found.")
    return views[0]


def _tenant_views(session: Session, org_id: uuid.UUID | None) -> list[TenantView]:
    members_q = select(Membership.organization_id, func.count()).where(
        Membership.is_active == True)  # noqa: E712
    projects_q = select(Project.organization_id, func.count())
    orgs_q = select(Organization)
    if org_id is not None:
        members_q = members_q.where(Membership.organization_id == org_id)
        projects_q = projects_q.where(Project.organization_id == org_id)
        orgs_q = orgs_q.where(Organization.id == org_id)
    members = dict(session.exec(members_q.group_by(col(Membership.organization_id))).all())
    projects = dict(session.exec(projects_q.group_by(col(Project.organization_id))).all())
    orgs = session.exec(orgs_q.order_by(col(Organization.name))).all()
    return [TenantView(str(o.id), o.name, o.slug, OrgStatus(o.status), members.get(o.id, 0),
                       projects.get(o.id, 0), o.created_at) for o in orgs]


def create_tenant(session: Session, actor: Actor, *, name: str, slug: str,
                  owner_email: str) -> Organization:
    """Create an organization for an existing account, which becomes its owner once its address
    is confirmed: until then it is invited as owner by mail instead (issue 10, finding 5)."""
    require_instance_admin(actor)
    address = normalize_email(owner_email, field="owner_email")
    owner = find_user_by_email(session, address)
    if owner is None:
        message = "No account has this email. Ask the person to sign up first."
        raise Invalid(message, {"owner_email": message})
    org = create_unowned_organization(session, name=name, slug=slug)
    if owner.email_verified_at is None:
        invitations.invite_owner(session, actor, org, email=owner.email)
    else:
        session.add(Membership(organization_id=org.id, user_id=owner.id, role=Role.OWNER))
    audit.record(session, actor, "tenant.created", org_id=org.id, target_type="organization",
                 target_id=org.id, detail={"slug": org.slug, "owner": address})
    return org


def set_tenant_status(session: Session, actor: Actor, org_id: uuid.UUID,
                      status: OrgStatus) -> Organization:
    require_instance_admin(actor)
    org = session.exec(select(Organization).where(col(Organization.id) == _uuid(org_id))).first()
    if org is None:
        raise NotFound("Organization not found.")
    org.status = status
    session.add(org)
    action = "tenant.suspended" if status == OrgStatus.SUSPENDED else "tenant.reactivated"
    audit.record(session, actor, action, org_id=org.id, target_type="organization",
                 target_id=org.id)
    return org


def _uuid(value: object) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound("Organization not found.") from exc
