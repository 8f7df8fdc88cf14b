"""Real server processes for the reliability tests: a sandbox on a loopback port that outlives
them, Reflex production backends (``reflex run --env prod --backend-only``) and ``projecthub
worker`` processes on one PostgreSQL database, and ways to watch a run through the API."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
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
from tests.services.provisioning.world import TENANT, World, build_world

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 5
STARTUP_TIMEOUT_S = 120


@dataclass
class Server:
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


def _environment(name: str, workdir: Path, database: str, port: int,
                 extra: dict[str, str] | None) -> dict[str, str]:
    (workdir / name).mkdir(parents=True)
    return {
        **os.environ,
        # A local trial of a production build (reflex run --env prod) says so explicitly.
        "PROJECTHUB_ENV": "development",
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        "PROJECTHUB_DATABASE_URL": database,
        "PROJECTHUB_PROVISIONING_LEASE_SECONDS": str(LEASE_SECONDS),
        "PROJECTHUB_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
        "PROJECTHUB_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "GRANIAN_WORKERS": "1",
        "REFLEX_WEB_WORKDIR": str(workdir / name / "web"),
        "REFLEX_STATES_WORKDIR": str(workdir / name / "states"),
        "REFLEX_UPLOADED_FILES_DIR": str(workdir / name / "uploads"),
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "REFLEX_USE_NPM": "1",
        **(extra or {}),
    }


def _spawn(name: str, workdir: Path, command: list[str], env: dict[str, str],
           url: str) -> Server:
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    return Server(name, process, url, log)


def start_backend(name: str, workdir: Path, database: str, redis_url: str,
                  extra_env: dict[str, str] | None = None) -> Server:
    """A Reflex production backend (API, lifespan tasks; no frontend build) on a free port."""
    port = free_port()
    env = _environment(name, workdir, database, port,
                       {"PROJECTHUB_REDIS_URL": redis_url, **(extra_env or {})})
    return _spawn(name, workdir, [
        sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only",
        "--backend-port", str(port), "--backend-host", "127.0.0.1"], env,
        f"http://127.0.0.1:{port}")


def start_worker(name: str, workdir: Path, database: str,
                 extra_env: dict[str, str] | None = None) -> Server:
    """A ``projecthub worker`` process (it serves nothing: its url is empty)."""
    env = _environment(name, workdir, database, free_port(), extra_env)
    return _spawn(name, workdir, [sys.executable, "-m", "projecthub.cli", "worker"], env, "")


def wait_ready(worker: Server) -> None:
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


def stop(worker: Server | None) -> None:
    if worker is not None and worker.process.poll() is None:
        os.killpg(worker.process.pid, signal.SIGTERM)
        try:
            worker.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.process.pid, signal.SIGKILL)
            worker.process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(worker: Server, path: str, headers: dict[str, str],
             until: Callable[[dict], bool], what: str, timeout: float) -> dict:
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


def step(run: dict, key: str) -> dict:
    return next(s for s in run["steps"] if s["key"] == key)


def teams_creating(run: dict) -> bool:
    """The run's worker started the team and checkpointed the operation: it polls Teams now."""
    team = step(run, "graph.create_team")
    return team["status"] == "running" and any("checkpoint" in e["message"] for e in team["log"])


def finish_teams(sandbox: SandboxApp) -> None:
    """Teams completes the creation on the next poll (it stayed in progress until now)."""
    for operation in sandbox.vendors["graph"].tenant(TENANT).operations.values():
        operation.polls_left = 0


