"""procrastinate on PostgreSQL: jobs deferred once per queueing lock, a worker running the very
task functions, jobs of a worker whose heartbeat stopped handed back, and the queue's figures."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from projecthub.jobs import work
from projecthub.jobs.engine import ProcrastinateDeferrer, build_app, conninfo, recover_stalled_jobs
from projecthub.jobs.runtime import run_workers
from projecthub.models import ProvisioningRun, RunStatus
from projecthub.services import job_stats
from projecthub.services.provisioning import service
from tests.jobs.helpers import context_for
from tests.services.provisioning.world import World, answers, build_world


@pytest.fixture
def pg(postgres_database: str) -> Iterator[tuple[str, Session]]:
    engine = create_engine(postgres_database, poolclass=NullPool)
    with Session(engine, expire_on_commit=False) as session:
        yield postgres_database, session
    engine.dispose()


def _app(url: str, world: World | None = None):
    factory = (lambda deferrer: context_for(world, deferrer)) if world else work.default_context
    return build_app(url, factory)


def test_conninfo_is_psycopgs_form_of_the_url():
    assert conninfo("postgresql+psycopg://u:p%40ss@db:5432/hub?sslmode=require") == \
        "postgresql://u:p%40ss@db:5432/hub?sslmode=require"


async def test_one_waiting_job_per_queueing_lock(pg):
    url, db = pg
    app = _app(url)
    async with app.open_async():
        deferrer = ProcrastinateDeferrer(app)
        assert await deferrer.defer(work.provision_job("11111111-1111-1111-1111-111111111111"))
        assert not await deferrer.defer(work.provision_job("11111111-1111-1111-1111-111111111111"))
        later = datetime.now(UTC) + timedelta(hours=1)
        assert await deferrer.defer(work.Job("send_mail", {"message_id": "m"}, "mail:m", later))
    rows = db.execute(text("SELECT queue_name, task_name, status, scheduled_at IS NOT NULL "
                           "FROM procrastinate_jobs ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("provisioning", "provision", "todo", False),
                                        ("mail", "send_mail", "todo", True)]
    assert job_stats.queue_stats(db).keys() == {"provisioning"}  # the mail waits for its time
    count, age = job_stats.queue_stats(db)["provisioning"]
    assert count == 1 and 0 <= age < 60


async def test_a_worker_runs_the_provision_task_to_the_end(pg):
    url, db = pg
    world = build_world(db)
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    db.commit()
    app = _app(url, world)
    async with app.open_async():
        await ProcrastinateDeferrer(app).defer(work.provision_job(run.id))
        await app.run_worker_async(wait=False, install_signal_handlers=False,
                                   queues=["provisioning"])
    db.expire_all()
    assert db.get(ProvisioningRun, run.id).status == RunStatus.SUCCEEDED
    statuses = db.execute(text("SELECT status FROM procrastinate_jobs "
                               "WHERE task_name = 'provision'")).scalars().all()
    assert statuses == ["succeeded"]


async def test_jobs_of_a_worker_without_heartbeat_go_back_to_the_queue(pg):
    url, db = pg
    app = _app(url)
    async with app.open_async():
        deferrer = ProcrastinateDeferrer(app)
        await deferrer.defer(work.provision_job("11111111-1111-1111-1111-111111111111"))
        await deferrer.defer(work.provision_job("22222222-2222-2222-2222-222222222222"))
        dead = db.execute(text("INSERT INTO procrastinate_workers (last_heartbeat) "
                               "VALUES (now() - interval '10 minutes') RETURNING id")).scalar()
        alive = db.execute(text("INSERT INTO procrastinate_workers DEFAULT VALUES "
                                "RETURNING id")).scalar()
        db.execute(text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w "
                        "WHERE args->>'run_id' LIKE '1111%'"), {"w": dead})
        db.execute(text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w "
                        "WHERE args->>'run_id' LIKE '2222%'"), {"w": alive})
        db.commit()
        assert await recover_stalled_jobs(app, stalled_seconds=30) == 1
        rows = dict(db.execute(text(
            "SELECT args->>'run_id', status FROM procrastinate_jobs")).all())
        assert rows == {"11111111-1111-1111-1111-111111111111": "todo",
                        "22222222-2222-2222-2222-222222222222": "doing"}
        # A stalled job whose run already has a fresh job waiting is closed, not duplicated.
        db.execute(text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w "
                        "WHERE args->>'run_id' LIKE '1111%'"), {"w": dead})
        db.commit()
        await deferrer.defer(work.provision_job("11111111-1111-1111-1111-111111111111"))
        assert await recover_stalled_jobs(app, stalled_seconds=30) == 0
        statuses = sorted(db.execute(text(
            "SELECT status FROM procrastinate_jobs WHERE args->>'run_id' LIKE '1111%'"))
            .scalars().all())
        assert statuses == ["failed", "todo"]


def test_every_periodic_task_is_registered_with_its_schedule(postgres_database):
    from projecthub.jobs.periodic import PERIODIC

    app = _app(postgres_database)
    registered = {p.periodic_id: p.cron for p in app.periodic_registry.periodic_tasks.values()}
    assert registered == {**{p.name: p.cron for p in PERIODIC},
                          "recover-stalled-jobs": "* * * * * */10"}


async def test_a_busy_status_queue_does_not_hold_back_a_provisioning_run(pg, monkeypatch):
    """One worker per queue: with a single shared slot, the blocked sync would starve the run."""
    url, db = pg
    world = build_world(db)
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    db.commit()
    release = asyncio.Event()

    async def stuck_sync(_context: work.Context, **_kwargs: object) -> None:
        await release.wait()

    monkeypatch.setitem(work.TASKS, "sync_projects", ("status", stuck_sync))
    app = _app(url, world)
    async with app.open_async():
        deferrer = ProcrastinateDeferrer(app)
        await deferrer.defer(work.Job("sync_projects", {"project_ids": []}, "sync:busy"))
        await deferrer.defer(work.provision_job(run.id))
        stop = asyncio.Event()
        workers = asyncio.create_task(run_workers(app, 1, None, stop))
        try:
            for _ in range(200):
                db.expire_all()
                if db.get(ProvisioningRun, run.id).status == RunStatus.SUCCEEDED:
                    break
                await asyncio.sleep(0.1)
            assert db.get(ProvisioningRun, run.id).status == RunStatus.SUCCEEDED
        finally:
            release.set()
            stop.set()
            await asyncio.wait_for(workers, 20)
