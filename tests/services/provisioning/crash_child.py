"""A worker process for the crash test: drive one run against the sandbox over real HTTP.

The test starts ``work`` through multiprocessing's fork server with this module preloaded, so a
new worker costs a fork, not a Python start and the app's imports (about 2 s each, dozens of
times per test). The parent kills it with SIGKILL at chosen moments; nothing here knows about that.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from multiprocessing.connection import Connection

from sqlmodel import Session

from projecthub.core.db import configure_engine
from projecthub.services.principal import Principal
from projecthub.services.provisioning.runner import RunnerConfig, drive_run
from projecthub.services.tool_clients import ToolClients

LEASE = timedelta(seconds=1)
GO = "go"


def work(database_url: str, run_id: str, worker: str, parent: Connection) -> None:
    """Wait for the parent's go (it must know this pid before the first request), drive the run,
    and answer with the run's status, or ``not-claimed`` when another lease still holds it."""
    if parent.recv() != GO:
        return
    engine = configure_engine(database_url)

    def session() -> Session:
        return Session(engine, expire_on_commit=False)

    def tools(principal: Principal) -> ToolClients:
        return ToolClients(session, principal, graph_poll_seconds=0.05)

    config = RunnerConfig(session_factory=session, tools_factory=tools, worker_id=worker,
                          lease=LEASE)
    status = asyncio.run(drive_run(uuid.UUID(run_id), config))
    parent.send(status.value if status else "not-claimed")
