"""Two backend workers sharing one PostgreSQL database and one Redis: a run started through worker
A's API is watched through worker B's API; A is SIGKILLed while it polls Microsoft 365 for the new
team, and B's provisioning worker (a lifespan task in every backend) takes the run over once A's
lease runs out and finishes it, with exactly one of every resource.

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

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
import uvicorn
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from projecthub.sandbox import SandboxApp
from projecthub.services import connections
from tests.api.tokens import bearer
from tests.reliability.exactly_once import assert_exactly_one_of_each
from tests.services.provisioning.world import TENANT, World, all_tools_answers, build_world

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 5
STARTUP_TIMEOUT_S = 120
RUN_TIMEOUT_S = 120


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def get(self, path: str, headers: dict[str, str]) -> httpx.Response:
        return httpx.get(self.url + path, headers=headers, timeout=10)

    def kill(self) -> None:
        """SIGKILL the whole process group (the Reflex CLI and its Granian worker)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture
def redis_url(redis_server_url: str) -> Iterator[str]:
    """An empty Redis database of our own for Reflex state, flushed afterwards."""
    try:
        for number in range(15, 7, -1):
            client = redis.Redis.from_url(f"{redis_server_url}/{number}")
            if client.dbsize() == 0:
                break
            client.close()
        else:
            pytest.fail(f"no empty Redis database at {redis_server_url} to lend the workers "
                        "(tried 15-8)")
    except redis.RedisError as exc:
        pytest.fail(f"Redis not reachable at {redis_server_url}: {exc}")
    try:
        yield f"{redis_server_url}/{number}"
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def sandbox_server(postgres_database: str) -> Iterator[tuple[str, World, Session]]:
    """The org, its connections and one sandbox on a loopback port that outlives the workers."""
    engine = create_engine(postgres_database, poolclass=NullPool)
    db = Session(engine, expire_on_commit=False)
    world = build_world(db)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(world.sandbox, log_level="warning", lifespan="off",
                                           ws="none", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for tool, connection_id in world.connection_ids.items():
        extra = ({"settings_values": {"authority_host": f"{base}/sandbox/graph/login"}}
                 if tool == "graph" else {})
        connections.update_connection(db, world.owner_principal, connection_id,
                                      base_url=f"{base}/sandbox/{tool}", **extra)
    db.commit()  # the workers read the connections in their own sessions
    try:
        yield base, world, db
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        db.close()
        engine.dispose()


def _start(name: str, workdir: Path, database: str, redis_url: str) -> Worker:
    port = _free_port()
    (workdir / name).mkdir(parents=True)
    env = {
        **os.environ,
        # A local trial of a production build (reflex run --env prod) says so explicitly.
        "PROJECTHUB_ENV": "development",
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        "PROJECTHUB_DATABASE_URL": database,
        "PROJECTHUB_REDIS_URL": redis_url,
        "PROJECTHUB_PROVISIONING_LEASE_SECONDS": str(LEASE_SECONDS),
        "PROJECTHUB_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
        "PROJECTHUB_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "GRANIAN_WORKERS": "1",
        "REFLEX_WEB_WORKDIR": str(workdir / name / "web"),
        "REFLEX_STATES_WORKDIR": str(workdir / name / "states"),
        "REFLEX_UPLOADED_FILES_DIR": str(workdir / name / "uploads"),
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "REFLEX_USE_NPM": "1",
    }
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only",
             "--backend-port", str(port), "--backend-host", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    return Worker(name, process, f"http://127.0.0.1:{port}", log)


def _wait_ready(worker: Worker) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(f"{worker.name} exited:\n{worker.log.read_text()[-3000:]}")
        try:
            if httpx.get(worker.url + "/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{worker.name} not ready in {STARTUP_TIMEOUT_S}s:\n"
                f"{worker.log.read_text()[-3000:]}")


def _stop(worker: Worker) -> None:
    if worker.process.poll() is None:
        os.killpg(worker.process.pid, signal.SIGTERM)
        try:
            worker.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.process.pid, signal.SIGKILL)
            worker.process.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(worker: Worker, path: str, headers: dict[str, str], until, what: str,
              timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        response = worker.get(path, headers)
        assert response.status_code == 200, response.text
        body = response.json()
        if until(body):
            return body
        time.sleep(0.3)
    pytest.fail(f"{what} not seen through {worker.name} in {timeout}s: {body}\n"
                f"{worker.log.read_text()[-3000:]}")


def _step(run: dict, key: str) -> dict:
    return next(s for s in run["steps"] if s["key"] == key)


def _teams_creating(run: dict) -> bool:
    """A has started the team and checkpointed the operation: it is polling Teams now."""
    team = _step(run, "graph.create_team")
    return team["status"] == "running" and any("checkpoint" in e["message"] for e in team["log"])


def _finish_teams(sandbox: SandboxApp) -> None:
    """Teams completes the creation on B's next poll (it stayed in progress while A lived)."""
    for operation in sandbox.vendors["graph"].tenant(TENANT).operations.values():
        operation.polls_left = 0


def test_a_run_survives_its_worker_and_is_finished_by_the_other(
        sandbox_server, postgres_database, redis_url, tmp_path):
    _, world, db = sandbox_server
    world.sandbox.vendors["graph"].tenant(TENANT).team_creation_polls = 1_000_000
    headers = bearer(db, world.owner, world.org)
    runs = f"/api/v1/orgs/{world.org.slug}/runs"
    a = _start("worker-a", tmp_path, postgres_database, redis_url)
    b: Worker | None = None
    try:
        _wait_ready(a)
        created = httpx.post(f"{a.url}/api/v1/orgs/{world.org.slug}/projects", headers=headers,
                             json={"answers": all_tools_answers(world)}, timeout=30)
        assert created.status_code == 201, created.text
        run_id = created.json()["run"]["id"]
        _wait_for(a, f"{runs}/{run_id}", headers, _teams_creating, "A polling Teams", 60)

        b = _start("worker-b", tmp_path, postgres_database, redis_url)
        _wait_ready(b)
        seen = b.get(f"{runs}/{run_id}", headers).json()
        assert seen["status"] == "running" and _teams_creating(seen)
        assert _step(seen, "confluence.create_links_page")["status"] == "pending"

        a.kill()
        with pytest.raises(httpx.TransportError):
            a.get("/api/v1/health", headers)
        _finish_teams(world.sandbox)
        done = _wait_for(b, f"{runs}/{run_id}", headers,
                         lambda r: r["status"] not in ("pending", "running"),
                         "the run finishing", RUN_TIMEOUT_S)
    finally:
        for worker in (a, b):
            if worker is not None:
                _stop(worker)

    assert done["status"] == "succeeded", [(s["key"], s["status"], s["error"])
                                           for s in done["steps"]]
    team_log = [e["message"] for e in _step(done, "graph.create_team")["log"]]
    assert any("resumed after an interruption" in m for m in team_log), team_log
    assert {s["status"] for s in done["steps"]} == {"succeeded"}
    db.expire_all()
    assert_exactly_one_of_each(world.sandbox, db)
    token = headers["Authorization"].removeprefix("Bearer ")
    for worker in (a, b):  # the servers' own output: startup, access and error logs
        assert token not in worker.log.read_text(errors="replace"), worker.name
