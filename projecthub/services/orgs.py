"""Organizations as their members see them: create, list mine, settings."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from projecthub.core.errors import Conflict
from projecthub.core.tenancy import act_as_tenant, act_for_user
from projecthub.models import Membership, Organization, OrgStatus, Role
from projecthub.services import audit
from projecthub.services.principal import Actor, Principal, require_role
from projecthub.services.validation import clean_name, clean_slug
from projecthub.services.views import View


class MyOrganization(View):
    """An organization listed for one of its members, with that member's role."""

    id: uuid.UUID
    name: str
    slug: str
    role: Role
    status: OrgStatus


def _ensure_slug_free(session: Session, slug: str, *, except_id: uuid.UUID | None = None) -> None:
    existing = session.exec(select(Organization).where(Organization.slug == slug)).first()
    if existing is not None and existing.id != except_id:
        raise Conflict("That address is taken. Choose another slug.",
                       {"slug": "That address is taken. Choose another slug."})


def check_new_organization(session: Session, *, name: str, slug: str) -> tuple[str, str]:
    """The cleaned name and slug of an organization that could be created now, or the error."""
    clean = clean_name(name, field="name", label="Organization name")
    slug = clean_slug(slug)
    _ensure_slug_free(session, slug)
    return clean, slug


def create_unowned_organization(session: Session, *, name: str, slug: str) -> Organization:
    """A validated organization with no members yet (an operator's tenant before its owner
    joins); the caller adds the owner or an owner invitation."""
    clean, slug = check_new_organization(session, name=name, slug=slug)
    org = Organization(name=clean, slug=slug)
    session.add(org)
    session.flush()
    return org


def operator_create_organization(session: Session, *, name: str, slug: str) -> Organization:
    """Operator action (CLI ``create-org`` for an owner still to confirm their address): an
    organization with no members yet, audited with no actor (the shell has no account)."""
    org = create_unowned_organization(session, name=name, slug=slug)
    audit.record(session, None, "tenant.created", org_id=org.id, target_type="organization",
                 target_id=org.id, detail={"slug": org.slug, "via": "cli"})
    return org


def create_organization(session: Session, actor: Actor, *, name: str, slug: str) -> Organization:
    """Create an organization with the actor as its owner; the transaction acts as the new
    organization from here (row-level security), whichever one it acted as before."""
    org = create_unowned_organization(session, name=name, slug=slug)
    act_as_tenant(session, org.id, actor.user_id)
    session.add(Membership(organization_id=org.id, user_id=actor.user_id, role=Role.OWNER))
    audit.record(session, actor, "org.created", org_id=org.id, target_type="organization",
                 target_id=org.id, detail={"name": org.name, "slug": org.slug})
    return org


def list_my_organizations(session: Session, actor: Actor) -> list[MyOrganization]:
    act_for_user(session, actor.user_id)  # their memberships, whichever organization is acted as
    rows = session.exec(
        select(Organization, Membership)
        .join(Membership, col(Membership.organization_id) == col(Organization.id))
        .where(Membership.user_id == actor.user_id, Membership.is_active == True)  # noqa: E712
        .order_by(col(Organization.name))).all()
    return [MyOrganization(id=o.id, name=o.name, slug=o.slug, role=Role(m.role),
                           status=OrgStatus(o.status)) for o, m in rows]


def get_organization(session: Session, principal: Principal) -> Organization:
    org = session.get(Organization, principal.org_id)
    assert org is not None  # the principal was resolved from this row
    return org


def update_organization(session: Session, principal: Principal, *, name: str | None = None,
                        slug: str | None = None) -> Organization:
    """Rename or re-slug the principal's organization (admins and owners)."""
    require_role(principal, Role.ADMIN)
    org = get_organization(session, principal)
    changes: dict[str, str] = {}
    if name is not None:
        org.name = clean_name(name, field="name", label="Organization name")
        changes["name"] = org.name
    if slug is not None:
        new_slug = clean_slug(slug)
        _ensure_slug_free(session, new_slug, except_id=org.id)
        org.slug = new_slug
        changes["slug"] = new_slug
    session.add(org)
    audit.record(session, principal, "org.updated", target_type="organization",
                 target_id=org.id, detail=changes)
    return org
