"""The background tasks on their own: each only dispatches, and the ledger, the sync leases and
the outbox decide what happens (docs/architecture.md §8)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from projecthub.jobs import work
from projecthub.jobs.engine import MailRetry
from projecthub.models import MailStatus, OutboxMessage, ProvisioningRun, RunStatus
from projecthub.services import mail, mail_sender
from projecthub.services.mail_compose import compose
from projecthub.services.provisioning import service
from tests.jobs.helpers import Recorder, context_for
from tests.services.provisioning.world import answers, build_world
from tests.smtp_server import Inbox


@pytest.fixture
def world(db):
    return build_world(db)


def _start(world, db, **overrides):
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world, **overrides))
    db.commit()
    return run


async def test_the_provision_task_drives_a_run_to_its_end_then_reads_the_figures(world, db):
    run = _start(world, db)
    recorder = Recorder()
    outcome = await work.provision(context_for(world, recorder), str(run.id))
    assert outcome == RunStatus.SUCCEEDED.value
    db.expire_all()
    assert db.get(ProvisioningRun, run.id).status == RunStatus.SUCCEEDED
    (job,) = recorder.jobs  # the new project's figures now, not at the planner's next tick
    assert (job.task, job.queue, job.run_at) == ("sync_projects", "status", None)
    assert job.args == {"project_ids": [str(run.project_id)], "due_only": False}


async def test_a_refresh_after_a_run_reads_a_project_synced_moments_ago(world, db, monkeypatch):
    run = _start(world, db)
    context = context_for(world, Recorder())
    await work.provision(context, str(run.id))
    read: list[uuid.UUID] = []

    async def refresh(project_id, _config, **_kwargs):  # type: ignore[no-untyped-def]
        read.append(project_id)
        return object()

    monkeypatch.setattr(work, "needs_sync", lambda *_: False)  # synced this cycle already
    monkeypatch.setattr(work, "refresh_project", refresh)
    (job,) = context.deferrer.jobs
    assert await work.sync_projects(context, **job.args) == 1
    assert await work.sync_projects(context, [str(run.project_id)]) == 0  # a planned batch
    assert read == [run.project_id]


async def test_a_run_leased_elsewhere_comes_back_when_that_lease_runs_out(world, db):
    run = _start(world, db)
    until = datetime.now(UTC) + timedelta(seconds=40)
    row = db.get(ProvisioningRun, run.id)
    row.lease_owner, row.lease_until = "a-dead-worker", until
    db.add(row)
    db.commit()
    recorder = Recorder()
    assert await work.provision(context_for(world, recorder), str(run.id)) == "held elsewhere"
    (job,) = recorder.jobs
    assert job.task == "provision" and job.args == {"run_id": str(run.id)}
    assert job.queueing_lock == f"run:{run.id}"
    assert job.run_at == until + work.LEASE_MARGIN


async def test_a_finished_run_is_not_queued_again(world, db):
    run = _start(world, db)
    context = context_for(world, Recorder())
    await work.provision(context, str(run.id))
    assert await work.provision(context, str(run.id)) == "held elsewhere"
    assert [job.task for job in context.deferrer.jobs] == ["sync_projects"]  # the first's


async def test_resume_runs_queues_each_abandoned_run_once(world, db):
    first, second = _start(world, db), _start(world, db, key="SECND", name="Second")
    recorder = Recorder()
    context = context_for(world, recorder)
    at = datetime.now(UTC)
    assert await work.resume_runs(context, at) == 2
    assert await work.resume_runs(context, at) == 0  # the queueing lock: still waiting
    assert {j.args["run_id"] for j in recorder.jobs} == {str(first.id), str(second.id)}


def _queue_mail(db) -> OutboxMessage:
    content = compose(subject="Hello", paragraphs=["x"], reason="testing.")
    assert mail.queue_mail(db, to="ada@example.com", kind="test", content=content)
    db.commit()
    return db.exec(select(OutboxMessage)).one()


async def test_send_mail_retries_a_temporary_failure_at_the_outboxs_next_attempt(
        db, smtp: Inbox, world):
    message = _queue_mail(db)
    smtp.rcpt_replies.append("451 Try again later")
    context = context_for(world, Recorder())
    with pytest.raises(work.MailNotSent) as raised:
        await work.send_mail(context, str(message.id))
    db.expire_all()
    row = db.get(OutboxMessage, message.id)
    assert raised.value.retry_at.replace(tzinfo=None) == row.next_attempt_at.replace(tzinfo=None)
    strategy = MailRetry()
    job = _procrastinate_job(attempts=1)
    decision = strategy.get_retry_decision(exception=raised.value, job=job)
    assert decision is not None and decision.retry_at == raised.value.retry_at
    assert strategy.get_retry_decision(
        exception=raised.value, job=_procrastinate_job(mail_sender.MAX_ATTEMPTS)) is None
    assert strategy.get_retry_decision(exception=ValueError("bug"), job=job) is None


async def test_send_mail_sends_once(db, smtp: Inbox, world):
    message = _queue_mail(db)
    context = context_for(world, Recorder())
    assert await work.send_mail(context, str(message.id)) == MailStatus.SENT.value
    assert await work.send_mail(context, str(message.id)) == "not due"
    assert len(smtp.to("ada@example.com")) == 1


async def test_the_outbox_sweep_queues_due_messages(db, smtp: Inbox, world):
    message = _queue_mail(db)
    recorder = Recorder()
    assert await work.sweep_outbox(context_for(world, recorder), datetime.now(UTC)) == 1
    assert recorder.jobs == [work.mail_job(message.id)]


def _procrastinate_job(attempts: int):
    from procrastinate import jobs

    return jobs.Job(id=1, queue="mail", lock=None, queueing_lock=None, task_name="send_mail",
                    task_kwargs={}, attempts=attempts)


def test_job_queues_follow_their_task():
    assert work.provision_job(uuid.uuid4()).queue == "provisioning"
    assert work.mail_job(uuid.uuid4()).queue == "mail"
    assert set(work.QUEUES) >= {name for name, _ in work.TASKS.values()}
