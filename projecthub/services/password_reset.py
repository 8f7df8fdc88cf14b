"""Password reset by mail, and the operator's way to set or reset a password.

Asking for a reset answers the same whether or not the address has an account (the only
difference is a message in the outbox). A new password ends every session and revokes every API
token: whoever knew the old password may have used it to get either.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from projecthub.core.clock import utcnow
from projecthub.core.errors import Invalid
from projecthub.core.security import hash_password
from projecthub.models import LinkPurpose, User
from projecthub.services import audit, throttle
from projecthub.services.account_links import check_link, issue_link, use_link
from projecthub.services.accounts import find_user_by_email
from projecthub.services.api_tokens import revoke_user_tokens
from projecthub.services.mail import queue_mail
from projecthub.services.mail_compose import compose
from projecthub.services.passwords import check_password
from projecthub.services.principal import Actor, actor_for
from projecthub.services.sessions import end_user_sessions

RESET_VALID_FOR = timedelta(hours=1)


def _queue_reset(session: Session, user: User, reason: str) -> bool:
    link = issue_link(session, user, LinkPurpose.PASSWORD_RESET, valid_for=RESET_VALID_FOR)
    content = compose(
        subject="Reset your password",
        paragraphs=[f"Hello {user.display_name},",
                    "Use the link below to choose a new password. It works once, for one hour.",
                    "Setting a new password signs you out everywhere and revokes your API "
                    "tokens. If you did not ask for this, ignore this message: your password "
                    "stays as it is."],
        reason=reason, link=link, link_label="Choose a new password")
    return queue_mail(session, to=user.email, kind="password_reset", content=content)


def request_password_reset(session: Session, *, email: str, client_ip: str) -> None:
    """The public "Forgot password?" form. Rate-limited per address and per IP, counted for
    unknown addresses too so a limit reveals nothing."""
    address = email.strip().lower()
    throttle.limit_mail(session, throttle.MailAction.RESET, address=address,
                        client_ip=client_ip)
    user = find_user_by_email(session, address)
    if user is None or not user.is_active:
        return
    _queue_reset(session, user, "someone asked to reset the password of your account "
                                "on the sign-in page.")
    audit.record(session, actor_for(user), "user.password_reset_requested",
                 target_type="user", target_id=user.id)


def send_password_reset(session: Session, *, email: str, actor: Actor | None = None) -> bool:
    """Operator action (CLI, or ``actor`` an instance admin): mail a reset link; ``False`` when
    mail cannot be sent."""
    user = _active_user(session, email)
    queued = _queue_reset(session, user, "an administrator of this instance sent you a "
                                         "password reset link.")
    audit.record(session, actor, "user.password_reset_sent", target_type="user",
                 target_id=user.id, detail={"queued": queued})
    return queued


def reset_password(session: Session, *, token: str, new_password: str) -> User:
    """Spend a reset link on a new password (the rules of sign-up apply)."""
    _, user = check_link(session, token, LinkPurpose.PASSWORD_RESET)
    check_password(new_password, email=user.email)
    use_link(session, token, LinkPurpose.PASSWORD_RESET)
    if user.email_verified_at is None:  # the link reached this address: it is theirs
        user.email_verified_at = utcnow()
    _apply_new_password(session, user, new_password, "user.password_reset")
    return user


def set_password(session: Session, *, email: str, password: str) -> User:
    """Operator action (CLI): set a password without the old one."""
    user = _active_user(session, email)
    check_password(password, email=user.email)
    _apply_new_password(session, user, password, "user.password_set_by_operator")
    return user


def _active_user(session: Session, email: str) -> User:
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        raise Invalid("No active account has this email address.")
    return user


def _apply_new_password(session: Session, user: User, password: str, action: str) -> None:
    user.password_hash = hash_password(password)
    session.add(user)
    end_user_sessions(session, user.id)
    revoke_user_tokens(session, user.id)
    audit.record(session, actor_for(user), action, target_type="user", target_id=user.id)
