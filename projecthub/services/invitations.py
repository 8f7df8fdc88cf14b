"""Invitations: single-use, expiring links to join an organization with a role.

The invited address gets the link by mail (``services.invitation_mail``); the inviter also sees
it once, as a fallback when mail is slow or not configured. Sending and resending are
rate-limited per invited address and per client IP (``services.throttle``); ``client_ip`` is
``None`` only outside a web request (operators, tests), which are limited per address alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from projecthub.core.security import hash_token, new_token
from projecthub.models import Invitation, Membership, Organization, OrgStatus, Role, User
from projecthub.services import audit, throttle
from projecthub.services.invitation_mail import queue_invitation_mail
from projecthub.services.notifications import events as notifications
from projecthub.services.principal import Actor, Principal, require_role
from projecthub.services.scoping import get_scoped, scoped_select
from projecthub.services.validation import normalize_email

INVITE_PREFIX = "inv"
UNVERIFIED_MESSAGE = ("Confirm your email address first: open the link we sent you (or send a "
                      "new one from the banner), then accept the invitation.")
INVITE_PATH = "/invite"


@dataclass(frozen=True)
class CreatedInvitation:
    invitation: Invitation
    link: str  # contains the secret: shown to the inviter once, never stored
    mailed: bool  # False when this instance cannot send mail: the inviter must pass it on


@dataclass(frozen=True)
class InvitationPreview:
    """What the person opening a link sees before accepting."""

    organization_name: str
    email: str
    role: Role
    expires_at: datetime


def invite_link(token: str) -> str:
    return f"{settings.PUBLIC_URL.rstrip('/')}{INVITE_PATH}/{token}"


def _parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError as exc:
        message = "Choose owner, admin, member or viewer."
        raise Invalid(message, {"role": message}) from exc


def create_invitation(session: Session, principal: Principal, *, email: str, role: str,
                      client_ip: str | None = None) -> CreatedInvitation:
    """Invite someone; a newer invitation to the same address replaces a pending one."""
    require_role(principal, Role.ADMIN)
    address = normalize_email(email)
    wanted = _parse_role(role)
    if wanted == Role.OWNER and principal.role != Role.OWNER:
        raise PermissionDenied("Only an owner can invite another owner.")
    member = session.exec(
        scoped_select(principal, Membership).join(User, col(User.id) == col(Membership.user_id))
        .where(User.email == address)).first()
    if member is not None:
        raise Conflict("This person is already a member.")
    throttle.limit_mail(session, throttle.MailAction.INVITE, address=address,
                        client_ip=client_ip)
    for pending in session.exec(_pending(principal).where(Invitation.email == address)).all():
        pending.revoked_at = utcnow()
        session.add(pending)
    created = _new_invitation(session, principal.org_id, address, wanted, principal.user_id)
    audit.record(session, principal, "invitation.created", target_type="invitation",
                 target_id=created.invitation.id, detail={"email": address, "role": wanted.value})
    return created


def invite_owner(session: Session, actor: Actor | None, org: Organization, *,
                 email: str) -> CreatedInvitation:
    """Operator action on a new tenant: an owner whose address is not confirmed is invited
    (they join once they confirm it), never attached (issue 10, finding 5)."""
    created = _new_invitation(session, org.id, normalize_email(email), Role.OWNER,
                              actor.user_id if actor else None)
    audit.record(session, actor, "invitation.created", org_id=org.id, target_type="invitation",
                 target_id=created.invitation.id,
                 detail={"email": created.invitation.email, "role": Role.OWNER.value})
    return created


def _new_invitation(session: Session, org_id: uuid.UUID, address: str, role: Role,
                    invited_by_id: uuid.UUID | None) -> CreatedInvitation:
    token = new_token(INVITE_PREFIX)
    invitation = Invitation(organization_id=org_id, email=address, role=role,
                            token_hash=hash_token(token), invited_by_id=invited_by_id,
                            expires_at=utcnow() + timedelta(days=settings.INVITATION_DAYS))
    session.add(invitation)
    link = invite_link(token)
    return CreatedInvitation(invitation, link, queue_invitation_mail(session, invitation, link))


def resend_invitation(session: Session, principal: Principal, invitation_id: uuid.UUID, *,
                      client_ip: str | None = None) -> CreatedInvitation:
    """Mail a pending invitation again with a fresh link and expiry; the old link stops working
    (its secret was never stored, so it cannot be sent twice)."""
    require_role(principal, Role.ADMIN)
    invitation = get_scoped(session, principal, Invitation, invitation_id, label="Invitation")
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise Conflict("This invitation is no longer pending.")
    if Role(invitation.role) == Role.OWNER and principal.role != Role.OWNER:
        raise PermissionDenied("Only an owner can invite another owner.")
    throttle.limit_mail(session, throttle.MailAction.INVITE, address=invitation.email,
                        client_ip=client_ip)
    token = new_token(INVITE_PREFIX)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = utcnow() + timedelta(days=settings.INVITATION_DAYS)
    session.add(invitation)
    audit.record(session, principal, "invitation.resent", target_type="invitation",
                 target_id=invitation.id, detail={"email": invitation.email})
    link = invite_link(token)
    return CreatedInvitation(invitation, link, queue_invitation_mail(session, invitation, link))


def _pending(principal: Principal) -> SelectOfScalar[Invitation]:
    return scoped_select(principal, Invitation).where(
        col(Invitation.accepted_at).is_(None), col(Invitation.revoked_at).is_(None))


def list_pending(session: Session, principal: Principal) -> list[Invitation]:
    """Unused, unrevoked invitations, expired ones included so admins can see and resend them."""
    require_role(principal, Role.ADMIN)
    return list(session.exec(
        _pending(principal).order_by(col(Invitation.created_at).desc())).all())


def revoke_invitation(session: Session, principal: Principal, invitation_id: uuid.UUID) -> None:
    require_role(principal, Role.ADMIN)
    invitation = get_scoped(session, principal, Invitation, invitation_id, label="Invitation")
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise Conflict("This invitation is no longer pending.")
    invitation.revoked_at = utcnow()
    session.add(invitation)
    audit.record(session, principal, "invitation.revoked", target_type="invitation",
                 target_id=invitation.id, detail={"email": invitation.email})


def _usable(session: Session, token: str) -> tuple[Invitation, Organization]:
    row = session.exec(
        select(Invitation, Organization)
        .join(Organization, col(Organization.id) == col(Invitation.organization_id))
        .where(Invitation.token_hash == hash_token(token))).first()
    if row is None:
        raise NotFound("This invitation link is not valid.")
    invitation, org = row
    _check_usable(invitation, org)
    return invitation, org


def _check_usable(invitation: Invitation, org: Organization) -> None:
    if invitation.revoked_at is not None or invitation.accepted_at is not None:
        raise NotFound("This invitation has already been used or was revoked.")
    if invitation.expires_at <= utcnow():
        raise NotFound("This invitation has expired. Ask for a new one.")
    if org.status == OrgStatus.SUSPENDED:
        raise NotFound("This organization is suspended.")


def invitation_for_signup(session: Session, token: str, email: str) -> uuid.UUID:
    """Sign-up through a link: the invitation's id, joined once the new address is confirmed."""
    invitation, _ = _usable(session, token)
    if invitation.email != email:
        raise PermissionDenied(f"This invitation is for {invitation.email}.")
    return invitation.id


