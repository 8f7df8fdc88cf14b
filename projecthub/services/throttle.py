"""Rate limits for mail-sending actions, counted in the database so every worker shares them.

Every action that mails someone is limited twice, in one place (:data:`MAIL_LIMITS`): per
address the mail goes to (so nobody can flood an inbox) and per client IP (so nobody can walk a
list of addresses). Addresses are counted whether or not they have an account, and a limited
request gets the same message either way: a limit reveals nothing about who is registered.

Count-then-insert is not atomic: two simultaneous requests may both pass at the limit. For mail
(a few messages an hour) that slack is harmless, unlike the login counter."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, select

from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.errors import TooManyAttempts
from projecthub.core.security import hash_token
from projecthub.models import ThrottleHit

_KEEP = timedelta(days=1)
LIMITED = "Too many requests. Please try again in {wait}."


class MailAction(enum.StrEnum):
    """The actions that send mail on behalf of whoever asks; each has its limits below."""

    SIGNUP = "signup"  # the confirmation mail, or the "someone used your address" notice
    VERIFY = "verify"  # "send the confirmation link again"
    RESET = "reset"  # "forgot password?"
    INVITE = "invite"  # an invitation sent or sent again
    EMAIL_CHANGE = "email-change"  # the link to the new address


@dataclass(frozen=True)
class MailLimit:
    per_address: int
    per_ip: int
    window: timedelta = timedelta(hours=1)


MAIL_LIMITS: dict[MailAction, MailLimit] = {
    MailAction.SIGNUP: MailLimit(per_address=3, per_ip=20),
    MailAction.VERIFY: MailLimit(per_address=3, per_ip=10),
    MailAction.RESET: MailLimit(per_address=3, per_ip=20),
    # An admin inviting a team sends many invitations from one address, each to someone else.
    MailAction.INVITE: MailLimit(per_address=3, per_ip=50),
    MailAction.EMAIL_CHANGE: MailLimit(per_address=3, per_ip=10),
}


def limit_mail(session: Session, action: MailAction, *, address: str,
               client_ip: str | None) -> None:
    """Count one request to mail ``address`` from ``client_ip``; ``TooManyAttempts`` (with the
    wait until the oldest counted request leaves the window) past either limit. ``None`` for
    ``client_ip`` means no web request (an operator, a test): limited per address alone."""
    limit = MAIL_LIMITS[action]
    if client_ip is not None:
        hit(session, f"{action}-ip", client_ip or "unknown",
            limit=limit.per_ip * settings.MAIL_PER_IP_FACTOR, window=limit.window)
    hit(session, f"{action}-address", address, limit=limit.per_address, window=limit.window)


def hit(session: Session, bucket: str, key: str, *, limit: int, window: timedelta) -> None:
    """Record one request for ``key``; raise ``TooManyAttempts`` if it is over ``limit``."""
    now = utcnow()
    key_hash = hash_token(f"{bucket}:{key.strip().lower()}")
    recent = session.exec(select(ThrottleHit.at).where(
        ThrottleHit.bucket == bucket, ThrottleHit.key_hash == key_hash,
        col(ThrottleHit.at) > now - window).order_by(col(ThrottleHit.at).desc())
        .limit(limit)).all()
    if len(recent) >= limit:
        seconds = max(1, math.ceil((recent[-1] + window - now).total_seconds()))
        raise TooManyAttempts(LIMITED.format(wait=_in_words(seconds)), seconds)
    session.exec(delete(ThrottleHit).where(col(ThrottleHit.bucket) == bucket,
                                           col(ThrottleHit.at) < now - _KEEP))
    session.add(ThrottleHit(bucket=bucket, key_hash=key_hash, at=now))


def _in_words(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return "a minute" if minutes <= 1 else f"{minutes} minutes"
