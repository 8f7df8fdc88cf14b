"""A project turns red: once the flapping interval has passed, the background delivery puts
one mail in the outbox and one message in the project's Teams channel (the sandbox's, checked
against the Graph spec elsewhere), and running it again sends nothing more. Digests collect a
day's events into one mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from projecthub.models import (
    DeliveryMode,
    DeliveryStatus,
    HealthLevel,
    NotificationChannel,
    NotificationDelivery,
    NotificationEvent,
    OutboxMessage,
    Project,
    ProjectStatus,
)
from projecthub.services.notifications import events, preferences
from projecthub.services.notifications.delivery import deliver_pending
from projecthub.services.notifications.preferences import Choice
from projecthub.services.status.sync import refresh_project
from tests.services.notifications.test_events import NOW, RED, team  # noqa: F401
from tests.services.provisioning.world import TENANT, build_world
from tests.services.status.test_sync import provisioned, sync_config


@pytest.fixture
def world(db):
    return build_world(db)


def _channel_messages(world, team_id: str) -> list:
    graph = world.sandbox.vendors["graph"].tenant(TENANT)
    general = next(c for c in graph.teams[team_id].channels if c.display_name == "General")
    return general.messages


async def test_a_project_turning_red_is_mailed_and_posted_once(world, db):
    project = await provisioned(world, db)
    config = sync_config(world)
    assert (await refresh_project(project.id, config)).colour == HealthLevel.GREEN
    jira = world.sandbox.vendors["jira"].tenant(TENANT)
    jira.add_issue(jira.projects["WEBX"], "Open work", "To Do")
    stored = db.get(Project, project.id)
    stored.end_date = world.clock.now().date() - timedelta(days=2)
    db.add(stored)
    db.commit()
    world.clock.advance(3600)
    assert (await refresh_project(project.id, config)).colour == HealthLevel.RED
    db.expire_all()
    assert db.get(ProjectStatus, project.id).health == HealthLevel.RED

    tools = world.config().tools_factory
    factory = world.config().session_factory
    early = await deliver_pending(factory, tools, world.clock.now())
    assert (early.mails, early.posts) == (0, 0)  # the flapping interval has not passed
    later = world.clock.now() + timedelta(minutes=preferences.DEFAULT_COALESCE_MINUTES + 1)
    report = await deliver_pending(factory, tools, later)
    assert (report.mails, report.posts, report.failed) == (1, 1, 0)

    db.expire_all()
    [mail] = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "notification")).all()
    assert mail.to_address == "pm@example.com"
    assert "is now red" in mail.subject and "ProjectHub" in mail.subject
    assert "has passed with" in mail.body_text  # the reason
    link = f"/projects/{project.id}"
    assert link in mail.body_text and link in mail.body_html
    assert "You received this email from ProjectHub because you own" in mail.body_text
    team_id = next(d.external_id for d in _resources(db, project.id) if d.kind == "team")
    [post] = _channel_messages(world, team_id)
    assert post.content_type == "html" and "is now red" in post.content
    assert f"/projects/{project.id}" in post.content and "has passed with" in post.content

    again = await deliver_pending(factory, tools, later + timedelta(hours=1))
    assert (again.mails, again.posts) == (0, 0)
    assert len(_channel_messages(world, team_id)) == 1
    assert len(db.exec(select(OutboxMessage).where(
        OutboxMessage.kind == "notification")).all()) == 1


def _resources(db: Session, project_id):
    from projecthub.models import ProjectResource

    return db.exec(select(ProjectResource).where(ProjectResource.project_id == project_id)).all()


async def test_a_daily_digest_collects_the_days_events_in_one_mail(db, team):  # noqa: F811
    org, project, owner, _member, _ = team
    from tests.factories import principal

    preferences.set_user_choices(db, principal(db, owner, org).actor, [
        Choice(event, NotificationChannel.EMAIL, DeliveryMode.DIGEST)
        for event in NotificationEvent])
    events.health_changed(db, project, HealthLevel.GREEN, HealthLevel.RED, RED, NOW)
    events.drift_detected(db, project, "The Jira project was renamed.", NOW)
    db.commit()

    def factory() -> Session:
        return Session(db.get_bind(), expire_on_commit=False)

    def no_tools(_p):  # Teams is off by default for drift; health posts fail without a team
        raise AssertionError("not called")

    def owners_mail() -> list[OutboxMessage]:
        return list(db.exec(select(OutboxMessage).where(
            OutboxMessage.to_address == owner.email)).all())

    await deliver_pending(factory, no_tools, NOW + timedelta(hours=1))
    assert owners_mail() == []  # the member's immediate mail left; the owner's digest waits
    report = await deliver_pending(factory, no_tools, NOW + timedelta(days=1))
    assert report.mails == 2  # the owner's digest, and the member's (drift is a digest)
    [mail] = owners_mail()
    assert "daily digest: 2 notifications" in mail.subject
    assert "is now red" in mail.body_text and "drifted" in mail.body_text
    db.expire_all()
    teams = db.exec(select(NotificationDelivery).where(
        NotificationDelivery.channel == NotificationChannel.TEAMS)).all()
    assert [t.status for t in teams] == [DeliveryStatus.FAILED]  # no team, no alert channel
    assert "No Teams channel" in teams[0].last_error
