"""Readiness checks for ``GET /api/v1/ready``: can this process serve traffic right now?

Each check answers a short, fixed phrase: never an exception's text, which can carry a host
name, a user name or a whole connection string.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from projecthub.core.migrations import alembic_config

log = logging.getLogger("projecthub.readiness")


@dataclass(frozen=True)
class Check:
    """One named check: ``ok`` and what an operator reads when it is not."""

    name: str
    ok: bool
    detail: str


def check_database(engine: Engine) -> list[Check]:
    """The database answers, and its schema is at the newest migration (a process of a newer
    release must not serve an old schema, nor one an upgrade has not finished)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        log.warning("readiness: database unreachable (%s)", type(exc).__name__)
        return [Check("database", False, "unreachable"),
                Check("migrations", False, "unknown: database unreachable")]
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    if current == heads:
        migrations = Check("migrations", True, "at head " + ", ".join(sorted(heads)))
    else:
        at = ", ".join(sorted(current)) or "no revision"
        migrations = Check("migrations", False,
                           f"not at head: database at {at}, code expects "
                           f"{', '.join(sorted(heads))}; run `projecthub migrate`")
    return [Check("database", True, "reachable"), migrations]


def check_redis(url: str | None) -> Check:
    """Redis holds Reflex state when configured; without it no event can be handled."""
    if url is None:
        return Check("redis", True, "not configured")
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        log.warning("readiness: redis unreachable (%s)", type(exc).__name__)
        return Check("redis", False, "unreachable")
    finally:
        client.close()
    return Check("redis", True, "reachable")


def check_workers(engine: Engine, stalled_seconds: float) -> Check:
    """On PostgreSQL some job worker (in a web process or ``projecthub worker``) must have sent
    a heartbeat recently, or runs, figures and mail stand still. SQLite runs the jobs in this
    process: nothing to check."""
    if engine.dialect.name != "postgresql":
        return Check("workers", True, "in process")
    try:
        with engine.connect() as connection:
            age = connection.execute(text(
                "SELECT EXTRACT(EPOCH FROM now() - max(last_heartbeat)) "
                "FROM procrastinate_workers")).scalar()
    except SQLAlchemyError as exc:
        log.warning("readiness: worker heartbeats unreadable (%s)", type(exc).__name__)
        return Check("workers", False, "unknown: heartbeats unreadable")
    if age is None:
        return Check("workers", False, "no job worker running: start `projecthub worker` or "
                                       "leave PROJECTHUB_WORKERS on")
    if float(age) > stalled_seconds:
        return Check("workers", False, f"last worker heartbeat {float(age):.0f} s ago")
    return Check("workers", True, f"heartbeat {float(age):.0f} s ago")


__all__ = ["Check", "check_database", "check_redis", "check_workers"]
