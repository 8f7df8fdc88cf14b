"""The places events happen call ``emit``: accepting an invitation, a connection check that is
refused, and a provisioning run's end."""

from __future__ import annotations

import uuid

from sqlmodel import select

from projecthub.models import Notification, NotificationEvent, ToolConnection
from projecthub.services import connection_checks, connections, invitations
from projecthub.services.principal import actor_for
from projecthub.services.status.sync import refresh_project
from tests.factories import make_org, make_user, owner_principal
from tests.services.provisioning.world import build_world
from tests.services.status.test_sync import provisioned, sync_config


def _events(db, user_id) -> list[NotificationEvent]:
    return [n.event for n in db.exec(select(Notification).where(
        Notification.user_id == user_id)).all()]


def test_accepting_an_invitation_tells_the_inviter(db):
    org = make_org(db)
    inviter = owner_principal(db, org)
    created = invitations.create_invitation(db, inviter, email="new@example.com", role="member")
    newcomer = make_user(db, email="new@example.com", name="Nora New")
    invitations.accept_invitation(db, actor_for(newcomer), created.link.rsplit("/", 1)[1])
    db.commit()
    [entry] = db.exec(select(Notification).where(Notification.user_id == inviter.user_id)).all()
    assert entry.event == NotificationEvent.INVITATION_ACCEPTED and "Nora New" in entry.title


async def test_a_refused_connection_tells_the_admins_once(db):
    world = build_world(db)
    conn_id = world.connection_ids["jira"]
    connections.update_connection(db, world.owner_principal, conn_id,
                                  secret_values={"api_token": "typo-token-0000000"})
    db.commit()
    for _ in range(2):  # still failing the second time: no new notification
        tools = world.config().tools_factory(world.owner_principal)
        await connection_checks.check_connection(db, world.owner_principal, tools, conn_id)
        db.commit()
    assert _events(db, world.owner.id) == [NotificationEvent.CONNECTION_FAILING]


async def test_a_finished_run_tells_whoever_started_it(db):
    world = build_world(db)
    await provisioned(world, db)
    db.expire_all()
    assert _events(db, world.owner.id) == [NotificationEvent.RUN_SUCCEEDED]


async def test_a_credential_refused_during_sync_marks_the_connection_failing_once(db):
    world = build_world(db)
    project = await provisioned(world, db)
    conn_id = world.connection_ids["jira"]
    connections.update_connection(db, world.owner_principal, conn_id,
                                  secret_values={"api_token": "revoked-token-000000"})
    db.commit()
    for _ in range(2):  # refused again on the next pass: still one notification
        world.clock.advance(600)
        await refresh_project(project.id, sync_config(world))
    db.expire_all()
    assert _events(db, world.owner.id).count(NotificationEvent.CONNECTION_FAILING) == 1
    row = db.get(ToolConnection, uuid.UUID(str(conn_id)))
    assert row.last_test_ok is False and "refused the saved credentials" in row.last_test_message
