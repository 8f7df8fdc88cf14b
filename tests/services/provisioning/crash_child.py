"""A worker process for the crash test: drive one run against the sandbox over real HTTP.

Run as ``python -m tests.services.provisioning.crash_child <database url> <run id> <worker>``.
The parent kills it with SIGKILL at chosen moments; nothing here knows about that.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import timedelta

from sqlmodel import Session

from projecthub.core.db import configure_engine
from projecthub.services.principal import Principal
from projecthub.services.provisioning.runner import RunnerConfig, drive_run
from projecthub.services.tool_clients import ToolClients

LEASE = timedelta(seconds=1)


def main(database_url: str, run_id: str, worker: str) -> int:
    engine = configure_engine(database_url)

    def session() -> Session:
        return Session(engine, expire_on_commit=False)

    def tools(principal: Principal) -> ToolClients:
        return ToolClients(session, principal, graph_poll_seconds=0.05)

    config = RunnerConfig(session_factory=session, tools_factory=tools, worker_id=worker,
                          lease=LEASE)
    status = asyncio.run(drive_run(uuid.UUID(run_id), config))
    sys.stdout.write((status.value if status else "not-claimed") + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