def preview_invitation(session: Session, token: str) -> InvitationPreview:
    invitation, org = _usable(session, token)
    return InvitationPreview(org.name, invitation.email, Role(invitation.role),
                             invitation.expires_at)


def accept_invitation(session: Session, actor: Actor, token: str) -> Organization:
    """Join the organization with the invited role; the account's email must be the invited one,
    and confirmed: whoever registered an address first must not collect what is sent to it."""
    invitation, org = _usable(session, token)
    if actor.email != invitation.email:
        raise PermissionDenied(
            f"This invitation is for {invitation.email}. Log in with that account to accept it.")
    user = session.get(User, actor.user_id)
    if user is None or user.email_verified_at is None:
        raise PermissionDenied(UNVERIFIED_MESSAGE)
    return _join(session, actor, invitation, org)


def join_after_verification(session: Session, actor: Actor,
                            invitation_id: uuid.UUID) -> Organization | None:
    """Accept the invitation a person signed up through, once their address is confirmed; an
    invitation that meanwhile expired, was revoked or is for another address is skipped."""
    row = session.exec(
        select(Invitation, Organization)
        .join(Organization, col(Organization.id) == col(Invitation.organization_id))
        .where(Invitation.id == invitation_id)).first()
    if row is None:
        return None
    invitation, org = row
    try:
        _check_usable(invitation, org)
    except NotFound:
        return None
    return _join(session, actor, invitation, org) if invitation.email == actor.email else None


def _join(session: Session, actor: Actor, invitation: Invitation,
          org: Organization) -> Organization:
    membership = session.exec(select(Membership).where(
        Membership.organization_id == org.id, Membership.user_id == actor.user_id)).first()
    if membership is None:
        membership = Membership(organization_id=org.id, user_id=actor.user_id,
                                role=invitation.role)
    else:
        membership.role, membership.is_active = invitation.role, True
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = actor.user_id
    session.add_all([membership, invitation])
    audit.record(session, actor, "invitation.accepted", org_id=org.id, target_type="invitation",
                 target_id=invitation.id, detail={"role": str(invitation.role)})
    session.flush()  # the new member exists before the inviter's notification names them
    notifications.invitation_accepted(session, invitation)
    return org
