"""Email verification: a single-use link valid 24 hours, sent at sign-up and on request.

An unverified account can sign in, but cannot accept an invitation or be made owner of a tenant
an operator creates: otherwise whoever registers ``ceo@bigcorp.example`` first would collect what
is meant for the real owner (issue 10, finding 5). Sign-up through an invitation records the
invitation's id on the link, and confirming the address joins it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from projecthub.core.clock import utcnow
from projecthub.core.errors import Conflict, NotAuthenticated
from projecthub.models import AccountLink, LinkPurpose, Organization, User
from projecthub.services import audit, throttle
from projecthub.services.account_links import check_link, issue_link, use_link
from projecthub.services.invitations import join_after_verification
from projecthub.services.mail import queue_mail
from projecthub.services.mail_compose import compose
from projecthub.services.principal import Actor, actor_for

VERIFY_VALID_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class Verified:
    user: User
    joined: Organization | None  # the invitation the person signed up through, if still open


def is_verified(session: Session, user_id: uuid.UUID) -> bool:
    user = session.get(User, user_id)
    return user is not None and user.email_verified_at is not None


def mark_verified(session: Session, user: User) -> None:
    """An operator created the account for an address they chose (CLI): it counts as checked."""
    if user.email_verified_at is not None:
        return
    user.email_verified_at = utcnow()
    session.add(user)
    session.flush()
    audit.record(session, None, "user.email_verified", target_type="user", target_id=user.id,
                 detail={"via": "cli"})


def send_verification(session: Session, user: User, *,
                      invitation_id: uuid.UUID | None = None) -> bool:
    """Queue the confirmation mail (older links stop working); ``False`` without mail."""
    link = issue_link(session, user, LinkPurpose.VERIFY_EMAIL, valid_for=VERIFY_VALID_FOR,
                      invitation_id=invitation_id)
    content = compose(
        subject="Confirm your email address",
        paragraphs=[f"Hello {user.display_name},",
                    f"Please confirm that {user.email} is your address. The link works once, "
                    "for 24 hours.",
                    "Until then you can sign in, but not join an organization through an "
                    "invitation or become the owner of one an administrator creates."],
        reason="this address was used to create an account. If that was not you, ignore "
               "this message and the account stays unconfirmed.",
        link=link, link_label="Confirm my address")
    return queue_mail(session, to=user.email, kind="verify_email", content=content)


def resend_verification(session: Session, actor: Actor, *, client_ip: str) -> bool:
    """The banner's "send again": rate-limited per address and per IP; keeps the invitation
    the person signed up through."""
    user = session.get(User, actor.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("Please log in.")
    if user.email_verified_at is not None:
        raise Conflict("Your email address is already confirmed.")
    throttle.limit_mail(session, throttle.MailAction.VERIFY, address=user.email,
                        client_ip=client_ip)
    invitation_id = session.exec(
        select(AccountLink.invitation_id).where(
            AccountLink.user_id == user.id, AccountLink.purpose == LinkPurpose.VERIFY_EMAIL)
        .order_by(col(AccountLink.created_at).desc())).first()
    return send_verification(session, user, invitation_id=invitation_id)


def verify_email(session: Session, token: str) -> Verified:
    """Spend a confirmation link; joins the invitation recorded on it, if it is still open."""
    link, _ = check_link(session, token, LinkPurpose.VERIFY_EMAIL)
    user = use_link(session, token, LinkPurpose.VERIFY_EMAIL)
    mark_verified(session, user)
    audit.record(session, actor_for(user), "user.email_verified", target_type="user",
                 target_id=user.id)
    joined = (join_after_verification(session, actor_for(user), link.invitation_id)
              if link.invitation_id else None)
    return Verified(user, joined)
