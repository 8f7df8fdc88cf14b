"""Services tell the job engine about work only after the caller commits, and never about work
that was rolled back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from pydantic import SecretStr

from projecthub.core.config import settings
from projecthub.services import dispatch, mail
from projecthub.services.mail_compose import compose
from projecthub.services.provisioning import service
from tests.services.provisioning.world import answers, build_world


@dataclass
class Notes:
    runs: list[uuid.UUID] = field(default_factory=list)
    mails: list[uuid.UUID] = field(default_factory=list)

    def run_ready(self, run_id: uuid.UUID) -> None:
        self.runs.append(run_id)

    def mail_queued(self, message_id: uuid.UUID) -> None:
        self.mails.append(message_id)


@pytest.fixture
def notes():
    queue = Notes()
    dispatch.install(queue)
    yield queue
    dispatch.install(None)


def test_a_started_run_is_announced_after_commit_only(db, notes):
    world = build_world(db)
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    assert notes.runs == []
    db.commit()
    assert notes.runs == [run.id]
    service.start_project(db, world.owner_principal,
                          template_version_id=world.template_version_id,
                          answers=answers(world, key="OTHER", name="Other"))
    db.rollback()
    db.commit()
    assert notes.runs == [run.id]


def test_mail_is_announced_when_smtp_sends_it(db, notes, monkeypatch):
    content = compose(subject="Hi", paragraphs=["x"], reason="testing.")
    mail.queue_mail(db, to="x@example.com", kind="test", content=content)
    db.commit()
    assert notes.mails == []  # development without SMTP: the outbox page is the mailbox
    monkeypatch.setattr(settings, "SMTP_URL", SecretStr("smtp://127.0.0.1:2525"))
    mail.queue_mail(db, to="x@example.com", kind="test", content=content)
    assert notes.mails == []
    db.commit()
    assert len(notes.mails) == 1


def test_a_failing_queue_does_not_undo_the_commit(db):
    class Broken:
        def run_ready(self, run_id: uuid.UUID) -> None:  # noqa: ARG002
            raise RuntimeError("engine down")

        def mail_queued(self, message_id: uuid.UUID) -> None:  # noqa: ARG002
            raise RuntimeError("engine down")

    world = build_world(db)
    dispatch.install(Broken())
    try:
        _, run = service.start_project(db, world.owner_principal,
                                       template_version_id=world.template_version_id,
                                       answers=answers(world))
        db.commit()  # logged, not raised: the periodic sweep finds the run
    finally:
        dispatch.install(None)
    assert service.get_run(db, world.owner_principal, run.id).status == "pending"
