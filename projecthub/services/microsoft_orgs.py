"""An organization's rules for Sign in with Microsoft, and where they are applied.

Both rules are off until an owner or admin turns them on, and both are bound to one Entra
directory: the one that admin's own linked Microsoft account belongs to. Nobody can claim a
directory they do not sign in from, so people of some other company can never join by
themselves, whatever an admin types.

- *Require Microsoft sign-in*: a browser session acts in the organization only if it signed in
  with Microsoft from that directory (checked at every event: ``check_session``). API tokens
  are unaffected: a member made them from a session that was let in.
- *Join by themselves*: a person of that directory who signs in with Microsoft becomes a member
  with ``join_role`` (never owner; admin only if an owner chose it). A membership an admin
  deactivated stays deactivated.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from projecthub.core.clock import utcnow
from projecthub.core.errors import Invalid, PermissionDenied
from projecthub.models import (
    Membership,
    MicrosoftIdentity,
    MicrosoftPolicy,
    Organization,
    OrgStatus,
    Role,
    User,
)
from projecthub.services import audit
from projecthub.services.principal import Principal, actor_for, require_role
from projecthub.services.scoping import scoped_select
from projecthub.services.views import View

JOIN_ROLES = (Role.ADMIN, Role.MEMBER, Role.VIEWER)
NEEDS_LINK = ("Sign in with Microsoft once first: these rules apply to the Microsoft directory "
              "of your own account.")


class MicrosoftRequired(PermissionDenied):
    """This session may not act in the organization: it did not sign in with Microsoft (from
    the organization's directory)."""


class MicrosoftPolicyView(View):
    """An organization's rules as its admins see (and the API shows) them."""

    tenant_id: str | None
    require_microsoft: bool
    allow_join: bool
    join_role: Role
    # The directory of the acting person's own linked Microsoft account, if any.
    your_tenant_id: str | None


def get_policy(session: Session, principal: Principal) -> MicrosoftPolicyView:
    require_role(principal, Role.ADMIN)
    return _view(_policy(session, principal), _tenant_of(session, principal.user_id))


def set_policy(session: Session, principal: Principal, *, require_microsoft: bool,
               allow_join: bool, join_role: str = Role.MEMBER.value) -> MicrosoftPolicyView:
    """Store the rules (owners and admins); turning one on binds the organization to the
    acting person's own Microsoft directory. Audited with the old and new values."""
    require_role(principal, Role.ADMIN)
    try:
        role = Role(join_role)
    except ValueError:
        role = Role.OWNER  # refused just below, with the same message
    if role not in JOIN_ROLES:
        message = "Choose admin, member or viewer."
        raise Invalid(message, {"join_role": message})
    if role == Role.ADMIN and allow_join and not principal.has_role(Role.OWNER):
        message = "Only owners can let people join as admins."
        raise Invalid(message, {"join_role": message})
    row = _policy(session, principal)
    yours = _tenant_of(session, principal.user_id)
    before = _view(row, yours)
    if require_microsoft or allow_join:
        if yours is None:
            raise Invalid(NEEDS_LINK)
        row = row or MicrosoftPolicy(organization_id=principal.org_id, tenant_id=yours)
        row.tenant_id = yours
    elif row is None:
        return before
    row.require_microsoft, row.allow_join, row.join_role = require_microsoft, allow_join, role
    row.updated_by, row.updated_at = principal.user_id, utcnow()
    session.add(row)
    after = _view(row, yours)
    audit.record(session, principal, "org.microsoft_policy_changed", target_type="organization",
                 target_id=principal.org_id, detail={
                     "from": before.model_dump(mode="json", exclude={"your_tenant_id"}),
                     "to": after.model_dump(mode="json", exclude={"your_tenant_id"})})
    return after


def check_session(session: Session, principal: Principal,
                  microsoft_tenant_id: str | None) -> None:
    """Refuse a browser session the organization's rules do not let in (its transaction is
    already bound to the organization, so the row is read as the tenant's)."""
    row = session.exec(scoped_select(principal, MicrosoftPolicy)).first()
    if row is not None and row.require_microsoft and microsoft_tenant_id != row.tenant_id:
        org = session.get(Organization, principal.org_id)
        org_name = org.name if org is not None else "This organization"
        raise MicrosoftRequired(f"{org_name} requires signing in with Microsoft, with your "
                                "work account. Log out, then use \"Sign in with Microsoft\".")


def join_by_directory(session: Session, user: User, tenant_id: str) -> list[uuid.UUID]:
    """Memberships for the organizations that let people of ``tenant_id`` join by themselves
    (at sign-in, in a transaction bound to no organization); their ids."""
    joined: list[uuid.UUID] = []
    rows = session.exec(
        select(MicrosoftPolicy, Organization)
        .join(Organization, col(Organization.id) == col(MicrosoftPolicy.organization_id))
        .where(MicrosoftPolicy.tenant_id == tenant_id,
               MicrosoftPolicy.allow_join == True,  # noqa: E712
               Organization.status == OrgStatus.ACTIVE)).all()
    for policy, org in rows:
        existing = session.exec(select(Membership).where(
            Membership.organization_id == org.id, Membership.user_id == user.id)).first()
        if existing is not None:
            continue  # a member already, or deactivated by an admin: that decision stands
        session.add(Membership(organization_id=org.id, user_id=user.id, role=policy.join_role))
        audit.record(session, actor_for(user), "member.joined_with_microsoft", org_id=org.id,
                     target_type="user", target_id=user.id,
                     detail={"role": Role(policy.join_role).value})
        joined.append(org.id)
    return joined


def _policy(session: Session, principal: Principal) -> MicrosoftPolicy | None:
    return session.exec(scoped_select(principal, MicrosoftPolicy)).first()


def _tenant_of(session: Session, user_id: uuid.UUID) -> str | None:
    return session.exec(select(MicrosoftIdentity.tenant_id).where(
        MicrosoftIdentity.user_id == user_id)).first()


def _view(row: MicrosoftPolicy | None, yours: str | None) -> MicrosoftPolicyView:
    if row is None:
        return MicrosoftPolicyView(tenant_id=None, require_microsoft=False, allow_join=False,
                                   join_role=Role.MEMBER, your_tenant_id=yours)
    return MicrosoftPolicyView(tenant_id=row.tenant_id, require_microsoft=row.require_microsoft,
                               allow_join=row.allow_join, join_role=Role(row.join_role),
                               your_tenant_id=yours)
