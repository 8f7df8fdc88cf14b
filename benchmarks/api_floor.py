"""The API's floor: requests per second and server CPU per request of a bare Starlette route, our
``/api/v1/health`` and the project list, each served by the same ASGI server in the same run.

Each target runs in its own server process, uvicorn with one worker and the h11 protocol (what
``reflex run --env prod`` runs under gunicorn), on a loopback port; ours is the real app
(``projecthub.app:app``, every middleware and Reflex around the API, compile skipped) on a fresh
PostgreSQL database holding one organization of ``--projects`` projects. ``wrk`` (apt: wrk) sends
``--clients`` (50) concurrent connections for ``--seconds`` per target; the server's CPU time
is read from the kernel, so "CPU ms per request" is the server's own cost.

Goals (issue 13): the project list at least half the health check's requests per second, 0
errors; the health check near the bare route.

    python -m benchmarks.api_floor [--seconds 15] [--clients 50] [--projects 1000]
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from benchmarks.common import POSTGRES_ADMIN_URL, engine_for, fresh_database, machine, print_table
from benchmarks.dashboard_scale import fill
from benchmarks.world import make_org
from projecthub.core.clock import utcnow
from projecthub.services import api_tokens

GOAL_LIST_VS_HEALTH = 0.5
ROOT = Path(__file__).resolve().parent.parent


async def _bare_health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def bare_app() -> Starlette:
    """The floor: one Starlette route answering what our health check answers."""
    return Starlette(routes=[Route("/api/v1/health", _bare_health)])


@dataclass(frozen=True)
class Figures:
    name: str
    requests: int
    per_second: float
    errors: int
    cpu_ms: float  # server CPU per request


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(database_url: str, workdir: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PROJECTHUB_DATABASE_URL": database_url,
        "PROJECTHUB_ENV": "development",
        "PROJECTHUB_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
        "PROJECTHUB_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PROJECTHUB_SECRET_KEYS": os.environ.get("PROJECTHUB_SECRET_KEYS")
        or base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "REFLEX_SKIP_COMPILE": "true",
        "REFLEX_ENV_MODE": "prod",
        "REFLEX_WEB_WORKDIR": str(workdir / "web"),
        "REFLEX_STATES_WORKDIR": str(workdir / "states"),
        "REFLEX_USE_NPM": "1",
        "REFLEX_CHECK_LATEST_VERSION": "false",
    }


@contextmanager
def serving(target: str, env: dict[str, str], port: int, log: Path) -> Iterator[psutil.Process]:
    """uvicorn with ``target`` (an app factory) on ``port``, until the block ends."""
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", target, "--host", "127.0.0.1",
             "--port", str(port), "--workers", "1", "--http", "h11", "--loop", "asyncio",
             "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).is_success:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{target} did not start: see {log}")
            time.sleep(0.5)
        yield psutil.Process(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def hammer(name: str, url: str, server: psutil.Process, *, clients: int, seconds: float,
           headers: dict[str, str] | None = None) -> Figures:
    """``wrk`` against ``url``; the server's CPU seconds over the same window."""
    header_args = [arg for k, v in (headers or {}).items() for arg in ("-H", f"{k}: {v}")]
    subprocess.run(["wrk", "-t2", f"-c{clients}", "-d2s", *header_args, url],
                   check=True, capture_output=True)  # warm-up: connections, caches, JIT-free
    before = _cpu(server)
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "10s",
                          *header_args, url], check=True, capture_output=True, text=True).stdout
    cpu = _cpu(server) - before
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(g) for g in socket_errors.groups()) if socket_errors else 0)
    return Figures(name, total, rate, errors, 1000 * cpu / max(total, 1))


def prepare(url: str, projects: int) -> tuple[str, str]:
    """The organization's slug and one API token."""
    engine = engine_for(url)
    with Session(engine, expire_on_commit=False) as session:
        org = make_org(session, slug="floor")
        fill(session, org.principal, org.owner.id, projects, now=utcnow())
        token = api_tokens.create_api_token(session, org.principal, name="floor").secret
        session.commit()
    with engine.connect() as connection:  # the statistics autovacuum would gather in a while
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        # The app's engine drops to the RLS role, which owns no table: VACUUM then skips every
        # table with a warning, and the planner has no statistics (a 1,000-row org looked like 2).
        connection.exec_driver_sql("RESET ROLE")
        connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return org.org.slug, token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("api_floor needs wrk (apt-get install wrk)")
    print(f"api_floor on {machine()}; uvicorn (1 worker, h11), wrk {args.clients} connections, "
          f"{args.seconds:g}s per target, PostgreSQL, {args.projects} projects")
    results: list[Figures] = []
    with fresh_database("postgresql", args.postgres_url) as url, \
            tempfile.TemporaryDirectory(prefix="projecthub-floor-") as folder:
        slug, token = prepare(url, args.projects)
        workdir = Path(folder)
        port = _free_port()
        env = _env(url, workdir, port)
        with serving("benchmarks.api_floor:bare_app", env, port, workdir / "bare.log") as bare:
            results.append(hammer("bare Starlette route", f"http://127.0.0.1:{port}/api/v1/health",
                                  bare, clients=args.clients, seconds=args.seconds))
        port = _free_port()
        env = _env(url, workdir, port)
        with serving("projecthub.app:app", env, port, workdir / "app.log") as ours:
            base = f"http://127.0.0.1:{port}/api/v1"
            results.append(hammer("/api/v1/health", f"{base}/health", ours,
                                  clients=args.clients, seconds=args.seconds))
            results.append(hammer("project list", f"{base}/orgs/{slug}/projects?page=2", ours,
                                  clients=args.clients, seconds=args.seconds,
                                  headers={"Authorization": f"Bearer {token}"}))
    print_table(["target", "requests", "per s", "errors", "server CPU ms/request"],
                [[r.name, r.requests, r.per_second, r.errors, r.cpu_ms] for r in results])
    bare_fig, health, listing = results
    ratio = listing.per_second / health.per_second
    errors = sum(r.errors for r in results)
    print(f"health vs bare Starlette: {health.per_second / bare_fig.per_second:.2f}x the "
          f"requests per second, {health.cpu_ms / bare_fig.cpu_ms:.1f}x the CPU per request")
    print(f"ratio (project list / health, req/s): {ratio:.2f}x, {errors} errors; goal >= "
          f"{GOAL_LIST_VS_HEALTH}x and 0 errors: "
          + ("met" if ratio >= GOAL_LIST_VS_HEALTH and errors == 0 else "MISSED"))


if __name__ == "__main__":
    main()
