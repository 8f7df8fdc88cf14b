"""The embedded engine (SQLite, no worker process): the same tasks, run in process, with one
waiting copy per queueing lock, jobs at their time, mail retried, and the periodic list ticking."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from projecthub.jobs import work
from projecthub.jobs.local import LocalDispatcher
from projecthub.jobs.periodic import Periodic
from projecthub.models import MailStatus, OutboxMessage, ProvisioningRun, RunStatus
from projecthub.services import dispatch, mail
from projecthub.services.mail_compose import compose
from projecthub.services.provisioning import service
from tests.jobs.helpers import context_for
from tests.services.provisioning.world import answers, build_world
from tests.smtp_server import Inbox


@pytest.fixture
def world(db):
    return build_world(db)


def _dispatcher(world, **kwargs) -> LocalDispatcher:
    return LocalDispatcher(lambda deferrer: context_for(world, deferrer), **kwargs)


async def test_a_started_run_is_driven_in_process_once_its_transaction_commits(world, db):
    local = _dispatcher(world, periodic=[])
    loop = asyncio.get_running_loop()
    from projecthub.jobs.runtime import EngineQueue

    dispatch.install(EngineQueue(local, loop))
    try:
        _, run = service.start_project(db, world.owner_principal,
                                       template_version_id=world.template_version_id,
                                       answers=answers(world))
        await asyncio.sleep(0.05)
        assert not local._tasks  # nothing before the commit
        db.commit()
        for _ in range(100):
            if local._tasks:
                break
            await asyncio.sleep(0.01)
        await local.drain()
    finally:
        dispatch.install(None)
    db.expire_all()
    assert db.get(ProvisioningRun, run.id).status == RunStatus.SUCCEEDED


async def test_a_queueing_lock_keeps_one_waiting_copy(world):
    local = _dispatcher(world, periodic=[])
    later = datetime.now(UTC) + timedelta(hours=1)
    job = work.Job("send_mail", {"message_id": "x"}, "mail:x", later)
    assert await local.defer(job)
    assert not await local.defer(job)
    assert local.stats() == {}  # not due yet: not counted as waiting
    stop = asyncio.Event()
    stop.set()
    await local.run(stop)  # cancels what is scheduled
    assert not local._tasks


async def test_mail_is_retried_at_the_outboxs_next_attempt(world, db, smtp: Inbox):
    content = compose(subject="Hello", paragraphs=["x"], reason="testing.")
    assert mail.queue_mail(db, to="ada@example.com", kind="test", content=content)
    db.commit()
    message = db.exec(select(OutboxMessage)).one()
    smtp.rcpt_replies.append("451 Try again later")
    local = _dispatcher(world, periodic=[])
    deferred: list[work.Job] = []
    original = local.defer

    async def spy(job: work.Job) -> bool:
        deferred.append(job)
        return await original(job)

    local.defer = spy  # type: ignore[method-assign]
    await spy(work.mail_job(message.id))
    for _ in range(200):
        if len(deferred) == 2:
            break
        await asyncio.sleep(0.01)
    db.expire_all()
    row = db.get(OutboxMessage, message.id)
    assert row.status == MailStatus.PENDING and row.attempts == 1
    assert deferred[1].run_at.replace(tzinfo=None) == row.next_attempt_at.replace(tzinfo=None)
    stop = asyncio.Event()
    stop.set()
    await local.run(stop)


async def test_periodic_tasks_tick_on_their_interval(world):
    ticks: list[datetime] = []

    async def note(_context: work.Context, at: datetime) -> None:
        ticks.append(at)

    local = _dispatcher(world, periodic=[Periodic("note", timedelta(seconds=1), note)])
    stop = asyncio.Event()
    runner = asyncio.create_task(local.run(stop))
    for _ in range(1000):  # real seconds: up to ten for two ticks on a loaded machine
        if len(ticks) >= 2:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await runner
    assert len(ticks) >= 2
    assert all(t.microsecond == 0 for t in ticks)
    assert ticks[1] - ticks[0] == timedelta(seconds=1)


@pytest.mark.parametrize("task", ["provision", "handle_webhook"])
async def test_a_busy_queue_does_not_hold_back_another(world, monkeypatch, task):
    """One slot per queue here: a status sync that takes its time leaves a run free to start,
    and a webhook's refresh too (its own queue, as the task table assigns it)."""
    sync_started, sync_may_end, provisioned = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def slow_sync(_context, **_args) -> None:
        sync_started.set()
        await sync_may_end.wait()

    async def provision(_context, **_args) -> None:
        provisioned.set()

    monkeypatch.setitem(work.TASKS, "sync_projects", ("status", slow_sync))
    monkeypatch.setitem(work.TASKS, task, (work.TASKS[task][0], provision))
    local = _dispatcher(world, periodic=[], concurrency=1)
    await local.defer(work.Job("sync_projects", {}))
    await asyncio.wait_for(sync_started.wait(), 5)
    await local.defer(work.Job(task, {}))
    await asyncio.wait_for(provisioned.wait(), 5)  # while the sync still holds its slot
    sync_may_end.set()
