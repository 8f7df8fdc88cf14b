"""Login throttling per email, per client address and instance-wide (ASVS 6.3.1).

An attempt is *reserved* before the password is checked, by an atomic counter update committed
in its own short transaction: parallel guessers cannot read the same count (each waits for the
row), and a failed login, whose request transaction is rolled back, still counts. Past a limit,
each further attempt opens a back-off window (1 s, 2 s, 4 s ... capped) instead of a long lock
that anyone could trigger on anyone's account. A success refunds its reservation.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlmodel import Session

from projecthub.core import clock
from projecthub.core.config import settings
from projecthub.core.errors import TooManyAttempts
from projecthub.models import LoginThrottle
from projecthub.services import audit

GLOBAL_KEY = "global"
# SQLModel sets ``__table__`` on table classes at runtime; its stubs do not declare it.
_table: Any = LoginThrottle.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Attempt:
    """The counters one login attempt was charged to, so a success can refund them."""

    email_key: str
    shared_keys: tuple[str, ...]


def email_key(email: str) -> str:
    """Hashed, so the table holds no address of anyone who merely mistyped theirs."""
    return "email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _limits(client_ip: str, email: str) -> dict[str, int]:
    limits = {email_key(email): settings.LOGIN_MAX_FAILURES,
              GLOBAL_KEY: settings.LOGIN_GLOBAL_MAX_FAILURES}
    if client_ip:
        limits[f"ip:{client_ip[:64]}"] = settings.LOGIN_IP_MAX_FAILURES
    return limits


def backoff(failures: int, limit: int) -> timedelta:
    """The wait after the ``failures``-th failure: none below the limit, then doubling."""
    if failures < limit:
        return timedelta(0)
    exponent = min(failures - limit, 30)
    return timedelta(seconds=min(2 ** exponent, settings.LOGIN_BACKOFF_MAX_SECONDS))


def reserve_attempt(session: Session, *, email: str, client_ip: str) -> Attempt:
    """Charge one failure to every counter, or raise ``TooManyAttempts`` and charge none."""
    limits = _limits(client_ip, email)
    now = clock.utcnow()
    with _engine(session).begin() as connection:
        for key in sorted(limits):  # one lock order everywhere: no deadlocks on PostgreSQL
            failures = _charge(connection, key, now)
            if failures is None:  # leaving the block rolls back this attempt's other charges
                seconds = _wait(connection, key, now)
                raise TooManyAttempts(_message(seconds), seconds)
            if delay := backoff(failures, limits[key]):
                connection.execute(update(_table).where(_table.c.key == key)
                                   .values(blocked_until=now + delay))
    email_counter = email_key(email)
    return Attempt(email_counter, tuple(k for k in sorted(limits) if k != email_counter))


def forgive(session: Session, attempt: Attempt) -> None:
    """A successful login clears its email's counter and refunds the shared ones."""
    with _engine(session).begin() as connection:
        connection.execute(delete(_table).where(_table.c.key == attempt.email_key))
        for key in attempt.shared_keys:
            connection.execute(
                update(_table).where(_table.c.key == key, _table.c.failures > 0)
                .values(failures=_table.c.failures - 1))


def record_failure(session: Session, *, user_id: uuid.UUID | None, client_ip: str,
                   reason: str) -> None:
    """A failed login (below the back-off: a refused attempt is not recorded, so guessing
    cannot fill the log) goes to the audit log, committed on its own like its count. The
    address of an unknown account is not kept, as in the counters."""
    with _engine(session).begin() as connection:
        audit.record_apart(connection, None, "user.login_failed", target_type="user",
                           target_id=user_id or "",
                           detail={"reason": reason, "client_ip": client_ip[:64]})


def _engine(session: Session) -> Any:
    """The session's engine: counters commit on their own, whatever the request's outcome."""
    return session.get_bind().engine


def _charge(connection: Connection, key: str, now: datetime) -> int | None:
    """Add one failure unless the key is inside a back-off window; the new count, or None.

    One statement that makes the counter if it is missing: a separate "make the rows, then
    count" let a successful login's ``forgive`` delete the email's counter in between (people
    log in at once as one account), and the count, finding no row, was taken for a back-off
    window with no end (a 500). Blocked, the row stays locked by the statement until the
    transaction ends, so ``_wait`` reads the same window."""
    window_start = now - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    stale = _table.c.last_failure_at < window_start
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(_table).values(key=key, failures=1, last_failure_at=now)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={"failures": case((stale, 1), else_=_table.c.failures + 1),
                  "last_failure_at": now},
            where=or_(_table.c.blocked_until.is_(None), _table.c.blocked_until <= now))
        .returning(_table.c.failures))
    failures: int | None = connection.execute(statement).scalar_one_or_none()
    return failures


def _wait(connection: Connection, key: str, now: datetime) -> int:
    blocked_until = connection.execute(
        select(_table.c.blocked_until).where(_table.c.key == key)).scalar_one()
    return max(1, int((blocked_until - now).total_seconds() + 0.999))


def _message(seconds: int) -> str:
    return f"Too many failed attempts. Try again in {seconds} seconds."
