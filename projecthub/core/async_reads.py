"""One-statement reads from the event loop on PostgreSQL: a small pool of autocommit async
psycopg connections, for the API's hottest read (the bearer token's statement). On a worker
thread the same statement cost a thread hop and SQLAlchemy's Python on every request; run
synchronously on the loop, a slow database would stall every request (README "Performance").

The pool lives between the start and the end of the server (``reads_lifespan``), one per event
loop; without it (SQLite, or a loop that never ran the lifespan) callers keep their thread path.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

import psycopg
from anyio.lowlevel import RunVar
from psycopg.pq import TransactionStatus
from sqlalchemy.engine import URL

from projecthub.core.db import SINGLE_READ_CONNECTIONS, get_engine
from projecthub.core.tenancy import APP_ROLE

T = TypeVar("T")
Cursor = psycopg.AsyncCursor[tuple[Any, ...]]

_pools: RunVar[AsyncReads | None] = RunVar("projecthub_async_reads", default=None)


class AsyncReads:
    """At most ``size`` connections; a caller beyond them waits for a free one (50 clients
    queue here rather than open 50 backends). Every statement commits on its own, as
    ``core.db.single_read``'s do: nothing it sets for a transaction outlives it."""

    def __init__(self, conninfo: str, *, size: int) -> None:
        self._conninfo = conninfo
        self._slots = asyncio.Semaphore(size)
        self._idle: list[Cursor] = []  # one cursor per connection, kept: a new one cost 30 %
        self.size = size
        self.opened = 0  # connections made so far (tests read it)

    async def fetch_one(self, sql: str, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The statement's first row, prepared on the connection that runs it."""
        async def run(cursor: Cursor) -> tuple[Any, ...] | None:
            await cursor.execute(sql, params, prepare=True)
            return await cursor.fetchone()

        return await self._run(run)

    async def execute(self, sql: str, params: Mapping[str, Any]) -> None:
        async def run(cursor: Cursor) -> None:
            await cursor.execute(sql, params, prepare=True)

        await self._run(run)

    async def _run(self, work: Callable[[Cursor], Awaitable[T]]) -> T:
        """``work`` on an idle connection; one found dead (the server restarted, an idle
        backend was ended) drops every idle one, and ``work`` runs once more on a fresh one."""
        async with self._slots:
            cursor = self._idle.pop() if self._idle else await self._connect()
            try:
                return await self._use(cursor, work)
            except psycopg.OperationalError:
                if not cursor.connection.broken:
                    raise
            await self._drop_idle()
            return await self._use(await self._connect(), work)

    async def _use(self, cursor: Cursor, work: Callable[[Cursor], Awaitable[T]]) -> T:
        try:
            return await work(cursor)
        finally:
            # Kept only when idle: a cancelled or failed statement may leave it mid-query.
            if cursor.connection.info.transaction_status == TransactionStatus.IDLE:
                self._idle.append(cursor)
            else:
                await cursor.connection.close()

    async def _connect(self) -> Cursor:
        connection = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
        # The role row-level security applies to (``core.tenancy.use_app_role``).
        await connection.execute(f"SET ROLE {APP_ROLE}")  # a constant, never user input
        self.opened += 1
        return connection.cursor()

    async def _drop_idle(self) -> None:
        idle, self._idle = self._idle, []
        for cursor in idle:
            await cursor.connection.close()

    async def close(self) -> None:
        await self._drop_idle()


def async_reads() -> AsyncReads | None:
    """The running loop's pool, or None where the thread path serves (see the module's note)."""
    return _pools.get()


def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def reads_lifespan() -> AsyncIterator[None]:
    """The server's lifetime: a pool on PostgreSQL, closed at shutdown."""
    url = get_engine().url
    if url.get_backend_name() != "postgresql":
        yield
        return
    pool = AsyncReads(_conninfo(url), size=SINGLE_READ_CONNECTIONS)
    _pools.set(pool)
    try:
        yield
    finally:
        _pools.set(None)
        await pool.close()
