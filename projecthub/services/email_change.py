"""Changing a person's sign-in address: confirmed at the new address, announced at the old one.

The request needs the current password (under the login throttle) and is rate-limited like every
mail. It always issues a link, stored hashed, single use, 24 hours, so what the person sees and
what is written are the same whether or not the new address already has an account; only the
mail to the new address differs: its owner learns the address is taken, and gets no link.
Following the link changes the address if it is still free then. The old address gets a notice
without the link. Every other browser session ends (they signed in as the old address), the one
that followed the link stays; API tokens stay (they belong to the person, not the address).
Older links of every kind die with the old address (``account_links``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.errors import Conflict, Invalid, NotFound
from projecthub.models import AccountLink, LinkPurpose, User
from projecthub.services import audit, throttle
from projecthub.services.account_links import check_link, issue_link, use_link
from projecthub.services.accounts import check_current_password, find_user_by_email, get_user
from projecthub.services.mail import mail_ready, queue_mail
from projecthub.services.mail_compose import compose
from projecthub.services.principal import Actor, actor_for
from projecthub.services.sessions import end_user_sessions
from projecthub.services.validation import normalize_email

VALID_FOR = timedelta(hours=24)
REQUESTED = ("We sent a link to {address}. Follow it within 24 hours to finish the change; until "
             "then you keep signing in with your current address.")
NO_MAIL = ("This instance cannot send email, so your address cannot be changed here. Ask an "
           "administrator to configure mail.")
TAKEN = ("{address} has meanwhile become the address of another account, so your address was "
         "not changed.")


@dataclass(frozen=True)
class PendingChange:
    new_email: str
    expires_at: datetime


def request_email_change(session: Session, actor: Actor, *, new_email: str, password: str,
                         client_ip: str | None) -> PendingChange:
    """Mail a confirmation link to ``new_email``; ``password`` is the current one (see the
    module's docstring)."""
    user = get_user(session, actor)
    address = normalize_email(new_email, field="new_email")
    if address == user.email:
        message = "This is already your address."
        raise Invalid(message, {"new_email": message})
    if not mail_ready():
        raise Invalid(NO_MAIL)
    check_current_password(session, user, password, client_ip=client_ip or "", field="password")
    throttle.limit_mail(session, throttle.MailAction.EMAIL_CHANGE, address=address,
                        client_ip=client_ip)
    link = issue_link(session, user, LinkPurpose.EMAIL_CHANGE, valid_for=VALID_FOR,
                      new_email=address)
    if find_user_by_email(session, address) is None:
        _mail_link(session, user, address, link)
    else:
        _mail_taken(session, address)
    audit.record(session, actor, "user.email_change_requested", target_type="user",
                 target_id=user.id, detail={"new_email": address})
    return PendingChange(address, utcnow() + VALID_FOR)


def pending_email_change(session: Session, actor: Actor) -> PendingChange | None:
    """The change waiting for its link to be followed, if any."""
    link = session.exec(_pending(actor.user_id)).first()
    if link is None or link.new_email is None:
        return None
    return PendingChange(link.new_email, link.expires_at)


def cancel_email_change(session: Session, actor: Actor) -> None:
    """Retire the pending link; ``NotFound`` when there is none."""
    link = session.exec(_pending(actor.user_id)).first()
    if link is None:
        raise NotFound("No email change is waiting for confirmation.")
    link.used_at = utcnow()
    session.add(link)
    audit.record(session, actor, "user.email_change_cancelled", target_type="user",
                 target_id=actor.user_id, detail={"new_email": link.new_email})


def preview_email_change(session: Session, token: str) -> str:
    """The address a link would switch to, if the link can still be used."""
    link, _ = check_link(session, token, LinkPurpose.EMAIL_CHANGE)
    return link.new_email or ""


def confirm_email_change(session: Session, token: str, *,
                         current_session: uuid.UUID | None = None) -> User:
    """Spend the link and switch the address; every other session of the person ends
    (``current_session`` stays if it is theirs) and the old address gets a notice."""
    link, user = check_link(session, token, LinkPurpose.EMAIL_CHANGE)
    address = link.new_email or ""
    if find_user_by_email(session, address) is not None:
        raise Conflict(TAKEN.format(address=address))
    use_link(session, token, LinkPurpose.EMAIL_CHANGE)
    old = user.email
    user.email, user.email_verified_at = address, utcnow()  # the link proved the new address
    session.add(user)
    session.flush()  # the unique index decides a race for the address here
    end_user_sessions(session, user.id, keep=current_session)
    _mail_notice(session, user, old)
    audit.record(session, actor_for(user), "user.email_changed", target_type="user",
                 target_id=user.id, detail={"from": old, "to": address})
    return user


def _pending(user_id: uuid.UUID) -> SelectOfScalar[AccountLink]:
    return select(AccountLink).where(
        AccountLink.user_id == user_id, AccountLink.purpose == LinkPurpose.EMAIL_CHANGE,
        col(AccountLink.used_at).is_(None), col(AccountLink.expires_at) > utcnow()
    ).order_by(col(AccountLink.created_at).desc())


def _mail_link(session: Session, user: User, address: str, link: str) -> None:
    queue_mail(session, to=address, kind="email_change", content=compose(
        subject="Confirm your new email address",
        paragraphs=[f"Hello {user.display_name},",
                    f"You asked to sign in with {address} from now on. Follow the link to "
                    "confirm it; it works once, for 24 hours. Until then nothing changes.",
                    "Your other browser sessions will end; you stay signed in where you "
                    "follow the link."],
        reason="someone signed in to an account asked to move it to this address. If that "
               "was not you, ignore this message: nothing changes.",
        link=link, link_label="Confirm my new address"))


def _mail_taken(session: Session, address: str) -> None:
    login = f"{settings.PUBLIC_URL.rstrip('/')}/login"
    queue_mail(session, to=address, kind="email_change_taken", content=compose(
        subject="Someone tried to move an account to your address",
        paragraphs=[f"Someone asked to use {address} as the sign-in address of their account, "
                    "but this address already has an account. Nothing was changed.",
                    "If it was you with a second account, sign in to that one instead."],
        reason="an account with this address exists.", link=login, link_label="Log in"))


def _mail_notice(session: Session, user: User, old: str) -> None:
    queue_mail(session, to=old, kind="email_changed", content=compose(
        subject="Your sign-in address was changed",
        paragraphs=[f"Hello {user.display_name},",
                    f"Your account now signs in with {user.email} instead of {old}. "
                    "Mail about it goes there from now on, and your other browser sessions "
                    "were signed out.",
                    "If you did not do this, contact your administrator at once: someone "
                    "who knows your password changed it."],
        reason="this was the sign-in address of your account until now."))


