"""Rate limits for mail-sending actions, counted in the database so every worker shares them.

Count-then-insert is not atomic: two simultaneous requests may both pass at the limit. For mail
(a few messages an hour) that slack is harmless, unlike the login counter."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, delete, func, select

from projecthub.core.clock import utcnow
from projecthub.core.errors import TooManyAttempts
from projecthub.core.security import hash_token
from projecthub.models import ThrottleHit

_KEEP = timedelta(days=1)


def hit(session: Session, bucket: str, key: str, *, limit: int, window: timedelta) -> None:
    """Record one request for ``key``; raise ``TooManyAttempts`` if it is over ``limit``."""
    now = utcnow()
    key_hash = hash_token(f"{bucket}:{key.strip().lower()}")
    count = session.exec(select(func.count()).select_from(ThrottleHit).where(
        ThrottleHit.bucket == bucket, ThrottleHit.key_hash == key_hash,
        col(ThrottleHit.at) > now - window)).one()
    if count >= limit:
        raise TooManyAttempts("Too many requests. Please wait a while and try again.",
                              int(window.total_seconds()))
    session.exec(delete(ThrottleHit).where(col(ThrottleHit.bucket) == bucket,
                                           col(ThrottleHit.at) < now - _KEEP))
    session.add(ThrottleHit(bucket=bucket, key_hash=key_hash, at=now))
