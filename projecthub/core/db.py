"""The SQLModel engine and sessions. We own the engine; Reflex's ``db_url`` stays unset."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from projecthub.core import metrics
from projecthub.core.config import settings

_engine: Engine | None = None


def _build_engine(url: str) -> Engine:
    """SQLite gets foreign keys and a busy timeout so several threads can share the file.
    Bound values never reach SQL logs or errors: they hold whatever people typed (a password
    put in the email box, too)."""
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        # As many connections as the thread pool has threads (AnyIO's default is 40), so a
        # thread never waits for a connection held by a request that is waiting for a thread.
        kwargs.update(pool_size=settings.DB_POOL_SIZE, max_overflow=0)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "checkout", lambda *_: metrics.db_connection_checked_out(1))
    event.listen(engine, "checkin", lambda *_: metrics.db_connection_checked_out(-1))
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def get_engine() -> Engine:
    """The process-wide engine, created on first use from ``PROJECTHUB_DATABASE_URL``."""
    global _engine
    if _engine is None:
        _engine = _build_engine(settings.DATABASE_URL)
    return _engine


def configure_engine(url: str) -> Engine:
    """Point the process at another database (tests, CLI ``--database-url``)."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = _build_engine(url)
    return _engine


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
