"""The invitation message: who invited whom to what, with which role, and the link."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from projecthub.models import Invitation, Organization, Role, User
from projecthub.services.mail import queue_mail
from projecthub.services.mail_compose import PRODUCT_NAME, compose

_ROLE_WORDS = {Role.OWNER: "an owner", Role.ADMIN: "an admin", Role.MEMBER: "a member",
               Role.VIEWER: "a viewer"}


def queue_invitation_mail(session: Session, invitation: Invitation, link: str) -> bool:
    """Queue the message in the inviter's transaction; ``False`` when mail cannot be sent."""
    org = session.get(Organization, invitation.organization_id)
    assert org is not None
    inviter = session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    who = (f"{inviter.display_name} ({inviter.email})" if inviter
           else f"An administrator of {PRODUCT_NAME}")
    role = _ROLE_WORDS[Role(invitation.role)]
    content = compose(
        subject=f"You are invited to join {org.name}",
        paragraphs=[f"{who} invited you ({invitation.email}) to join {org.name} "
                    f"as {role}.",
                    f"The link below works once and until {_day(invitation.expires_at)}. "
                    "Sign in with this address, or create an account with it, to accept."],
        reason=f"someone in {org.name} invited this address. If you did not expect it, "
               "ignore this message.",
        link=link, link_label="Accept the invitation")
    return queue_mail(session, to=invitation.email, kind="invitation", content=content)


def _day(moment: datetime) -> str:
    return moment.strftime("%d %B %Y, %H:%M UTC")
