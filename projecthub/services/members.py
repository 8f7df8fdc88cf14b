"""Members of an organization: list, change role, deactivate, remove. An organization always
keeps at least one active owner."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from projecthub.core.errors import Conflict, Invalid, PermissionDenied
from projecthub.models import Membership, Organization, Role, User
from projecthub.services import audit
from projecthub.services.principal import Principal, require_role
from projecthub.services.scoping import get_scoped, scoped_select, tenant_filter
from projecthub.services.sessions import end_user_sessions
from projecthub.services.views import View


class MemberView(View):
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    display_name: str
    role: Role
    is_active: bool
    joined_at: datetime


def list_members(session: Session, principal: Principal) -> list[MemberView]:
    """Every member of the principal's organization (any role may see who is in it)."""
    rows = session.exec(
        select(Membership, User).join(User, col(User.id) == col(Membership.user_id))
        .where(tenant_filter(principal, Membership))
        .order_by(col(User.email))).all()
    return [MemberView(id=m.id, user_id=u.id, email=u.email, display_name=u.display_name,
                       role=Role(m.role), is_active=m.is_active, joined_at=m.created_at)
            for m, u in rows]


def _active_owner_count(session: Session, principal: Principal) -> int:
    query = scoped_select(principal, Membership).where(
        Membership.role == Role.OWNER, Membership.is_active == True)  # noqa: E712
    return int(session.exec(select(func.count()).select_from(query.subquery())).one())


def _guard_last_owner(session: Session, principal: Principal, membership: Membership) -> None:
    if (membership.role == Role.OWNER and membership.is_active
            and _active_owner_count(session, principal) <= 1):
        raise Conflict("The last owner cannot be removed, demoted or deactivated. "
                       "Make someone else an owner first.")


def _guard_owner_powers(principal: Principal, membership: Membership,
                        new_role: Role | None) -> None:
    """Only owners may touch owners or make new owners."""
    touches_owner = membership.role == Role.OWNER or new_role == Role.OWNER
    if touches_owner and principal.role != Role.OWNER:
        raise PermissionDenied("Only an owner can change an owner or grant the owner role.")


def change_role(session: Session, principal: Principal, membership_id: uuid.UUID, *,
                role: str) -> Membership:
    require_role(principal, Role.ADMIN)
    membership = get_scoped(session, principal, Membership, membership_id, label="Member")
    try:
        new_role = Role(role)
    except ValueError as exc:
        raise Invalid("Choose owner, admin, member or viewer.",
                      {"role": "Choose owner, admin, member or viewer."}) from exc
    _guard_owner_powers(principal, membership, new_role)
    if new_role != Role.OWNER:
        _guard_last_owner(session, principal, membership)
    old = membership.role
    membership.role = new_role
    session.add(membership)
    audit.record(session, principal, "member.role_changed", target_type="membership",
                 target_id=membership.id, detail={"from": str(old), "to": new_role.value})
    return membership


def set_active(session: Session, principal: Principal, membership_id: uuid.UUID, *,
               active: bool) -> Membership:
    """Deactivate (access ends now, sessions too) or reactivate a member."""
    require_role(principal, Role.ADMIN)
    membership = get_scoped(session, principal, Membership, membership_id, label="Member")
    _guard_owner_powers(principal, membership, None)
    if not active:
        _guard_last_owner(session, principal, membership)
        end_user_sessions(session, membership.user_id)
    membership.is_active = active
    session.add(membership)
    audit.record(session, principal, "member.activated" if active else "member.deactivated",
                 target_type="membership", target_id=membership.id)
    return membership


def remove_member(session: Session, principal: Principal, membership_id: uuid.UUID) -> None:
    require_role(principal, Role.ADMIN)
    membership = get_scoped(session, principal, Membership, membership_id, label="Member")
    _guard_owner_powers(principal, membership, None)
    _guard_last_owner(session, principal, membership)
    user_id: uuid.UUID = membership.user_id
    session.delete(membership)
    audit.record(session, principal, "member.removed", target_type="user", target_id=user_id)


def operator_ensure_membership(session: Session, user: User, org: Organization,
                               role: Role) -> bool:
    """Operator action (CLI ``create-user --org``, ``create-org``), across tenants: make ``user``
    an active ``role`` of ``org``. False when they already were; a change is audited in the
    organization's log with no actor (the operator's shell has no account)."""
    membership = session.exec(select(Membership).where(
        Membership.organization_id == org.id, Membership.user_id == user.id)).first()
    if membership is not None and membership.role == role and membership.is_active:
        return False
    if membership is None:
        membership = Membership(organization_id=org.id, user_id=user.id, role=role)
        action, detail = "member.added", {"role": role.value}
    else:
        action = "member.role_changed" if membership.is_active else "member.activated"
        detail = {"from": str(membership.role), "to": role.value}
        membership.role, membership.is_active = role, True
    session.add(membership)
    session.flush()
    audit.record(session, None, action, org_id=org.id, target_type="membership",
                 target_id=membership.id, detail={**detail, "user": user.email, "via": "cli"})
    return True
