"""``projecthub worker``: a job worker process of its own on PostgreSQL, with a heartbeat while
it runs, that stops cleanly on SIGTERM; refused with a reason on SQLite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from projecthub.cli import main
from projecthub.core.config import settings


def test_the_worker_needs_postgresql(monkeypatch, capsys):
    monkeypatch.setattr(settings, "DATABASE_URL", "sqlite:///projecthub.db")
    assert main(["worker"]) == 1
    assert "needs PostgreSQL" in capsys.readouterr().err


def test_unknown_queues_are_refused(monkeypatch, capsys):
    monkeypatch.setattr(settings, "DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/x")
    assert main(["worker", "--queues", "provisioning", "emails"]) == 1
    assert "unknown queue(s) emails" in capsys.readouterr().err


def _heartbeats(url: str) -> int:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM procrastinate_workers "
                                        "WHERE last_heartbeat > now() - interval '30 seconds'"))
        result = int(count.scalar_one())
    engine.dispose()
    return result


def test_a_worker_process_beats_while_it_runs_and_stops_on_sigterm(postgres_database):
    env = {**os.environ, "PROJECTHUB_DATABASE_URL": postgres_database,
           "PROJECTHUB_WORKER_HEARTBEAT_SECONDS": "1"}
    worker = subprocess.Popen([sys.executable, "-m", "projecthub.cli", "worker", "--concurrency",
                               "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        deadline = time.monotonic() + 60
        while _heartbeats(postgres_database) == 0:
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
            assert time.monotonic() < deadline, "no heartbeat from the worker"
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        out, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, out
    assert "worker: 2 job(s) at a time" in out and "worker stopped" in out
    assert _heartbeats(postgres_database) == 0  # unregistered on the way out
