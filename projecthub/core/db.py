"""The SQLModel engine and sessions. We own the engine; Reflex's ``db_url`` stays unset."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import PoolProxiedConnection, QueuePool
from sqlmodel import Session, create_engine

from projecthub.core import metrics
from projecthub.core.config import settings
from projecthub.core.tenancy import use_app_role

T = TypeVar("T")

_engine: Engine | None = None
_single_reads: Engine | None = None
_single_reads_made = threading.Lock()
SINGLE_READ_CONNECTIONS = 8  # the API's reader threads per process (``api.deps``)


def build_engine(url: str, *, pre_ping: bool = True, pool_size: int | None = None) -> Engine:
    """SQLite gets foreign keys and a busy timeout so several threads can share the file.
    Bound values never reach SQL logs or errors: they hold whatever people typed (a password
    put in the email box, too)."""
    kwargs: dict[str, Any] = {"pool_pre_ping": pre_ping, "hide_parameters": True,
                              "poolclass": TimedQueuePool}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        # As many connections as the thread pool has threads (AnyIO's default is 40), so a
        # thread never waits for a connection held by a request that is waiting for a thread.
        kwargs.update(pool_size=pool_size or settings.DB_POOL_SIZE, max_overflow=0)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "checkout", lambda *_: metrics.db_connection_checked_out(1))
    event.listen(engine, "checkin", lambda *_: metrics.db_connection_checked_out(-1))
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_foreign_keys)
        _use_wal(engine)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", use_app_role)
    return engine


class TimedQueuePool(QueuePool):
    """The usual pool, timing each checkout: a request waiting for a free connection is the
    first sign that ``DB_POOL_SIZE`` (or the database) is too small for the load."""

    def connect(self) -> PoolProxiedConnection:
        started = time.perf_counter()
        try:
            return super().connect()
        except PoolTimeout:
            metrics.db_pool_timed_out()
            raise
        finally:
            metrics.db_pool_checkout_took(time.perf_counter() - started)


def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _use_wal(engine: Engine) -> None:
    """WAL is a property of the file, so it is set once, here. Asked for on every new
    connection, it failed ("database is locked", "disk I/O error") while worker threads opened
    connections next to a writer."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")


def get_engine() -> Engine:
    """The process-wide engine, created on first use from ``PROJECTHUB_DATABASE_URL``."""
    global _engine
    if _engine is None:
        _engine = build_engine(settings.DATABASE_URL)
    return _engine


def configure_engine(url: str) -> Engine:
    """Point the process at another database (tests, CLI ``--database-url``)."""
    global _engine, _single_reads
    for old in (_engine, _single_reads):
        if old is not None:
            old.dispose()
    _engine, _single_reads = build_engine(url), None
    return _engine


def new_session() -> Session:
    """A session on the process-wide engine; objects stay readable after the commit."""
    return Session(get_engine(), expire_on_commit=False)


@contextmanager
def unit_of_work(make_session: Callable[[], Session]) -> Iterator[Session]:
    """One transaction owned by the caller (a UI event, an API request, a CLI command, one step
    of the provisioning runner or sync job): commit on success, roll back on any error.
    Services never commit; see ``tests/services/test_transaction_ownership.py``."""
    with make_session() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def single_read(work: Callable[[Session], T]) -> T:
    """``work`` in a session whose statements each commit on their own (no BEGIN, no COMMIT),
    on a pool without a pre-ping: for a read that is one statement (and perhaps a small
    idempotent write), where a transaction and a ping add three round trips to one. Nothing
    it sets for a transaction (row-level security) outlives its statement. A connection that
    turned out dead invalidates the pool and ``work`` runs once more on a fresh one."""
    try:
        return _single_read(work)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        return _single_read(work)


def _single_read(work: Callable[[Session], T]) -> T:
    with _single_read_engine().connect() as connection, Session(
            connection.execution_options(isolation_level="AUTOCOMMIT"),
            expire_on_commit=False) as session:
        return work(session)


def _single_read_engine() -> Engine:
    global _single_reads
    with _single_reads_made:  # reader threads ask at once: one pool, not one each
        if _single_reads is None:
            _single_reads = build_engine(
                get_engine().url.render_as_string(hide_password=False), pre_ping=False,
                pool_size=SINGLE_READ_CONNECTIONS)
        return _single_reads


def session_scope() -> contextlib.AbstractContextManager[Session]:
    """The UI's and the CLI's unit of work on the process-wide engine."""
    return unit_of_work(new_session)
