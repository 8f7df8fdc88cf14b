"""The production layout: a web backend that runs no jobs (``PROJECTHUB_WORKERS=off``) and two
``projecthub worker`` processes on one PostgreSQL database. A run started through the API is
queued by the web process and picked up by one worker, which is SIGKILLed while it polls
Microsoft 365 for the new team. The engine notices the dead worker (its heartbeat stops), hands
its job back, and the other worker resumes the run once the dead one's lease runs out: exactly
one of every resource in the sandboxes. The status sync then refreshes the new project's
figures on the surviving worker, right after the run (not at the planner's next tick).

Short heartbeats (1 s, stalled after 3 s) and a 5 s lease keep it to under a minute. Needs the
PostgreSQL and Redis that scripts/test starts.
"""

from __future__ import annotations

import signal
import time
import uuid

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from projecthub.models import ProjectStatus
from tests.api.tokens import bearer
from tests.reliability.exactly_once import assert_exactly_one_of_each
from tests.reliability.processes import (
    Server,
    finish_teams,
    start_backend,
    start_worker,
    step,
    stop,
    teams_creating,
    wait_for,
    wait_ready,
)
from tests.services.provisioning.world import TENANT, all_tools_answers

pytestmark = pytest.mark.slow

RUN_TIMEOUT_S = 120
SYNC_TIMEOUT_S = 150
FAST_ENGINE = {"PROJECTHUB_WORKER_HEARTBEAT_SECONDS": "1",
               "PROJECTHUB_WORKER_STALLED_SECONDS": "3"}


def _holder(database: str, run_id: str) -> str:
    engine = create_engine(database, poolclass=NullPool)
    with engine.connect() as connection:
        owner = connection.execute(text("SELECT lease_owner FROM provisioning_runs "
                                        "WHERE id = :id"), {"id": run_id}).scalar_one()
    engine.dispose()
    return str(owner)


def _wait_for_workers(database: str, count: int) -> None:
    engine = create_engine(database, poolclass=NullPool)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                if connection.execute(text(
                        "SELECT count(*) FROM procrastinate_workers")).scalar_one() >= count:
                    return
            time.sleep(0.3)
    finally:
        engine.dispose()
    pytest.fail(f"{count} workers did not register in 60 s")


def test_a_killed_worker_process_loses_nothing_and_duplicates_nothing(
        sandbox_server, postgres_database, redis_url, tmp_path):
    _, world, db = sandbox_server
    world.sandbox.vendors["graph"].tenant(TENANT).team_creation_polls = 1_000_000
    headers = bearer(db, world.owner, world.org)
    runs = f"/api/v1/orgs/{world.org.slug}/runs"
    web: Server | None = None
    workers: list[Server] = []
    try:
        web = start_backend("web", tmp_path, postgres_database, redis_url,
                            {"PROJECTHUB_WORKERS": "off", **FAST_ENGINE})
        workers = [start_worker(f"worker-{n}", tmp_path, postgres_database, FAST_ENGINE)
                   for n in (1, 2)]
        wait_ready(web)
        _wait_for_workers(postgres_database, 2)
        ready = web.get("/api/v1/ready", {})
        assert ready.status_code == 200, ready.text  # the workers' heartbeats count

        created = httpx.post(f"{web.url}/api/v1/orgs/{world.org.slug}/projects",
                             headers=headers, json={"answers": all_tools_answers(world)},
                             timeout=30)
        assert created.status_code == 201, created.text
        run_id = created.json()["run"]["id"]
        project_id = uuid.UUID(created.json()["project"]["id"])
        wait_for(web, f"{runs}/{run_id}", headers, teams_creating, "a worker polling Teams", 60)

        holder = _holder(postgres_database, run_id)
        (victim,) = [w for w in workers if f"-{w.process.pid}-" in holder]
        victim.kill()
        finish_teams(world.sandbox)
        done = wait_for(web, f"{runs}/{run_id}", headers,
                        lambda r: r["status"] not in ("pending", "running"),
                        "the run finishing on the other worker", RUN_TIMEOUT_S)
        assert done["status"] == "succeeded", [(s["key"], s["status"], s["error"], s["log"])
                                               for s in done["steps"]
                                               if s["status"] != "succeeded"]
        team_log = [e["message"] for e in step(done, "graph.create_team")["log"]]
        assert any("resumed after an interruption" in m for m in team_log), team_log
        (survivor,) = [w for w in workers if w is not victim]
        assert survivor.process.poll() is None
        assert _holder(postgres_database, run_id) != holder

        deadline = time.monotonic() + SYNC_TIMEOUT_S
        while time.monotonic() < deadline:
            db.expire_all()
            status = db.get(ProjectStatus, project_id)
            if status is not None and status.synced_at is not None:
                break
            time.sleep(1)
        else:
            pytest.fail("the status sync never refreshed the new project:\n"
                        + survivor.log.read_text()[-3000:])
    finally:
        for server in (web, *workers):
            stop(server)

    db.expire_all()
    assert_exactly_one_of_each(world.sandbox, db)
    assert victim.process.returncode == -signal.SIGKILL
