"""Two backend workers sharing one PostgreSQL database and one Redis: a run started through worker
A's API is watched through worker B's API; A is SIGKILLed while it polls Microsoft 365 for the new
team, and B's job worker (procrastinate, run in process by every backend unless
``PROJECTHUB_WORKERS=off``) takes the run over once A's lease runs out and finishes it, with
exactly one of every resource. ``test_worker_processes.py`` does the same with ``projecthub
worker`` processes.

Each worker is a real Reflex production backend, ``reflex run --env prod --backend-only`` with one
Granian worker, Reflex state in a dedicated Redis database and a 5 s provisioning lease
(``PROJECTHUB_PROVISIONING_LEASE_SECONDS``). The frontend is not built: the API and the lifespan
tasks are what is under test, and a full ``--env prod`` build takes minutes. Both point their
connections at one sandbox served by this test on a loopback port (each server's own ``/sandbox``
is in its own memory), whose Teams creation stays in progress until A is dead.

Uses the throwaway PostgreSQL and Redis that scripts/test starts, and fails with a clear message
without them. About 40 s.
"""

from __future__ import annotations

import httpx
import pytest

from tests.api.tokens import bearer
from tests.reliability.exactly_once import assert_exactly_one_of_each
from tests.reliability.processes import (
    Server,
    finish_teams,
    start_backend,
    step,
    stop,
    teams_creating,
    wait_for,
    wait_ready,
)
from tests.services.provisioning.world import TENANT, all_tools_answers

pytestmark = pytest.mark.slow

RUN_TIMEOUT_S = 120


def test_a_run_survives_its_worker_and_is_finished_by_the_other(
        sandbox_server, postgres_database, redis_url, tmp_path):
    _, world, db = sandbox_server
    world.sandbox.vendors["graph"].tenant(TENANT).team_creation_polls = 1_000_000
    headers = bearer(db, world.owner, world.org)
    runs = f"/api/v1/orgs/{world.org.slug}/runs"
    a = start_backend("worker-a", tmp_path, postgres_database, redis_url)
    b: Server | None = None
    try:
        wait_ready(a)
        created = httpx.post(f"{a.url}/api/v1/orgs/{world.org.slug}/projects", headers=headers,
                             json={"answers": all_tools_answers(world)}, timeout=30)
        assert created.status_code == 201, created.text
        run_id = created.json()["run"]["id"]
        wait_for(a, f"{runs}/{run_id}", headers, teams_creating, "A polling Teams", 60)

        b = start_backend("worker-b", tmp_path, postgres_database, redis_url)
        wait_ready(b)
        seen = b.get(f"{runs}/{run_id}", headers).json()
        assert seen["status"] == "running" and teams_creating(seen)
        assert step(seen, "confluence.create_links_page")["status"] == "pending"

        a.kill()
        with pytest.raises(httpx.TransportError):
            a.get("/api/v1/health", headers)
        finish_teams(world.sandbox)
        done = wait_for(b, f"{runs}/{run_id}", headers,
                         lambda r: r["status"] not in ("pending", "running"),
                         "the run finishing", RUN_TIMEOUT_S)
    finally:
        for worker in (a, b):
            stop(worker)

    assert done["status"] == "succeeded", [(s["key"], s["status"], s["error"])
                                           for s in done["steps"]]
    team_log = [e["message"] for e in step(done, "graph.create_team")["log"]]
    assert any("resumed after an interruption" in m for m in team_log), team_log
    assert {s["status"] for s in done["steps"]} == {"succeeded"}
    db.expire_all()
    assert_exactly_one_of_each(world.sandbox, db)
    token = headers["Authorization"].removeprefix("Bearer ")
    for worker in (a, b):  # the servers' own output: startup, access and error logs
        assert token not in worker.log.read_text(errors="replace"), worker.name
