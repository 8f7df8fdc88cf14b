"""Single-use, expiring links sent by mail (password reset, email verification, email change).

The token is 256 random bits, stored only as its SHA-256 (``core.security``). Issuing a new link
retires the person's older ones of the same purpose. A link also dies when the account's address
changes, because it was sent to the old one.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import Session, col, select, update

from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.errors import NotFound
from projecthub.core.security import hash_token, new_token
from projecthub.models import AccountLink, LinkPurpose, User

# Token prefixes: ``ph?_`` is masked in logs by ``core.logging``.
_PREFIX = {LinkPurpose.PASSWORD_RESET: "phr", LinkPurpose.VERIFY_EMAIL: "phv",
           LinkPurpose.EMAIL_CHANGE: "phe"}
_PATH = {LinkPurpose.PASSWORD_RESET: "/reset-password", LinkPurpose.VERIFY_EMAIL: "/verify-email",
         LinkPurpose.EMAIL_CHANGE: "/confirm-email"}


class LinkUnusable(NotFound):
    """A link that is unknown, tampered with, used or expired; the message says which and
    never anything about the account."""


def link_url(purpose: LinkPurpose, token: str) -> str:
    return f"{settings.PUBLIC_URL.rstrip('/')}{_PATH[purpose]}/{token}"


def issue_link(session: Session, user: User, purpose: LinkPurpose, *, valid_for: timedelta,
               invitation_id: uuid.UUID | None = None, new_email: str | None = None) -> str:
    """A new link for ``user`` (older unused ones stop working); returns its URL, once."""
    now = utcnow()
    session.exec(update(AccountLink).where(
        col(AccountLink.user_id) == user.id, col(AccountLink.purpose) == purpose,
        col(AccountLink.used_at).is_(None)).values(used_at=now))
    token = new_token(_PREFIX[purpose])
    session.add(AccountLink(user_id=user.id, purpose=purpose, email=user.email,
                            token_hash=hash_token(token), invitation_id=invitation_id,
                            new_email=new_email, created_at=now,
                            expires_at=now + valid_for))
    return link_url(purpose, token)


def check_link(session: Session, token: str, purpose: LinkPurpose) -> tuple[AccountLink, User]:
    """The link and its user if the link can still be used; ``LinkUnusable`` otherwise."""
    row = session.exec(
        select(AccountLink, User).join(User, col(User.id) == col(AccountLink.user_id))
        .where(AccountLink.token_hash == hash_token(token.strip()),
               AccountLink.purpose == purpose)).first()
    if row is None:
        raise LinkUnusable("This link is not valid. Check that you copied all of it.")
    link, user = row
    if link.used_at is not None:
        raise LinkUnusable("This link has already been used, or a newer one was sent.")
    if link.expires_at <= utcnow() or link.email != user.email or not user.is_active:
        raise LinkUnusable("This link has expired.")
    return link, user


def use_link(session: Session, token: str, purpose: LinkPurpose) -> User:
    """Spend a link: the conditional update makes two simultaneous uses yield one winner."""
    link, user = check_link(session, token, purpose)
    spent = session.exec(update(AccountLink).where(
        col(AccountLink.id) == link.id, col(AccountLink.used_at).is_(None),
    ).values(used_at=utcnow()))
    if spent.rowcount != 1:
        raise LinkUnusable("This link has already been used, or a newer one was sent.")
    return user
