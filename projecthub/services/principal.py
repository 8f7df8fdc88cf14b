"""Who is acting: a user, and (for tenant work) the organization and role they act in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from projecthub.core.errors import NotFound, OrganizationSuspended, PermissionDenied
from projecthub.core.tenancy import act_for_user
from projecthub.models import ROLE_RANK, Membership, Organization, OrgStatus, Role, User


@dataclass(frozen=True)
class Actor:
    """A signed-in person, before any organization is chosen."""

    user_id: uuid.UUID
    email: str
    is_instance_admin: bool = False


@dataclass(frozen=True)
class Principal:
    """A person acting inside one organization with one role."""

    user_id: uuid.UUID
    email: str
    org_id: uuid.UUID
    org_slug: str
    role: Role
    is_instance_admin: bool = False

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.email, self.is_instance_admin)

    def has_role(self, minimum: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[minimum]


def require_role(principal: Principal, minimum: Role) -> None:
    """Refuse an action in the principal's own organization that needs a higher role."""
    if not principal.has_role(minimum):
        raise PermissionDenied(f"This needs the {minimum.value} role or higher.")


def require_instance_admin(actor: Actor) -> None:
    if not actor.is_instance_admin:
        raise PermissionDenied("Only instance administrators can do this.")


def principal_in_org(session: Session, actor: Actor, org_id: uuid.UUID) -> Principal:
    """Resolve the actor's active membership in an organization; anything else is not found."""
    act_for_user(session, actor.user_id)
    row = session.exec(
        select(Membership, Organization)
        .join(Organization, col(Organization.id) == col(Membership.organization_id))
        .where(Membership.user_id == actor.user_id, Membership.organization_id == org_id,
               Membership.is_active == True)  # noqa: E712
    ).first()
    return _principal_from_row(actor, row)


def principal_by_slug(session: Session, actor: Actor, slug: str) -> Principal:
    act_for_user(session, actor.user_id)
    row = session.exec(
        select(Membership, Organization)
        .join(Organization, col(Organization.id) == col(Membership.organization_id))
        .where(Membership.user_id == actor.user_id, Organization.slug == slug,
               Membership.is_active == True)  # noqa: E712
    ).first()
    return _principal_from_row(actor, row)


def _principal_from_row(actor: Actor, row: tuple[Membership, Organization] | None) -> Principal:
    if row is None:
        raise NotFound("Organization not found.")
    membership, org = row
    if org.status == OrgStatus.SUSPENDED:
        raise OrganizationSuspended(
            f"The organization {org.name} is suspended. Contact your instance administrator.")
    return Principal(user_id=actor.user_id, email=actor.email, org_id=org.id, org_slug=org.slug,
                     role=Role(membership.role), is_instance_admin=actor.is_instance_admin)


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.email, user.is_instance_admin)
